"""The application-server processes running from the project directory (the host collector's
activation, :func:`golive.collectors.host.activation`), found with psutil."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

APP_SERVERS = ("gunicorn", "uwsgi", "daphne", "uvicorn", "hypercorn", "granian")

_SERVER_RE = re.compile(rf"^({'|'.join(APP_SERVERS)})(:|$|\s)")


def is_app_server(cmdline: list[str]) -> bool:
    """True when a process's command line runs an application server: its first three words
    name one (``uwsgi …``; ``python -m gunicorn``; the console script the interpreter runs
    through its shebang, ``python3 /srv/venv/bin/gunicorn``; the title gunicorn sets,
    ``gunicorn: master [app]``)."""
    return any(_SERVER_RE.match(os.path.basename(token).lower()) for token in cmdline[:3])


def _chdir(cmdline: list[str]) -> str | None:
    for i, arg in enumerate(cmdline):
        if arg in ("--chdir", "--pythonpath") and i + 1 < len(cmdline):
            return cmdline[i + 1]
        if arg.startswith("--chdir="):
            return arg.split("=", 1)[1]
    return None


def inside(path: Path, root: Path) -> bool:
    """True when ``path`` resolves to ``root`` or a path under it."""
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError):
        return False


def project_processes(project_dir: Path) -> list[Any]:
    """psutil processes of application servers running from ``project_dir``. ``ImportError``
    when psutil is not installed."""
    import psutil

    out = []
    # the command line only: the process's name would be one more file read
    # (/proc/PID/stat) for every process of the machine, half the scan's time, and names
    # nothing the first three words of the command line do not (:func:`is_app_server`)
    for proc in psutil.process_iter(["cmdline"]):
        try:
            cmdline = proc.info["cmdline"] or []
            if not is_app_server(cmdline):
                continue
            where = _chdir(cmdline) or proc.cwd()
            if where and inside(Path(where), project_dir):
                out.append(proc)
        except (psutil.Error, OSError):
            continue
    return out
