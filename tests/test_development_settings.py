"""A repository whose only settings are development settings (corpus: misago's
``devproject``): golive says so once (GL114, high) instead of judging them as production."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import audit_project, write_project

from golive.collectors.layout import DOCKERFILE, Role, classify
from golive.model import Confidence, Severity, Status
from golive.settings_role import settings_role

DEV_FILES = {
    "manage.py": """
        import os, sys
        if __name__ == "__main__":
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "devproject.settings")
            from django.core.management import execute_from_command_line
            execute_from_command_line(sys.argv)
    """,
    "devproject/__init__.py": "",
    "devproject/urls.py": "urlpatterns = []\n",
    "devproject/settings.py": """
        DEBUG = True
        SECRET_KEY = "dev-only-key-1f9a7c3e5b2d4068a1c3e5f7092b4d6f8a0c2e4"
        ALLOWED_HOSTS = ["*"]
        INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
        ROOT_URLCONF = "devproject.urls"
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    """,
    "Dockerfile": """
        # This Dockerfile is for local development only: it is not meant for production.
        FROM python:3.12
        COPY . /app
        CMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]
    """,
}


@pytest.mark.covers("GL114", "fail")
def test_development_settings_are_said_once(tmp_path: Path) -> None:
    audit = audit_project(write_project(tmp_path / "proj", DEV_FILES))
    assert "devproject.settings looks like development settings" in audit.settings_reason
    assert "no production settings found in the repository" in audit.settings_reason
    failing = [f for f in audit.findings if f.status is Status.FAIL]
    gl114 = [f for f in failing if f.id == "GL114"]
    assert [(f.id, f.severity) for f in gl114] == [("GL114", Severity.HIGH)]
    assert "GL601" not in {f.id for f in failing}
    judged = [f for f in failing if f.collector in ("runtime", "source", "django") and f.id != "GL114"]
    assert judged  # GL101, security.W018... are still listed, as possible
    for f in judged:
        assert f.severity <= Severity.LOW, f.id
        assert f.confidence is Confidence.POSSIBLE, f.id
        assert any("development settings" in e for e in f.evidence), f.id


@pytest.mark.covers("GL114", "pass")
def test_production_settings_pass_gl114(tmp_path: Path, make_project) -> None:  # type: ignore[no-untyped-def]
    audit = audit_project(make_project())
    assert [f.status for f in audit.findings if f.id == "GL114"] == [Status.PASS]
    assert "development settings" not in audit.settings_reason


def test_settings_classified_like_files() -> None:
    assert settings_role("devproject.settings", "DEBUG = True\n") is not None
    assert settings_role("devproject.settings", "")[0] is Role.DEVELOPMENT  # type: ignore[index]
    assert settings_role("mysite.settings.local", "")[0] is Role.DEVELOPMENT  # type: ignore[index]
    assert settings_role("mysite.settings.production", "")[0] is Role.PRODUCTION  # type: ignore[index]
    assert settings_role("mysite.settings", "DEBUG = True\n") is None  # a finding, not a hint


def test_file_that_states_its_purpose_is_development() -> None:
    text = "# For local development.\nFROM python\nCMD python manage.py runserver\n"
    assert classify("Dockerfile", DOCKERFILE, text).role == Role.DEVELOPMENT.value
    plain = "FROM python\nCMD python manage.py runserver\n"
    assert classify("Dockerfile", DOCKERFILE, plain).audited
