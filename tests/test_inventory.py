"""Every deployment file a reviewer counts is named in the report (issue 12, Measure).

A layout drawn from real repositories, written anew: a Dockerfile whose image starts
gunicorn, a worker's ``docker/entrypoint-worker.sh`` nothing in the repository starts,
requirements split per database under ``requirements/``, ``uv.lock`` and
``.python-version``, settings in a package (the audited ``production`` star-imports
``base``; ``dev`` beside them), a compose file without a YAML extension
(``docker-compose.postgres``) and an override with two dotted words, Terraform, an env
template, a CI workflow that deploys, and an install guide. Before: the report listed the
Dockerfile only; the others were never named, so a reader could not tell whether golive
looked at them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import build_project

from golive.collectors import project
from golive.context import AuditOptions, resolve
from golive.model import DeploymentFile

FILES: dict[str, str | None] = {
    "Dockerfile": (
        "FROM python:3.12\nCOPY . /app\nWORKDIR /app\n"
        'CMD ["gunicorn", "site_conf.wsgi", "-b", "0.0.0.0:8000"]\n'
    ),
    ".dockerignore": ".git\n.env\n",
    "docker/entrypoint-worker.sh": "#!/bin/sh\nset -e\nexec celery -A site_conf worker\n",
    "docker/healthcheck.sh": "#!/bin/sh\ncurl -fsS http://localhost:8000/health/\n",
    "docker/secret-loader.sh": '#!/bin/bash\nexport DB_PASSWORD="$(cat /run/secrets/db)"\n',
    "site_conf/template-local_settings": "# copy to local_settings.py\nEXTRA = 1\n",
    "docker-compose.postgres": (
        "services:\n  db:\n    image: postgres:16\n  web:\n    build: .\n"
        "    command: gunicorn site_conf.wsgi -b 0.0.0.0:8000\n"
    ),
    "docker-compose.override.https.yml": "services:\n  web:\n    environment:\n      - HTTPS=on\n",
    "requirements/base.txt": "django>=5.2\ngunicorn\n",
    "requirements/postgres.txt": "-r base.txt\npsycopg\n",
    "uv.lock": "version = 1\n",
    ".python-version": "3.12\n",
    "site_conf/settings/dev.py": "from .base import *  # noqa\nDEBUG = True\n",
    "infra/main.tf": 'resource "aws_s3_bucket" "media" {\n  bucket = "shop-media"\n}\n',
    ".env.example": "SECRET_KEY=\nDATABASE_URL=\n",
    ".github/workflows/deploy.yml": "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n",
    ".github/workflows/tests.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
    "docs/installation.md": "# Installing\n",
    "docs/changelog.md": "# Changes\n",
}


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DeploymentFile]:
    root = build_project(tmp_path_factory.mktemp("inventory") / "shop", files=dict(FILES))
    ctx = resolve(AuditOptions(project_dir=root, python=sys.executable))
    project.collect(ctx)
    project.collect(ctx)  # called again by other collectors: nothing listed twice
    assert ctx.layout is not None
    files = ctx.layout.files()
    assert len({f.path for f in files}) == len(files)
    return {f.path: f for f in files}


@pytest.mark.parametrize(
    ("path", "kind", "read"),
    [
        ("Dockerfile", "Dockerfile", True),
        ("docker-compose.postgres", "compose file", True),
        ("requirements/base.txt", "requirements", True),
        ("requirements/postgres.txt", "requirements", True),
        ("site_conf/settings/production.py", "Django settings", True),
        ("site_conf/settings/base.py", "Django settings", True),
        ("site_conf/settings/dev.py", "Django settings", True),
        ("site_conf/wsgi.py", "WSGI/ASGI entry point", True),
        ("docker-compose.override.https.yml", "compose file", False),
        (".dockerignore", ".dockerignore", False),
        ("docker/entrypoint-worker.sh", "start script", False),
        ("docker/healthcheck.sh", "start script", False),
        ("docker/secret-loader.sh", "start script", False),
        ("site_conf/template-local_settings", "env template", False),
        ("uv.lock", "requirements", False),
        (".python-version", "requirements", False),
        ("infra/main.tf", "Terraform", False),
        (".env.example", "env template", False),
        (".github/workflows/deploy.yml", "CI deploy workflow", False),
        ("docs/installation.md", "deployment guide", False),
    ],
)
def test_each_deployment_file_is_listed_with_whether_it_is_read(
    listed: dict[str, DeploymentFile], path: str, kind: str, read: bool
) -> None:
    assert path in listed, sorted(listed)
    entry = listed[path]
    assert (entry.kind, entry.audited) == (kind, read)
    assert entry.reason


def test_what_is_not_read_says_why(listed: dict[str, DeploymentFile]) -> None:
    assert "no Dockerfile, compose file, Procfile or unit golive read starts it" in (
        listed["docker/entrypoint-worker.sh"].reason
    )
    assert listed["site_conf/settings/dev.py"].role == "development"
    assert "SECRET_KEY" in listed["site_conf/settings/dev.py"].reason
    assert listed[".env.example"].role == "example"


def test_ordinary_files_are_not_listed(listed: dict[str, DeploymentFile]) -> None:
    for path in ("docs/changelog.md", ".github/workflows/tests.yml", "shop/models.py"):
        assert path not in listed


def test_a_symlinked_file_is_listed_under_its_target(tmp_path: Path) -> None:
    """The walk's files are named relative to the repository without resolving each (issue 15),
    except symbolic links, named as their target (as Layout.rel names every path)."""
    root = build_project(
        tmp_path / "proj",
        files={"deploy/entrypoint.sh": "#!/bin/sh\nexec gunicorn site_conf.wsgi\n", "docs/deploy.md": "x\n"},
    )
    (root / "bin").mkdir()
    (root / "bin" / "start.sh").symlink_to(root / "deploy" / "entrypoint.sh")
    (root / "outside.md").symlink_to(tmp_path / "elsewhere.md")
    (tmp_path / "elsewhere.md").write_text("x\n")
    ctx = resolve(AuditOptions(project_dir=root, settings="site_conf.settings.production"))
    project.collect(ctx)
    assert ctx.layout is not None
    paths = {f.path for f in ctx.layout.files()}
    assert "deploy/entrypoint.sh" in paths and "docs/deploy.md" in paths
    assert not {"bin/start.sh", "outside.md"} & paths
