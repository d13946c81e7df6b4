"""gixy-ng's scan of an nginx input kept on disk, so a second audit of unchanged files runs no gixy-ng.

The crossplane pass (:func:`golive.collectors.nginx.inputs.read_input`) runs on every audit:
it reads the input and follows its includes as nginx would, so what gixy-ng would read is
known before it runs. The scan's result (:func:`golive.collectors.nginx.inputs.scan_input`:
the tree, gixy-ng's reports and warnings, the missing includes it resolved) is kept under a
key covering everything it depends on, so a change to any of it is a different key:

* golive's own code (the name, size and modification time of every file of its package, by digest),
  gixy-ng's version (with the crossplane fork it ships) and Python's;
* the input: its path and where it resolves to, its text as read (rendered, for a template),
  the prefix its includes resolve against, the project folder (and where it resolves to),
  the Compose service that runs it (its mounts decide where includes are read);
* every file the crossplane pass included: its path, where it resolves to and its state
  (content digest, mode, owner: :func:`golive.collectors.nginx.test_cache.file_state`),
  and the missing includes it resolved (repository file, stock file, unknown);
* the level of gixy-ng's logger (its warnings are kept).

Not kept: an ``nginx -T`` dump gixy-ng did not read as one (it then reads its includes
from disk; a dump it reads as one names no other file), an input with errors, one that
cannot be keyed (a file unreadable or over 64 MiB), one using a stock file that has an ``include`` of its own
(gixy-ng follows it, the crossplane pass does not), and while gixy-ng's variable folders
(``/etc/gixy/vars.d``...) exist; nor a result holding anything golive would redact
(gixy-ng's excerpts, texts and warnings are checked with
:func:`golive.redact_nginx.redact_nginx_line` and :func:`golive.redact.redact_text`; the
tree's arguments are redacted when it is made). The entries live beside the ``nginx -t``
answers (:class:`golive.collectors.nginx.test_cache.AnswerCache`: same folder, HMAC key, age
limit, pruning; ``scan-<key>.json``).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec.structs

from golive.collectors.nginx.inputs import Input, scan_input
from golive.collectors.nginx.paths import resolved
from golive.collectors.nginx.scan import GIXY_NOT_RUN
from golive.collectors.nginx.test_cache import AnswerCache, file_state
from golive.facts.nginx import STOCK, GixyResult, IncludeNote, ParseError
from golive.facts.nginx_tree import Node
from golive.model import Location
from golive.redact import redact_text
from golive.redact_nginx import redact_nginx_line

#: Bumped when what is kept of a scan changes shape.
FORMAT = "golive nginx scan cache 1"
#: gixy-ng's folders of variable definitions (``gixy.core.variable_catalog.DEFAULT_VARIABLE_DIRS``).
GIXY_VARIABLE_DIRS = ("/usr/share/gixy/vars.d", "/etc/gixy/vars.d")

_CODE: list[str] = []
_CODE_LOCK = threading.Lock()
_DIGESTS: dict[str, str] = {}


def code_identity() -> str:
    """golive's code as this process loaded it: each file of the package with its size and
    modification time (read once per process)."""
    with _CODE_LOCK:
        if not _CODE:
            root = str(Path(__file__).resolve().parents[2])
            parts = []
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for name in sorted(files):
                    path = os.path.join(folder, name)
                    st = os.stat(path)
                    # the path relative to the package (os.walk joins the folders to it)
                    parts.append(f"{path[len(root) + 1 :]} {st.st_size} {st.st_mtime_ns}")
            _CODE.append("\n".join(parts))
        return _CODE[0]


def code_digest() -> str:
    """The SHA-256 of :func:`code_identity`: what each scan key holds of golive's code (its
    12 KB text, signed with each of an audit's 104 keys, was a millisecond)."""
    text = code_identity()
    found = _DIGESTS.get(text)
    if found is None:
        found = _DIGESTS[text] = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    return found


def scan_key(item: Input, project_dir: Path, cache: AnswerCache) -> str | None:
    """The key of ``item``'s scan, or None when it is not kept (see the module docstring)."""
    import gixy

    resolver = item.resolver
    if item.unread is not None or item.errors or resolver is None:
        return None
    if any(os.path.exists(d) for d in GIXY_VARIABLE_DIRS):
        return None
    parts = [
        FORMAT,
        f"code {code_digest()}",
        f"gixy {getattr(gixy, 'version', '')} not run {GIXY_NOT_RUN}",
        f"python {sys.version}",
        f"project {project_dir} {resolved(project_dir)}",
        f"input {item.path} {resolved(item.path)} {item.shown!r} template {item.template!r}",
        f"base {item.base}",
        f"deployment {resolver.deployment!r}",
        f"text {item.text!r}",
    ]
    for path in [item.path, *item.included]:
        state = file_state(path)
        if state is None:
            return None
        parts.append(f"file {str(path)!r} {str(resolved(path))!r} {state}")
    parts += [f"note {note!r}" for note in resolver.notes]
    parts.append(f"gixy log level {logging.getLogger('gixy').getEffectiveLevel()}")
    return None if _reads_more(resolver.notes) else cache.sign("\n".join(parts))


def _reads_more(notes: list[IncludeNote]) -> bool:
    """True when a stock file used has an ``include`` of its own: gixy-ng follows it (from
    disk, where it may exist) while the crossplane pass does not, so the key would not cover it."""
    if not any(note.how == STOCK for note in notes):
        return False
    from golive.data.nginx_stock import stock_file  # here: only with stock includes

    for note in notes:
        stock = stock_file(note.pattern) if note.how == STOCK else None
        if stock is not None and any(line.startswith("include") for line in stock.text.splitlines()):
            return True
    return False


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused (this process) within the scope: building
    trees allocates many objects, and each collection it triggers walks every object alive."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def scan(item: Input, project_dir: Path, cache: AnswerCache | None) -> None:
    """:func:`golive.collectors.nginx.inputs.scan_input`, or its result kept in ``cache``."""
    key = scan_key(item, project_dir, cache) if cache is not None else None
    if cache is None or key is None:
        scan_input(item, project_dir)
        return
    path = cache.folder / f"scan-{key}.json"
    kept = _read(path, cache.max_age)
    if kept is not None:
        with contextlib.suppress(KeyError, TypeError, ValueError, IndexError):
            _restore(item, kept)
            return
    errors = len(item.errors)
    scan_input(item, project_dir)
    entry = _entry(item, item.errors[errors:])
    if entry is not None:
        cache.write(path, entry)


def _read(path: Path, max_age: float) -> dict[str, Any] | None:
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        if kept.get("format") != FORMAT or not 0 <= time.time() - float(kept["at"]) < max_age:
            return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return kept if isinstance(kept, dict) else None


def _clean(text: str, nginx: bool = False) -> bool:
    lines = text.splitlines() or [text]
    return all((redact_nginx_line(line) if nginx else redact_text(line)) == line for line in lines)


def _entry(item: Input, errors: list[ParseError]) -> dict[str, Any] | None:
    """What is kept of ``item``'s scan (new ``errors`` included), or None when any of it
    holds what golive would redact, or it read a stock file's include (:func:`_reads_more`)."""
    if item.resolver is not None and _reads_more(item.resolver.notes):
        return None
    if item.dump and (item.resolver is None or item.resolver.file_includes):
        return None  # gixy-ng did not read it as a dump, so it read includes from disk
    texts = [*item.notes, *(e.message for e in errors)]
    texts += [n.pattern for n in item.resolver.notes] if item.resolver else []
    texts += [t for r in item.gixy for t in (r.summary, r.description, r.reason, r.help_url)]
    if not all(_clean(t) for t in texts) or not all(_clean(r.excerpt, nginx=True) for r in item.gixy):
        return None
    if any(msgspec.structs.replace(r) != r for r in item.gixy):
        return None  # made again, it would be redacted again: GixyResult.redacted could not restore it
    paths: dict[str, int] = {}

    def node(n: Node) -> list[Any]:
        kids = None if n.children is None else [node(c) for c in n.children]
        return [n.name, list(n.args), paths.setdefault(n.path, len(paths)), n.line, kids, n.source]

    root = node(item.root) if item.root is not None else None
    return {
        "format": FORMAT,
        "at": time.time(),
        "paths": list(paths),
        "root": root,
        "gixy": [
            {
                **msgspec.structs.asdict(r),
                "location": [r.location.path, r.location.line] if r.location else None,
            }
            for r in item.gixy
        ],
        "notes": list(item.notes),
        "errors": [[e.path, e.line, e.message] for e in errors],
        "includes": [msgspec.structs.asdict(n) for n in item.resolver.notes] if item.resolver else [],
    }


def _restore(item: Input, kept: dict[str, Any]) -> None:
    """Fill ``item`` from a kept scan (raises KeyError, TypeError, ValueError on a malformed one)."""
    paths = [str(p) for p in kept["paths"]]

    def node(n: list[Any]) -> Node:
        name, args, path, line, kids, source = n
        children = None if kids is None else tuple(node(c) for c in kids)
        line = None if line is None else int(line)
        return Node(str(name), tuple(map(str, args)), paths[path], line, children, str(source))

    root = None if kept["root"] is None else node(kept["root"])
    gixy = []
    for r in kept["gixy"]:
        where = r["location"]
        location = None if where is None else Location(path=str(where[0]), line=where[1])
        gixy.append(GixyResult.redacted(**{**r, "location": location}))  # kept only when redacted
    errors = [ParseError(path=p, line=line, message=m) for p, line, m in kept["errors"]]
    includes = [IncludeNote(**n) for n in kept["includes"]]
    item.root, item.gixy, item.notes = root, gixy, [str(n) for n in kept["notes"]]
    item.errors += errors
    if item.resolver is not None:
        item.resolver.notes = includes
