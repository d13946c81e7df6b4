"""Live site, cookies (GL820–GL826): Secure, HttpOnly, SameSite and Domain as the browser
receives them, and whether a shared cache may keep a response that sets one.

See :mod:`golive.checks.live` for what the checks read and how outcomes are made.
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._util import SETTINGS
from golive.checks.live.common import (
    at,
    cache_directives,
    cookie_evidence,
    cookies,
    own_exchanges,
    setting,
    site_check,
)
from golive.facts.live import SiteFacts
from golive.model import Finding, Location, Severity
from golive.registry import CheckSpec, Facts


def _django_cookies(facts: Facts, attribute: str = "NAME") -> dict[str, str]:
    """Django's session and CSRF cookie names as the project sets them (SESSION_COOKIE_NAME,
    CSRF_COOKIE_NAME; Django's defaults without runtime facts) → the setting that governs
    ``attribute`` of each: ``"DOMAIN"`` gives SESSION_COOKIE_DOMAIN and CSRF_COOKIE_DOMAIN."""
    return {
        setting(facts, "SESSION_COOKIE_NAME", "sessionid"): f"SESSION_COOKIE_{attribute}",
        setting(facts, "CSRF_COOKIE_NAME", "csrftoken"): f"CSRF_COOKIE_{attribute}",
    }


def _cookie_check(
    site: SiteFacts, facts: Facts, spec: CheckSpec, name_setting: str, default: str, bad: str, subject: str
) -> Iterator[Finding]:
    name = setting(facts, name_setting, default)
    found = cookies(site, name)
    if not found:
        yield spec.skipped(
            f"{site.url}: no {name} cookie was set by the pages probed ({name_setting} = {name!r})",
            location=Location(path=site.url),
        )
        return
    c = found[0]
    wrong = {"secure": not c.secure, "httponly": not c.httponly}[bad]
    if wrong:
        yield spec.fail(
            subjects=[subject, "Set-Cookie"],
            location=Location(path=c.url),
            evidence=[
                *cookie_evidence(c),
                f"  the {name} cookie has no {'Secure' if bad == 'secure' else 'HttpOnly'} flag",
            ],
        )


@site_check(
    "GL820",
    title="the session cookie is sent without the Secure flag",
    severity=Severity.HIGH,
    reference=SETTINGS + "#session-cookie-secure",
    remediation="SESSION_COOKIE_SECURE = True",
)
def session_cookie_insecure(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's checklist: "Set this to True to avoid transmitting the session cookie
    over HTTP accidentally." A session cookie without ``Secure`` is sent on any plain-http
    request to the host, where anyone on the path can take over the session.
    """
    yield from _cookie_check(
        site, facts, spec, "SESSION_COOKIE_NAME", "sessionid", "secure", "SESSION_COOKIE_SECURE"
    )


@site_check(
    "GL821",
    title="the CSRF cookie is sent without the Secure flag",
    severity=Severity.MEDIUM,
    reference=SETTINGS + "#csrf-cookie-secure",
    remediation="CSRF_COOKIE_SECURE = True",
)
def csrf_cookie_insecure(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's checklist: "Set this to True to avoid transmitting the CSRF cookie over
    HTTP accidentally."
    """
    yield from _cookie_check(
        site, facts, spec, "CSRF_COOKIE_NAME", "csrftoken", "secure", "CSRF_COOKIE_SECURE"
    )


@site_check(
    "GL822",
    title="the session cookie is readable by JavaScript (no HttpOnly)",
    severity=Severity.MEDIUM,
    reference=SETTINGS + "#session-cookie-httponly",
    remediation="SESSION_COOKIE_HTTPONLY = True  # Django's default; do not turn it off",
)
def session_cookie_js(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's settings reference on SESSION_COOKIE_HTTPONLY: "it makes it less trivial
    for an attacker to escalate a cross-site scripting vulnerability into full hijacking
    of a user's session". (The CSRF cookie need not be HttpOnly: Django's docs say
    CSRF_COOKIE_HTTPONLY offers "no practical benefit".)
    """
    yield from _cookie_check(
        site, facts, spec, "SESSION_COOKIE_NAME", "sessionid", "httponly", "SESSION_COOKIE_HTTPONLY"
    )


@site_check(
    "GL823",
    title="a Django cookie has no SameSite attribute, or SameSite=None",
    severity=Severity.LOW,
    reference=SETTINGS + "#session-cookie-samesite",
    remediation="""
    SESSION_COOKIE_SAMESITE = "Lax"  # Django's default
    CSRF_COOKIE_SAMESITE = "Lax"
    """,
)
def cookie_samesite(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's settings reference: SameSite "prevents the browser from sending this
    cookie along with cross-site requests", a defence in depth against CSRF. Django sets
    ``Lax`` unless told otherwise; ``None`` is only for deliberate cross-site use.
    """
    names = _django_cookies(facts, "SAMESITE")
    found = [c for c in cookies(site) if c.name in names]
    if not found:
        yield spec.skipped(f"{site.url}: neither {' nor '.join(names)} was set by the pages probed")
        return
    for c in found:
        if not c.samesite or c.samesite.lower() == "none":
            yield spec.fail(
                subjects=[names[c.name]],
                location=Location(path=c.url),
                evidence=[*cookie_evidence(c), f"  SameSite: {c.samesite or '(absent)'}"],
            )


@site_check(
    "GL824",
    title="another cookie is set over https without the Secure flag",
    severity=Severity.LOW,
    reference="https://www.rfc-editor.org/rfc/rfc6265#section-4.1.2.5",
    remediation="Add `Secure` to the cookie (response.set_cookie(..., secure=True) in Django).",
)
def other_cookie_insecure(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 6265 §4.1.2.5: without the Secure attribute a cookie set over https is also
    sent over plain http, "the user agent will include the cookie in an HTTP request only
    if the request is transmitted over a secure channel" only when Secure is set.
    """
    django = set(_django_cookies(facts))
    bad = [c for c in cookies(site) if c.name not in django and c.url.startswith("https://") and not c.secure]
    if bad:
        yield spec.fail(
            subjects=["Set-Cookie", *sorted({c.name for c in bad})],
            location=Location(path=bad[0].url),
            evidence=[line for c in bad[:5] for line in cookie_evidence(c)],
        )


@site_check(
    "GL825",
    title="a Django cookie is shared with other subdomains (Domain attribute)",
    severity=Severity.LOW,
    reference=SETTINGS + "#session-cookie-domain",
    remediation="""
    Leave SESSION_COOKIE_DOMAIN and CSRF_COOKIE_DOMAIN at None (host-only cookies) unless
    a sibling subdomain really must read them, and then trust every host under it.
    """,
)
def cookie_domain(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 6265 §4.1.2.3: a cookie with a Domain attribute is sent to every subdomain of
    it, so any host there (a forgotten staging box, a taken-over CNAME) receives the
    session. Django's docs on SESSION_COOKIE_DOMAIN: "Be cautious when updating this
    setting on a production site"; None (the default) gives a host-only cookie.
    """
    names = _django_cookies(facts, "DOMAIN")
    found = [c for c in cookies(site) if c.name in names]
    if not found:
        yield spec.skipped(
            f"{site.url}: neither {' nor '.join(names)} was set by the pages probed",
            location=Location(path=site.url),
        )
        return
    for c in found:
        if c.domain:
            yield spec.fail(
                subjects=[names[c.name]],
                location=Location(path=c.url),
                evidence=[
                    *cookie_evidence(c),
                    f"  Domain={c.domain}: sent to every host under {c.domain.lstrip('.')}",
                ],
            )


def shared_cacheable(cache_control: str | None, expires: str | None) -> str | None:
    """Why a shared cache may store the response (RFC 9111 §3 and §5.2.2), or None.

    ``private``, ``no-store`` and ``no-cache`` keep it out; ``public``, ``s-maxage``, a
    positive ``max-age`` or an ``Expires`` header let a shared cache keep it.
    """
    cc = cache_directives(cache_control)
    if {"private", "no-store", "no-cache"} & cc.keys():
        return None
    if "public" in cc:
        return "Cache-Control: public"
    for name in ("s-maxage", "max-age"):
        if cc.get(name, "0").isdigit() and int(cc.get(name, "0")) > 0:
            return f"Cache-Control: {name}={cc[name]}"
    if expires and "max-age" not in cc:
        return f"Expires: {expires}"
    return None


@site_check(
    "GL826",
    title="a response that sets a Django cookie may be stored by shared caches",
    severity=Severity.MEDIUM,
    reference="https://docs.djangoproject.com/en/stable/topics/cache/#using-vary-headers",
    remediation="""
    Mark such responses private (django.views.decorators.cache.cache_control(private=True)
    or never_cache), and do not add `expires` / `Cache-Control: public` in nginx to
    locations Django answers.
    """,
)
def cookie_cacheable(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 9111 §3 (https://www.rfc-editor.org/rfc/rfc9111#section-3)
    lets a shared cache (a CDN, a caching proxy) store a response whose
    Cache-Control or Expires allows it, Set-Cookie included unless it is marked private;
    the next visitor then receives the first one's session or CSRF cookie. Django's cache
    docs: pages that depend on cookies need ``Vary: Cookie`` or ``private``.
    """
    names = set(_django_cookies(facts))
    setting_one = [ex for ex in own_exchanges(site) if any(c.name in names for c in ex.cookies)]
    if not setting_one:
        yield spec.skipped(
            f"{site.url}: no page probed set {' or '.join(sorted(names))}", location=Location(path=site.url)
        )
        return
    for ex in setting_one:
        why = shared_cacheable(ex.header("Cache-Control"), ex.header("Expires"))
        if why:
            yield spec.fail(
                subjects=["Cache-Control", *sorted(c.name for c in ex.cookies if c.name in names)],
                location=at(ex),
                evidence=ex.evidence(
                    "Cache-Control",
                    "Vary",
                    "Set-Cookie",
                    notes=[f"  {why}: a shared cache may store this response with its cookie"],
                ),
            )
            break
