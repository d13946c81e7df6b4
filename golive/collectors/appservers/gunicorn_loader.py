"""Build gunicorn configurations with gunicorn's own machinery, in a subprocess.

Run as ``python -I gunicorn_loader.py BATCH.json`` by
:mod:`golive.collectors.appservers.gunicorn` (standard library and gunicorn only; ``-I`` keeps
this folder, which holds golive's own ``gunicorn.py``, off ``sys.path``), with the
project directory as working directory, the audit's environment and a timeout. It is
started before golive knows what to load (:mod:`golive.collectors.appservers.gunicorn_process`):
it imports gunicorn, then waits for one line on stdin, written once ``BATCH.json`` is ready
(with stdin empty or closed it goes on at once).

The batch: ``{"project_dir": DIR, "output": FILE, "requests": [...]}``, each request
``{"argv": [...gunicorn's arguments...], "config": PATH or null, "default_config": bool}``;
each configuration starts from a fresh ``Config``. The steps are those of
``gunicorn.app.base.Application.load_config``: the command line is parsed by
``Config.parser()``; the config file (``-c``, else ``GUNICORN_CMD_ARGS``'s ``-c``, else
``config``, else ``./gunicorn.conf.py`` when ``default_config``) is executed by
gunicorn's ``load_config_from_file``; then ``GUNICORN_CMD_ARGS``, then the command line
override it. The application is never imported (``load()`` is never called).

The output file gets one JSON line per request, as each is done: ``{"status": "ok",
"settings": {name: value}, "sources": {name: "config file"|"GUNICORN_CMD_ARGS"|"command
line"}, ...}``, or ``{"status": "error", "message": ..., "file": ..., "line": ...}``, or
``{"status": "no-gunicorn"}``. Values
that could hold secrets (``raw_env``) keep only their names.

With ``"record": FILE`` in the batch, the loader also writes to ``FILE`` what its answer
depended on, for golive's cache of its answers (:mod:`.gunicorn_cache`): the environment
variables read (``os.environ`` is watched from the start: names only, or ``"*"`` when it was
iterated or copied), the files opened, the folders listed and the paths ``os.stat``-ed while a
configuration loads, every imported module's file, ``sys.path``, ``sys.prefix``, the time it
started, and the audit events that make an answer uncacheable (a file written, a process,
a socket: ``unsafe``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import sys
import time
import traceback
from typing import Any

#: Audit events (prefixes) after which the answer depends on more than files and variables.
UNSAFE_EVENTS = (
    "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "socket.", "urllib.", "http.", "ftplib.", "smtplib.", "ctypes.", "sqlite3.", "os.chdir", "os.fchdir",
    "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.link", "os.symlink", "os.truncate",
    "os.chmod", "os.chown", "os.utime", "shutil.", "tempfile.", "os.kill", "os.startfile", "winreg.",
)  # fmt: skip
_GUNICORN_CONFIG = re.compile(r"[/\\]gunicorn[/\\]config\.py$")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class _Record:
    """What the loader's answer depended on (see the module docstring)."""

    def __init__(self) -> None:
        self.started = time.time()
        self.env: set[str] = set()
        self.env_all = False
        self.copying = False
        self.files: set[str] = set()
        self.dirs: set[str] = set()
        self.stats: set[str] = set()
        self.unsafe: set[str] = set()
        self.watching = False  # files, folders and paths only while a configuration loads

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.watching:
            return
        if event == "open":
            path, mode, flags = args
            if isinstance(path, (str, bytes, os.PathLike)):
                written = any(c in str(mode or "") for c in "wax+") or int(flags or 0) & _WRITE_FLAGS
                (self.unsafe if written else self.files).add(f"open {_abs(path)}" if written else _abs(path))
        elif event in ("os.listdir", "os.scandir"):
            folder = "." if args[0] is None else args[0]  # os.listdir(): the working directory
            if isinstance(folder, (str, bytes, os.PathLike)):
                self.dirs.add(_abs(folder))
        elif event.startswith(UNSAFE_EVENTS):
            self.unsafe.add(event)

    def watch_os(self) -> None:
        """Record the environment's reads from now on, and ``os.stat``/``lstat``/``access``."""
        record = self

        class Environ(type(os.environ)):  # type: ignore[misc]
            def __getitem__(self, key: str) -> str:
                if not record.copying:
                    record.env.add(os.fsdecode(key) if isinstance(key, bytes) else str(key))
                return super().__getitem__(key)

            def __iter__(self) -> Any:
                record.env_all = record.env_all or not record.copying
                return super().__iter__()

            def copy(self) -> dict[str, str]:
                # gunicorn's Config() keeps a copy (env_orig) only to re-execute itself
                caller = sys._getframe(1).f_code
                quiet = caller.co_name == "__init__" and _GUNICORN_CONFIG.search(caller.co_filename)
                record.copying = bool(quiet)
                try:
                    return super().copy()
                finally:
                    record.copying = False

            def __len__(self) -> int:
                record.env_all = True
                return super().__len__()

        os.environ.__class__ = Environ
        if getattr(os, "environb", None) is not None:  # the same variables, as bytes
            os.environb.__class__ = Environ
        for name in ("stat", "lstat", "access"):
            original = getattr(os, name)

            def watched(path: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
                if record.watching and isinstance(path, (str, bytes, os.PathLike)):
                    record.stats.add(_abs(path))
                return _original(path, *args, **kwargs)

            setattr(os, name, watched)

    def as_json(self) -> dict[str, Any]:
        modules = {getattr(m, "__file__", None) for m in list(sys.modules.values())}
        return {
            "started": self.started,
            "env": "*" if self.env_all else sorted(self.env),
            "files": sorted(self.files),
            "dirs": sorted(self.dirs),
            "stats": sorted(self.stats),
            "modules": sorted(os.path.abspath(f) for f in modules if isinstance(f, str)),
            "path": [os.path.abspath(p or ".") for p in sys.path],
            "prefix": sys.prefix,
            "unsafe": sorted(self.unsafe),
        }


def _abs(path: Any) -> str:
    return os.path.abspath(os.fsdecode(path))


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(str(v) for v in value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if callable(value):
        return f"<{getattr(value, '__qualname__', type(value).__name__)}>"
    return repr(value)[:200]


def _traceback_error(text: str, config: str | None) -> dict[str, Any]:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    message = lines[-1].strip() if lines else "the config file raised"
    invalid = next((ln.strip() for ln in lines if ln.startswith("Invalid value for ")), None)
    if invalid:  # gunicorn's own message for a setting its validator refused
        message = f"{invalid} ({message})"
    line = None
    if config:
        target = os.path.abspath(config)
        for match in re.finditer(r'File "([^"]+)", line (\d+)', text):
            if os.path.abspath(match.group(1)) == target:
                line = int(match.group(2))
    return {"status": "error", "message": message, "file": config, "line": line}


def _declared_defaults(cfg: Any, declared: dict[str, str], sources: dict[str, str]) -> None:
    """The defaults gunicorn takes from ``WEB_CONCURRENCY`` and ``PORT`` when its config is
    built (``workers``, ``bind = 0.0.0.0:$PORT``), for variables the command's files declare
    (a start script's ``export``): set before the config file, which may override them."""
    if "WEB_CONCURRENCY" in declared:
        cfg.set("workers", int(declared["WEB_CONCURRENCY"]))
        sources["workers"] = "WEB_CONCURRENCY in the environment it declares"
    if "PORT" in declared:
        cfg.set("bind", [f"0.0.0.0:{declared['PORT']}"])
        sources["bind"] = "PORT in the environment it declares"


def load(request: dict[str, Any]) -> dict[str, Any]:
    """Build the effective configuration; the result dict described in the module docstring."""
    try:
        import gunicorn
        from gunicorn.app.base import Application
        from gunicorn.config import get_default_config_file
    except ImportError:
        return {"status": "no-gunicorn", "python": sys.executable}

    class Loader(Application):
        def init(self, parser: Any, opts: Any, args: Any) -> None:
            return None

        def load(self) -> None:
            raise RuntimeError("golive never loads the application")

    app = Loader.__new__(Loader)
    app.usage, app.prog, app.cfg, app.callable, app.logger = None, "gunicorn", None, None, None
    app.load_default_config()
    cfg = app.cfg
    parser = cfg.parser()
    stderr = io.StringIO()
    sources: dict[str, str] = {}
    config = None
    declared = request.get("env") or {}
    try:
        _declared_defaults(cfg, declared, sources)
        # gunicorn reads GUNICORN_CMD_ARGS from its environment (Config.get_cmd_args_from_env,
        # shlex-split); one the command's files declare replaces the audit's.
        cmd_args = declared.get("GUNICORN_CMD_ARGS")
        with contextlib.redirect_stderr(stderr):
            args = parser.parse_args(request.get("argv") or [])
            env_args = parser.parse_args(
                shlex.split(cmd_args) if cmd_args is not None else cfg.get_cmd_args_from_env()
            )
    except ValueError as exc:
        return {
            "status": "error",
            "message": f"invalid declared environment: {exc}",
            "file": None,
            "line": None,
        }
    except SystemExit:
        last = (stderr.getvalue().strip().splitlines() or ["cannot parse the command line"])[-1]
        return {
            "status": "error",
            "message": last.replace("gunicorn: error: ", ""),
            "file": None,
            "line": None,
        }
    config = args.config or env_args.config or request.get("config")
    if not config and request.get("default_config"):
        config = get_default_config_file()
    if config:
        try:
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
                loaded = app.load_config_from_file(config)
        except SystemExit:
            return _traceback_error(stderr.getvalue(), config)
        except Exception:
            return _traceback_error(stderr.getvalue() + traceback.format_exc(), config)
        sources.update({k: "config file" for k in loaded if k in cfg.settings})
    try:
        for origin, parsed in (("GUNICORN_CMD_ARGS", env_args), ("command line", args)):
            for key, value in vars(parsed).items():
                if value is None or key == "args":
                    continue
                cfg.set(key.lower(), value)
                sources[key.lower()] = origin
        if hasattr(cfg, "validate"):
            cfg.validate()
    except Exception as exc:
        return {"status": "error", "message": f"{type(exc).__name__}: {exc}", "file": config, "line": None}
    settings = {}
    for name, setting in cfg.settings.items():
        value = setting.get()
        if name == "raw_env":
            value = [str(v).split("=", 1)[0] + "=***" for v in value or []]
        settings[name] = _jsonable(value)
    return {
        "status": "ok",
        "gunicorn_version": gunicorn.__version__,
        "python": sys.executable,
        "config_file": os.path.abspath(config) if config else None,
        "app": list(args.args or []),
        "settings": settings,
        "sources": sources,
        "worker_class": _jsonable(cfg.worker_class_str),
        "cpu_count": os.cpu_count(),
    }


def main() -> None:
    sys.dont_write_bytecode = True  # nothing written into the project (__pycache__)
    record = _Record()  # from the start: gunicorn's import reads the environment too
    sys.addaudithook(record.hook)
    record.watch_os()
    # imported while golive is still finding what to load (it writes the batch, then a line
    # on stdin); without gunicorn, load() says so
    with contextlib.suppress(ImportError):
        import gunicorn.app.base  # noqa: F401
    sys.stdin.readline()  # an empty stdin (or none) goes on at once
    with open(sys.argv[1], encoding="utf-8") as fh:
        batch = json.load(fh)
    project_dir = batch.get("project_dir")
    if project_dir and project_dir not in sys.path:
        sys.path.insert(0, project_dir)
    with open(batch["output"], "w", encoding="utf-8") as out:
        for request in batch["requests"]:
            record.watching = True
            try:
                result = load(request)
            except Exception as exc:  # a bug here must still give an answer
                result = {
                    "status": "error",
                    "message": f"{type(exc).__name__}: {exc}",
                    "file": None,
                    "line": None,
                }
            record.watching = False
            out.write(json.dumps(result) + "\n")
            out.flush()
            if result.get("status") == "no-gunicorn":
                break
    if batch.get("record"):
        with open(batch["record"], "w", encoding="utf-8") as out:
            json.dump(record.as_json(), out)


if __name__ == "__main__":
    main()
