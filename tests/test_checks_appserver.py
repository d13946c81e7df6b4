"""Application server (GL60x) and the admin's path (GL980), on real project trees:
Procfile, Dockerfile, docker-compose, systemd units and requirements as teams write them.
"""

from __future__ import annotations

import pytest
from conftest import audit_project, build_project, failing, outcome

from golive.model import Audit, Location, Status

RUNSERVER_EVERYWHERE = {
    "Procfile": "release: python manage.py migrate\nweb: python manage.py runserver 0.0.0.0:$PORT\n",
    "Dockerfile": (
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
        'CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]\n'
    ),
    "docker-compose.yml": (
        "services:\n  web:\n    build: .\n"
        '    command: ["sh", "-c", "python manage.py migrate && python manage.py runserver 0.0.0.0:8000"]\n'
        '  worker:\n    build: .\n    command: ["python", "-m", "celery", "worker"]\n'
    ),
    "deploy/shop.service": (
        "[Unit]\nDescription=shop\n\n[Service]\nUser=shop\n"
        "ExecStart=/srv/shop/venv/bin/python manage.py runserver 127.0.0.1:8000\n"
    ),
    "requirements.txt": "Django>=5.2\npsycopg[binary]\nredis\n",
    "site_conf/urls.py": (
        "from django.contrib import admin\nfrom django.urls import path\n\n"
        'urlpatterns = [\n    path("admin/", admin.site.urls),\n]\n'
    ),
}


@pytest.fixture(scope="module")
def a1(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    root = tmp_path_factory.mktemp("a1") / "proj"
    return audit_project(build_project(root, files=dict(RUNSERVER_EVERYWHERE)))


@pytest.mark.covers("GL601", "fail")
def test_gl601_runserver_in_every_kind_of_process_file(a1: Audit) -> None:
    found = failing(a1, "GL601")
    assert {f.subjects for f in found} == {("runserver",)}
    assert sorted((str(f.location), f.evidence) for f in found) == [
        ("Dockerfile:4", ("Dockerfile CMD: python manage.py runserver 0.0.0.0:8000",)),
        ("Procfile:2", ("Procfile: python manage.py runserver 0.0.0.0:$PORT",)),
        (
            "deploy/shop.service:6",
            ("systemd ExecStart: /srv/shop/venv/bin/python manage.py runserver 127.0.0.1:8000",),
        ),
        (
            "docker-compose.yml:4",
            (
                "docker-compose command: sh -c"
                " python manage.py migrate && python manage.py runserver 0.0.0.0:8000",
            ),
        ),
    ]


@pytest.mark.covers("GL602", "fail")
def test_gl602_no_application_server_in_requirements(a1: Audit) -> None:
    [f] = failing(a1, "GL602")
    assert f.subjects == ("requirements",)
    assert f.location == Location(path="requirements.txt")
    assert f.evidence == (
        "none of gunicorn, uwsgi, uvicorn, daphne, hypercorn, waitress, granian in requirements.txt",
    )


@pytest.mark.covers("GL980", "fail")
def test_gl980_admin_at_the_default_path(a1: Audit) -> None:
    [f] = failing(a1, "GL980")
    assert f.subjects == ("ROOT_URLCONF",)
    assert f.location == Location(path="site_conf/urls.py", line=5)
    assert f.evidence == ("admin mounted at: /admin/ (ROOT_URLCONF site_conf.urls)",)


def test_gl602_is_skipped_without_any_requirements(make_project) -> None:  # type: ignore[no-untyped-def]
    result = audit_project(make_project(files={"requirements.txt": None}))
    [f] = [f for f in result.findings if f.id == "GL602"]
    assert f.status is Status.SKIPPED
    assert f.reason == "no requirements file or pyproject dependencies found"


@pytest.mark.covers("GL602", "pass")
def test_gl602_a_server_started_by_the_procfile_counts(make_project) -> None:  # type: ignore[no-untyped-def]
    files = {"requirements.txt": "Django>=5.2\n", "Procfile": "web: uvicorn site_conf.asgi:application\n"}
    result = audit_project(make_project(files=files))
    assert outcome(result, "GL602") == [Status.PASS]
    assert outcome(result, "GL601") == [Status.PASS]


@pytest.mark.covers("GL601", "GL602", "GL980", "pass")
def test_hardened_project_passes_application_server(hardened_audit: Audit) -> None:
    result = hardened_audit
    for cid in ("GL601", "GL602", "GL980"):
        assert outcome(result, cid) == [Status.PASS], cid


def test_gl980_is_skipped_when_the_urlconf_cannot_be_loaded(make_project) -> None:  # type: ignore[no-untyped-def]
    result = audit_project(
        make_project(files={"site_conf/urls.py": "import no_such_module\nurlpatterns = []\n"})
    )
    [f] = [f for f in result.findings if f.id == "GL980"]
    assert f.status is Status.SKIPPED
    assert (
        f.reason == "the URLconf could not be loaded: ModuleNotFoundError: No module named 'no_such_module'"
    )
    # Django's own checks import the URLconf too: their crash is an error, the audit incomplete
    [crash] = [f for f in result.findings if f.id == "django.checks"]
    assert crash.status is Status.ERROR
    assert result.exit_status == 3
