"""Monitoring and metrics (GL52x–GL53x) on real Django projects, audited for real."""

from __future__ import annotations

import pytest
from conftest import audit_project, failing, outcome

from golive.model import Location, Severity, Status

PRODUCTION = "site_conf/settings/production.py"
SENTRY_LITERAL = """
import os
try:
    import sentry_sdk
    sentry_sdk.init(dsn="https://0123456789abcdef@o1.ingest.sentry.io/1")
except ImportError:
    pass
"""
SENTRY_ENV = SENTRY_LITERAL.replace(
    '"https://0123456789abcdef@o1.ingest.sentry.io/1"', 'os.environ.get("SENTRY_DSN")'
)
REQUIREMENTS = "Django>=5.2\ngunicorn==23.0.0\npsycopg[binary]\nredis\n"
PROMETHEUS = """
INSTALLED_APPS = [*INSTALLED_APPS, "django_prometheus"]
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
"""
CONSOLE_LOGGING = """
LOGGING = {
    "version": 1,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
"""
NO_PROCFILE = {"Procfile": None}


@pytest.mark.covers("GL520", "fail")
def test_literal_dsn(make_project) -> None:
    result = audit_project(make_project(SENTRY_LITERAL))
    (finding,) = failing(result, "GL520")
    assert finding.severity is Severity.MEDIUM
    assert finding.subjects == ("sentry_sdk.init(dsn)",)
    assert finding.location == Location(path=PRODUCTION, line=6)
    assert finding.evidence == (f"sentry_sdk.init(dsn=<literal>) at {PRODUCTION}:6",)


@pytest.mark.covers("GL520", "pass")
@pytest.mark.covers("GL521", "pass")
def test_dsn_from_the_environment(make_project) -> None:
    project = make_project(SENTRY_ENV, files={"requirements.txt": REQUIREMENTS + "sentry-sdk>=2\n"})
    result = audit_project(project)
    assert [f.evidence for f in result.findings if f.id == "GL520"] == [
        (f"sentry_sdk.init() at {PRODUCTION}:6: dsn from the environment",)
    ]
    assert outcome(result, "GL521") == [Status.PASS]
    assert [f.evidence[0] for f in result.findings if f.id == "GL539"] == [
        f"error monitoring: sentry_sdk.init() at {PRODUCTION}:6 (dsn: env)"
    ]


@pytest.mark.covers("GL521", "fail")
def test_sentry_declared_but_never_initialised(make_project) -> None:
    result = audit_project(make_project(files={"requirements.txt": REQUIREMENTS + "sentry-sdk[django]>=2\n"}))
    (finding,) = failing(result, "GL521")
    assert finding.subjects == ("sentry-sdk",)
    assert finding.location == Location(path="requirements.txt", line=5)
    assert finding.evidence == (
        "sentry-sdk declared at requirements.txt:5",
        "no sentry_sdk.init() in the settings chain or the WSGI/ASGI module",
        "no Sentry client active after django.setup()",
    )


@pytest.mark.parametrize(
    ("production", "evidence", "where"),
    [
        pytest.param(
            'INSTALLED_APPS = [*INSTALLED_APPS, "django_prometheus"]\n',
            ["PrometheusBeforeMiddleware and PrometheusAfterMiddleware not both in MIDDLEWARE"],
            "site_conf/settings/base.py",
            id="no-middleware",
        ),
        pytest.param(
            PROMETHEUS.replace(
                '    *MIDDLEWARE,\n    "django_prometheus.middleware.PrometheusAfterMiddleware",\n',
                '    "django_prometheus.middleware.PrometheusAfterMiddleware",\n    *MIDDLEWARE,\n',
            ),
            [
                "MIDDLEWARE starts with PrometheusBeforeMiddleware and ends with XFrameOptionsMiddleware:"
                " the Prometheus middlewares must be first and last"
            ],
            PRODUCTION,
            id="after-not-last",
        ),
    ],
)
@pytest.mark.covers("GL525", "fail")
def test_prometheus_half_wired(make_project, production: str, evidence: list[str], where: str) -> None:
    result = audit_project(make_project(production))
    (finding,) = failing(result, "GL525")
    assert finding.subjects == ("INSTALLED_APPS", "MIDDLEWARE")
    assert list(finding.evidence) == evidence
    assert finding.location is not None and finding.location.path == where


@pytest.mark.covers("GL525", "fail")
def test_prometheus_declared_but_not_installed(make_project) -> None:
    result = audit_project(make_project(files={"requirements.txt": REQUIREMENTS + "django-prometheus\n"}))
    assert [f.evidence for f in failing(result, "GL525")] == [
        (
            "django-prometheus declared at requirements.txt:5,"
            " but 'django_prometheus' is not in INSTALLED_APPS",
        )
    ]


@pytest.mark.covers("GL525", "pass")
@pytest.mark.covers("GL539", "pass")
def test_prometheus_wired_counts_as_metrics(make_project) -> None:
    result = audit_project(make_project(PROMETHEUS, files=NO_PROCFILE))
    assert [f.evidence for f in result.findings if f.id == "GL525"] == [
        ("django-prometheus: 'django_prometheus' in INSTALLED_APPS",)
    ]
    # No process manager and Django's default LOGGING: logs are not kept, but metrics are exported.
    assert outcome(result, "GL530") == [Status.FAIL]
    assert [f.evidence[1] for f in result.findings if f.id == "GL539"] == [
        "metrics: django-prometheus: 'django_prometheus' in INSTALLED_APPS"
    ]
    assert outcome(result, "GL539") == [Status.PASS]


@pytest.mark.covers("GL530", "fail")
def test_console_logs_without_a_process_manager(make_project) -> None:
    result = audit_project(make_project(CONSOLE_LOGGING, files=NO_PROCFILE))
    (finding,) = failing(result, "GL530")
    assert finding.severity is Severity.LOW
    assert finding.subjects == ("LOGGING",)
    assert finding.location == Location(path=PRODUCTION, line=3)
    assert finding.evidence == (
        "handler 'console' (StreamHandler) on 'root' → stdout/stderr",
        "no Procfile, Dockerfile, compose file or systemd unit shows a process manager collecting stdout",
    )


@pytest.mark.covers("GL530", "fail")
def test_log_file_in_tmp_is_not_kept(make_project) -> None:
    logging = CONSOLE_LOGGING.replace(
        '{"class": "logging.StreamHandler"}',
        '{"class": "logging.FileHandler", "filename": "/tmp/shop.log", "delay": True}',
    )
    result = audit_project(make_project(logging, files=NO_PROCFILE))
    assert [f.evidence for f in failing(result, "GL530")] == [
        (
            "no LOGGING handler outside DEBUG",
            "handler 'console' (FileHandler) on 'root' writes to /tmp/shop.log, which is emptied on reboot",
            "no Procfile, Dockerfile, compose file or systemd unit shows a process manager collecting stdout",
        )
    ]


@pytest.mark.covers("GL530", "pass")
def test_console_logs_collected_by_the_process_manager_or_a_file(make_project) -> None:
    collected = audit_project(make_project(CONSOLE_LOGGING))
    assert [f.evidence for f in collected.findings if f.id == "GL530"] == [
        (
            "handler 'console' (StreamHandler) on 'root' → stdout/stderr",
            "collected by the process manager: Procfile at Procfile:1:"
            " gunicorn site_conf.wsgi --bind 0.0.0.0:$PORT",
        )
    ]
    logging = CONSOLE_LOGGING.replace(
        '{"class": "logging.StreamHandler"}',
        '{"class": "logging.handlers.WatchedFileHandler",'
        ' "filename": "/var/log/shop/django.log", "delay": True}',
    )
    in_file = audit_project(make_project(logging, files=NO_PROCFILE))
    assert [f.evidence for f in in_file.findings if f.id == "GL530"] == [
        ("handler 'console' (WatchedFileHandler) on 'root' → file /var/log/shop/django.log",)
    ]


@pytest.mark.covers("GL539", "fail")
def test_nothing_observed(make_project) -> None:
    result = audit_project(make_project(files=NO_PROCFILE))
    (finding,) = failing(result, "GL539")
    assert finding.severity is Severity.MEDIUM
    assert finding.subjects == ("LOGGING", "INSTALLED_APPS")
    assert finding.evidence == (
        "error monitoring: no sentry_sdk.init() in the settings or WSGI/ASGI module, no other SDK",
        "metrics: no django-prometheus, statsd, OpenTelemetry or APM agent",
        "logs: LOGGING keeps Django's defaults: with DEBUG off, warnings from the project's loggers go to"
        " stderr (Python's last-resort handler) and errors to ADMINS by e-mail, and no process manager"
        " collects them",
    )
    # GL501 is about errors reaching a person: ADMINS e-mail is enough for it.
    assert outcome(result, "GL501") == [Status.PASS]


def test_hardened_baseline_is_observed_through_its_process_manager(make_project) -> None:
    result = audit_project(make_project())
    assert [f.id for f in failing(result) if f.id.startswith(("GL52", "GL53"))] == []
    assert {cid: outcome(result, cid) for cid in ("GL520", "GL521", "GL525")} == {
        "GL520": [Status.SKIPPED],
        "GL521": [Status.SKIPPED],
        "GL525": [Status.SKIPPED],
    }
