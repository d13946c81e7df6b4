"""Live site, cookies (GL820–GL824): Secure, HttpOnly and SameSite as the browser receives them.

See :mod:`golive.checks.live` for what the checks read and how outcomes are made.
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._util import SETTINGS
from golive.checks.live._common import _cookie_evidence, _cookies, _setting, _sites
from golive.collectors.live import LiveFacts
from golive.model import Finding, Location, Severity
from golive.registry import CheckSpec, Facts, check


def _cookie_check(
    facts: Facts, spec: CheckSpec, setting: str, default: str, bad: str, subject: str
) -> Iterator[Finding]:
    name = _setting(facts, setting, default)
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        found = _cookies(site, name)
        if not found:
            yield spec.skipped(
                f"{site.url}: no {name} cookie was set by the pages probed ({setting} = {name!r})",
                location=Location(path=site.url),
            )
            continue
        c = found[0]
        wrong = {"secure": not c.secure, "httponly": not c.httponly}[bad]
        if wrong:
            yield spec.fail(
                subjects=[subject, "Set-Cookie"],
                location=Location(path=c.url),
                evidence=[
                    *_cookie_evidence(c),
                    f"  the {name} cookie has no {'Secure' if bad == 'secure' else 'HttpOnly'} flag",
                ],
            )


@check(
    "GL820",
    title="the session cookie is sent without the Secure flag",
    severity=Severity.HIGH,
    needs=(LiveFacts,),
    reference=SETTINGS + "#session-cookie-secure",
    remediation="SESSION_COOKIE_SECURE = True",
)
def session_cookie_insecure(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's checklist: "Set this to True to avoid transmitting the session cookie
    over HTTP accidentally." A session cookie without ``Secure`` is sent on any plain-http
    request to the host, where anyone on the path can take over the session.
    """
    yield from _cookie_check(
        facts, spec, "SESSION_COOKIE_NAME", "sessionid", "secure", "SESSION_COOKIE_SECURE"
    )


@check(
    "GL821",
    title="the CSRF cookie is sent without the Secure flag",
    severity=Severity.MEDIUM,
    needs=(LiveFacts,),
    reference=SETTINGS + "#csrf-cookie-secure",
    remediation="CSRF_COOKIE_SECURE = True",
)
def csrf_cookie_insecure(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's checklist: "Set this to True to avoid transmitting the CSRF cookie over
    HTTP accidentally."
    """
    yield from _cookie_check(facts, spec, "CSRF_COOKIE_NAME", "csrftoken", "secure", "CSRF_COOKIE_SECURE")


@check(
    "GL822",
    title="the session cookie is readable by JavaScript (no HttpOnly)",
    severity=Severity.MEDIUM,
    needs=(LiveFacts,),
    reference=SETTINGS + "#session-cookie-httponly",
    remediation="SESSION_COOKIE_HTTPONLY = True  # Django's default; do not turn it off",
)
def session_cookie_js(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's settings reference on SESSION_COOKIE_HTTPONLY: "it makes it less trivial
    for an attacker to escalate a cross-site scripting vulnerability into full hijacking
    of a user's session". (The CSRF cookie need not be HttpOnly: Django's docs say
    CSRF_COOKIE_HTTPONLY offers "no practical benefit".)
    """
    yield from _cookie_check(
        facts, spec, "SESSION_COOKIE_NAME", "sessionid", "httponly", "SESSION_COOKIE_HTTPONLY"
    )


@check(
    "GL823",
    title="a Django cookie has no SameSite attribute, or SameSite=None",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference=SETTINGS + "#session-cookie-samesite",
    remediation="""
    SESSION_COOKIE_SAMESITE = "Lax"  # Django's default
    CSRF_COOKIE_SAMESITE = "Lax"
    """,
)
def cookie_samesite(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's settings reference: SameSite "prevents the browser from sending this
    cookie along with cross-site requests", a defence in depth against CSRF. Django sets
    ``Lax`` unless told otherwise; ``None`` is only for deliberate cross-site use.
    """
    names = {
        _setting(facts, "SESSION_COOKIE_NAME", "sessionid"): "SESSION_COOKIE_SAMESITE",
        _setting(facts, "CSRF_COOKIE_NAME", "csrftoken"): "CSRF_COOKIE_SAMESITE",
    }
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        found = [c for c in _cookies(site) if c.name in names]
        if not found:
            yield spec.skipped(f"{site.url}: neither {' nor '.join(names)} was set by the pages probed")
            continue
        for c in found:
            if not c.samesite or c.samesite.lower() == "none":
                yield spec.fail(
                    subjects=[names[c.name]],
                    location=Location(path=c.url),
                    evidence=[*_cookie_evidence(c), f"  SameSite: {c.samesite or '(absent)'}"],
                )


@check(
    "GL824",
    title="another cookie is set over https without the Secure flag",
    severity=Severity.LOW,
    needs=(LiveFacts,),
    reference="https://www.rfc-editor.org/rfc/rfc6265#section-4.1.2.5",
    remediation="Add `Secure` to the cookie (response.set_cookie(..., secure=True) in Django).",
)
def other_cookie_insecure(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 6265 §4.1.2.5: without the Secure attribute a cookie set over https is also
    sent over plain http, "the user agent will include the cookie in an HTTP request only
    if the request is transmitted over a secure channel" only when Secure is set.
    """
    django = {
        _setting(facts, "SESSION_COOKIE_NAME", "sessionid"),
        _setting(facts, "CSRF_COOKIE_NAME", "csrftoken"),
    }
    for site in _sites(facts, spec):
        if isinstance(site, Finding):
            yield site
            continue
        bad = [
            c
            for c in _cookies(site)
            if c.name not in django and c.url.startswith("https://") and not c.secure
        ]
        if bad:
            yield spec.fail(
                subjects=["Set-Cookie", *sorted({c.name for c in bad})],
                location=Location(path=bad[0].url),
                evidence=[line for c in bad[:5] for line in _cookie_evidence(c)],
            )
