"""Shared fixtures: real Django projects written into tmp_path, audited for real.

``make_project`` writes a minimal but real Django project (manage.py, a settings
package, urls, one app with a FileField model, templates) and lets a test replace or
add files; ``audit`` runs the full pipeline on it (the runtime probe in a real
subprocess of the test interpreter) and returns the :class:`golive.model.Audit`.
"""

from __future__ import annotations

import os
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from golive.context import AuditContext, AuditOptions, resolve
from golive.model import Audit, Finding, Status
from golive.runner import run_audit

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
#: A strong key for passing cases (never a real one: generated for these tests).
GOOD_KEY = "q8#Vt2!mZ@r5$wL9^xN1&bK7*cJ4(hF6)gD3-sA0_pQ+eU=yT~iO`nM[lR]vW{zX}"

BASE_SETTINGS = """
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SECRET_KEY = os.environ["APP_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["shop.example.com"]
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles", "shop",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "site_conf.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [BASE_DIR / "templates"], "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages"]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop", "USER": "shop",
             "HOST": "127.0.0.1", "PASSWORD": os.environ["APP_DB_PASSWORD"],
             "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
          "LOCATION": os.environ["APP_REDIS_URL"]}}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "smtp.example.com"
EMAIL_USE_TLS = True
DEFAULT_FROM_EMAIL = "Shop <shop@example.com>"
SERVER_EMAIL = "errors@example.com"
ADMINS = [("Ops", "ops@example.com")]
STATIC_URL = "/static/"
STATIC_ROOT = "/srv/shop/static"
MEDIA_URL = "/media/"
MEDIA_ROOT = "/srv/shop/media"
STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = ["https://shop.example.com"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
"""

PROJECT_FILES = {
    "manage.py": """
        import os, sys
        if __name__ == "__main__":
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_conf.settings.production")
            from django.core.management import execute_from_command_line
            execute_from_command_line(sys.argv)
    """,
    "site_conf/__init__.py": "",
    "site_conf/settings/__init__.py": "",
    "site_conf/urls.py": """
        from django.contrib import admin
        from django.urls import path
        urlpatterns = [path("backstage/", admin.site.urls)]
    """,
    "site_conf/wsgi.py": """
        import os
        from django.core.wsgi import get_wsgi_application
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_conf.settings.production")
        application = get_wsgi_application()
    """,
    "shop/__init__.py": "",
    "shop/models.py": """
        from django.db import models
        class Product(models.Model):
            name = models.CharField(max_length=100)
            manual = models.FileField(upload_to="manuals/")
    """,
    "templates/404.html": "<h1>Not found</h1>",
    "templates/500.html": "<h1>Error</h1>",
    "templates/403.html": "<h1>Forbidden</h1>",
    "templates/400.html": "<h1>Bad request</h1>",
    "requirements.txt": "Django>=5.2\ngunicorn==23.0.0\npsycopg[binary]\nredis\n",
    "Procfile": "web: gunicorn site_conf.wsgi --bind 0.0.0.0:$PORT\n",
}

GOOD_ENV = {
    "APP_SECRET_KEY": GOOD_KEY,
    "APP_DB_PASSWORD": "db-pass-for-tests-0b7d",
    "APP_REDIS_URL": "redis://:cache-pass-for-tests-77e1@127.0.0.1:6379/0",
}


def write_project(root: Path, files: dict[str, str | None]) -> Path:
    """Write ``files`` (path → text, None deletes) under ``root``; returns ``root``."""
    for rel, text in files.items():
        path = root / rel
        if text is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """``make_project(production="...extra lines...", files={...})`` → project dir.

    ``production`` is appended to a hardened ``production.py`` (``from .base import *``),
    so a test states only the mistake it is about.
    """

    def make(
        production: str = "", files: dict[str, str | None] | None = None, base: str = BASE_SETTINGS
    ) -> Path:
        root = tmp_path / "proj"
        all_files: dict[str, str | None] = dict(PROJECT_FILES)
        all_files["site_conf/settings/base.py"] = base
        all_files["site_conf/settings/production.py"] = "from .base import *  # noqa\n" + textwrap.dedent(
            production
        )
        all_files.update(files or {})
        return write_project(root, all_files)

    return make


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """An event set at the end of the test: a collector or gate of the test that blocks on
    it (to overrun its budget) then ends, and its thread with it."""
    event = threading.Event()
    yield event
    event.set()


def audit_context(project: Path, **options: Any) -> AuditContext:
    """The resolved context of an audit of ``project``, resolved with ``GOOD_ENV`` as
    environment (``python``: this interpreter unless given), for the tests that run the
    scheduler or a collector themselves."""
    saved = dict(os.environ)
    os.environ.update(GOOD_ENV)
    try:
        options.setdefault("python", sys.executable)
        return resolve(AuditOptions(project_dir=project, **options))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def audit_project(project: Path, env: dict[str, str] | None = None, **options: Any) -> Audit:
    """Run the whole audit on ``project`` with ``GOOD_ENV`` (+ ``env``) as environment."""
    saved = dict(os.environ)
    os.environ.update(GOOD_ENV)
    os.environ.update(env or {})
    try:
        options.setdefault("python", sys.executable)
        ctx = resolve(AuditOptions(project_dir=project, **options))
        return run_audit(ctx)
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def audit() -> Callable[..., Audit]:
    """The :func:`audit_project` function, as a fixture."""
    return audit_project


def failing(audit: Audit, check_id: str | None = None) -> list[Finding]:
    """Failing findings, optionally of one check id."""
    return [f for f in audit.findings if f.status is Status.FAIL and (check_id is None or f.id == check_id)]


def outcome(audit: Audit, check_id: str) -> list[Status]:
    """The statuses the audit recorded for ``check_id``."""
    return [f.status for f in audit.findings if f.id == check_id]


def django61_python() -> str | None:
    """The Python 3.12 interpreter with Django 6.1 that scripts/test.sh prepares, if any."""
    path = os.environ.get("GOLIVE_DJANGO61_PYTHON")
    if path and Path(path).exists():
        return path
    local = REPO / ".venv-django61" / "bin" / "python"
    return str(local) if local.exists() else None


def build_project(
    root: Path, production: str = "", files: dict[str, str | None] | None = None, base: str = BASE_SETTINGS
) -> Path:
    """What ``make_project`` writes, under ``root``: for projects shared by a module's tests."""
    all_files: dict[str, str | None] = dict(PROJECT_FILES)
    all_files["site_conf/settings/base.py"] = base
    all_files["site_conf/settings/production.py"] = "from .base import *  # noqa\n" + textwrap.dedent(
        production
    )
    all_files.update(files or {})
    return write_project(root, all_files)


def pytest_configure(config: pytest.Config) -> None:
    """Register ``@pytest.mark.covers("GL101", "fail")``: see tests/test_catalogue.py."""
    config.addinivalue_line(
        "markers",
        "covers(*ids, case): this test is a `fail`, `pass` or `manual` case of the given check ids"
        " (enforced by tests/test_catalogue.py)",
    )


@pytest.fixture(scope="session")
def hardened_audit(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    """The audit of the untouched hardened project, shared by every module's passing cases."""
    return audit_project(build_project(tmp_path_factory.mktemp("hardened") / "proj"))
