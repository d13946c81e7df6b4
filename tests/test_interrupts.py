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


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` right now (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no chromium (apt install chromium)")
def test_sigterm_while_the_browser_takes_a_screenshot_stops_golive_probe_cleanly(tmp_path: Path) -> None:
    """The page's image never arrives, so chromium is busy when SIGTERM comes: golive exits
    143 within 5 s with one line (no traceback from the browser's unwinding), and neither
    Playwright's driver nor chromium survives it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    release = threading.Event()

    class Slow(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.path == "/slow.png":
                release.wait(30)
            body = b'<html><title>Shop</title><img src="/slow.png"></html>' if self.path == "/" else b"no"
            self.send_response(200 if self.path == "/" else 404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_OPTIONS = do_GET

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://localhost:{server.server_address[1]}/"
    proc = subprocess.Popen(
        [sys.executable, "-m", "golive.cli", "probe", url, "--timeout", "40"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    below: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        while not any(command_name(p) == "chromium" for p in descendants(proc.pid)):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "chromium never started"
            time.sleep(0.1)
        time.sleep(2.0)  # the page is loading: its image is held back
        below = descendants(proc.pid)
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=25)
        took = time.monotonic() - signalled
        assert proc.returncode == 143, err
        assert took < 5, f"golive exited {took:.1f} s after the signal"
        assert err.decode().strip() == "golive: interrupted"
        survivors = [(p, command_name(p)) for p in below if not gone_within(p, 3)]
        assert survivors == []
    finally:
        release.set()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in below:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        server.shutdown()
        server.server_close()


def test_a_signal_that_python_cannot_raise_where_it_lands_still_stops_golive_at_once() -> None:
    """A signal handled inside a weakref callback (as importlib's module locks have, so a
    Ctrl-C during start-up lands there): Python cannot raise there and reports the
    exception as "ignored" (sys.unraisablehook). golive must stop all the same, with its
    one line, not a traceback, and without waiting for its watchdog."""
    script = (
        "import os, signal, sys, time, weakref\n"
        "from golive import processes\n"
        "processes.install_signal_handlers()\n"
        "class Thing: pass\n"
        "thing = Thing()\n"
        "ref = weakref.ref(thing, lambda _: (os.kill(os.getpid(), signal.SIGINT), time.sleep(0.5)))\n"
        "del thing\n"
        "time.sleep(5)\n"
        "print('went on', file=sys.stderr)\n"
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    took = time.monotonic() - started
    assert (done.returncode, done.stderr) == (130, "golive: interrupted\n")
    assert took < 5


def test_a_signal_inside_a_class_being_made_still_stops_golive_with_its_status() -> None:
    """A signal handled while a module is imported, inside a dataclass field's
    ``__set_name__``: Python 3.11 wraps what the handler raises in a RuntimeError ("Error
    calling __set_name__"), which is not :class:`golive.processes.Interrupted` (a CI run
    saw it: SIGTERM while a collector module loaded gave a traceback and exit 1). golive
    must still exit with 143 and its one line."""
    script = (
        "import os, signal, time, click\n"
        "from golive import cli\n"
        "class Setter:\n"
        "    def __set_name__(self, owner, name):\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        time.sleep(0.5)\n"
        "@click.command()\n"
        "def boom():\n"
        "    class Owner:\n"
        "        attr = Setter()\n"
        "cli.app = boom\n"
        "cli.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stderr) == (143, "golive: interrupted\n")
