"""Security settings whose fallback is the insecure value (GL203, GL305): read from the
environment with a default that turns the protection off, or, when the settings could not
be loaded, set so in the production source.

``SESSION_COOKIE_SECURE = env.bool("X", default=False)`` is secure on the server where X is
set and silently insecure on the next one where it is not; Django's deploy checks
(``security.W012``...) see only the value loaded where the audit ran. So these checks read
the settings source: each lookup of one of :data:`RISKY` whose default is the insecure
value is a risky default (medium), with the line and the default. When the runtime shows
the insecure value itself, Django's deploy check (or GL201) reports it: one finding, not
two. Without the runtime, a literal insecure value in the production source is reported
here, since nothing else can.

Sources: Django's deployment checklist, "HTTPS" and "ALLOWED_HOSTS"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#https,
https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#allowed-hosts), and
the settings reference of each setting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from golive.checks._util import CHECKLIST
from golive.checks.django_proxy import settle
from golive.facts.live import LiveFacts
from golive.facts.nginx import NginxFacts
from golive.facts.runtime import RuntimeFacts
from golive.facts.source import Assignment, SourceFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check


def _off(value: Any) -> bool:
    return not value


def _no_hsts(value: Any) -> bool:
    try:
        return int(str(value).strip() or 0) <= 0
    except ValueError:
        return not value


def _any_host(value: Any) -> bool:
    hosts = value.split(",") if isinstance(value, str) else value if isinstance(value, (list, tuple)) else []
    return any(str(h).strip() == "*" for h in hosts)


#: setting → (is this value insecure, what it costs).
RISKY: dict[str, tuple[Callable[[Any], bool], str]] = {
    "SESSION_COOKIE_SECURE": (_off, "the session cookie is sent over plain HTTP"),
    "CSRF_COOKIE_SECURE": (_off, "the CSRF cookie is sent over plain HTTP"),
    "SECURE_SSL_REDIRECT": (_off, "plain-HTTP requests are served, not redirected to HTTPS"),
    "SECURE_HSTS_SECONDS": (_no_hsts, "no Strict-Transport-Security header"),
    "ALLOWED_HOSTS": (_any_host, "any Host header is accepted"),
}
BOOLEAN = frozenset({"SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT"})
#: Settings a layer in front of Django can stand in for: Django's warning it settles.
SETTLED_BY = {"SECURE_SSL_REDIRECT": "security.W008", "SECURE_HSTS_SECONDS": "security.W004"}


def _fallback(a: Assignment) -> tuple[bool, Any]:
    """(insecure, the value shown) of the setting when ``a``'s variable is missing."""
    insecure, _ = RISKY[a.target]
    if a.target in BOOLEAN:
        truthy = a.default_truthy if a.default_truthy is not None else bool(a.default)
        return not truthy, truthy
    return insecure(a.default), a.default


def _risky(
    facts: Facts, settings: tuple[str, ...], settled: list[str]
) -> Iterator[tuple[Assignment, list[str]]]:
    """The assignments of ``settings`` in force whose fallback (or, without the runtime,
    literal value) is insecure, each with its evidence; what the web server or the live site
    settles instead (:func:`golive.checks.django_proxy.settle`) is added to ``settled``."""
    runtime = facts.get(RuntimeFacts)
    for a in facts[SourceFacts].effective:
        if a.target not in settings:
            continue
        insecure, cost = RISKY[a.target]
        if runtime is not None and a.target in runtime.settings and insecure(runtime.setting(a.target)):
            continue  # the value loaded is insecure: Django's deploy check (or GL201) reports it
        if a.kind == "env" and a.has_default:
            bad, shown = _fallback(a)
            if not bad or _settled(facts, a, f"{a.target} falls back to {shown!r} at {a.location}", settled):
                continue
            evidence = [
                f"{a.target} = {a.call}({a.env_var!r}, default={a.default!r}) at {a.location}",
                f"when {a.env_var} is missing, {a.target} is {shown!r}: {cost}",
            ]
        elif a.kind == "literal" and runtime is None and insecure(a.value):
            if _settled(facts, a, f"{a.target} = {a.value!r} at {a.location}", settled):
                continue
            evidence = [
                f"{a.target} = {a.value!r} at {a.location}"
                " (the settings were not loaded: the source says so)",
                f"{a.target} is {a.value!r}: {cost}",
            ]
        else:
            continue
        yield a, evidence


def _settled(facts: Facts, a: Assignment, seen: str, settled: list[str]) -> bool:
    """True when the layer in front of Django does what ``a``'s setting would (nginx or the
    live site redirects to https, sends a year of HSTS); the reason goes to ``settled``."""
    check_id = SETTLED_BY.get(a.target)
    found = settle(check_id, facts) if check_id else None
    if found is None or not found.settled:
        return False
    settled.append(f"{seen}: {found.reason}")
    return True


def _run(facts: Facts, spec: CheckSpec, settings: tuple[str, ...]) -> Iterator[Finding]:
    found = False
    settled: list[str] = []
    for a, evidence in _risky(facts, settings, settled):
        found = True
        yield spec.fail(subjects=[a.target], location=a.location, evidence=evidence)
    if not found:
        yield spec.passed(
            evidence=settled or [f"no insecure fallback of {', '.join(settings)} in the settings source"]
        )
    elif settled:
        yield spec.passed(evidence=settled)


@check(
    "GL203",
    title="ALLOWED_HOSTS falls back to any host when a variable is missing",
    severity=Severity.MEDIUM,
    needs=(SourceFacts,),
    reference=CHECKLIST + "#allowed-hosts",
    remediation="""
    Make the variable required, or fall back to nothing rather than to every host:

        ALLOWED_HOSTS = os.environ["DJANGO_ALLOWED_HOSTS"].split(",")
        ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")          # django-environ, no default
    """,
)
def allowed_hosts_fallback(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "If you use a wildcard, you must perform your own validation of the Host HTTP
    header" (the checklist). ``os.environ.get("ALLOWED_HOSTS", "*")`` turns Host validation
    off on every server where the variable is missing, and nothing reports it there: a
    risky default. The value loaded where the audit ran is GL201's.
    """
    yield from _run(facts, spec, ("ALLOWED_HOSTS",))


@check(
    "GL305",
    title="an HTTPS or cookie setting falls back to its insecure value when a variable is missing",
    severity=Severity.MEDIUM,
    needs=(SourceFacts,),
    uses=(NginxFacts, LiveFacts),
    reference=CHECKLIST + "#https",
    remediation="""
    Default to the secure value; let development settings turn it off:

        SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
        CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
        SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
        SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    """,
)
def https_fallback(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """The checklist's HTTPS settings ("Set CSRF_COOKIE_SECURE and SESSION_COOKIE_SECURE to
    True", SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS) read from the environment with the
    insecure value as default are off on every server where the variable is missing:
    risky defaults. Django's security.W004/W008/W012/W016 report the value loaded where
    the audit ran; without the runtime, literal insecure values are reported here. An SSL
    redirect or HSTS that nginx or the live site provides (the same proof that settles
    security.W008/W004) makes its setting's fallback harmless: a pass with that reason.
    """
    yield from _run(
        facts,
        spec,
        ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"),
    )
