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

ERROR_LOGGERS = ("django.request", "django", "")
SETTINGS_ADMINS = "https://docs.djangoproject.com/en/stable/ref/settings/#admins"
SILENT_HANDLERS = ("logging.NullHandler",)
ERROR_TEMPLATES = ("404.html", "500.html", "403.html", "400.html")


def _reporting_handlers(logging_conf: dict[str, Any]) -> list[str]:
    """Handlers that receive django.request errors and send them somewhere in production.

    A handler counts unless it is a NullHandler or filtered by ``require_debug_true``;
    ``mail_admins`` (AdminEmailHandler) is returned too, and judged with ADMINS by the caller.
    """
    handlers = logging_conf.get("handlers") or {}
    filters = logging_conf.get("filters") or {}
    debug_only = {
        name
        for name, f in filters.items()
        if isinstance(f, dict) and "RequireDebugTrue" in str(f.get("()", ""))
    }
    loggers = dict(logging_conf.get("loggers") or {})
    if isinstance(logging_conf.get("root"), dict):
        loggers[""] = logging_conf["root"]
    out = []
    for name in ERROR_LOGGERS:
        conf = loggers.get(name)
        if not isinstance(conf, dict):
            continue
        for handler_name in conf.get("handlers") or []:
            handler = handlers.get(handler_name) or {}
            cls = str(handler.get("class", ""))
            if cls in SILENT_HANDLERS or debug_only.intersection(handler.get("filters") or []):
                continue
            out.append(f"{handler_name} ({cls.rsplit('.', 1)[-1] or '?'}) on logger {name or 'root'!r}")
    return out


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
    notify you accordingly." With no ADMINS, no LOGGING handler that receives
    ``django.request`` errors, and no error monitoring SDK (sentry_sdk) initialised, a
    500 leaves no trace but the user's frustration.
    """
    runtime = facts[RuntimeFacts]
    admins = runtime.setting("ADMINS") or []
    logging_conf = runtime.setting("LOGGING") or {}
    handlers = [
        h
        for h in _reporting_handlers(logging_conf if isinstance(logging_conf, dict) else {})
        if "AdminEmailHandler" not in h or admins
    ]
    inits, guarded = sentry_inits(facts)
    sentry = runtime.sentry_active or bool(inits)
    if not admins and not handlers and not sentry:
        yield spec.fail(
            subjects=["ADMINS", "LOGGING"],
            location=where(facts, "LOGGING"),
            evidence=[
                "ADMINS = []",
                "no LOGGING handler on django.request/django/root",
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
    that is the site's own (in ALLOWED_HOSTS, as in a test deployment) is not reported.
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
    if placeholders:
        yield spec.fail(
            subjects=["ADMINS"],
            location=where(facts, "ADMINS"),
            evidence=[
                f"ADMINS: {', '.join(placeholders)}: {', '.join(domains)} "
                f"{'is' if len(domains) == 1 else 'are'} reserved for documentation (RFC 2606)"
                ", not the site's domain"
            ],
        )
