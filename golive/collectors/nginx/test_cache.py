"""golive's disk cache of ``nginx -t`` answers, so a second audit of unchanged files runs no nginx.

An answer is kept under a key that covers everything the test reads (a change to any of it
is a different key, so the cache never answers for a configuration nginx has not seen):

* the nginx binary: its path, device, inode, size and modification time, and its
  ``nginx -V`` output (version, build options, the OpenSSL it runs with);
* the user golive runs as, ``/etc/passwd`` and ``/etc/group`` (``user`` is looked up),
  OpenSSL's configuration (``$OPENSSL_CONF``, else ``/etc/ssl/openssl.cnf``) and the
  folders of the paths built into nginx (its temporary folders, modules);
* the file given to ``-c`` (golive's generated main file, or the input itself) and every
  file its ``include`` directives reach, as nginx resolves them (relative to that file's
  folder, globs expanded: the list of files matched is part of the key): path and content,
  golive's copies of the stock includes included (they are written in the scratch prefix);
* every path a directive names (an argument with ``/`` or ``.``, or of a directive that
  reads a file: certificates, keys, ``*_file``, ``load_module``...), against that folder
  and the prefix: the content of a file, or that it is a folder, absent, or something else
  (for the files nginx writes, logs, pid, temporary folders: their folder);
* the addresses every host name in ``*_pass``, upstream ``server``, ``listen`` and
  ``resolver`` resolves to now (nginx resolves them when it reads the file).

No answer is kept when any of that cannot be read: a parse error of crossplane (the fork
gixy-ng ships), an include that matches no file, a file that cannot be read or is over
64 MiB. The files are read again after nginx ran: an answer whose files changed meanwhile is
not kept. The scratch prefix's random name is replaced by a placeholder in the key and in
the answer (and put back when read), so a later audit's scratch prefix finds it.

What is stored (``$XDG_CACHE_HOME/golive/nginx-t/<key>.json``, else ``~/.cache/golive``):
the time, nginx's return code and golive's answer text, nginx's first error line after
:func:`golive.redact.redact_text` (what the report shows); the key is an HMAC-SHA256 under
a random key of the cache folder (``key``, mode 0600), not a plain hash of the configuration.
Entries older than ``max_age`` (``[tool.golive.nginx] test_cache_hours``, default 12; 0
switches the cache off), unreadable or malformed ones are ignored (expired ones removed);
writes are atomic. gixy-ng's scans are kept there too (:mod:`.scan_cache`, ``scan-<key>.json``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import re
import stat
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from golive.collectors.nginx.test_reads import Uncacheable, parse_conf, references
from golive.own_files import cache_key, user_cache

#: Bumped when what golive keeps of an answer (:func:`golive.collectors.nginx.binary.answer`) changes.
FORMAT = "golive nginx -t cache 1"
#: The placeholder of the scratch prefix in keys and stored answers.
SCRATCH = "\x00scratch\x00"
#: Files larger than this are not hashed (no answer is kept).
MAX_FILE = 64 << 20


class AnswerCache:
    """The ``nginx -t`` answers kept in ``folder`` for ``max_age`` seconds.

    :meth:`key` computes an answer's key (None: not cacheable), :meth:`get` and :meth:`put`
    read and write it; ``hits``, ``misses`` and ``stored`` count this process's lookups.
    """

    def __init__(self, folder: Path, max_age: float) -> None:
        self.folder = folder
        self.max_age = max_age
        self.hits = self.misses = self.stored = 0
        self._secret: bytes | None = None
        self._lock = threading.Lock()
        self._pruned = False

    def _hmac_key(self) -> bytes | None:
        with self._lock:
            if self._secret is None:
                self._secret = cache_key(self.folder / "key")
            return self._secret or None

    def key(self, binary: str, conf: Path, prefix: Path, scratch: Path) -> Key | None:
        """The key of ``nginx -t -c conf -p prefix`` run by ``binary`` (``scratch``: the
        folder whose name is replaced by the placeholder), or None when it cannot be cached."""
        if self.max_age <= 0 or self._hmac_key() is None:
            return None
        try:
            parts = [*_binary_parts(binary), f"uid {os.geteuid()}", f"conf {conf}", f"prefix {prefix}"]
            payload = parse_conf(conf)
        except Uncacheable:
            return None
        openssl = os.environ.get("OPENSSL_CONF", "")
        parts.append(f"OPENSSL_CONF {openssl}")
        files = [Path("/etc/passwd"), Path("/etc/group"), Path(openssl or "/etc/ssl/openssl.cnf")]
        files += built_in_folders(parts[1])
        files += sorted({Path(c["file"]) for c in payload["config"]})
        paths, hosts = references(payload, conf, prefix)
        states = {str(p): _state(p, scratch) for p in [*files, *paths]}
        if any(s is None for s in states.values()):
            return None
        parts += [f"file {p} {s}" for p, s in states.items()]
        parts += [f"host {h} {_addresses(h)}" for h in sorted(hosts)]
        digest = self.sign("\n".join([FORMAT, *parts]).replace(str(scratch), SCRATCH))
        return Key(digest, states, str(scratch)) if digest is not None else None

    def get(self, key: Key) -> tuple[int, str] | None:
        """The kept (return code, answer text) under ``key``, the scratch prefix put back."""
        path = self.folder / f"{key.digest}.json"
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            age = time.time() - float(stored["at"])
            code, output = int(stored["returncode"]), stored["output"]
            if not isinstance(output, str) or stored.get("format") != FORMAT:
                raise ValueError("not an answer")
        except (OSError, ValueError, KeyError, TypeError):
            self._count("misses")
            return None
        if not 0 <= age < self.max_age:
            self._count("misses")
            _remove(path)
            return None
        self._count("hits")
        return code, output.replace(SCRATCH, key.scratch)

    def _count(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    def put(self, key: Key, returncode: int, output: str) -> None:
        """Keep an answer under ``key`` when its files are as they were when the key was made."""
        if any(_state(Path(p), Path(key.scratch)) != s for p, s in key.states.items()):
            return
        output = output.replace(key.scratch, SCRATCH)
        entry = {"format": FORMAT, "at": time.time(), "returncode": returncode, "output": output}
        if self.write(self.folder / f"{key.digest}.json", entry):
            self._count("stored")

    def sign(self, text: str) -> str | None:
        """The HMAC-SHA256 of ``text`` under the folder's key (an entry's name); None: cache off."""
        secret = self._hmac_key()
        if secret is None or self.max_age <= 0:
            return None
        return hmac.new(secret, text.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()

    def write(self, path: Path, entry: dict[str, Any]) -> bool:
        """Write ``entry`` as JSON to ``path`` in the folder, atomically (pruning once per audit)."""
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            tmp.write_text(json.dumps(entry), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            _remove(tmp)
            return False
        with self._lock:
            prune, self._pruned = not self._pruned, True
        if prune:
            self.prune()
        return True

    def prune(self) -> None:
        """Remove the entries older than ``max_age`` (and leftover temporary files), once an audit."""
        now = time.time()
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        for entry in entries:
            if entry.name.endswith((".json", ".tmp")):
                try:
                    old = now - entry.stat().st_mtime > max(self.max_age, 3600)
                except OSError:
                    continue
                if old:
                    _remove(Path(entry.path))


class Key:
    """An answer's key: ``digest``, the ``states`` of its files (checked again before an answer
    is kept), the ``scratch`` prefix it was made for."""

    def __init__(self, digest: str, states: dict[str, str | None], scratch: str) -> None:
        self.digest = digest
        self.states = states
        self.scratch = scratch


def cache_for(env: dict[str, str], config: dict[str, Any]) -> AnswerCache | None:
    """The cache of an audit: ``env``'s ``XDG_CACHE_HOME`` (else ``~/.cache``)``/golive/nginx-t``,
    ``config`` the ``[tool.golive.nginx]`` table; None when ``test_cache_hours`` is 0."""
    try:
        hours = float(config.get("test_cache_hours", 12))
    except (TypeError, ValueError):
        hours = 12.0
    if hours <= 0:
        return None
    return AnswerCache(user_cache(env) / "nginx-t", hours * 3600)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


_BINARIES: dict[tuple[str, int, int, int, int], list[str]] = {}
_BINARIES_LOCK = threading.Lock()


def _binary_parts(binary: str) -> list[str]:
    """The binary's identity: path, stat and ``nginx -V`` output (run once per process and binary)."""
    try:
        st = os.stat(binary)
    except OSError:
        raise Uncacheable from None
    ident = (binary, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    with _BINARIES_LOCK:
        return _BINARIES[ident] if ident in _BINARIES else _identify(binary, ident)


def _identify(binary: str, ident: tuple[str, int, int, int, int]) -> list[str]:
    """Run ``binary -V`` and keep its identity for this process."""
    try:
        proc = subprocess.run([binary, "-V"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        raise Uncacheable from None
    if proc.returncode != 0:
        raise Uncacheable
    _BINARIES[ident] = [f"binary {ident}", proc.stdout + proc.stderr]
    return _BINARIES[ident]


@functools.lru_cache(maxsize=8)
def _built_in(version: str) -> tuple[Path, ...]:
    found = re.findall(r"--[a-z-]*path=(/\S+)", version)
    return tuple(sorted({Path(p).parent for p in found}))


def built_in_folders(version: str) -> list[Path]:
    """The folders of the paths built into nginx (``--http-client-body-temp-path=...``,
    ``--modules-path=...`` in its ``nginx -V`` output): nginx creates or reads there (found
    once per process and output: every key asks)."""
    return list(_built_in(version))


def _addresses(host: str) -> str:
    """What ``host`` resolves to now: its sorted addresses, or the resolver's error.

    An ASCII name (all of :func:`golive.collectors.nginx.test_reads.host_of`'s) goes to the
    resolver as bytes, as the IDNA codec gives it when it accepts it; one it refuses (an empty
    or over-long label: ``a..b``) is then the resolver's error instead of a UnicodeError that
    failed the collector, and the codec is not imported."""
    import socket  # here: the collector's import stays light

    try:
        name: str | bytes = host.encode("ascii")
    except UnicodeEncodeError:
        name = host  # encoded by the resolver's IDNA codec
    try:
        found = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        return f"error {getattr(exc, 'errno', '')}"
    return " ".join(sorted({str(a[4][0]) for a in found}))


#: A file's state by its identity (:func:`_state`), and the seconds after its last change when it is kept.
_STATES: dict[tuple[Any, ...], str] = {}
SETTLED = 2.0


def _inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or under it, as written (no link followed)."""
    text, top = str(path), str(folder).rstrip("/")
    return text == top or text.startswith(top + "/")


def file_state(path: Path) -> str | None:
    """A path's state as a key covers it (:func:`_state`, no scratch prefix)."""
    return _state(path, None)


def _state(path: Path, scratch: Path | None) -> str | None:
    """A path's state in the key: a file's content digest (``scratch``'s name replaced by the
    placeholder, in a file under ``scratch``), ``dir``, ``absent``, the type of anything else;
    None when it cannot be read (then nothing is cached). A digest is remembered for the
    file's identity (device, inode, size, mode, owner, both times, ``scratch``) once its times
    are :data:`SETTLED` s old: a write sets the change time, and a recent file is always read
    again (git's "racy" rule)."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return "absent"
    except OSError:
        return None
    if stat.S_ISDIR(st.st_mode):
        return f"dir {st.st_mode:o} {st.st_uid}"
    if not stat.S_ISREG(st.st_mode):
        return f"other {st.st_mode:o} {st.st_rdev}"
    if st.st_size > MAX_FILE:
        return None
    if scratch is not None and not _inside(path, scratch):
        # a file outside the scratch folder is read as it is, so the keys of gixy-ng's scans and
        # of nginx -t share its digest (a text holding the folder's random name, made after it,
        # only makes a key no later audit has: never a wrong answer)
        scratch = None
    times = (st.st_mtime_ns, st.st_ctime_ns)
    ident = (str(path), str(scratch), st.st_dev, st.st_ino, st.st_size, st.st_mode, st.st_uid, *times)
    known = _STATES.get(ident)
    if known is not None:
        return known
    try:
        data = Path(path).read_bytes()
        data = data.replace(str(scratch).encode(), SCRATCH.encode()) if scratch is not None else data
    except OSError:
        return None
    state = f"file {st.st_mode:o} {st.st_uid} {hashlib.sha256(data).hexdigest()}"
    if time.time_ns() - max(times) > SETTLED * 1e9:
        if len(_STATES) > 4096:
            _STATES.clear()
        _STATES[ident] = state
    return state
