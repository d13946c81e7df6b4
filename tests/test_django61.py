"""The same audit under Django 6.1 / Python 3.12 (the project's own interpreter, --python):
the same ids for a failing and a passing project, and Django 6.1's MAILERS setting read
by GL230/GL232/GL502 (with Django's own mail.E001 for the default alias).

CI's scripts/test.sh creates .venv-django61 and exports GOLIVE_DJANGO61_PYTHON; locally
/work/venv312 serves when it holds Django 6.1. Skipped, saying why, when neither exists.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from conftest import BASE_SETTINGS, audit_project, build_project, django61_python, failing, outcome

from golive.model import Audit, Location, Status

PROD = "site_conf/settings/production.py"
LOCAL_CANDIDATES = ("/work/venv312/bin/python",)


@cache
def interpreter() -> tuple[str | None, str]:
    """(python with Django 6.1 and psycopg, or None; why not)."""
    candidates = [p for p in (django61_python(), *LOCAL_CANDIDATES) if p and Path(p).exists()]
    if not candidates:
        return None, "no Django 6.1 interpreter (set GOLIVE_DJANGO61_PYTHON or run scripts/test.sh)"
    for python in candidates:
        proc = subprocess.run(
            [
                python,
                "-c",
                "import django, psycopg, sys; print(django.get_version(), sys.version_info[:2] >= (3, 12))",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        version, _, new_python = proc.stdout.strip().partition(" ")
        if proc.returncode == 0 and version.startswith("6.1") and new_python == "True":
            return python, ""
    return None, f"{', '.join(candidates)}: no Django 6.1 with psycopg on Python 3.12+ there"


@pytest.fixture(scope="module")
def py61() -> str:
    python, why = interpreter()
    if python is None:
        pytest.skip(why)
    return python


MISTAKES = """\
DEBUG = True
ALLOWED_HOSTS = ["*"]
SECURE_HSTS_SECONDS = 3600
SESSION_COOKIE_SECURE = False
DATABASES["default"]["CONN_MAX_AGE"] = 0
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
STATIC_ROOT = None
"""


def ids(audit: Audit) -> list[str]:
    return sorted(f.id for f in failing(audit))


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("dj61")
    return {
        "failing": build_project(root / "failing", MISTAKES),
        "hardened": build_project(root / "hardened"),
    }


def test_the_same_ids_under_django_52_and_61(py61: str, projects: dict[str, Path]) -> None:
    new = audit_project(projects["failing"], python=py61)
    old = audit_project(projects["failing"], python=sys.executable)
    assert new.django_version.startswith("6.1") and new.python_version >= "3.12"
    assert [c.status for c in new.collectors if c.name == "runtime"] == ["ok"]
    assert ids(new) == ids(old)
    assert ids(new) == [
        "GL110",
        "GL201",
        "GL210",
        "GL230",
        "GL240",
        "GL301",
        "GL302",
        "GL402",
        "GL403",
        "GL502",
        "security.W012",
        "security.W018",
    ]
    # locations come from the same source either way
    assert {f.id: f.location for f in failing(new)} == {f.id: f.location for f in failing(old)}


def test_a_hardened_project_passes_under_django_61(py61: str, projects: dict[str, Path]) -> None:
    result = audit_project(projects["hardened"], python=py61)
    assert result.django_version.startswith("6.1")
    assert ids(result) == []
    assert result.exit_status == 0


#: Django 6.1 refuses the EMAIL_* settings next to MAILERS (ImproperlyConfigured).
BASE_WITHOUT_EMAIL = (
    "\n".join(line for line in BASE_SETTINGS.splitlines() if not line.startswith("EMAIL_")) + "\n"
)
MAILERS = """\
MAILERS = {
    "default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"},
    "notifications": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    "bulk": {"OPTIONS": {"host": "smtp.mailgun.org", "port": 25}},
    "relay": {"OPTIONS": {"host": "localhost"}},
    "secure": {"OPTIONS": {"host": "smtp.example.com", "use_tls": True, "password": os.environ["APP_PW"]}},
}
"""


@pytest.mark.covers("GL230", "GL232", "GL502", "fail")
def test_mailers_on_django_61(py61: str, tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj", MAILERS, base=BASE_WITHOUT_EMAIL)
    result = audit_project(project, python=py61, env={"APP_PW": "mailer-password-for-tests"})
    # Django's own check judges the default alias, under its own id
    [e001] = failing(result, "mail.E001")
    assert e001.subjects == ("MAILERS",)
    assert e001.location == Location(path=PROD, line=2)
    assert e001.collector == "django"
    # golive looks at the other aliases
    [gl230] = failing(result, "GL230")
    assert gl230.subjects == ("MAILERS",)
    assert gl230.location == Location(path=PROD, line=4)
    assert gl230.evidence == (
        "MAILERS['notifications'] = 'django.core.mail.backends.locmem.EmailBackend' (locmem: sends nothing)",
    )
    [gl232] = failing(result, "GL232")
    assert gl232.subjects == ("MAILERS",)
    assert gl232.location == Location(path=PROD, line=5)
    assert gl232.evidence == ("MAILERS['bulk']: SMTP to 'smtp.mailgun.org' with neither TLS nor SSL",)
    [gl502] = failing(result, "GL502")
    assert gl502.subjects == ("ADMINS", "MAILERS")
    assert gl502.evidence == (
        "ADMINS has 1 address(es)",
        "MAILERS['default'] = 'django.core.mail.backends.console.EmailBackend'",
    )
    assert ids(result) == ["GL230", "GL232", "GL502", "mail.E001"]


@pytest.mark.covers("GL230", "GL232", "GL502", "pass")
def test_mailers_that_send_pass_on_django_61(py61: str, tmp_path: Path) -> None:
    production = 'MAILERS = {"default": {"OPTIONS": {"host": "smtp.example.com", "use_ssl": True}}}\n'
    result = audit_project(build_project(tmp_path / "proj", production, base=BASE_WITHOUT_EMAIL), python=py61)
    for cid in ("GL230", "GL232", "GL502"):
        assert outcome(result, cid) == [Status.PASS], cid
    assert ids(result) == []


def test_mailers_is_not_a_setting_before_django_61(tmp_path: Path) -> None:
    # Django 5.2 ignores MAILERS and sends with EMAIL_BACKEND (its SMTP default, to localhost).
    project = build_project(tmp_path / "proj", MAILERS, base=BASE_WITHOUT_EMAIL)
    result = audit_project(project, python=sys.executable, env={"APP_PW": "mailer-password-for-tests"})
    assert result.django_version.startswith("5.")
    assert ids(result) == []
