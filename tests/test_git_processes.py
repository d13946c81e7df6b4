"""The git processes golive starts are its to stop (issue 9, items 7 and 9): when the git
collector overruns its time budget, and when golive is interrupted, the ``git log`` of
the history scan is killed, not left running. A real repository; ``git`` on PATH is a
wrapper that runs the real git for everything but ``log``, which it turns into a long
sleep (a history scan of a huge repository), leaving its pid in a file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec.structs
import pytest
from conftest import GOOD_ENV
from test_settings_children import alive, gone_within

from golive.collectors import all_collectors
from golive.context import AuditOptions, resolve
from golive.runner import run_audit

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")


@pytest.fixture
def slow_git(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(directory holding the wrapper ``git``, the file its ``log`` writes its pid to);
    whatever pid it wrote is killed at the end if still running."""
    folder = tmp_path / "bin"
    folder.mkdir()
    pidfile = tmp_path / "git-log.pid"
    wrapper = folder / "git"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for arg in "$@"; do\n'
        f'  if [ "$arg" = log ]; then echo $$ > "{pidfile}"; exec sleep 60; fi\n'
        "done\n"
        f'exec "{GIT}" "$@"\n'
    )
    wrapper.chmod(0o755)
    yield folder, pidfile
    if pidfile.is_file() and alive(pid := int(pidfile.read_text())):
        os.kill(pid, signal.SIGKILL)


def committed(project: Path) -> Path:
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "initial"]):
        subprocess.run(
            [str(GIT), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=project,
            check=True,
        )
    return project


def test_a_git_collector_over_its_budget_has_its_git_log_killed(
    make_project: Callable[..., Path], slow_git: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, pidfile = slow_git
    project = committed(make_project())
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    for key, value in GOOD_ENV.items():
        monkeypatch.setenv(key, value)
    collectors = [
        msgspec.structs.replace(spec, budget=3.0) if spec.name == "git" else spec for spec in all_collectors()
    ]
    ctx = resolve(AuditOptions(project_dir=project, python=sys.executable, select=("GL1",)))
    audit = run_audit(ctx, collectors=collectors)
    git = next(r for r in audit.collectors if r.name == "git")
    assert (git.status, git.reason) == ("error", "the git collector did not finish in 3 s")
    assert gone_within(int(pidfile.read_text()), 2), "the git log of the scan survived its collector"


def test_sigterm_during_the_history_scan_leaves_no_git_behind(
    make_project: Callable[..., Path], slow_git: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, pidfile = slow_git
    project = committed(make_project())
    env = {**os.environ, **GOOD_ENV, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "golive.cli", "audit", str(project), "--python", sys.executable,
         "--no-history", "-q"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not (pidfile.is_file() and pidfile.read_text().strip()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the history scan never started"
            time.sleep(0.05)
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=25)
        assert proc.returncode == 143, err
        assert time.monotonic() - signalled < 5
        assert gone_within(int(pidfile.read_text()), 2), "the history scan's git log survived golive"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
