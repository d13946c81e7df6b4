"""golive.quick_exit.leave: the process ends with the status, its output whole and its
``atexit`` callbacks run, without the interpreter's teardown; with another thread still
running it exits the interpreter's way, which waits for that thread (issue 15)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROGRAM = """
import atexit, sys, threading, time
atexit.register(lambda: print("atexit ran", flush=True))
sys.stdout.write("x" * 100000 + "\\n")  # still in the buffer when leave is called
if sys.argv[1] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.2), print("thread done"))).start()
from golive import quick_exit
quick_exit.leave(3)
"""


def run(mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROGRAM, mode], capture_output=True, text=True, timeout=60, check=False
    )


def test_leave_flushes_the_output_runs_atexit_and_exits_with_the_status() -> None:
    done = run("alone")
    assert done.returncode == 3
    assert done.stdout == "x" * 100000 + "\natexit ran\n"
    assert done.stderr == ""


def test_leave_waits_for_a_thread_still_running_as_the_interpreter_does() -> None:
    done = run("thread")
    assert done.returncode == 3
    assert done.stdout.startswith("x" * 100000 + "\n")
    assert "thread done" in done.stdout
    assert done.stdout.endswith("atexit ran\n")


def test_under_cprofile_the_interpreter_exits_so_the_profile_is_written(tmp_path: Path) -> None:
    """``python -m cProfile -o FILE`` writes FILE once the program returns: with a profiler
    on, golive leaves by the interpreter's own exit."""
    out = tmp_path / "prof.out"
    script = tmp_path / "prog.py"
    script.write_text("from golive import quick_exit\nquick_exit.leave(0)\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), str(script)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.exists() and out.stat().st_size > 0
