"""Security settings read from the environment whose fallback is the insecure value (issue
10-13, case I): ``env.bool("X_SESSION_COOKIE_SECURE", default=False)``,
``os.environ.get("ALLOWED_HOSTS", "*")``... A deploy that forgets the variable runs
insecure and nothing says so. Reported from the source facts as a risky default (medium),
with the file:line and the default seen; when Django's own deploy check (or GL201) already
reports the value production loads, that finding is the one, not a second. Without the
runtime layer, a literal insecure value of these settings in the production source is
reported too.

The settings lines follow the shape of real projects' env-driven settings, written anew.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import audit_project, build_project, failing, outcome

from golive.model import Audit, Location, Severity, Status

PROD = "site_conf/settings/production.py"
HEAD = "import environ\nenv = environ.Env()\n"
RISKY = HEAD + (
    'SESSION_COOKIE_SECURE = env.bool("APP_SESSION_COOKIE_SECURE", default=False)\n'
    'SECURE_HSTS_SECONDS = int(os.environ.get("APP_HSTS_SECONDS", 0))\n'
    'ALLOWED_HOSTS = os.environ.get("APP_ALLOWED_HOSTS", "*").split(",")\n'
    'CSRF_COOKIE_SECURE = env.bool("APP_CSRF_COOKIE_SECURE", default=True)\n'
)
PRODUCTION_ENV = {
    "APP_SESSION_COOKIE_SECURE": "true",
    "APP_HSTS_SECONDS": "31536000",
    "APP_ALLOWED_HOSTS": "shop.example.com",
}


#: django-environ's Env, as much of it as these settings call (the test venv does not install it).
ENVIRON_STUB = """
import os


class Env:
    def __call__(self, var, default=None):
        return os.environ.get(var, default)

    def bool(self, var, default=False):
        value = os.environ.get(var)
        return default if value is None else value.lower() in ("1", "true", "yes", "on")
"""
FILES: dict[str, str | None] = {"environ.py": ENVIRON_STUB}


@pytest.fixture(scope="module")
def risky(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("envdef") / "proj", RISKY, files=FILES)


@pytest.mark.covers("GL305", "GL203", "fail")
def test_insecure_fallbacks_are_risky_defaults(risky: Path) -> None:
    # the audit's environment sets every variable: production loads secure values today
    audit = audit_project(risky, env=PRODUCTION_ENV, no_git=True, no_history=True)
    found = {f.subjects[0]: f for f in failing(audit, "GL305")}
    assert sorted(found) == ["SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE"]
    cookie = found["SESSION_COOKIE_SECURE"]
    assert (cookie.severity, cookie.location) == (Severity.MEDIUM, Location(path=PROD, line=4))
    assert cookie.evidence == (
        f"SESSION_COOKIE_SECURE = env.bool('APP_SESSION_COOKIE_SECURE', default=False) at {PROD}:4",
        "when APP_SESSION_COOKIE_SECURE is missing, SESSION_COOKIE_SECURE is False: the session cookie"
        " is sent over plain HTTP",
    )
    assert found["SECURE_HSTS_SECONDS"].evidence[1] == (
        "when APP_HSTS_SECONDS is missing, SECURE_HSTS_SECONDS is 0: no Strict-Transport-Security header"
    )
    [hosts] = failing(audit, "GL203")
    assert (hosts.subjects, hosts.severity, hosts.location) == (
        ("ALLOWED_HOSTS",),
        Severity.MEDIUM,
        Location(path=PROD, line=6),
    )
    assert hosts.evidence[1] == (
        "when APP_ALLOWED_HOSTS is missing, ALLOWED_HOSTS is '*': any Host header is accepted"
    )


def test_what_django_already_reports_is_one_finding(risky: Path) -> None:
    # the variables are missing in the audit's environment: Django's security.W012 and
    # W004 and golive's GL201 report the values production loads; no second finding
    audit = audit_project(risky, no_git=True, no_history=True)
    assert failing(audit, "GL305") == []
    assert failing(audit, "GL203") == []
    assert [f.location for f in failing(audit, "security.W012")] == [Location(path=PROD, line=4)]
    assert [f.location for f in failing(audit, "GL201")] == [Location(path=PROD, line=6)]


@pytest.mark.covers("GL305", "pass")
def test_secure_fallbacks_pass(tmp_path: Path) -> None:
    root = build_project(
        tmp_path / "proj",
        HEAD + 'SESSION_COOKIE_SECURE = env.bool("APP_SESSION_COOKIE_SECURE", default=True)\n',
        files=FILES,
    )
    audit = audit_project(root, no_git=True, no_history=True)
    assert outcome(audit, "GL305") == [Status.PASS]


@pytest.mark.covers("GL203", "pass")
def test_allowed_hosts_required_passes(tmp_path: Path) -> None:
    root = build_project(tmp_path / "proj", 'ALLOWED_HOSTS = os.environ["APP_ALLOWED_HOSTS"].split(",")\n')
    audit = audit_project(root, env=PRODUCTION_ENV, no_git=True, no_history=True)
    assert outcome(audit, "GL203") == [Status.PASS]


def test_literal_insecure_values_without_the_runtime(tmp_path: Path) -> None:
    root = build_project(tmp_path / "proj", "SESSION_COOKIE_SECURE = False\nALLOWED_HOSTS = ['*']\n")
    audit: Audit = audit_project(root, no_runtime=True, no_git=True, no_history=True)
    [cookie] = failing(audit, "GL305")
    assert (cookie.subjects, cookie.severity, cookie.location) == (
        ("SESSION_COOKIE_SECURE",),
        Severity.MEDIUM,
        Location(path=PROD, line=2),
    )
    assert cookie.evidence == (
        f"SESSION_COOKIE_SECURE = False at {PROD}:2 (the settings were not loaded: the source says so)",
        "SESSION_COOKIE_SECURE is False: the session cookie is sent over plain HTTP",
    )
    [hosts] = failing(audit, "GL203")
    assert hosts.location == Location(path=PROD, line=3)


@pytest.mark.parametrize(
    ("lines", "setting", "fallback"),
    [
        pytest.param(
            "import environ\nenv = environ.Env(APP_SECURE_SSL=(bool, False))\n"
            'SECURE_SSL_REDIRECT = env("APP_SECURE_SSL")\n',
            "SECURE_SSL_REDIRECT",
            "when APP_SECURE_SSL is missing, SECURE_SSL_REDIRECT is False: plain-HTTP requests are served,"
            " not redirected to HTTPS",
            id="django-environ-scheme",
        ),
        pytest.param(
            "from decouple import config\n"
            'CSRF_COOKIE_SECURE = config("APP_CSRF_SECURE", default=False, cast=bool)\n',
            "CSRF_COOKIE_SECURE",
            "when APP_CSRF_SECURE is missing, CSRF_COOKIE_SECURE is False: the CSRF cookie is sent over"
            " plain HTTP",
            id="decouple",
        ),
        pytest.param(
            'import environ\nenv = environ.Env()\nALLOWED_HOSTS = env.list("APP_HOSTS", default=["*"])\n',
            "ALLOWED_HOSTS",
            "when APP_HOSTS is missing, ALLOWED_HOSTS is ['*']: any Host header is accepted",
            id="env-list",
        ),
    ],
)
def test_the_forms_of_an_insecure_fallback(tmp_path: Path, lines: str, setting: str, fallback: str) -> None:
    audit = audit_project(
        build_project(tmp_path / "proj", lines), no_runtime=True, no_git=True, no_history=True
    )
    [f] = [f for f in failing(audit) if f.id in ("GL203", "GL305")]
    assert (f.subjects, f.severity) == ((setting,), Severity.MEDIUM)
    assert f.evidence[1] == fallback


def test_what_the_proxy_settles_is_no_risky_default(tmp_path: Path) -> None:
    # nginx redirects every plain-http request and sends a year of HSTS: an SSL redirect or
    # HSTS setting that falls back to off costs nothing; the cookie's fallback still does
    proven = Path(__file__).resolve().parent / "fixtures" / "nginx" / "reconcile" / "proven.conf"
    root = build_project(
        tmp_path / "proj",
        'SECURE_SSL_REDIRECT = os.environ.get("APP_SSL", "") == "on"\n'
        'SECURE_HSTS_SECONDS = int(os.environ.get("APP_HSTS", 0))\n'
        'SESSION_COOKIE_SECURE = os.environ.get("APP_COOKIE_SECURE", "") == "on"\n',
    )
    audit = audit_project(root, nginx=(proven,), no_runtime=True, no_git=True, no_history=True)
    assert [f.subjects for f in failing(audit, "GL305")] == [("SESSION_COOKIE_SECURE",)]
    [passed] = [f for f in audit.findings if f.id == "GL305" and f.status is Status.PASS]
    assert passed.evidence[0].startswith("SECURE_SSL_REDIRECT falls back to False at ")
    assert ": satisfied at the proxy: nginx redirects every plain-http request to https" in passed.evidence[0]
