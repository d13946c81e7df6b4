"""Ctrl-C and SIGTERM stop an audit at once (issue 9, item 7).

``golive audit`` runs for real as a subprocess on a project whose settings start a
sleeping grandchild and then sleep 20 s. Once the settings run (they leave their pids in
a file), the test sends SIGINT to golive's process group, as a terminal's Ctrl-C does,
or SIGTERM to golive alone, as CI systems and process managers do. golive must exit
within 5 s with 130 or 143 (128 + the signal number, POSIX shells' convention), store
nothing in its history, and leave no process behind.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import GOOD_ENV
from test_settings_children import alive, gone_within

SLOW_SETTINGS = """
import os as _os, pathlib as _pathlib, subprocess as _subprocess, time as _time
_child = _subprocess.Popen(["sleep", "60"])
_pathlib.Path({pids!r} + ".tmp").write_text(f"{{_os.getpid()}} {{_child.pid}}")
_os.replace({pids!r} + ".tmp", {pids!r})
_time.sleep(20)
"""


def stored_audits(database: Path) -> int:
    """How many audits the history database holds (0 when it was never created)."""
    if not database.exists():
        return 0
    with sqlite3.connect(database) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return sum(db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables if t == "audits")


@pytest.mark.parametrize(
    ("signum", "to_group", "expected"),
    [(signal.SIGINT, True, 130), (signal.SIGTERM, False, 143)],
    ids=["SIGINT-to-the-group", "SIGTERM-to-golive"],
)
def test_a_signal_stops_the_audit_at_once_and_leaves_nothing_behind(
    make_project: Callable[..., Path], tmp_path: Path, signum: int, to_group: bool, expected: int
) -> None:
    pids_file = tmp_path / "pids"
    project = make_project(production=SLOW_SETTINGS.format(pids=str(pids_file)))
    database = tmp_path / "history.sqlite"
    argv = [
        sys.executable,
        "-c",
        "from golive.cli import main; main()",
        "audit",
        str(project),
        "--python",
        sys.executable,
        "--history",
        str(database),
        "--timeout",
        "60",
        "--no-git",
        "-q",
    ]
    env = {**os.environ, **GOOD_ENV}
    proc = subprocess.Popen(
        argv,
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own group, as a shell gives a foreground job
    )
    settings_pid = grandchild_pid = 0
    try:
        deadline = time.monotonic() + 60
        while not pids_file.is_file():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the settings never started"
            time.sleep(0.05)
        settings_pid, grandchild_pid = (int(p) for p in pids_file.read_text().split())
        signalled = time.monotonic()
        if to_group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        try:
            out, err = proc.communicate(timeout=25)
        except subprocess.TimeoutExpired:
            out, err = b"", b""
        took = time.monotonic() - signalled
        assert proc.returncode == expected, (proc.returncode, out, err)
        assert took < 5, f"golive exited {took:.1f} s after the signal"
        assert b"interrupted" in err
        assert stored_audits(database) == 0
        assert gone_within(settings_pid, 2), "the settings process survived"
        assert gone_within(grandchild_pid, 2), "the settings' background process survived"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in (settings_pid, grandchild_pid):
            if pid and alive(pid):
                os.kill(pid, signal.SIGKILL)
