"""The image builds from the repository and starts without the development dependencies
(GL625, GL626; issue 12: app-server rows of the corpus).

Layouts written for these tests after real ones: an Oscar-sandbox-like image whose
Dockerfile copies a ``requirements.txt`` the repository no longer has and runs uWSGI; a
djangopackages-like image that installs with ``uv sync --no-dev`` and then starts with
``uv run gunicorn`` from a start script, in a project whose ``pyproject.toml`` has a
``dev`` dependency group.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_gunicorn import context, run

from golive.collectors import project
from golive.model import Location, Status
from golive.registry import Facts

OSCAR_LIKE = {
    "Dockerfile": (
        "FROM python:3.12\nENV PYTHONUNBUFFERED 1\nCOPY ./requirements.txt /requirements.txt\n"
        "RUN pip3 install -r /requirements.txt\nCOPY . /app\nWORKDIR /app/sandbox/\n"
        "CMD uwsgi --ini uwsgi.ini\n"
    ),
    "sandbox/uwsgi.ini": "[uwsgi]\nmaster = true\nsocket = :8080\n",
    "setup.py": "from setuptools import setup\nsetup(name='shop')\n",
}
UV_LIKE = {
    "pyproject.toml": (
        '[project]\nname = "shop"\nversion = "1"\ndependencies = ["django>=5.2", "gunicorn"]\n\n'
        '[dependency-groups]\ndev = ["pytest", "model-bakery"]\n'
    ),
    "docker/Dockerfile": (
        "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim\nWORKDIR /code\n"
        "COPY pyproject.toml ./\nRUN uv sync --no-dev\nCOPY . .\n"
        'COPY ./docker/start-web.sh /code/start-web.sh\nCMD ["/code/start-web.sh"]\n'
    ),
    "docker/start-web.sh": "#!/bin/sh\nuv run gunicorn wsgi:application --bind 0.0.0.0:8000 --workers 4\n",
}


def facts_of(root: Path, files: dict[str, str]) -> Facts:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    ctx = context(root)
    return Facts({project.ProjectFacts: project.collect(ctx)}, context=ctx)


@pytest.mark.covers("GL625", "fail")
def test_a_copy_of_a_file_the_repository_lacks(tmp_path: Path) -> None:
    [finding] = run("GL625", facts_of(tmp_path, OSCAR_LIKE))
    assert (finding.status, finding.location, finding.subjects) == (
        Status.FAIL,
        Location(path="Dockerfile", line=3),
        ("./requirements.txt",),
    )
    assert finding.evidence == (
        "COPY ./requirements.txt /requirements.txt (Dockerfile:3): ./requirements.txt does not exist in the"
        " repository, so the build stops at this line",
    )


@pytest.mark.covers("GL625", "pass")
def test_a_copy_of_a_committed_or_generated_file(tmp_path: Path) -> None:
    assert [
        f.status for f in run("GL625", facts_of(tmp_path, {**OSCAR_LIKE, "requirements.txt": "uwsgi\n"}))
    ] == [Status.PASS]
    generated = tmp_path / "generated"
    generated.mkdir()
    exported = {**OSCAR_LIKE, ".gitignore": "# poetry export writes it\n/requirements.txt\n"}
    assert [f.status for f in run("GL625", facts_of(generated, exported))] == [Status.PASS]


@pytest.mark.covers("GL626", "fail")
def test_uv_run_at_start_installs_the_dev_group(tmp_path: Path) -> None:
    [finding] = run("GL626", facts_of(tmp_path, UV_LIKE))
    assert (finding.status, finding.location, finding.subjects) == (
        Status.FAIL,
        Location(path="docker/start-web.sh", line=2),
        ("uv run",),
    )
    assert finding.evidence[1] == (
        "uv run syncs the default dependency groups (dev (pyproject.toml:6)) into the environment before it"
        " runs: no --no-sync or --no-dev"
    )


@pytest.mark.covers("GL626", "pass")
def test_uv_run_told_not_to_sync_or_a_project_without_dev_group(tmp_path: Path) -> None:
    no_sync = dict(UV_LIKE)
    no_sync["docker/start-web.sh"] = "#!/bin/sh\nuv run --no-sync gunicorn wsgi:application\n"
    (tmp_path / "a").mkdir()
    assert [f.status for f in run("GL626", facts_of(tmp_path / "a", no_sync))] == [Status.PASS]
    env = dict(UV_LIKE)
    env["docker/Dockerfile"] = UV_LIKE["docker/Dockerfile"].replace(
        "WORKDIR /code\n", "WORKDIR /code\nENV UV_NO_SYNC=1\n"
    )
    (tmp_path / "b").mkdir()
    assert [f.status for f in run("GL626", facts_of(tmp_path / "b", env))] == [Status.PASS]
    plain = dict(UV_LIKE)
    plain["pyproject.toml"] = '[project]\nname = "shop"\nversion = "1"\ndependencies = ["gunicorn"]\n'
    (tmp_path / "c").mkdir()
    assert [f.status for f in run("GL626", facts_of(tmp_path / "c", plain))] == [Status.PASS]
