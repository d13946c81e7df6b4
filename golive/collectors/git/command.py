"""Running one git command for the git collector: ``git -C ROOT -c core.quotePath=false ...`` in a
process group golive kills when it is done, over budget or interrupted
(:func:`golive.processes.run`), and the last line of what it said on stderr.

Shared by the collector (:mod:`golive.collectors.git`) and its HEAD readers
(:mod:`golive.collectors.git.head`). The ``git log -p`` stream is run apart, with its own
budget (:func:`golive.collectors.git.scan_history`).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from golive import processes
from golive.collectors import CollectorError

#: Seconds one git command may take (and the wait for ``git log`` to exit once its output ended).
GIT_TIMEOUT = 120.0


def run_git(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run one git command to completion, in a process group golive kills when it is done,
    over budget or interrupted (:func:`golive.processes.run`)."""
    argv = ["git", "-C", str(root), "-c", "core.quotePath=false", *args]
    try:
        done = processes.run(argv, input=stdin or b"", timeout=GIT_TIMEOUT)
        return subprocess.CompletedProcess(argv, done.status, done.stdout, done.stderr)
    except subprocess.TimeoutExpired:
        raise CollectorError(f"git {args[0]} did not finish within {GIT_TIMEOUT:g} s") from None
    except OSError as exc:
        raise CollectorError(f"cannot run git: {exc.strerror or exc}") from None


def last_error(stderr: bytes) -> str:
    """The last non-empty line of what git wrote on stderr (its first 200 characters), or
    ``"no message"``."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "no message"
