"""The host collector's activation finds an application server running from the project
directory with psutil (:func:`golive.collectors.host.app_servers.project_processes`): a real
gunicorn started here is found."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from golive.collectors.host import app_servers


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
        assert server.pid in {p.pid for p in found}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_another_folder_s_processes_are_not_the_project_s(tmp_path: Path) -> None:
    assert app_servers.project_processes(tmp_path.resolve()) == []
