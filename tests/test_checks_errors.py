"""Error reporting (GL5xx) on real projects: errors reported nowhere, ADMINS without mail,
broken-link mails without IGNORABLE_404_URLS, missing error templates. GL505 (logging
checked with real traffic) is signed in tests/test_checks_manual.py.
"""

from __future__ import annotations

import pytest
from conftest import BASE_SETTINGS, audit_project, build_project, failing, outcome

from golive.model import Audit, Location, Status

PROD = "site_conf/settings/production.py"


def base_line(snippet: str) -> int:
    """The line of base.py (as conftest writes it) starting with ``snippet``."""
    [line] = [
        i for i, text in enumerate(BASE_SETTINGS.lstrip("\n").splitlines(), 1) if text.startswith(snippet)
    ]
    return line


R1 = """\
ADMINS = []
LOGGING = {"version": 1, "filters": {"debug_only": {"()": "django.utils.log.RequireDebugTrue"}},
           "handlers": {"null": {"class": "logging.NullHandler"},
                        "console": {"class": "logging.StreamHandler", "filters": ["debug_only"]}},
           "loggers": {"django.request": {"handlers": ["null", "console"]}}}
MANAGERS = [("Web", "web@example.com")]
MIDDLEWARE = [*MIDDLEWARE, "django.middleware.common.BrokenLinkEmailsMiddleware"]
"""
R2 = """\
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
"""
#: No ADMINS, but an error monitoring SDK initialised in the settings; broken-link mails filtered.
R3 = """\
import re
import sentry_sdk
ADMINS = []
sentry_sdk.init(dsn=os.environ.get("SENTRY_DSN"))
MANAGERS = [("Web", "web@example.com")]
MIDDLEWARE = [*MIDDLEWARE, "django.middleware.common.BrokenLinkEmailsMiddleware"]
IGNORABLE_404_URLS = [re.compile(r"\\.php$")]
"""
#: A stand-in for the sentry_sdk package, enough for the settings to run.
SENTRY_STUB = "def init(dsn=None, **options):\n    return None\n"
#: No ADMINS, but a LOGGING handler that receives django.request errors and sends them out.
R4 = """\
ADMINS = []
LOGGING = {"version": 1, "handlers": {"alerts": {"class": "logging.handlers.HTTPHandler",
                                                 "host": "alerts.internal", "url": "/log"}},
           "loggers": {"django": {"handlers": ["alerts"], "level": "ERROR"}}}
"""
#: Self-hosted shape: no ADMINS, no Sentry, every log line to the console under the process manager.
R5 = """\
ADMINS = []
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "WARNING"},
           "loggers": {"shop": {"handlers": ["console"], "level": "INFO", "propagate": False}}}
"""
#: ADMINS set, but LOGGING configures only the root logger and keeps dictConfig's default
#: disable_existing_loggers=True: Django's django.request logger (and mail_admins) is disabled.
R6 = """\
LOGGING = {"version": 1, "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "WARNING"}}
"""
#: django.request silenced on purpose: no handler, no propagation.
R7 = """\
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "loggers": {"django.request": {"handlers": [], "propagate": False}}}
"""


@pytest.fixture(scope="module")
def r1(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    root = tmp_path_factory.mktemp("r1") / "proj"
    return audit_project(
        build_project(root, R1, files={"templates/404.html": None, "templates/400.html": None})
    )


@pytest.mark.covers("GL501", "fail")
def test_gl501_errors_reported_nowhere(r1: Audit) -> None:
    # the only django.request handlers are a NullHandler and a DEBUG-only console
    [f] = failing(r1, "GL501")
    assert f.subjects == ("ADMINS", "LOGGING")
    assert f.location == Location(path=PROD, line=3)
    assert f.evidence == (
        "ADMINS = []",
        "no LOGGING handler on django.request/django/root",
        "no sentry_sdk.init() in settings or the WSGI/ASGI module",
    )


@pytest.mark.covers("GL503", "fail")
def test_gl503_broken_link_mails_without_ignorable_urls(r1: Audit) -> None:
    [f] = failing(r1, "GL503")
    assert f.subjects == ("MANAGERS", "IGNORABLE_404_URLS")
    assert f.location == Location(path=PROD, line=7)
    assert f.evidence == ("BrokenLinkEmailsMiddleware in MIDDLEWARE, MANAGERS set, IGNORABLE_404_URLS = []",)


@pytest.mark.covers("GL504", "fail")
def test_gl504_missing_error_templates(r1: Audit) -> None:
    [f] = failing(r1, "GL504")
    assert f.subjects == ("404.html", "400.html")
    assert f.location == Location(path="site_conf/settings/base.py", line=base_line("TEMPLATES = [{"))
    assert f.evidence == ("not found by the template engines: 404.html, 400.html",)


@pytest.mark.covers("GL502", "fail")
def test_gl502_admins_but_mail_cannot_leave(make_project) -> None:  # type: ignore[no-untyped-def]
    result = audit_project(make_project(R2))
    [f] = failing(result, "GL502")
    assert f.subjects == ("ADMINS", "EMAIL_BACKEND")
    assert f.location == Location(path=PROD, line=2)
    assert f.evidence == (
        "ADMINS has 1 address(es)",
        "EMAIL_BACKEND = 'django.core.mail.backends.locmem.EmailBackend'",
    )
    assert outcome(result, "GL501") == [Status.PASS]  # ADMINS is set: errors are reported, just not delivered
    assert sorted(f.id for f in failing(result)) == ["GL230", "GL502"]


@pytest.mark.covers("GL501", "GL503", "pass")
def test_sentry_in_settings_and_ignorable_urls_pass(make_project) -> None:  # type: ignore[no-untyped-def]
    result = audit_project(make_project(R3, files={"sentry_sdk.py": SENTRY_STUB}))
    assert outcome(result, "GL501") == [Status.PASS]
    assert outcome(result, "GL503") == [Status.PASS]
    assert [f.id for f in failing(result)] == []


@pytest.mark.covers("GL501", "pass")
def test_a_logging_handler_on_django_counts_as_reporting(make_project) -> None:  # type: ignore[no-untyped-def]
    result = audit_project(make_project(R4))
    assert outcome(result, "GL501") == [Status.PASS]


@pytest.mark.covers("GL501", "fail")
def test_console_logs_under_a_process_manager_are_not_reporting(make_project) -> None:  # type: ignore[no-untyped-def]
    [f] = failing(audit_project(make_project(R5)), "GL501")
    assert (f.subjects, f.location) == (("ADMINS", "LOGGING"), Location(path=PROD, line=3))
    assert f.evidence == (
        "ADMINS = []",
        "console (StreamHandler) on logger 'root': logs only, nothing is sent to a person",
        "no sentry_sdk.init() in settings or the WSGI/ASGI module",
    )


@pytest.mark.covers("GL501", "fail")
def test_a_disabled_django_request_logger_reports_nothing(make_project) -> None:  # type: ignore[no-untyped-def]
    [f] = failing(audit_project(make_project(R6)), "GL501")
    assert f.location == Location(path=PROD, line=2)
    assert f.evidence == (
        "ADMINS has 1 address(es), but mail_admins never receives django.request errors",
        "LOGGING configures neither 'django' nor 'django.request' and leaves disable_existing_loggers"
        " True (dictConfig's default): Django's django.request logger is disabled",
        "no sentry_sdk.init() in settings or the WSGI/ASGI module",
    )


@pytest.mark.covers("GL501", "fail")
def test_django_request_without_handler_or_propagation_reports_nothing(make_project) -> None:  # type: ignore[no-untyped-def]
    [f] = failing(audit_project(make_project(R7)), "GL501")
    assert (
        f.evidence[1] == "logger 'django.request' has no handler and propagate False: its errors stop there"
    )


@pytest.mark.covers("GL501", "GL502", "GL503", "GL504", "pass")
def test_hardened_project_passes_error_reporting(hardened_audit: Audit) -> None:
    result = hardened_audit
    for cid in ("GL501", "GL502", "GL503", "GL504"):
        assert outcome(result, cid) == [Status.PASS], cid
    assert outcome(result, "GL505") == [Status.MANUAL]
