"""golive's disk cache of gunicorn's loader answers, so a second audit of an unchanged
project starts no loader (issue 15).

The loader (:mod:`.gunicorn_loader`) records what its answer depended on; the answer is kept
under a digest of all of it, computed again before it is used (a change to any of it is a
different digest, so the cache never answers for a configuration gunicorn has not loaded):

* golive's loader script (its bytes) and this cache's :data:`FORMAT`;
* the interpreter: the path given, its real path, that file's device, inode, size and
  modification time, ``sys.prefix`` and its ``pyvenv.cfg``;
* the working directory (the project), the requests (command lines, config files, the
  variables the commands declare), the user golive runs as and ``os.cpu_count()``;
* the environment variables the loader read (gunicorn's and the config files' reads, by
  name, from the interpreter's start), or the whole environment when it was iterated;
* the content of every file opened while a configuration loaded and of every module of the
  project the loader imported (a config's own imports), the identity (device, inode, mode,
  and for a file size and modification time) of every other module it imported (gunicorn,
  the standard library) and of every other path ``os.stat``-ed then, and the names in every folder listed
  then and in every ``sys.path`` folder (a module added there could be imported instead).

No answer is kept when the loader saw anything else that could change it (a process, a
socket, a file written: the record's ``unsafe``), when a file or listed folder it depended on
was modified after it started (or within the second before), when it could not load with
the project's interpreter, or when the answer holds a value golive would redact
(:func:`golive.redact.redact_text`) or a secret value of the environment
(:func:`golive.redact.secret_values`): the cache never holds more than the report could show.

Stored in ``$XDG_CACHE_HOME/golive/gunicorn/`` (else ``~/.cache/golive``): one entry per
project folder and interpreter, named by an HMAC-SHA256 of both under a random key of that
folder (``key``, mode 0600), holding the time, the inputs' names (paths and variable names,
never a value), the HMAC of their states and the answers. Entries older than
``[tool.golive.gunicorn] loader_cache_hours`` (default 12; 0 switches the cache off) are
ignored, and removed by the next audit that keeps an answer; writes are atomic (a temporary
file renamed).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

from golive.context import AuditContext
from golive.own_files import cache_key, user_cache
from golive.redact import redact_text, secret_values

#: Bumped when what golive keeps of an answer, or how its digest is made, changes.
FORMAT = "golive gunicorn loader cache 1"
LOADER = Path(__file__).with_name("gunicorn_loader.py")
#: Files larger than this are not hashed (no answer is kept).
MAX_FILE = 16 << 20


class Entry:
    """A kept answer: ``results`` (one per request) for the requests whose HMAC is
    ``requests``, and the ``inputs`` (names) its digest covers."""

    def __init__(self, requests: str, inputs: dict[str, Any], results: list[dict[str, Any]]) -> None:
        self.requests = requests
        self.inputs = inputs
        self.results = results


class LoaderCache:
    """The answers kept in ``folder`` for ``max_age`` seconds for the audit ``ctx``."""

    def __init__(self, folder: Path, max_age: float, ctx: AuditContext) -> None:
        self.folder = folder
        self.max_age = max_age
        self.ctx = ctx
        self._secret: bytes | None = None

    def _mac(self, text: str) -> str | None:
        if self._secret is None:
            self._secret = cache_key(self.folder / "key")
        if not self._secret:
            return None
        return hmac.new(self._secret, text.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()

    def _path(self) -> Path | None:
        name = self._mac(f"{FORMAT}\0{self.ctx.project_dir}\0{self.ctx.python}")
        return self.folder / f"{name}.json" if name else None

    def lookup(self) -> Entry | None:
        """The answer kept for this project and interpreter whose inputs are unchanged, or None."""
        path = self._path()
        try:
            stored = json.loads(path.read_text(encoding="utf-8")) if path else None
            if not stored or stored.get("format") != FORMAT:
                return None
            entry = Entry(str(stored["requests"]), dict(stored["inputs"]), list(stored["results"]))
            age = time.time() - float(stored["at"])
            digest = str(stored["digest"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not 0 <= age < self.max_age:
            return None
        current = self._digest(entry.requests, entry.inputs)
        return entry if current is not None and hmac.compare_digest(current, digest) else None

    def answers(self, entry: Entry | None, requests: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """``entry``'s answers when they are for ``requests`` (copies), else None."""
        mac = self._mac(json.dumps(requests, sort_keys=True))
        if entry is None or mac is None or not hmac.compare_digest(mac, entry.requests):
            return None
        return json.loads(json.dumps(entry.results))

    def store(
        self, requests: list[dict[str, Any]], results: list[dict[str, Any]], record: dict[str, Any]
    ) -> bool:
        """Keep ``results`` with the loader's ``record``; False when they cannot be kept."""
        text = json.dumps(results)
        if record.get("unsafe") or any(r.get("status") == "no-gunicorn" for r in results):
            return False
        if redact_text(text) != text or _holds(results, text, secret_values(self.ctx.env)):
            return False  # what the report would redact, or a secret of the environment
        files = [*record.get("files", []), *record.get("modules", []), *record.get("stats", [])]
        folders = {*record.get("dirs", []), *record.get("path", [])}
        started = float(record.get("started", 0))
        for name in [*files, *folders]:
            with contextlib.suppress(OSError):
                st = os.stat(name)
                listed = name in folders and stat.S_ISDIR(st.st_mode)
                if (listed or stat.S_ISREG(st.st_mode)) and st.st_mtime >= started - 1:
                    return False  # changed while (or just before) gunicorn read it
        inputs = {k: record.get(k) for k in ("env", "files", "modules", "stats", "dirs", "path", "prefix")}
        requests_mac = self._mac(json.dumps(requests, sort_keys=True))
        path = self._path()
        digest = self._digest(requests_mac or "", inputs)
        if digest is None or path is None or requests_mac is None:
            return False
        entry = {
            "format": FORMAT,
            "at": time.time(),
            "requests": requests_mac,
            "inputs": inputs,
            "digest": digest,
            "results": results,
        }
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            tmp.write_text(json.dumps(entry), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            return False
        prune(self.folder, self.max_age)
        return True

    def _digest(self, requests_mac: str, inputs: dict[str, Any]) -> str | None:
        """The HMAC of every input's current state, or None when one cannot be read."""
        try:
            parts = [FORMAT, f"requests {requests_mac}", *self._interpreter(str(inputs.get("prefix", "")))]
            env = dict(self.ctx.env)
            env.pop("PYTHONSTARTUP", None)  # the loader runs without it
            names = sorted(env) if inputs.get("env") == "*" else sorted(inputs.get("env") or [])
            parts += [f"env {n}={env[n]!r}" if n in env else f"env {n} unset" for n in names]
            project = f"{self.ctx.project_dir}{os.sep}"  # the loader's sys.path entry
            for kind in ("files", "modules", "stats"):
                for name in inputs.get(kind) or []:
                    # a module of the interpreter's (gunicorn, the standard library): its
                    # identity; the project's files and the files opened: their content
                    inside = kind == "files" or name.startswith(project)
                    parts.append(f"{kind} {name} {_state(Path(name)) if inside else _identity(name)}")
            folders = sorted({*(inputs.get("dirs") or []), *(inputs.get("path") or [])})
            parts += [f"dir {d} {_listing(Path(d))}" for d in folders]
        except (_Unreadable, OSError):
            return None
        return self._mac("\n".join(parts))

    def _interpreter(self, prefix: str) -> list[str]:
        python = self.ctx.python
        real = os.path.realpath(python)
        st = os.stat(real)
        cfg = Path(prefix) / "pyvenv.cfg"
        return [
            f"python {python} {real} {st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns}",
            f"prefix {prefix} {_state(cfg)}",
            f"loader {hashlib.sha256(LOADER.read_bytes()).hexdigest()}",
            f"cwd {self.ctx.project_dir}",
            f"uid {os.geteuid()} cpus {os.cpu_count()}",
        ]


_PRUNED: set[Path] = set()


def prune(folder: Path, max_age: float) -> None:
    """Remove the entries of ``folder`` older than ``max_age`` (an hour at least) and leftover
    temporary files, once per process and folder (after a write)."""
    if folder in _PRUNED:
        return
    _PRUNED.add(folder)
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.name.endswith((".json", ".tmp")) and now - entry.stat().st_mtime > max(
                    max_age, 3600
                ):
                    os.unlink(entry.path)


def _holds(results: Any, text: str, secrets: frozenset[str]) -> bool:
    """True when ``results`` (``text`` as JSON) hold one of ``secrets``: a value of 8 characters
    or more anywhere, a shorter one as a whole string (``corpus`` is in many a path)."""
    if any(len(v) >= 8 and v in text for v in secrets):
        return True
    short = {v for v in secrets if len(v) < 8}
    stack = [results]
    while stack and short:
        item = stack.pop()
        if isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item
        elif isinstance(item, str) and item in short:
            return True
    return False


class _Unreadable(Exception):
    pass


def _identity(name: str) -> str:
    """A path's identity without reading it: a file's device, inode, mode, size and
    modification time; a folder's device, inode and mode (what ``os.path.samefile`` compares:
    gunicorn compares ``$PWD`` with the working directory), not its time, which changes with
    every file made in it."""
    st = _stat(name)
    if st is None:
        return "absent"
    if stat.S_ISDIR(st.st_mode):
        return f"dir {st.st_dev} {st.st_ino} {st.st_mode:o}"
    return f"{st.st_dev} {st.st_ino} {st.st_mode:o} {st.st_size} {st.st_mtime_ns}"


def _stat(name: str | Path) -> os.stat_result | None:
    """``os.stat(name)``; None when nothing is there; :class:`_Unreadable` when it cannot be read."""
    try:
        return os.stat(name)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        raise _Unreadable from None


def _state(path: Path) -> str:
    """A path's state: a file's mode and content digest, ``dir``, ``absent``, or its type."""
    st = _stat(path)
    if st is None:
        return "absent"
    if stat.S_ISDIR(st.st_mode):
        return f"dir {st.st_dev} {st.st_ino} {st.st_mode:o}"
    if not stat.S_ISREG(st.st_mode):
        return f"other {st.st_mode:o}"
    if st.st_size > MAX_FILE:
        raise _Unreadable
    try:
        return f"file {st.st_mode:o} {hashlib.sha256(path.read_bytes()).hexdigest()}"
    except OSError:
        raise _Unreadable from None


def _listing(folder: Path) -> str:
    """The sorted names in ``folder`` (a digest), or its state when it is not a folder."""
    try:
        names = sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return _state(folder)
    except OSError:
        raise _Unreadable from None
    return hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest()


def cache_for(ctx: AuditContext) -> LoaderCache | None:
    """The cache of an audit (``ctx.env``'s user cache ``/gunicorn``), or None when
    ``[tool.golive.gunicorn] loader_cache_hours`` is 0."""
    try:
        hours = float(ctx.config.section("gunicorn").get("loader_cache_hours", 12))
    except (TypeError, ValueError):
        hours = 12.0
    if hours <= 0:
        return None
    return LoaderCache(user_cache(ctx.env) / "gunicorn", hours * 3600, ctx)
