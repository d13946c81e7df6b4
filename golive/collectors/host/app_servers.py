"""The application-server processes running from the project directory (the host collector's
activation, :func:`golive.collectors.host.activation`), found with psutil.

Off the server, which is where most audits run, no process of the machine is an application
server at all; :func:`may_run_app_server` tells so from Linux's ``/proc`` in about 2 ms,
and psutil (about 5 ms to import and 5 ms to list a hundred processes) is then not needed
(issue 15).
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from typing import Any

APP_SERVERS = ("gunicorn", "uwsgi", "daphne", "uvicorn", "hypercorn", "granian")

_SERVER_RE = re.compile(rf"^({'|'.join(APP_SERVERS)})(:|$|\s)")


def _is_app_server(cmdline: list[str], name: str) -> bool:
    """``gunicorn …``, ``python -m gunicorn``, ``gunicorn: master [app]``, ``uwsgi``…"""
    return any(_SERVER_RE.match(os.path.basename(token).lower()) for token in [name, *cmdline[:3]])


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


def may_run_app_server(proc: Path = Path("/proc")) -> bool:
    """False when no process of this machine can be an application server: none holds one of
    :data:`APP_SERVERS` in its name or command line, lower-cased (``/proc/PID/comm`` and
    ``/proc/PID/cmdline``, the files psutil reads the name and command line from on Linux).
    Every process :func:`project_processes` keeps holds one (its name or one of its first
    three arguments starts with it), so this answer never hides one. True whenever ``/proc``
    cannot tell: not Linux, a process whose files cannot be read (one that ended meanwhile
    is passed over, as psutil does)."""
    try:
        pids = [entry for entry in os.listdir(proc) if entry.isdigit()]
    except OSError:
        return True
    for pid in pids:
        try:
            name = (proc / pid / "comm").read_bytes()
            cmdline = (proc / pid / "cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            continue
        except OSError:
            return True
        text = (name + b"\0" + cmdline).decode("utf-8", "surrogateescape").lower()
        if any(server in text for server in APP_SERVERS):
            return True
    return False


def project_processes(project_dir: Path) -> list[Any]:
    """psutil processes of application servers running from ``project_dir``; none without
    psutil's look when :func:`may_run_app_server` says no process can be one. ``ImportError``
    when psutil is not installed."""
    if not may_run_app_server():
        if importlib.util.find_spec("psutil") is None:  # what the import below would say
            raise ImportError("No module named 'psutil'")
        return []
    import psutil

    out = []
    for proc in psutil.process_iter(["pid", "name", "cmdline"]):
        try:
            cmdline = proc.info["cmdline"] or []
            if not _is_app_server(cmdline, proc.info["name"] or ""):
                continue
            where = _chdir(cmdline) or proc.cwd()
            if where and inside(Path(where), project_dir):
                out.append(proc)
        except (psutil.Error, OSError):
            continue
    return out
