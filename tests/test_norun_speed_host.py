"""The host collector's activation finds an application server running from the project
directory with psutil (:func:`golive.collectors.host.app_servers.project_processes`): a real
gunicorn started here is found."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from golive.collectors.host import app_servers


@pytest.mark.parametrize(
    "start",
    [
        pytest.param([sys.executable, "-m", "gunicorn"], id="python -m gunicorn"),
        # its console script: the interpreter runs it through its shebang
        pytest.param([str(Path(sys.executable).with_name("gunicorn"))], id="the gunicorn script"),
    ],
)
def test_a_real_gunicorn_is_found(tmp_path: Path, start: list[str]) -> None:
    (tmp_path / "app.py").write_text(
        "def app(environ, start):\n    start('200 OK', [])\n    return [b'ok']\n"
    )
    server = subprocess.Popen(
        [*start, "--bind", "127.0.0.1:0", "--chdir", str(tmp_path), "app:app"],
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
        assert server.pid in {p.pid for p in found}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_another_folder_s_processes_are_not_the_project_s(tmp_path: Path) -> None:
    assert app_servers.project_processes(tmp_path.resolve()) == []


def test_the_scan_reads_each_process_s_command_line_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its name (``/proc/PID/stat``) would be one more file read for every process of the
    machine; an application server is named in its first three words."""
    import psutil

    asked: list[list[str]] = []
    real = psutil.process_iter

    def recorded(attrs: list[str] | None = None, ad_value: object = None) -> object:
        asked.append(list(attrs or []))
        return real(attrs, ad_value)

    monkeypatch.setattr(psutil, "process_iter", recorded)
    app_servers.project_processes(Path("/nonexistent"))
    assert asked == [["cmdline"]]


@pytest.mark.parametrize(
    ("cmdline", "expected"),
    [
        (["gunicorn: master [bookshop.wsgi:application]"], True),  # its title (setproctitle)
        (["/srv/venv/bin/python3", "/srv/venv/bin/gunicorn", "app:wsgi"], True),
        (["python", "-m", "uvicorn", "app:asgi"], True),
        (["uwsgi", "--ini", "uwsgi.ini"], True),
        (["python", "manage.py", "runserver"], False),
        ([], False),  # a kernel thread, a zombie
    ],
)
def test_an_app_server_by_its_command_line(cmdline: list[str], expected: bool) -> None:
    assert app_servers.is_app_server(cmdline) is expected
