"""GL617 (gunicorn's unix socket writable by every local user) judged where the process runs.

A Procfile's process type runs in a container of its own on the platforms that read Procfiles
(Heroku's dynos, Dokku, cabotage): the socket's other local users are the processes the same
line starts, such as the nginx a ``bin/start-nginx`` wrapper runs beside gunicorn. The files are
written here in the shape of such a deployment; gunicorn's own loader reads the config.
"""

from __future__ import annotations

from pathlib import Path

from test_gunicorn import FIXTURES, collected, run

from golive.model import Severity

CONF = "bind = 'unix:/var/run/platform/nginx.sock'\nworkers = 2\naccesslog = '-'\nerrorlog = '-'\n"


def test_gl617_a_procfile_process_alone_in_its_container_is_low(tmp_path: Path) -> None:
    (tmp_path / "gunicorn.conf").write_text(CONF)
    (tmp_path / "Procfile").write_text("web: bin/start-nginx gunicorn -c gunicorn.conf shop.wsgi\n")
    found = [f for f in run("GL617", collected(tmp_path)) if f.failing]
    assert [(f.id, f.severity) for f in found] == [("GL617", Severity.LOW)]
    assert any("Procfile" in e and "its own container" in e for e in found[0].evidence), found[0].evidence


def test_gl617_a_config_file_for_a_shared_machine_stays_medium() -> None:
    found = [f for f in run("GL617", collected(FIXTURES / "GL617" / "fires")) if f.failing]
    assert [(f.id, f.severity) for f in found] == [("GL617", Severity.MEDIUM)]
