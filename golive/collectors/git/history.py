"""Scan the added lines of a ``git log -p`` stream for secrets.

The stream is what one ``git log -p --all --no-color --unified=0 --format=...`` process
writes (:data:`LOG_FORMAT`): a header line per commit (``\\x01`` + sha, committer time,
author date, author name, NUL-separated), then per file ``diff --git``, ``--- a/path``,
``+++ b/path``, hunk headers ``@@ -a,b +c,d @@`` and the removed (``-``) and added (``+``)
lines. Only added lines are scanned.

For speed the stream is read in blocks that end at a commit boundary. In each block a few
keywords (:data:`KEYWORDS`, :data:`CASED_KEYWORDS`: every rule needs one of them) are
looked for with ``bytes.find``, which runs at memory speed; only the added lines holding one
are decoded and given to :class:`golive.collectors.git.scanner.FileScanner`. Their commit, path
and line number are worked out from the headers before them, walking forward through the
block once. Each distinct secret (rule and value) is kept once, with the commit, path and
line where it first appeared (the earliest committer time; on a tie the commit git lists
last, which is the older one) and how many commits added it.

Format reference: git-log(1) "PRETTY FORMATS" and "GENERATING PATCH TEXT WITH -P"
(https://git-scm.com/docs/git-log, https://git-scm.com/docs/diff-generate-patch).
"""

from __future__ import annotations

import codecs
import queue
import re
import threading
from dataclasses import dataclass
from typing import Protocol

from golive.collectors.git.policy import DEFAULT, ScanPolicy
from golive.collectors.git.scanner import FileScanner, RawMatch
from golive.facts.secrets.token_formats import HISTORY_MARKERS

#: ``--format`` of the commit header lines: \x01 sha \0 committer unix time \0 author date \0 author.
LOG_FORMAT = "%x01%H%x00%ct%x00%aI%x00%an"
#: Looked for in the lower-cased block: secret names, URLs with credentials, token prefixes
#: (:data:`golive.facts.secrets.token_formats.HISTORY_MARKERS`: the other token formats are found
#: on lines that hold one of the secret words, where they nearly always are).
#: ``pass`` stands for passw/_pass/pass_/passphrase, ``k_`` for sk_/rk_ (see :data:`_CONFIRM`).
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
#: Looked for in the block as it is (too common in lower case: ``msg.``); ``gh`` stands for
#: the GitHub token prefixes.
CASED_KEYWORDS = (b"AKIA", b"ASIA", b"SG.", b"AIza", b"gh")
#: How much of the stream is scanned at a time (rounded to whole commits).
BLOCK = 1 << 22
#: How much the reader thread reads at a time, and how many such reads may wait.
READ = 1 << 16
QUEUED = 1024
_HUNK = re.compile(rb"@@ -\d+(?:,\d+)? \+(\d+)")


class Readable(Protocol):
    """A binary stream (``subprocess.Popen.stdout``)."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class Commit:
    """A commit of the stream: full sha, committer time (unix s), author date (ISO 8601), author."""

    sha: str
    timestamp: int
    date: str
    author: str


@dataclass
class Sighting:
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


def _confirm_pass(text: bytes, at: int) -> bool:
    return text[at - 1 : at] == b"_" or text[at + 4 : at + 5] in (b"w", b"_", b"p")


def _confirm_k(text: bytes, at: int) -> bool:
    return text[at - 1 : at] in (b"s", b"r")


def _confirm_gh(text: bytes, at: int) -> bool:
    return text[at + 2 : at + 4] in (b"p_", b"o_", b"u_", b"s_", b"r_") or text.startswith(b"github_pat_", at)


#: Keywords that stand for several: a hit counts only when this says so.
_CONFIRM = {b"pass": _confirm_pass, b"k_": _confirm_k, b"gh": _confirm_gh}


def _candidates(block: bytes) -> list[int]:
    """Start offsets of the lines of ``block`` holding a keyword (sorted, unique)."""
    starts: set[int] = set()
    lower = block.lower()
    for haystack, words in ((lower, KEYWORDS), (block, CASED_KEYWORDS)):
        for word in words:
            confirm = _CONFIRM.get(word)
            at = haystack.find(word)
            while at != -1:
                if confirm is not None and not confirm(haystack, at):
                    at = haystack.find(word, at + 1)
                    continue
                start = block.rfind(b"\n", 0, at) + 1
                starts.add(start)
                end = block.find(b"\n", at)
                if end == -1:
                    break
                at = haystack.find(word, end)
    return sorted(starts)


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
        pending, parts, size = b"", [], 0
        while True:
            chunk = chunks.get()
            parts.append(chunk)
            size += len(chunk)
            if chunk and size < BLOCK:
                continue
            data = pending + b"".join(parts)
            parts, size = [], 0
            if not chunk:
                if data:
                    self._block(data)
                reader.join()
                return
            cut = data.rfind(b"\n\x01")
            if cut <= 0:
                pending = data
                continue
            self._block(data[: cut + 1])
            pending = data[cut + 1 :]

    def _block(self, data: bytes) -> None:
        """Scan whole commits: ``data`` starts at a commit header (or mid-commit after a resume)."""
        block = b"\n" + data
        self.commits += block.count(b"\n\x01")
        last_header = block.rfind(b"\n\x01")
        if last_header != -1:
            self.last = _commit(block[last_header + 2 : block.find(b"\n", last_header + 1)])
        state = _Walk(block, self.policy)
        for start in _candidates(block):
            if block[start : start + 1] != b"+" or _is_file_header(block, start):
                continue
            place = state.at(start)
            if place is None:
                continue
            commit, scanner, line = place
            end = block.find(b"\n", start)
            text = block[start + 1 : end if end != -1 else len(block)]
            for match in scanner.scan(text.rstrip(b"\r").decode("utf-8", "replace")):
                self._record(match, commit, scanner.path, line)
            if scanner.pending and end != -1 and block[end + 1 : end + 2] == b"+":
                nxt = block.find(b"\n", end + 1)
                body = block[end + 2 : nxt if nxt != -1 else len(block)]
                for match in scanner.scan(body.rstrip(b"\r").decode("utf-8", "replace")):
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
    """Walks forward through one block, keeping the commit, file and hunk of the last line asked."""

    def __init__(self, block: bytes, policy: ScanPolicy = DEFAULT) -> None:
        self.block = block
        self.policy = policy
        self.pos = 0
        self.commit: Commit | None = None
        self.diff = -1
        self.scanner: FileScanner | None = None
        self.hunk = -1
        self.line = 0
        self.line_pos = -1

    def at(self, start: int) -> tuple[Commit, FileScanner, int] | None:
        """(commit, scanner of its file, new line number) of the added line at ``start``."""
        block = self.block
        header = block.rfind(b"\n\x01", self.pos, start)
        if header != -1:
            self.commit = _commit(block[header + 2 : block.find(b"\n", header + 1)])
            self.diff, self.scanner, self.hunk = -1, None, -1
        diff = block.rfind(b"\ndiff --git ", max(self.pos, header), start)
        if diff != -1:
            self.diff, self.scanner, self.hunk = diff, None, -1
            hunk0 = block.find(b"\n@@ ", diff + 1, start)
            plus = block.rfind(b"\n+++ ", diff, hunk0 if hunk0 != -1 else start)
            if plus != -1:
                path = _path(block[plus + 1 : block.find(b"\n", plus + 1)])
                self.scanner = FileScanner(path, self.policy) if path is not None else None
        hunk = block.rfind(b"\n@@ ", max(self.pos, self.diff), start)
        self.pos = start
        if hunk != -1:
            eol = block.find(b"\n", hunk + 1)
            m = _HUNK.match(block, hunk + 1, eol)
            self.hunk, self.line_pos = hunk, eol
            self.line = (int(m.group(1)) if m else 0) - 1
        if self.commit is None or self.scanner is None or self.hunk == -1:
            return None
        self.line += 1 + block.count(b"\n+", self.line_pos, start - 1)
        self.line_pos = start
        return self.commit, self.scanner, self.line
