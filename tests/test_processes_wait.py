"""golive.processes.wait: a child is seen done once it exits (a pidfd on Linux, else polling),
stays unreaped until finish, and a deadline still raises TimeoutExpired."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from golive import processes

SLEEP = [sys.executable, "-c", "import time, sys; time.sleep(float(sys.argv[1]))"]


def unreaped(proc: subprocess.Popen[bytes]) -> bool:
    return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


@pytest.fixture(params=["pidfd", "polling"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "polling":  # as on macOS or a kernel before 5.3: no os.pidfd_open
        monkeypatch.delattr(os, "pidfd_open", raising=False)
    elif not hasattr(os, "pidfd_open"):
        pytest.skip("no os.pidfd_open on this platform")
    return str(request.param)


def test_wait_returns_once_the_child_exits_and_leaves_it_unreaped(mode: str) -> None:
    proc = processes.start([*SLEEP, "0.05"])
    processes.wait(proc, 30)
    assert proc.returncode is None and unreaped(proc)  # a zombie until finish: its pid names the group
    assert processes.finish(proc) == 0


def test_wait_raises_at_the_deadline(mode: str) -> None:
    proc = processes.start([*SLEEP, "30"])
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            processes.wait(proc, 0.2)
    finally:
        processes.kill(proc)
        processes.finish(proc)


def test_a_child_killed_meanwhile_ends_the_wait(mode: str) -> None:
    proc = processes.start([*SLEEP, "30"])
    threading.Timer(0.1, processes.kill, args=(proc,)).start()
    processes.wait(proc, 30)
    assert processes.finish(proc) < 0


def test_the_done_file_ends_the_wait_while_the_child_runs(tmp_path: Path) -> None:
    done = tmp_path / "done"
    proc = processes.start([*SLEEP, "30"])
    threading.Timer(0.1, done.touch).start()
    try:
        processes.wait(proc, 30, done=done)
        assert proc.returncode is None and not unreaped(proc)  # still running
    finally:
        processes.kill(proc)
        processes.finish(proc)


def test_run_gives_status_and_output(mode: str) -> None:
    done = processes.run([sys.executable, "-c", "print('hi')"], timeout=30)
    assert (done.status, done.stdout) == (0, b"hi\n")
