"""The distributions installed for the project's interpreter, when the runtime probe did not
list them (``--no-runtime``, settings that do not load): listed by a subprocess of that
interpreter started as the dependencies collector starts (it runs while the collector reads
the tables, PyPI's answer and the requirements), or read from golive's user cache by a
second audit (issue 15).

The subprocess is ``python -I -c DRIVER settings_loader.py``: the driver runs the runtime
probe's own listing, :func:`golive.collectors.runtime.settings_loader.installed_packages`,
and prints ``{"packages": [...], "path": sys.path}``.

The cache (``$XDG_CACHE_HOME/golive/environments/``, else ``~/.cache/golive``; one file per
interpreter path, named by its SHA-256) keeps a listing with what it depends on, compared
again before it is used: the interpreter (the path given, its real path, that file's device,
inode, size and modification time), the listing script's bytes, ``sys.path`` as the
interpreter had it, and in each of its folders the name, modification time and size of every
``*.dist-info``, ``*.egg-info`` and ``*.pth`` entry (installing, upgrading or removing a
distribution makes, renames or removes one; a ``.pth`` file adds folders to ``sys.path``).
A listing golive would redact any of (a PEP 610 URL with credentials) is not kept. Entries
are used for ``[tool.golive.dependencies] environment_cache_hours`` (default 12; 0 switches
the cache off), removed by the next audit that keeps a listing; writes are atomic.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from golive import processes
from golive.collectors import CollectorError
from golive.collectors.appservers.gunicorn_cache import prune
from golive.redact import env_secrets, redact_text, scrub

#: The runtime probe's script, whose ``installed_packages`` lists the distributions.
SCRIPT = Path(__file__).parent.parent / "runtime" / "settings_loader.py"
#: Run as ``python -I -c DRIVER SCRIPT``.
DRIVER = (
    "import json, runpy, sys\n"
    "found = runpy.run_path(sys.argv[1])\n"
    'print(json.dumps({"packages": found["installed_packages"](), "path": sys.path}))\n'
)
#: Bumped when what is kept, or how its state is computed, changes.
FORMAT = "golive environment listing 1"
#: Entries of a ``sys.path`` folder in the state: what installing a distribution changes.
WATCHED = (".dist-info", ".egg-info", ".pth")


class Listing:
    """The listing of ``python``'s distributions: from the cache in ``folder`` (None: no
    cache) when it is still valid, else from a subprocess started at construction;
    :meth:`result` gives the ``[name, version, direct_url]`` rows."""

    def __init__(
        self, python: str, env: dict[str, str], timeout: float, folder: Path | None, max_age: float
    ) -> None:
        self.python = python
        self.env = {k: v for k, v in env.items() if k not in ("PYTHONSTARTUP", "PYTHONPATH")}
        self.timeout = timeout
        self.path = (
            folder / f"{hashlib.sha256(python.encode('utf-8', 'surrogateescape')).hexdigest()}.json"
            if folder
            else None
        )
        self.max_age = max_age
        self.kept = self._lookup()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._failed = ""
        if self.kept is None:
            self._start()

    def _start(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="golive-packages-")
        out, err = Path(self._tmp.name) / "stdout", Path(self._tmp.name) / "stderr"
        try:
            with out.open("wb") as fout, err.open("wb") as ferr:
                self._proc = processes.start(
                    [self.python, "-I", "-c", DRIVER, str(SCRIPT)], env=self.env, stdout=fout, stderr=ferr
                )
        except OSError as exc:
            self._failed = f"cannot run {self.python}: {exc.strerror}: pass --python"

    def result(self) -> list[Any]:
        """The rows; :class:`CollectorError` when the interpreter cannot list them. Once."""
        if self.kept is not None:
            return self.kept
        try:
            return self._wait()
        finally:
            self.close()

    def close(self) -> None:
        """Stop the subprocess (its group) unless done, and remove its folder."""
        if self._proc is not None and self._proc.returncode is None:
            processes.finish(self._proc)
        if self._tmp is not None:
            self._tmp.cleanup()

    def _wait(self) -> list[Any]:
        if self._proc is None:
            raise CollectorError(self._failed)
        assert self._tmp is not None
        try:
            processes.wait(self._proc, self.timeout)
        except subprocess.TimeoutExpired:
            raise CollectorError(
                f"{self.python} did not list its packages within {self.timeout:g} s"
            ) from None
        finally:
            processes.finish(self._proc)
        folder = Path(self._tmp.name)
        try:
            data = json.loads((folder / "stdout").read_bytes())
            rows, path = list(data["packages"]), [str(p) for p in data["path"]]
        except (OSError, ValueError, KeyError, TypeError):
            stderr = (folder / "stderr").read_bytes()[-processes.STDERR_MAX :]
            last = (stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
            last = scrub(last, env_secrets(self.env))  # the project's interpreter's own error text
            raise CollectorError(f"{self.python} could not list its packages: {last[:200]}") from None
        self._store(rows, path)
        return rows

    def _lookup(self) -> list[Any] | None:
        if self.path is None or self.max_age <= 0:
            return None
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if stored.get("format") != FORMAT or not 0 <= time.time() - float(stored["at"]) < self.max_age:
                return None
            rows, path, state = list(stored["packages"]), list(stored["path"]), str(stored["state"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return rows if _state(self.python, path) == state else None

    def _store(self, rows: list[Any], path: list[str]) -> None:
        if self.path is None or self.max_age <= 0:
            return
        text = json.dumps(rows)
        if redact_text(text) != text:
            return
        state = _state(self.python, path)
        if state is None:
            return
        entry = {"format": FORMAT, "at": time.time(), "path": path, "state": state, "packages": rows}
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp.write_text(json.dumps(entry), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            return
        prune(self.path.parent, self.max_age)


def _entry(entry: os.DirEntry[str]) -> str:
    try:
        st = entry.stat()
    except OSError as exc:
        return f"{entry.name} {type(exc).__name__}"
    return f"{entry.name} {st.st_mtime_ns} {st.st_size}"


def _state(python: str, path: list[str]) -> str | None:
    """The digest of what the listing of ``python`` with ``sys.path`` ``path`` depends on, or
    None when the interpreter cannot be read."""
    try:
        real = os.path.realpath(python)
        st = os.stat(real)
        parts = [
            FORMAT,
            f"python {python} {real} {st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns}",
            f"script {hashlib.sha256(SCRIPT.read_bytes()).hexdigest()}",
        ]
    except OSError:
        return None
    for folder in filter(None, path):  # '' (the current folder) is not listed
        parts.append(f"path {folder}")
        try:
            with os.scandir(folder) as entries:
                found = sorted(_entry(e) for e in entries if e.name.endswith(WATCHED))
        except OSError as exc:
            parts.append(f"unreadable {type(exc).__name__}")
            continue
        parts += found
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
