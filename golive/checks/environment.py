"""Environment-specific settings (checklist section 2, ids GL2xx): ALLOWED_HOSTS, CACHES and
e-mail; the database is in :mod:`golive.checks.databases`, static and media files in
:mod:`golive.checks.static_media`.

Source: Django's deployment checklist, "Environment-specific settings"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#environment-specific-settings).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from golive.checks._cache_use import NOTHING as CACHE_UNUSED
from golive.checks._cache_use import cache_reliance
from golive.checks._util import (
    CHECKLIST,
    NON_SENDING_EMAIL,
    PROCESS_LOCAL_CACHES,
    SETTINGS,
    SMTP_BACKEND,
    backend_name,
    is_loopback,
    locations,
    mailers,
    url_host,
    where,
)
from golive.facts.runtime import RuntimeFacts
from golive.facts.source import SourceFacts
from golive.model import Finding, Severity
from golive.redact import is_redacted
from golive.registry import CheckSpec, Facts, check

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]", ".localhost", "0.0.0.0"}
CACHE_SERVERS = ("redis", "memcached", "pymemcache", "pylibmc")  # not "memcache": LocMemCache


def _is_wildcard(host: str) -> bool:
    if host == "*" or host == ".":
        return True
    return host.startswith(".") and host.count(".") == 1


@check(
    "GL201",
    title="ALLOWED_HOSTS accepts any host",
    severity=Severity.HIGH,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#allowed-hosts",
    remediation="""
    List the site's own names, and let the web server drop other Host headers:

        ALLOWED_HOSTS = ["www.example.com", "example.com"]
    """,
)
def allowed_hosts_wildcard(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "If you use a wildcard, you must perform your own validation of the Host HTTP
    header." ``*`` (or a bare ``.com``-style suffix) turns off Django's Host validation,
    which protects password-reset links and cache keys from Host header poisoning. Low when
    a middleware of the project raises DisallowedHost itself (the validation the checklist
    asks for; a multi-domain product's per-tenant hosts), with where.
    """
    hosts = facts[RuntimeFacts].setting("ALLOWED_HOSTS") or []
    bad = [h for h in hosts if isinstance(h, str) and _is_wildcard(h)]
    if bad:
        own = _own_host_validation(facts)
        yield spec.fail(
            subjects=["ALLOWED_HOSTS"],
            location=where(facts, "ALLOWED_HOSTS"),
            evidence=[f"ALLOWED_HOSTS = {hosts!r}", *own],
            severity=Severity.LOW if own else None,
        )


def _own_host_validation(facts: Facts) -> list[str]:
    """The evidence that the project validates the Host header itself: a MIDDLEWARE entry
    whose module raises DisallowedHost (:mod:`golive.collectors.host_checks`); ``[]`` when
    none does or the code was not scanned."""
    source = facts.get(SourceFacts)
    raised = (source.host_checks if source else None) or ()
    for entry in facts[RuntimeFacts].setting("MIDDLEWARE") or []:
        hits = [h for h in raised if h.serves(str(entry))]
        if hits:
            return [
                f"MIDDLEWARE has {entry}, whose module raises DisallowedHost ({hits[0].location}): the"
                " project validates the Host header itself, as Django's checklist asks with a"
                " wildcard; golive does not follow which requests it covers: low"
            ]
    return []


@check(
    "GL202",
    title="ALLOWED_HOSTS names only local addresses",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#allowed-hosts",
    remediation='ALLOWED_HOSTS = ["www.example.com"]  # the names the site is served under',
)
def allowed_hosts_local(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """With only localhost names, every request for the real domain gets a 400: these
    are development settings, not production ones.
    Source: the ALLOWED_HOSTS setting
    (https://docs.djangoproject.com/en/stable/ref/settings/#allowed-hosts) and the checklist
    (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#allowed-hosts).
    """
    hosts = facts[RuntimeFacts].setting("ALLOWED_HOSTS") or []
    if hosts and all(isinstance(h, str) and h.lower() in LOCAL_HOSTS for h in hosts):
        yield spec.fail(
            subjects=["ALLOWED_HOSTS"],
            location=where(facts, "ALLOWED_HOSTS"),
            evidence=[f"ALLOWED_HOSTS = {hosts!r}"],
        )


def _caches(runtime: RuntimeFacts) -> dict[str, dict[str, Any]]:
    caches = runtime.setting("CACHES") or {}
    return {k: v for k, v in caches.items() if isinstance(v, dict)}


@check(
    "GL210",
    title="the default cache is local-memory or dummy",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#caches",
    remediation="""
    Use a shared cache server in production:

        CACHES = {"default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }}
    """,
)
def cache_local(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Django defaults to per-process local-memory caching which may not be desirable."
    Each worker process has its own cache: rate limits, cached pages and anything else
    kept there differ from one request to the next. (Sessions on such a cache are GL402.)
    Medium only when something relies on a shared cache (:func:`cache_reliance`: sessions,
    the cache middleware, throttles, the code's own cache calls, CACHES set so on purpose);
    when the scanned code uses none of it, low with that reason.
    """
    default = _caches(facts[RuntimeFacts]).get("default", {})
    backend = str(default.get("BACKEND", ""))
    if backend in PROCESS_LOCAL_CACHES:
        location = where(facts, "CACHES")
        reasons, known = cache_reliance(facts)
        yield spec.fail(
            subjects=["CACHES"],
            location=location,
            evidence=[
                f"CACHES['default']['BACKEND'] = {backend!r}" + ("" if location else " (Django's default)"),
                *(reasons or ([CACHE_UNUSED] if known else [])),
            ],
            severity=Severity.LOW if known and not reasons else None,
        )


@check(
    "GL211",
    title="a cache server on another host is reached without credentials",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#caches",
    remediation="""
    Require a password (Redis ACLs or requirepass) and put it in the URL from the
    environment; firewall the cache server to the application servers:

        "LOCATION": os.environ["REDIS_URL"],  # rediss://:password@cache.internal:6380/0
    """,
)
def cache_credentials(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Cache servers often have weak authentication. Make sure they only accept
    connections from your application servers." A remote Redis or Memcached reached
    without any credential is open to anyone who can reach its port.
    """
    unknown: list[str] = []
    failed = False
    for alias, conf in _caches(facts[RuntimeFacts]).items():
        backend = str(conf.get("BACKEND", "")).lower()
        if not any(name in backend for name in CACHE_SERVERS):
            continue
        options = conf.get("OPTIONS") or {}
        has_option_password = any("PASSWORD" in str(k).upper() for k in options)
        value = conf.get("LOCATION")
        if isinstance(value, dict) and is_redacted(value):
            unknown.append(f"CACHES[{alias!r}]")
            continue
        for loc in locations(value):
            if is_redacted(loc):  # a redacted value is unknown, not a host (issue 9, item 3)
                unknown.append(f"CACHES[{alias!r}]")
                continue
            host, has_credentials = url_host(loc)
            if not is_loopback(host) and not has_credentials and not has_option_password:
                failed = True
                yield spec.fail(
                    subjects=["CACHES"],
                    location=where(facts, f"CACHES.{alias}.LOCATION"),
                    evidence=[
                        f"CACHES[{alias!r}]: {backend_name(conf.get('BACKEND', ''))}"
                        f" at {loc} (host {host}, no credentials)"
                    ],
                )
    if unknown and not failed:
        yield spec.skipped(
            f"{', '.join(dict.fromkeys(unknown))} LOCATION is redacted (it holds a secret): its host is"
            " unknown; check that the cache server asks for a password"
        )


def _cache_servers(runtime: RuntimeFacts) -> list[str]:
    return [
        alias
        for alias, conf in _caches(runtime).items()
        if any(n in str(conf.get("BACKEND", "")).lower() for n in CACHE_SERVERS)
    ]


@check(
    "GL212",
    title="the cache server accepts connections only from the application servers",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#caches",
    remediation="""
    Bind the cache server to a private address and firewall it to the application
    servers, then sign it:

        [tool.golive.attest.GL212]
        by = "Jane Ops"
        on = 2026-11-22
        note = "redis bound to 10.0.0.5, security group allows app servers only"
    """,
    manual=True,
    validity_days=365,
)
def cache_firewalled(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Who can reach the cache server's port is decided by the network, which golive
    cannot see from the settings: a person attests it. Not asked when no cache server
    is configured.
    Source: the checklist, "Cache servers often have weak authentication. Make sure they
    only accept connections from your application servers."
    (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#caches).
    """
    aliases = _cache_servers(facts[RuntimeFacts])
    if not aliases:
        yield spec.passed(evidence=["no cache server configured (nothing to firewall)"])
        return
    yield spec.ask(subjects=["CACHES"], evidence=[f"cache server aliases: {', '.join(aliases)}"])


@check(
    "GL230",
    title="e-mail is not sent: a console, file, locmem or dummy backend",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#email-backend-and-related-settings",
    remediation="""
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_USE_TLS = True

    With Django 6.1's MAILERS, give each alias a sending backend (SMTP when BACKEND is omitted):

        MAILERS = {"default": {"OPTIONS": {"host": os.environ["EMAIL_HOST"], "use_tls": True}}}
    """,
)
def email_backend(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "If your site sends emails, these values need to be set correctly." Development
    backends swallow password-reset mails and error reports without a trace. On Django
    6.1+ with the ``MAILERS`` setting every alias is looked at; the ``default`` alias is
    left to Django's own ``mail.E001`` when Django reported it (never re-implemented).
    """
    runtime = facts[RuntimeFacts]
    django_judged = any(m.id == "mail.E001" for m in runtime.checks)
    for mailer in mailers(runtime):
        if mailer.backend not in NON_SENDING_EMAIL:
            continue
        if mailer.alias == "default" and django_judged:
            continue
        yield spec.fail(
            subjects=[mailer.subject],
            location=where(facts, mailer.source_target),
            evidence=[
                f"{mailer.label} = {mailer.backend!r} ({NON_SENDING_EMAIL[mailer.backend]}: sends nothing)"
            ],
        )


@check(
    "GL231",
    title="DEFAULT_FROM_EMAIL or SERVER_EMAIL is Django's localhost default, or empty",
    severity=Severity.LOW,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#email-backend-and-related-settings",
    remediation="""
    DEFAULT_FROM_EMAIL = "Example <noreply@example.com>"
    SERVER_EMAIL = "errors@example.com"
    """,
)
def email_senders(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "By default, Django sends email from webmaster@localhost and root@localhost.
    However, some mail providers reject email from these addresses." An empty address is
    as bad (issue 13): error mails and password resets go out with no sender, which mail
    servers refuse or cannot route a bounce to.
    """
    runtime = facts[RuntimeFacts]
    for name in ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL"):
        if name not in runtime.settings:
            continue
        value = str(runtime.setting(name, ""))
        if not value.strip():
            evidence = f"{name} = {value!r} (empty: mail from it is refused or unroutable)"
            yield spec.fail(subjects=[name], location=where(facts, name), evidence=[evidence])
        elif value.lower().endswith("@localhost") or value.lower().endswith("@localhost>"):
            yield spec.fail(subjects=[name], location=where(facts, name), evidence=[f"{name} = {value!r}"])


@check(
    "GL232",
    title="SMTP to a remote server without TLS or SSL",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=SETTINGS + "#email-use-tls",
    remediation="""
    EMAIL_USE_TLS = True  # port 587; or EMAIL_USE_SSL = True on port 465

    With Django 6.1's MAILERS, in the alias's OPTIONS:

        MAILERS = {"default": {"OPTIONS": {"host": "smtp.example.com", "use_tls": True}}}
    """,
)
def smtp_tls(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Password-reset links and the SMTP password itself cross the network in clear text
    when the connection to a remote mail server is not encrypted. A local MTA on
    loopback is fine.
    Source: EMAIL_USE_TLS and EMAIL_USE_SSL
    (https://docs.djangoproject.com/en/stable/ref/settings/#email-use-tls); Django 6.1's
    MAILERS ``use_tls``/``use_ssl`` options.
    """
    unknown: list[str] = []
    failed = False
    for mailer in mailers(facts[RuntimeFacts]):
        if mailer.backend == SMTP_BACKEND and not mailer.tls and is_redacted(mailer.host):
            unknown.append(mailer.label)  # a redacted host is unknown (issue 9, item 3)
            continue
        if mailer.backend != SMTP_BACKEND or mailer.tls or not mailer.host or is_loopback(mailer.host):
            continue
        failed = True
        if mailer.alias is None:
            subjects, target = ["EMAIL_USE_TLS", "EMAIL_HOST"], "EMAIL_HOST"
        else:
            subjects, target = ["MAILERS"], mailer.source_target
        yield spec.fail(
            subjects=subjects,
            location=where(facts, target),
            evidence=[f"{mailer.label}: SMTP to {mailer.host!r} with neither TLS nor SSL"],
        )
    if unknown and not failed:
        yield spec.skipped(
            f"{', '.join(unknown)}: the SMTP host is redacted (it holds a secret), so whether it is"
            " remote is unknown; use TLS or SSL to any remote mail server"
        )
