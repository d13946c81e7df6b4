"""How a deployment is observed, read from the facts (no rules live here; GL52x–GL53x read it):
error monitoring SDKs, metrics exporters and where the logs go (:func:`observe`).

Sources: Sentry's Django guide (https://docs.sentry.io/platforms/python/integrations/django/);
django-prometheus (https://github.com/korfuri/django-prometheus#configuration);
OpenTelemetry's Django instrumentation
(https://opentelemetry-python-contrib.readthedocs.io/en/latest/instrumentation/django/django.html);
gunicorn's instrumentation (https://docs.gunicorn.org/en/stable/instrumentation.html); Python's
logging handlers (https://docs.python.org/3/library/logging.handlers.html); the twelve-factor
app, "Logs" (https://12factor.net/logs).
"""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field

from golive.checks._sentry import sentry_inits
from golive.facts.project import ProjectFacts
from golive.facts.runtime import RuntimeFacts
from golive.registry import Facts

#: Error monitoring SDKs other than Sentry, recognised by app, middleware or setting.
OTHER_ERROR_SDKS = {
    "rollbar.contrib.django.middleware.RollbarNotifierMiddleware": "Rollbar",
    "bugsnag.django.middleware.BugsnagMiddleware": "Bugsnag",
    "honeybadger.contrib.DjangoHoneybadgerMiddleware": "Honeybadger",
    "elasticapm.contrib.django": "Elastic APM",
    "scout_apm.django": "Scout APM",
}


#: Wrappers in process commands that instrument the whole app.
AGENT_COMMANDS = {
    "opentelemetry-instrument": ("OpenTelemetry", True, True),
    "ddtrace-run": ("Datadog", True, True),
    "newrelic-admin": ("New Relic", True, True),
}


PROM_APP = "django_prometheus"


PROM_BEFORE = "django_prometheus.middleware.PrometheusBeforeMiddleware"


PROM_AFTER = "django_prometheus.middleware.PrometheusAfterMiddleware"


STATSD_APPS = ("django_statsd",)


METRIC_PACKAGES = {
    "django-prometheus": "django-prometheus",
    "prometheus-client": "prometheus_client",
    "statsd": "statsd",
    "django-statsd": "django-statsd",
    "django-statsd-mozilla": "django-statsd",
    "datadog": "DogStatsD",
    "ddtrace": "Datadog",
    "newrelic": "New Relic",
    "opentelemetry-instrumentation-django": "OpenTelemetry",
    "opentelemetry-distro": "OpenTelemetry",
}


FILE_HANDLERS = (
    "logging.FileHandler",
    "logging.handlers.RotatingFileHandler",
    "logging.handlers.TimedRotatingFileHandler",
    "logging.handlers.WatchedFileHandler",
    "concurrent_log_handler.",
)


SYSTEM_HANDLERS = ("logging.handlers.SysLogHandler", "systemd.journal.", "cysystemd.journal.")


REMOTE_HANDLERS = (
    "logging.handlers.HTTPHandler",
    "logging.handlers.SocketHandler",
    "logging.handlers.DatagramHandler",
    "watchtower.",
    "google.cloud.logging",
    "logstash",
    "graypy.",
    "sentry_sdk.integrations.logging.",
    "opentelemetry.sdk._logs.",
    "fluent.",
    "logging_loki.",
)


CONSOLE_HANDLERS = ("logging.StreamHandler", "rich.logging.RichHandler", "colorlog.StreamHandler")


SILENT_HANDLERS = ("logging.NullHandler",)


MAIL_HANDLERS = ("django.utils.log.AdminEmailHandler", "logging.handlers.SMTPHandler")


VOLATILE_DIRS = ("/tmp/", "/dev/shm/", "/run/", "/var/run/")


class Observability(Struct):
    """What was found, as evidence lines: error monitoring, metrics, kept logs, problems."""

    errors: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    managers: list[str] = field(default_factory=list)
    log_notes: list[str] = field(default_factory=list)


def _commands(facts: Facts) -> list[tuple[str, str]]:
    project = facts.get(ProjectFacts)
    if project is None:
        return []
    return [(f"{c.origin} at {c.location}", c.command) for c in project.commands]


def _error_monitoring(facts: Facts, runtime: RuntimeFacts) -> list[str]:
    out = []
    for init in sentry_inits(facts)[0]:
        out.append(f"sentry_sdk.init() at {init.location} (dsn: {init.dsn})")
    if runtime.sentry_active and not out:
        out.append("a Sentry client is active after django.setup()")
    names = [*(runtime.setting("INSTALLED_APPS") or []), *(runtime.setting("MIDDLEWARE") or [])]
    for name in names:
        for prefix, sdk in OTHER_ERROR_SDKS.items():
            if isinstance(name, str) and name.startswith(prefix):
                out.append(f"{sdk}: {name!r} in settings")
    for where_, command in _commands(facts):
        for wrapper, (vendor, errors, _) in AGENT_COMMANDS.items():
            if errors and wrapper in command.split():
                out.append(f"{vendor} agent: {wrapper} in {where_}")
    return out


def exporters(facts: Facts, runtime: RuntimeFacts) -> list[str]:
    """One evidence line per metrics exporter the deployment has (django-prometheus, statsd,
    OpenTelemetry, an agent in a process command); empty when none."""
    out = []
    apps = [a for a in runtime.setting("INSTALLED_APPS") or [] if isinstance(a, str)]
    if PROM_APP in apps:
        out.append(f"django-prometheus: {PROM_APP!r} in INSTALLED_APPS")
    for app in apps:
        if app in STATSD_APPS:
            out.append(f"statsd: {app!r} in INSTALLED_APPS")
    statsd = sorted(k for k in runtime.settings if k.startswith(("STATSD_", "DOGSTATSD_")))
    if statsd:
        out.append(f"statsd settings: {', '.join(statsd)}")
    for where_, command in _commands(facts):
        argv = command.split()
        if any(a.startswith("--statsd-host") for a in argv):
            out.append(f"gunicorn statsd metrics (--statsd-host) in {where_}")
        for wrapper, (vendor, _, metrics) in AGENT_COMMANDS.items():
            if metrics and wrapper in argv:
                out.append(f"{vendor} agent: {wrapper} in {where_}")
    project = facts.get(ProjectFacts)
    for dep in project.dependencies if project else ():
        package = METRIC_PACKAGES.get(dep.name)
        if package and package != "django-prometheus" and not any(package in line for line in out):
            out.append(f"{package}: {dep.name} declared at {dep.location}")
    return out


def _handler_kind(handler: dict[str, Any]) -> str:
    cls = str(handler.get("class") or handler.get("()") or "")
    if cls.startswith(FILE_HANDLERS):
        filename = str(handler.get("filename", ""))
        return "volatile-file" if filename.startswith(VOLATILE_DIRS) else "file"
    if cls.startswith(SYSTEM_HANDLERS):
        return "system"
    if cls.startswith(REMOTE_HANDLERS):
        return "remote"
    if cls.startswith(CONSOLE_HANDLERS) or cls == "":
        return "console"
    if cls.startswith(SILENT_HANDLERS):
        return "silent"
    if cls.startswith(MAIL_HANDLERS):
        return "mail"
    return "other"


def _logs(facts: Facts, runtime: RuntimeFacts, seen: Observability) -> None:
    """Fill ``seen.logs`` (kept), ``seen.console`` (stdout/stderr) and ``seen.managers``."""
    for where_, command in _commands(facts):
        seen.managers.append(f"{where_}: {command[:80]}")
    if runtime.setting("LOGGING_CONFIG", "logging.config.dictConfig") is None:
        seen.logs.append("LOGGING_CONFIG = None: logging is set up outside Django's LOGGING (not inspected)")
        return
    conf = runtime.setting("LOGGING") or {}
    if not isinstance(conf, dict) or not conf.get("handlers"):
        seen.console.append(
            "LOGGING keeps Django's defaults: with DEBUG off, warnings from the project's loggers go"
            " to stderr (Python's last-resort handler) and errors to ADMINS by e-mail"
        )
        return
    handlers = conf.get("handlers") or {}
    debug_only = {
        name
        for name, f in (conf.get("filters") or {}).items()
        if isinstance(f, dict) and "RequireDebugTrue" in str(f.get("()", ""))
    }
    loggers = dict(conf.get("loggers") or {})
    if isinstance(conf.get("root"), dict):
        loggers[""] = conf["root"]
    used: dict[str, list[str]] = {}
    for logger, lconf in loggers.items():
        names = lconf.get("handlers") if isinstance(lconf, dict) else None
        for name in names or []:
            used.setdefault(name, []).append(logger or "root")
    for name, on in sorted(used.items()):
        handler = handlers.get(name)
        if not isinstance(handler, dict) or debug_only.intersection(handler.get("filters") or []):
            continue
        kind = _handler_kind(handler)
        cls = str(handler.get("class") or handler.get("()") or "?")
        text = f"handler {name!r} ({cls.rsplit('.', 1)[-1]}) on {', '.join(repr(x) for x in on)}"
        if kind == "file":
            seen.logs.append(f"{text} → file {handler.get('filename', '?')}")
        elif kind == "volatile-file":
            seen.log_notes.append(f"{text} writes to {handler.get('filename')}, which is emptied on reboot")
        elif kind in ("system", "remote"):
            seen.logs.append(f"{text} → {'the system log' if kind == 'system' else 'a log service'}")
        elif kind == "other":
            seen.logs.append(f"{text} → custom handler (assumed to keep what it receives)")
        elif kind == "console":
            seen.console.append(f"{text} → stdout/stderr")


def observe(facts: Facts) -> Observability:
    """Everything the monitoring checks look at, as evidence lines (needs RuntimeFacts)."""
    runtime = facts[RuntimeFacts]
    seen = Observability(errors=_error_monitoring(facts, runtime), metrics=exporters(facts, runtime))
    _logs(facts, runtime, seen)
    return seen


def logs_kept(seen: Observability) -> list[str]:
    """Evidence that logs persist: kept handlers, or stdout/stderr under a process manager."""
    if seen.logs:
        return seen.logs
    if seen.console and seen.managers:
        return [*seen.console, *(f"collected by the process manager: {m}" for m in seen.managers)]
    return []
