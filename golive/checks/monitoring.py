"""Monitoring and metrics: error monitoring, metrics, persistent logs (checklist section 5, ids GL52x–GL53x).

Sources: Django's deployment checklist, "Error reporting" ("You can't rule out unexpected
errors") and "Logging" ("Review your logging configuration before putting your website
in production", https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#error-reporting);
Sentry's Django guide (https://docs.sentry.io/platforms/python/integrations/django/);
django-prometheus (https://github.com/korfuri/django-prometheus#configuration);
OpenTelemetry's Django instrumentation
(https://opentelemetry-python-contrib.readthedocs.io/en/latest/instrumentation/django/django.html);
gunicorn's instrumentation (https://docs.gunicorn.org/en/stable/instrumentation.html);
the twelve-factor app, "Logs" (https://12factor.net/logs).

The split with GL501 (:mod:`golive.checks.errors`): GL501 asks whether a server error
reaches a person at all (ADMINS e-mail, a LOGGING handler, an error monitoring SDK).
These checks ask how the deployment is observed: whether the monitoring SDK is set up
properly, whether metrics are exported, whether logs are kept, and (GL539) whether any of
the three exists. ADMINS e-mail counts for GL501 only.
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._sentry import sentry_inits
from golive.checks._util import CHECKLIST, where
from golive.checks.observability import PROM_AFTER, PROM_APP, PROM_BEFORE, exporters, logs_kept, observe
from golive.facts.project import ProjectFacts
from golive.facts.runtime import RuntimeFacts
from golive.facts.source import SourceFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check

SENTRY_DOC = "https://docs.sentry.io/platforms/python/integrations/django/"
PROMETHEUS_DOC = "https://github.com/korfuri/django-prometheus#configuration"
LOGS_DOC = "https://12factor.net/logs"


@check(
    "GL520",
    title="the error monitoring DSN is a literal in the source",
    severity=Severity.MEDIUM,
    needs=(SourceFacts,),
    reference=SENTRY_DOC,
    remediation="""
    Read the DSN from the environment, so that staging and development report to their own
    project (or nowhere) and the DSN can be rotated without a commit:

        sentry_sdk.init(dsn=os.environ.get("SENTRY_DSN"), environment=os.environ.get("SENTRY_ENVIRONMENT"))

    (With no dsn argument at all, sentry_sdk reads SENTRY_DSN itself.)
    """,
)
def sentry_dsn_literal(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Sentry's Django guide configures ``sentry_sdk.init(dsn=...)`` in settings.py; a
    DSN written there sends every developer's and CI's errors into production's project and
    lets anyone with the repository post events to it
    (https://docs.sentry.io/concepts/key-terms/dsn-explainer/). The DSN should come from the
    environment. Looks at calls in the settings chain and the WSGI/ASGI modules.
    """
    inits = facts[SourceFacts].sentry_inits
    if not inits:
        yield spec.skipped("no sentry_sdk.init() in the settings or the WSGI/ASGI module")
        return
    for init in inits:
        if init.dsn == "literal":
            yield spec.fail(
                subjects=["sentry_sdk.init(dsn)"],
                location=init.location,
                evidence=[f"sentry_sdk.init(dsn=<literal>) at {init.location}"],
            )
    if all(i.dsn != "literal" for i in inits):
        yield spec.passed(
            evidence=[
                f"sentry_sdk.init() at {i.location}: dsn "
                + {"env": "from the environment", "missing": "not given (SENTRY_DSN is read)"}.get(
                    i.dsn, "from an expression"
                )
                for i in inits
            ]
        )


@check(
    "GL521",
    title="sentry-sdk is a dependency but is never initialised",
    severity=Severity.LOW,
    needs=(ProjectFacts, RuntimeFacts),
    reference=SENTRY_DOC,
    remediation="""
    Initialise it in the settings (or the WSGI module), with the DSN from the environment:

        import sentry_sdk
        sentry_sdk.init(dsn=os.environ.get("SENTRY_DSN"), send_default_pii=False)
    """,
)
def sentry_not_initialised(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Installing sentry-sdk reports nothing by itself: Sentry's Django guide has
    ``sentry_sdk.init(...)`` "in your settings.py" (https://docs.sentry.io/platforms/python/integrations/django/).
    Declared in the requirements, with no ``init()`` in the settings chain or the WSGI/ASGI
    module and no client active after ``django.setup()``, the team believes errors are
    monitored while none are.
    """
    declared = facts[ProjectFacts].depends_on("sentry-sdk")
    if not declared:
        yield spec.skipped("sentry-sdk is not among the declared dependencies")
        return
    inits, guarded = sentry_inits(facts)
    if inits or facts[RuntimeFacts].sentry_active:
        return
    if guarded:
        evidence = guarded
    else:
        evidence = [
            "no sentry_sdk.init() in the settings chain or the WSGI/ASGI module",
            "no Sentry client active after django.setup()",
        ]
    yield spec.fail(
        subjects=["sentry-sdk"],
        location=declared[0].location,
        evidence=[f"sentry-sdk declared at {declared[0].location}", *evidence],
    )


@check(
    "GL525",
    title="django-prometheus is installed but its metrics are incomplete",
    severity=Severity.LOW,
    needs=(RuntimeFacts,),
    reference=PROMETHEUS_DOC,
    remediation="""
    Wire all three parts: the app, the two middlewares (first and last), and the URLs.

        INSTALLED_APPS = [..., "django_prometheus"]
        MIDDLEWARE = ["django_prometheus.middleware.PrometheusBeforeMiddleware", ...,
                      "django_prometheus.middleware.PrometheusAfterMiddleware"]
        urlpatterns += [path("", include("django_prometheus.urls"))]   # /metrics, not public
    """,
)
def prometheus_wiring(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """django-prometheus's configuration: the app in INSTALLED_APPS, and
    ``PrometheusBeforeMiddleware`` first and ``PrometheusAfterMiddleware`` last in
    MIDDLEWARE "to capture as much of the request processing time as possible"
    (https://github.com/korfuri/django-prometheus#configuration). Half of it exports
    metrics that miss requests or time. Other exporters (statsd, OpenTelemetry) are
    listed in the passing evidence.
    """
    runtime = facts[RuntimeFacts]
    project = facts.get(ProjectFacts)
    apps = runtime.setting("INSTALLED_APPS") or []
    middleware = [m for m in runtime.setting("MIDDLEWARE") or [] if isinstance(m, str)]
    declared = project.depends_on("django-prometheus") if project else []
    problems = []
    if PROM_APP not in apps and (declared or PROM_BEFORE in middleware or PROM_AFTER in middleware):
        what = f"declared at {declared[0].location}" if declared else "its middleware is in MIDDLEWARE"
        problems.append(f"django-prometheus {what}, but {PROM_APP!r} is not in INSTALLED_APPS")
    if PROM_APP in apps or PROM_BEFORE in middleware or PROM_AFTER in middleware:
        if PROM_BEFORE not in middleware or PROM_AFTER not in middleware:
            problems.append("PrometheusBeforeMiddleware and PrometheusAfterMiddleware not both in MIDDLEWARE")
        elif middleware[0] != PROM_BEFORE or middleware[-1] != PROM_AFTER:
            problems.append(
                f"MIDDLEWARE starts with {middleware[0].rsplit('.', 1)[-1]} and ends with"
                f" {middleware[-1].rsplit('.', 1)[-1]}: the Prometheus middlewares must be first and last"
            )
    if problems:
        yield spec.fail(
            subjects=["INSTALLED_APPS", "MIDDLEWARE"], location=where(facts, "MIDDLEWARE"), evidence=problems
        )
        return
    metrics = exporters(facts, runtime)
    if metrics:
        yield spec.passed(evidence=metrics)
    else:
        yield spec.skipped("no metrics exporter found (django-prometheus, statsd, OpenTelemetry, agents)")


@check(
    "GL530",
    title="logs are not kept anywhere",
    severity=Severity.LOW,
    needs=(RuntimeFacts,),
    reference=LOGS_DOC,
    remediation="""
    Either run the app under a process manager that keeps stdout/stderr (systemd's journal,
    Docker's log driver, a Procfile platform) and commit how it is started (the unit file,
    Dockerfile or Procfile), or log to a file or the system log:

        LOGGING = {
            "version": 1,
            "handlers": {"file": {"class": "logging.handlers.WatchedFileHandler",
                                  "filename": "/var/log/shop/django.log"}},
            "root": {"handlers": ["file"], "level": "INFO"},
        }
    """,
)
def logs_not_kept(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Logs are kept when a LOGGING handler writes to a file outside /tmp, the system log
    or a log service, or when they go to stdout/stderr *and* a process manager collects
    them. The twelve-factor app: "each running process writes its event stream, unbuffered,
    to stdout ... captured by the execution environment" (https://12factor.net/logs):
    console logging is right under systemd (journald), Docker or a Procfile platform, which
    golive sees in the project's unit files, Dockerfile, compose file or Procfile. Without
    one of those, stdout goes to a terminal that is gone at the next restart.
    """
    seen = observe(facts)
    kept = logs_kept(seen)
    if kept:
        yield spec.passed(evidence=kept + seen.log_notes)
        return
    yield spec.fail(
        subjects=["LOGGING"],
        location=where(facts, "LOGGING"),
        evidence=[
            *(seen.console or ["no LOGGING handler outside DEBUG"]),
            *seen.log_notes,
            "no Procfile, Dockerfile, compose file or systemd unit shows a process manager collecting stdout",
        ],
    )


@check(
    "GL539",
    title="no error monitoring, no metrics and no kept logs",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#error-reporting",
    remediation="""
    Start with one: an error monitoring SDK is the quickest.

        import sentry_sdk
        sentry_sdk.init(dsn=os.environ.get("SENTRY_DSN"))

    Then export metrics (django-prometheus, or gunicorn's --statsd-host) and keep the logs
    (journald under systemd, or a file handler in LOGGING).
    """,
)
def nothing_observed(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A deployment nobody can observe: no error monitoring SDK (Sentry, Rollbar, Bugsnag,
    Honeybadger, Elastic/Scout APM, an APM agent), no metrics (django-prometheus, statsd,
    OpenTelemetry, Datadog, New Relic) and no logs that outlive the process (GL530). "You
    can't rule out unexpected errors" (Django's checklist), nor slowdowns: with none of the
    three, the first sign of trouble is a user's complaint. Each part present is listed in
    the passing evidence; ADMINS e-mail is GL501's.
    """
    seen = observe(facts)
    kept = logs_kept(seen)
    if seen.errors or seen.metrics or kept:
        yield spec.passed(
            evidence=[
                f"error monitoring: {'; '.join(seen.errors) or 'none'}",
                f"metrics: {'; '.join(seen.metrics) or 'none'}",
                f"logs: {'; '.join(kept) or 'not kept (GL530)'}",
            ]
        )
        return
    yield spec.fail(
        subjects=["LOGGING", "INSTALLED_APPS"],
        location=where(facts, "INSTALLED_APPS"),
        evidence=[
            "error monitoring: no sentry_sdk.init() in the settings or WSGI/ASGI module, no other SDK",
            "metrics: no django-prometheus, statsd, OpenTelemetry or APM agent",
            "logs: " + ("; ".join(seen.console) or "no handler") + ", and no process manager collects them",
        ],
    )
