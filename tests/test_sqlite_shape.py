"""SQLite in production (issue 10-13, case H): Django's docs do not rule it out. One
application server with the file on a persistent volume is low, with the reason; several
replicas or application services writing one file, or a file inside the code tree of an
image with no volume on it (the data lives in the container's writable layer), is medium.

The shape is a self-hosted app's compose file, written anew: one service built from the
project, ``./data`` mounted at the folder holding the database.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import audit_project, build_project, failing

from golive.model import Audit, Location, Severity

PROD = "site_conf/settings/production.py"
SQLITE = (
    'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",'
    ' "NAME": str(BASE_DIR / "data" / "db.sqlite3")}}\n'
)
DOCKERFILE = "FROM python:3.12-slim\nWORKDIR /srv/app\nCOPY . .\nCMD gunicorn site_conf.wsgi\n"
COMPOSE = """services:
  web:
    build: .
    ports: ["8000:8000"]
    volumes:
      - "${APP_DATA_DIR:-./data}:/srv/app/data"
{more}  cache:
    image: redis:7
"""


def _audit(tmp_path: Path, compose: str | None) -> Audit:
    files: dict[str, str | None] = {"Dockerfile": DOCKERFILE, "data/.keep": ""}
    if compose is not None:
        files["docker-compose.yml"] = compose
    root = build_project(tmp_path / "proj", SQLITE, files=files)
    return audit_project(root, no_git=True, no_history=True)


@pytest.mark.covers("GL220", "fail")
def test_one_server_with_the_file_on_a_volume_is_low(tmp_path: Path) -> None:
    [f] = failing(_audit(tmp_path, COMPOSE.replace("{more}", "")), "GL220")
    assert (f.subjects, f.severity, f.location) == (("DATABASES",), Severity.LOW, Location(path=PROD, line=2))
    assert f.evidence[0].startswith("DATABASES['default'] ENGINE sqlite3, NAME '")
    assert f.evidence[1] == (
        "one application server (web at docker-compose.yml:2, 1 replica) and data/db.sqlite3 is on the"
        " volume mounted at /srv/app/data: Django's docs do not rule SQLite out on one server;"
        " back the file up: low"
    )


@pytest.mark.covers("GL220", "fail")
def test_replicas_writing_one_file_are_medium(tmp_path: Path) -> None:
    more = "    deploy:\n      replicas: 3\n"
    [f] = failing(
        _audit(tmp_path, COMPOSE.replace("{more}", "").replace("    ports:", more + "    ports:")), "GL220"
    )
    assert f.severity is Severity.MEDIUM
    assert (
        f.evidence[1]
        == "web runs 3 replicas (docker-compose.yml:2): several application servers write one SQLite file"
    )


@pytest.mark.covers("GL220", "fail")
def test_a_file_in_the_image_without_a_volume_is_medium(tmp_path: Path) -> None:
    compose = COMPOSE.replace("{more}", "").replace(
        '    volumes:\n      - "${APP_DATA_DIR:-./data}:/srv/app/data"\n', ""
    )
    [f] = failing(_audit(tmp_path, compose), "GL220")
    assert f.severity is Severity.MEDIUM
    assert f.evidence[1] == (
        "data/db.sqlite3 is inside the code tree of a container image and no volume is mounted on data/:"
        " the database lives in the container's writable layer and goes with it"
    )
