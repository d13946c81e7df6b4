"""Error reporting: LOGGING, ADMINS and MANAGERS, error views (checklist section 5, GL5xx).

Source: Django's deployment checklist, "Error reporting"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#error-reporting) and
"How to manage error reporting" (https://docs.djangoproject.com/en/stable/howto/error-reporting/).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from golive.checks._sentry import sentry_inits
from golive.checks._util import CHECKLIST, NON_SENDING_EMAIL, default_mailer, where
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check

SETTINGS_ADMINS = "https://docs.djangoproject.com/en/stable/ref/settings/#admins"
SILENT_HANDLERS = ("logging.NullHandler",)
ERROR_TEMPLATES = ("404.html", "500.html", "403.html", "400.html")


#: Handlers whose output stays in a log a person reads only when looking: console (under a
#: process manager, the journal or `docker logs`), files, syslog. Logs, not reporting.
LOG_ONLY_HANDLERS = frozenset(
    {
        "logging.StreamHandler",
        "logging.FileHandler",
        "logging.handlers.RotatingFileHandler",
        "logging.handlers.TimedRotatingFileHandler",
        "logging.handlers.WatchedFileHandler",
        "logging.handlers.SysLogHandler",
        "rich.logging.RichHandler",
    }
)
ADMIN_EMAIL = "django.utils.log.AdminEmailHandler"
#: Django's own "django" logger (django.utils.log.DEFAULT_LOGGING): a DEBUG-only console and
#: mail_admins; its handlers stay even when LOGGING disables the logger itself.
DJANGO_DEFAULT_LOGGER: dict[str, Any] = {"handlers": ["mail_admins"], "level": "INFO"}
DJANGO_DEFAULT_HANDLERS = {"mail_admins": {"class": ADMIN_EMAIL}}


def _request_path(conf: dict[str, Any]) -> tuple[list[tuple[str, str, str]], str]:
    """Where an ERROR record of ``django.request`` goes under LOGGING ``conf`` (Django's
    DEFAULT_LOGGING applied first, then ``conf`` with dictConfig): ``(handlers, blocked)``,
    the handlers it reaches as ``(name, class, logger)`` (NullHandlers and DEBUG-only ones
    left out), and why it reaches none when the path is cut (``""``: it is not).

    dictConfig disables every existing logger the new configuration does not name, unless
    ``disable_existing_loggers`` is False ("the dictConfig default" is True: Django's
    logging docs, https://docs.djangoproject.com/en/stable/topics/logging/#configuring-logging);
    a disabled ``django.request`` drops its records, while a disabled parent's handlers
    still receive what a child propagates (Python's ``Logger.callHandlers``).
    """
    if not conf:
        return [("mail_admins", ADMIN_EMAIL, "django")], ""
    loggers = {k: v for k, v in (conf.get("loggers") or {}).items() if isinstance(v, dict)}
    handlers = {**DJANGO_DEFAULT_HANDLERS, **(conf.get("handlers") or {})}
    root = conf.get("root") if isinstance(conf.get("root"), dict) else loggers.get("")
    disable = conf.get("disable_existing_loggers", True) is not False
    if "django.request" not in loggers and "django" not in loggers and disable:
        return [], (
            "LOGGING configures neither 'django' nor 'django.request' and leaves disable_existing_loggers"
            " True (dictConfig's default): Django's django.request logger is disabled"
        )
    debug_only = {
        name
        for name, f in (conf.get("filters") or {}).items()
        if isinstance(f, dict) and "RequireDebugTrue" in str(f.get("()", ""))
    }
    chain = [
        ("django.request", loggers.get("django.request", {})),
        ("django", loggers.get("django", DJANGO_DEFAULT_LOGGER)),
        ("root", root or {}),
    ]
    reached: list[tuple[str, str, str]] = []
    for name, logger in chain:
        for handler_name in logger.get("handlers") or []:
            handler = handlers.get(handler_name) or {}
            cls = str(handler.get("class", ""))
            if cls in SILENT_HANDLERS or debug_only.intersection(handler.get("filters") or []):
                continue
            reached.append((str(handler_name), cls, name))
        if logger.get("propagate", True) is False:
            if not reached:
                return [], f"logger {name!r} has no handler and propagate False: its errors stop there"
            break
    return reached, ""


@check(
    "GL501",
    title="server errors are reported nowhere",
    severity=Severity.HIGH,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#error-reporting",
    remediation="""
    Send errors somewhere a person looks: an error monitoring service, or e-mail to ADMINS.

        import sentry_sdk
        sentry_sdk.init(dsn=os.environ["SENTRY_DSN"])      # or:
        ADMINS = [("Ops", "ops@example.com")]              # with a working EMAIL_BACKEND
    """,
)
def errors_nowhere(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "You can't rule out unexpected errors. Thankfully, Django can capture errors and
    notify you accordingly." Errors are reported when an error monitoring SDK (sentry_sdk)
    is initialised, or when ``django.request``'s ERROR records reach a handler that sends
    them out of the process: mail_admins with ADMINS set, or any other handler than the
    console, file and syslog ones (:data:`LOG_ONLY_HANDLERS`: under a process manager
    those are logs a person reads only when looking, not reporting). A ``django.request``
    logger that LOGGING disables, or that stops with no handler (``propagate: False``),
    reports nothing, ADMINS or not; the evidence says which.
    """
    runtime = facts[RuntimeFacts]
    admins = runtime.setting("ADMINS") or []
    logging_conf = runtime.setting("LOGGING") or {}
    reached, blocked = _request_path(logging_conf if isinstance(logging_conf, dict) else {})
    reporting = [h for h in reached if h[1] not in LOG_ONLY_HANDLERS and (h[1] != ADMIN_EMAIL or admins)]
    inits, guarded = sentry_inits(facts)
    sentry = runtime.sentry_active or bool(inits)
    if reporting or sentry:
        return
    logs = [
        f"{name} ({cls.rsplit('.', 1)[-1] or '?'}) on logger {logger!r}:"
        " logs only, nothing is sent to a person"
        for name, cls, logger in reached
        if cls in LOG_ONLY_HANDLERS
    ]
    yield spec.fail(
        subjects=["ADMINS", "LOGGING"],
        location=where(facts, "LOGGING"),
        evidence=[
            f"ADMINS has {len(admins)} address(es), but mail_admins never receives django.request errors"
            if admins
            else "ADMINS = []",
            *([blocked] if blocked else logs or ["no LOGGING handler on django.request/django/root"]),
            *(guarded or ["no sentry_sdk.init() in settings or the WSGI/ASGI module"]),
        ],
    )


@check(
    "GL502",
    title="ADMINS is set but e-mail cannot leave the machine",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference="https://docs.djangoproject.com/en/stable/howto/error-reporting/#email-reports",
    remediation='EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # with EMAIL_HOST etc.',
)
def admins_no_mail(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "ADMINS will be notified of 500 errors by email": not with a console, file,
    locmem or dummy backend, which make the error reports vanish.
    """
    runtime = facts[RuntimeFacts]
    mailer = default_mailer(runtime)
    if runtime.setting("ADMINS") and mailer is not None and mailer.backend in NON_SENDING_EMAIL:
        yield spec.fail(
            subjects=["ADMINS", mailer.subject],
            location=where(facts, mailer.source_target),
            evidence=[
                f"ADMINS has {len(runtime.setting('ADMINS'))} address(es)",
                f"{mailer.label} = {mailer.backend!r}",
            ],
        )


@check(
    "GL503",
    title="broken-link e-mails to MANAGERS without IGNORABLE_404_URLS",
    severity=Severity.LOW,
    needs=(RuntimeFacts,),
    reference="https://docs.djangoproject.com/en/stable/howto/error-reporting/#errors",
    remediation="""
    import re
    IGNORABLE_404_URLS = [re.compile(r"\\.(php|cgi|asp)$"), re.compile(r"^/wp-"), re.compile(r"^/\\.")]
    """,
)
def broken_links(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "MANAGERS will be notified of 404 errors. IGNORABLE_404_URLS can help filter out
    spurious reports." Without it every scanner probing for /wp-login.php sends mail.
    """
    runtime = facts[RuntimeFacts]
    middleware = runtime.setting("MIDDLEWARE") or []
    if (
        runtime.setting("MANAGERS")
        and "django.middleware.common.BrokenLinkEmailsMiddleware" in middleware
        and not runtime.setting("IGNORABLE_404_URLS")
    ):
        yield spec.fail(
            subjects=["MANAGERS", "IGNORABLE_404_URLS"],
            location=where(facts, "MANAGERS"),
            evidence=["BrokenLinkEmailsMiddleware in MIDDLEWARE, MANAGERS set, IGNORABLE_404_URLS = []"],
        )


@check(
    "GL504",
    title="custom error templates are missing",
    severity=Severity.LOW,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#customize-the-default-error-views",
    remediation="Create templates/404.html, 500.html, 403.html and 400.html (500.html without"
    " template tags that query the database).",
)
def error_templates(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "You may want to override the default templates by creating the following
    templates in your root template directory: 404.html, 500.html, 403.html, and
    400.html." Django's bare defaults look broken to visitors. Resolved through the
    project's own template engines.
    """
    runtime = facts[RuntimeFacts]
    found = runtime.error_templates
    if not found:
        why = runtime.step_error("error_templates") or "the probe did not report them"
        yield spec.skipped(f"the template engines could not be asked: {why}")
        return
    missing = [t for t in ERROR_TEMPLATES if found.get(t) is False]
    if missing:
        yield spec.fail(
            subjects=missing,
            location=where(facts, "TEMPLATES"),
            evidence=[f"not found by the template engines: {', '.join(missing)}"],
        )


@check(
    "GL505",
    title="logging was checked with production traffic",
    severity=Severity.LOW,
    needs=(),
    reference=CHECKLIST + "#logging",
    remediation="""
    After the first traffic, find a request and an error in the logs, then sign it:

        [tool.golive.attest.GL505]
        by = "Jane Ops"
        on = 2026-11-22
        note = "saw 500 from /boom in Sentry and the journal"
    """,
    manual=True,
    validity_days=365,
)
def logging_reviewed(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Review your logging configuration before putting your website in production, and
    check that it works as expected as soon as you have received some traffic."
    """
    yield spec.ask(subjects=["LOGGING"])


#: Domains reserved for documentation and tests (RFC 2606 and RFC 6761): no one's inbox.
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_TLDS = (".example", ".test", ".invalid", ".localhost")
_ADDRESS = re.compile(r"[^\s<>@,]+@([^\s<>@,]+)")


def _reserved(domain: str) -> str | None:
    """The reserved domain ``domain`` is, or is under (``mail.example.com`` → ``example.com``)."""
    domain = domain.lower().rstrip(".>")
    for reserved in RESERVED_DOMAINS:
        if domain == reserved or domain.endswith("." + reserved):
            return reserved
    for tld in RESERVED_TLDS:
        if domain.endswith(tld) or domain == tld[1:]:
            return tld
    return None


def _admin_addresses(admins: Any) -> list[str]:
    """The e-mail addresses of ADMINS: ``[("Name", "a@b")]`` or, since Django 6.0, ``["a@b"]``."""
    out: list[str] = []
    for entry in admins if isinstance(admins, (list, tuple)) else []:
        text = entry[-1] if isinstance(entry, (list, tuple)) and entry else entry
        if isinstance(text, str):
            out.extend(m.group(0) for m in _ADDRESS.finditer(text))
    return out


@check(
    "GL506",
    title="ADMINS holds placeholder addresses",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=SETTINGS_ADMINS,
    remediation="""
    Put the people (or the on-call alias) who read error reports in ADMINS:

        ADMINS = [("Ops", "ops@yourcompany.com")]   # Django 6.0+: ADMINS = ["ops@yourcompany.com"]
    """,
)
def admins_placeholder(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ADMINS are "people who get code error notifications"
    (https://docs.djangoproject.com/en/stable/ref/settings/#admins). An address at
    example.com, example.org, example.net or a ``.test``/``.example``/``.invalid`` name is
    reserved for documentation (RFC 2606, https://www.rfc-editor.org/rfc/rfc2606) and
    reaches no one: the error mails of a copied tutorial setting are lost. A reserved domain
    that is the site's own (in ALLOWED_HOSTS, as in a test deployment) is not reported; with
    ``'*'`` in ALLOWED_HOSTS the site's domain is unknown, and so is the finding (skipped).
    """
    runtime = facts[RuntimeFacts]
    hosts = [str(h).lstrip(".").lower() for h in runtime.setting("ALLOWED_HOSTS") or [] if isinstance(h, str)]
    placeholders: list[str] = []
    domains: list[str] = []
    for address in _admin_addresses(runtime.setting("ADMINS")):
        reserved = _reserved(address.rsplit("@", 1)[1])
        if reserved is None or any(
            h == reserved.lstrip(".") or h.endswith("." + reserved.lstrip(".")) for h in hosts
        ):
            continue
        placeholders.append(address)
        if reserved not in domains:
            domains.append(reserved)
    if placeholders and "*" in hosts:
        yield spec.skipped(
            f"ALLOWED_HOSTS accepts any host ('*'), so whether {', '.join(domains)} is the site's own"
            " domain is unknown: list the site's hosts in ALLOWED_HOSTS (GL201) to settle it",
            subjects=["ADMINS"],
            location=where(facts, "ADMINS"),
            evidence=[f"ADMINS: {', '.join(placeholders)}: {', '.join(domains)} reserved for documentation"],
        )
    elif placeholders:
        yield spec.fail(
            subjects=["ADMINS"],
            location=where(facts, "ADMINS"),
            evidence=[
                f"ADMINS: {', '.join(placeholders)}: {', '.join(domains)} "
                f"{'is' if len(domains) == 1 else 'are'} reserved for documentation (RFC 2606)"
                ", not the site's domain"
            ],
        )
