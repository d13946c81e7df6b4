"""Project code that starts a background process (a Celery or APM agent does) must not make
golive wait: the runtime probe and gunicorn's config loader are real subprocesses of the
project's interpreter whose settings or config start ``sleep 60``, which inherits their
stderr. golive must know they are done from their own result file, not from the end of
stderr, and kill the whole process group it started (issue 9, item 6).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import audit_project

#: Appended to the settings (or written as gunicorn.conf.py): starts a grandchild that
#: keeps the inherited stderr open for a minute, and leaves its pid in PIDFILE.
CHILD = """
import pathlib as _pathlib, subprocess as _subprocess
_child = _subprocess.Popen(["sleep", "60"])
_pathlib.Path({pidfile!r}).write_text(str(_child.pid))
"""


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def gone_within(pid: int, seconds: float) -> bool:
    """True once ``pid`` is no longer running, waiting at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def pidfiles(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """``pidfile(name)``: a path for a grandchild's pid; every such process still running
    at the end of the test is killed (the test stops what it started)."""
    made: list[Path] = []

    def pidfile(name: str) -> Path:
        path = tmp_path / f"{name}.pid"
        made.append(path)
        return path

    yield pidfile
    for path in made:
        for pid in path.read_text().split() if path.is_file() else ():
            if alive(int(pid)):
                os.kill(int(pid), signal.SIGKILL)


def test_a_child_holding_stderr_does_not_make_the_settings_hang(
    make_project: Callable[..., Path], pidfiles: Callable[[str], Path]
) -> None:
    pidfile = pidfiles("settings-child")
    project = make_project(production=CHILD.format(pidfile=str(pidfile)))
    started = time.monotonic()
    audit = audit_project(project, timeout=30, select=("GL1",))
    elapsed = time.monotonic() - started
    runtime = next(r for r in audit.collectors if r.name == "runtime")
    assert (runtime.status, runtime.reason) == ("ok", "")
    assert elapsed < 10, f"the audit took {elapsed:.1f} s"
    assert audit.django_version is not None
    assert gone_within(int(pidfile.read_text()), 2), "the settings' background process survived"


def test_a_child_holding_stderr_does_not_make_gunicorns_config_hang(
    make_project: Callable[..., Path], pidfiles: Callable[[str], Path]
) -> None:
    pidfile = pidfiles("gunicorn-child")
    config = CHILD.format(pidfile=str(pidfile)) + 'bind = "127.0.0.1:8000"\nworkers = 3\n'
    project = make_project(files={"gunicorn.conf.py": config})
    started = time.monotonic()
    audit = audit_project(project, timeout=30, select=("GL6",))
    elapsed = time.monotonic() - started
    gunicorn = next(r for r in audit.collectors if r.name == "gunicorn")
    assert (gunicorn.status, gunicorn.reason) == ("ok", "")
    assert elapsed < 10, f"the audit took {elapsed:.1f} s"
    assert gone_within(int(pidfile.read_text()), 2), "the gunicorn config's background process survived"


def test_an_interpreter_that_leaves_a_process_behind_costs_no_time(
    make_project: Callable[..., Path], pidfiles: Callable[[str], Path], tmp_path: Path
) -> None:
    """``--python`` names a wrapper (as pyenv shims and site launchers are) that starts a
    background process holding its stdout and stderr, then runs the real interpreter:
    the settings probe, gunicorn's loader and the listing of the installed packages are
    each done as soon as the interpreter is, and what it left behind is killed."""
    pidfile = pidfiles("wrapper-children")
    wrapper = tmp_path / "python-wrapper"
    wrapper.write_text(f'#!/bin/sh\nsleep 60 &\necho $! >> "{pidfile}"\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    from golive.collectors.dependencies import list_environment

    started = time.monotonic()
    packages = list_environment(str(wrapper), dict(os.environ), timeout=30)
    assert time.monotonic() - started < 10
    assert "django" in {p.name for p in packages}
    project = make_project(files={"gunicorn.conf.py": 'bind = "127.0.0.1:8000"\n'})
    started = time.monotonic()
    audit = audit_project(project, timeout=30, select=("GL1", "GL6"), python=str(wrapper))
    elapsed = time.monotonic() - started
    runs = {r.name: (r.status, r.reason) for r in audit.collectors}
    assert runs["runtime"] == ("ok", "") and runs["gunicorn"] == ("ok", ""), runs
    assert elapsed < 10, f"the audit took {elapsed:.1f} s"
    for pid in pidfile.read_text().split():
        assert gone_within(int(pid), 2), "a process the interpreter left behind survived"
