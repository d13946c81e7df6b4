"""The host collector's look at ``/proc`` before psutil (issue 15):
:func:`golive.collectors.host.app_servers.may_run_app_server` says no only when no process
can be an application server, and psutil, when asked anyway, finds none then."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from golive.collectors.host import app_servers


def fake_proc(tmp_path: Path, processes: dict[str, tuple[bytes, bytes] | None]) -> Path:
    """A ``/proc`` holding, by pid, each process's ``comm`` and ``cmdline`` (None: its folder
    is there, its files are gone: the process ended while it was read)."""
    root = tmp_path / "proc"
    root.mkdir()
    (root / "self").mkdir()  # not a pid
    (root / "meminfo").write_bytes(b"MemTotal: 1 kB\n")
    for pid, files in processes.items():
        (root / pid).mkdir()
        if files is not None:
            (root / pid / "comm").write_bytes(files[0])
            (root / pid / "cmdline").write_bytes(files[1])
    return root


SHELLS = {"1": (b"init\n", b"/sbin/init\0"), "20": (b"bash\n", b"-bash\0"), "31": None}


def test_no_process_holds_an_app_server_name(tmp_path: Path) -> None:
    assert app_servers.may_run_app_server(fake_proc(tmp_path, SHELLS)) is False


@pytest.mark.parametrize(
    ("comm", "cmdline"),
    [
        (b"gunicorn\n", b"/srv/venv/bin/python\0/srv/venv/bin/gunicorn\0app.wsgi\0"),
        (b"python3\n", b"python3\0-m\0Gunicorn\0app.wsgi\0"),  # upper case: psutil's name is lowered too
        (b"gunicorn: maste\n", b"gunicorn: master [app.wsgi]"),  # setproctitle: one string
        (b"uwsgi\n", b""),  # no command line to read: the name decides
        (b"python\n", b"python\0-m\0granian\0app:app\0"),
    ],
)
def test_a_process_that_may_be_an_app_server_sends_to_psutil(
    tmp_path: Path, comm: bytes, cmdline: bytes
) -> None:
    proc = fake_proc(tmp_path, {**SHELLS, "77": (comm, cmdline)})
    assert app_servers.may_run_app_server(proc) is True


def test_what_cannot_be_read_sends_to_psutil(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, SHELLS)
    (proc / "40").mkdir()
    (proc / "40" / "comm").mkdir()  # unreadable as a file (IsADirectoryError: an OSError)
    assert app_servers.may_run_app_server(proc) is True
    assert app_servers.may_run_app_server(tmp_path / "no-proc") is True


def test_when_it_says_no_psutil_finds_no_app_server_on_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    said = app_servers.may_run_app_server()
    monkeypatch.setattr(app_servers, "may_run_app_server", lambda: True)
    found = app_servers.project_processes(Path("/"))  # every process's directory is under /
    assert said or found == []


def test_a_real_gunicorn_is_found(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "def app(environ, start):\n    start('200 OK', [])\n    return [b'ok']\n"
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--chdir", str(tmp_path), "app:app"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            found = app_servers.project_processes(tmp_path.resolve())
            if found:
                break
            time.sleep(0.05)
        assert app_servers.may_run_app_server() is True
        assert server.pid in {p.pid for p in found}
    finally:
        server.terminate()
        server.wait(timeout=10)
