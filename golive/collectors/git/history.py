"""Scan the added lines of a ``git log -p`` stream for secrets.

The stream is what one ``git log -p --all --no-color --unified=0 --format=...`` process
writes (:data:`LOG_FORMAT`): a header line per commit (``\\x01`` + sha, committer time,
author date, author name, NUL-separated), then per file ``diff --git``, ``--- a/path``,
``+++ b/path``, hunk headers ``@@ -a,b +c,d @@`` and the removed (``-``) and added (``+``)
lines. Only added lines are scanned.

For speed the stream is read in blocks that end at a commit boundary, and each block is
read once by one RE2 expression (:data:`_LINES`; RE2 runs as a DFA, in linear time, without
holding the GIL: https://github.com/google/re2/wiki/WhyRE2) that stops only at the lines
that matter: commit headers, ``diff --git`` lines, hunk headers, and the added lines holding
a keyword (:data:`KEYWORDS`, :data:`CASED_KEYWORDS`: every rule needs one of them). Only
those added lines are decoded (their first :data:`~golive.collectors.git.scanner.MAX_LINE`
characters, all the scanner reads) and given to
:class:`golive.collectors.git.scanner.FileScanner`, with the commit, path and line number
worked out from the headers met on the way. Each distinct secret (rule and value) is kept
once, with the commit, path and line where it first appeared (the earliest committer
time; on a tie the commit git lists last, which is the older one) and how many commits
added it.

Format reference: git-log(1) "PRETTY FORMATS" and "GENERATING PATCH TEXT WITH -P"
(https://git-scm.com/docs/git-log, https://git-scm.com/docs/diff-generate-patch).
"""

from __future__ import annotations

import codecs
import queue
import re
import threading
from collections.abc import Iterator
from typing import Protocol

import re2
from msgspec import Struct

from golive.collectors.git.policy import DEFAULT, ScanPolicy
from golive.collectors.git.scanner import MAX_LINE, FileScanner, RawMatch
from golive.facts.secrets.token_formats import HISTORY_MARKERS

#: ``--format`` of the commit header lines: \x01 sha \0 committer unix time \0 author date \0 author.
LOG_FORMAT = "%x01%H%x00%ct%x00%aI%x00%an"
#: Looked for case-insensitively (ASCII): secret names, URLs with credentials, token prefixes
#: (:data:`golive.facts.secrets.token_formats.HISTORY_MARKERS`: the other token formats are found
#: on lines that hold one of the secret words, where they nearly always are).
#: ``pass`` counts as ``_pass``, ``passw``, ``pass_`` or ``passp``; ``k_`` as ``sk_`` or ``rk_``.
KEYWORDS = (
    b"secret",
    b"pass",
    b"pwd",
    b"token",
    b"key",
    b"private",
    b"credential",
    b"dsn",
    b"://",
    b"k_",
    b"glpat-",
    b"xox",
    b"npm_",
    b"pypi-",
    *(m.encode() for m in HISTORY_MARKERS),
)
#: Looked for as written (too common in lower case: ``msg.``); ``gh`` counts as the GitHub
#: token prefixes ``ghp_``, ``gho_``, ``ghu_``, ``ghs_``, ``ghr_``.
CASED_KEYWORDS = (b"AKIA", b"ASIA", b"SG.", b"AIza", b"gh")
#: How much of the stream is scanned at a time (rounded to whole commits).
BLOCK = 1 << 22
#: How much the reader thread reads at a time, and how many such reads may wait.
READ = 1 << 20
QUEUED = 64
#: An added line longer than this is not read to its end by :data:`_LINES` once a keyword
#: is found on it: the search goes on at its end (found with ``bytes.find``, at memory speed).
SKIP_LINE = 1 << 16
#: Bytes of an added line decoded for the scanner: its first MAX_LINE characters need at
#: most 4 bytes each, and the UTF-8 decoder looks at most 3 bytes ahead.
DECODED = 4 * MAX_LINE + 4
_HUNK = re.compile(rb"@@ -\d+(?:,\d+)? \+(\d+)")


class Readable(Protocol):
    """A binary stream (``subprocess.Popen.stdout``)."""

    def read(self, size: int = -1, /) -> bytes: ...


class Commit(Struct, frozen=True):
    """A commit of the stream: full sha, committer time (unix s), author date (ISO 8601), author."""

    sha: str
    timestamp: int
    date: str
    author: str


class Sighting(Struct):
    """Where a secret first appeared (``line`` 1-based in the new file) and how often it was added."""

    match: RawMatch
    commit: Commit
    path: str
    line: int
    count: int = 1


def _path(header: bytes) -> str | None:
    """The new path of a ``+++ b/path`` line; None for ``+++ /dev/null`` (a deletion)."""
    text = header[4:].rstrip(b"\r").rstrip(b"\t")  # git appends a TAB to paths with spaces
    if text.startswith(b'"') and text.endswith(b'"'):
        text = codecs.escape_decode(text[1:-1])[0]
    if text == b"/dev/null":
        return None
    if text.startswith(b"b/"):
        text = text[2:]
    return text.decode("utf-8", "replace")


def _commit(header: bytes) -> Commit:
    fields = header.rstrip(b"\r").decode("utf-8", "replace").split("\x00")
    fields += [""] * (4 - len(fields))
    try:
        timestamp = int(fields[1])
    except ValueError:
        timestamp = 0
    return Commit(sha=fields[0], timestamp=timestamp, date=fields[2], author=fields[3])


def _is_file_header(block: bytes, start: int) -> bool:
    """True for the ``+++ b/path`` line of a file header (it follows ``--- a/path``)."""
    if not block.startswith(b"+++ ", start):
        return False
    previous = block.rfind(b"\n", 0, start - 1) + 1
    return block.startswith(b"--- ", previous)


def _keyword_pattern() -> bytes:
    """:data:`KEYWORDS` and :data:`CASED_KEYWORDS` as one RE2 alternation (bytes)."""
    special = {b"pass": b"_pass|pass[wp_]", b"k_": b"[sr]k_"}
    folded = b"|".join(special.get(k, re.escape(k)) for k in KEYWORDS)
    cased = b"|".join(b"gh[pousr]_" if k == b"gh" else re.escape(k) for k in CASED_KEYWORDS)
    return b"(?:(?i:" + folded + b")|" + cased + b")"


def _options() -> re2.Options:
    # Latin-1: every byte is one character (a diff need not be UTF-8), and (?i) folds ASCII only.
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    options.never_capture = True
    return options


#: The lines of a block that matter, each matched from its start: a commit header
#: (``\\x01``), a ``diff --git`` line, a hunk header, or an added line up to its first keyword.
_LINES = re2.compile(rb"(?m)^(?:\x01|diff --git |@@ |\+[^\n]*?" + _keyword_pattern() + b")", _options())
_COMMIT, _DIFF, _HUNK_AT, _ADDED = 1, ord("d"), ord("@"), ord("+")


def _lines(block: bytes, end: int) -> Iterator[tuple[int, int]]:
    """(kind, start) of the lines of ``block[:end]`` that :data:`_LINES` stops at, in order;
    ``kind`` is the line's first byte."""
    pos = 0
    while pos < end:
        for m in _LINES.finditer(block, pos, end):
            start, stop = m.span()
            kind = block[start]
            yield kind, start
            if kind == _ADDED:
                eol = block.find(b"\n", stop, end)
                if eol - stop > SKIP_LINE:
                    pos = eol
                    break
        else:
            return


def _text(block: bytes, start: int, end: int) -> str:
    """The line at ``block[start:end]`` without its ``\\r`` (its first :data:`DECODED` bytes)."""
    while end > start and block[end - 1] == 13:
        end -= 1
    return block[start : min(end, start + DECODED)].decode("utf-8", "replace")


def _drain(stream: Readable, chunks: queue.Queue[bytes]) -> None:
    """Put ``stream``'s bytes on ``chunks``, then ``b""`` at its end (or when it breaks)."""
    try:
        while chunk := stream.read(READ):
            chunks.put(chunk)
    except (OSError, ValueError):
        pass
    chunks.put(b"")


class HistoryScan:
    """Feed it a ``git log -p`` stream; read ``found`` and ``commits`` afterwards.

    ``found`` maps (rule, value) to its :class:`Sighting`; ``commits`` counts commit
    headers seen; ``last`` is the last commit whose header was seen (the one being read
    when a stream breaks off). ``policy`` says which files are scanned by name.
    """

    def __init__(self, policy: ScanPolicy = DEFAULT) -> None:
        self.policy = policy
        self.found: dict[tuple[str, str], Sighting] = {}
        self.commits = 0
        self.last: Commit | None = None

    def feed(self, stream: Readable) -> None:
        """Read ``stream`` to its end; may be called again for a resumed stream.

        A reader thread drains the stream while this one scans, so that git keeps
        writing (its pipe never fills) and both run side by side.
        """
        chunks: queue.Queue[bytes] = queue.Queue(maxsize=QUEUED)
        reader = threading.Thread(target=_drain, args=(stream, chunks), daemon=True)
        reader.start()
        # parts: the stream since the last block, after a "\n"; cut: where the last commit
        # header among them starts (0: none), counted from the start of b"".join(parts).
        parts, size, cut = [b"\n"], 1, 0
        while chunk := chunks.get():
            at = chunk.rfind(b"\n\x01")
            if at != -1:
                cut = size + at + 1
            elif chunk[:1] == b"\x01" and parts[-1][-1:] == b"\n":
                cut = size
            parts.append(chunk)
            size += len(chunk)
            if size >= BLOCK and cut > 1:
                block = b"".join(parts)
                self._block(block, cut)
                parts, size, cut = [b"\n", block[cut:]], 1 + len(block) - cut, 0
        if size > 1:
            self._block(b"".join(parts), size)
        reader.join()

    def _block(self, block: bytes, end: int) -> None:
        """Scan ``block[:end]``: a "\\n", then whole commits (or, after a resume, the rest of one)."""
        walk = _Walk(block, self.policy)
        last_header = -1
        for kind, start in _lines(block, end):
            if kind == _ADDED:
                if not _is_file_header(block, start):
                    self._added(walk, start, end)
            elif kind == _HUNK_AT:
                walk.hunk = start - 1
            elif kind == _DIFF:
                walk.new_diff(start - 1)
            else:
                self.commits += 1
                last_header = start
                walk.new_commit(start)
        if last_header != -1:
            self.last = _commit(block[last_header + 1 : block.find(b"\n", last_header)])

    def _added(self, walk: _Walk, start: int, end: int) -> None:
        """Scan the added line at ``block[start]`` (and a private key's body on the next one)."""
        place = walk.at(start)
        if place is None:
            return
        block = walk.block
        commit, scanner, line = place
        eol = block.find(b"\n", start, end)
        eol = end if eol == -1 else eol
        for match in scanner.scan(_text(block, start + 1, eol)):
            self._record(match, commit, scanner.path, line)
        if scanner.pending and eol < end and block[eol + 1 : eol + 2] == b"+":
            nxt = block.find(b"\n", eol + 1, end)
            for match in scanner.scan(_text(block, eol + 2, end if nxt == -1 else nxt)):
                self._record(match, commit, scanner.path, line + 1)
        scanner.interrupt()

    def _record(self, match: RawMatch, commit: Commit, path: str, line: int) -> None:
        key = (match.rule, match.value)
        seen = self.found.get(key)
        if seen is None:
            self.found[key] = Sighting(match, commit, path, line)
            return
        seen.count += 1
        if commit.timestamp <= seen.commit.timestamp:
            seen.match, seen.commit, seen.path, seen.line = match, commit, path, line


class _Walk:
    """The commit, file and hunk of the lines of one block, told as :func:`_lines` meets them.

    Commit headers and files are parsed only when an added line of theirs is scanned."""

    def __init__(self, block: bytes, policy: ScanPolicy = DEFAULT) -> None:
        self.block = block
        self.policy = policy
        self.header = -1
        self.commit: Commit | None = None
        #: The "\\n" before the current ``diff --git`` line and hunk header (-1: none yet).
        self.diff = -1
        self.scanner: FileScanner | None = None
        self.hunk = -1
        self.read_hunk = -1
        self.line = 0
        self.line_pos = -1

    def new_commit(self, start: int) -> None:
        """A commit header starts at ``start``."""
        self.header, self.commit = start, None
        self.diff, self.scanner, self.hunk = -1, None, -1

    def new_diff(self, diff: int) -> None:
        """A ``diff --git`` line follows the "\\n" at ``diff``."""
        self.diff, self.scanner, self.hunk = diff, None, -1

    def at(self, start: int) -> tuple[Commit, FileScanner, int] | None:
        """(commit, scanner of its file, new line number) of the added line at ``start``."""
        block = self.block
        if self.commit is None:
            if self.header == -1:
                return None
            self.commit = _commit(block[self.header + 1 : block.find(b"\n", self.header)])
        if self.diff == -1 or self.hunk == -1:
            return None
        if self.scanner is None:
            first = block.find(b"\n@@ ", self.diff + 1, start)
            plus = block.rfind(b"\n+++ ", self.diff, first if first != -1 else start)
            path = _path(block[plus + 1 : block.find(b"\n", plus + 1)]) if plus != -1 else None
            if path is None:
                return None
            self.scanner = FileScanner(path, self.policy)
        if self.hunk != self.read_hunk:
            eol = block.find(b"\n", self.hunk + 1)
            m = _HUNK.match(block, self.hunk + 1, eol)
            self.read_hunk, self.line_pos = self.hunk, eol
            self.line = (int(m.group(1)) if m else 0) - 1
        self.line += 1 + block.count(b"\n+", self.line_pos, start - 1)
        self.line_pos = start
        return self.commit, self.scanner, self.line
