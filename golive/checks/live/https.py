"""Live site, HTTPS and HSTS (GL801–GL805): the http → https redirect, Strict-Transport-Security
and http:// resources on https pages.

See :mod:`golive.checks.live` for what the checks read and how outcomes are made.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from golive.checks._util import CHECKLIST
from golive.checks.live.common import ONE_YEAR, SECURITY, at, https_home, missing, site_check
from golive.facts import live_pages as pages
from golive.facts.live import ADMIN, Probe, SiteFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, Outcome


@site_check(
    "GL801",
    title="plain http is not redirected to https",
    severity=Severity.HIGH,
    reference=CHECKLIST + "#https",
    remediation="""
    Redirect every plain-http request to https, in nginx:

        server { listen 80; server_name shop.example.com; return 301 https://$host$request_uri; }

    or in Django: SECURE_SSL_REDIRECT = True (with SECURE_PROXY_SSL_HEADER behind a proxy).
    """,
)
def http_not_redirected(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A site reachable over plain http serves its pages, cookies and forms to anyone
    on the network path. Django's checklist: "Any website which allows users to log in
    should enforce site-wide HTTPS".
    """
    if not site.http_origin:
        yield spec.skipped(
            f"{site.url}: no plain-http URL known (the https URL is on a non-default port):"
            " add --url http://HOST:PORT/"
        )
        return
    chain = site.chain(Probe.HTTP_HOME)
    first = chain[0] if chain else None
    if first is None or first.error:
        if first is not None and first.error and "refused" in first.error:
            yield spec.passed(evidence=first.evidence(), location=at(first))
        elif first is not None:
            raise missing(site, Probe.HTTP_HOME)
        return
    if not first.answered:
        return
    location = first.header("Location") or ""
    if not (
        first.status in (301, 302, 303, 307, 308) and location.lower().startswith("https://")
    ) and not any(ex.scheme == "https" for ex in chain):
        yield spec.fail(
            subjects=["SECURE_SSL_REDIRECT", "return"],
            location=at(first),
            evidence=first.evidence("Location"),
        )


@site_check(
    "GL802",
    title="the http → https redirect is not one permanent hop on the same host",
    severity=Severity.MEDIUM,
    reference="https://www.rfc-editor.org/rfc/rfc6797#section-7.2",
    remediation="""
    One hop, permanent, same host: `return 301 https://$host$request_uri;` (nginx), or
    SECURE_SSL_REDIRECT = True (Django answers 301). Then HSTS takes over.
    """,
)
def redirect_shape(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """RFC 6797 §7.2 (https://www.rfc-editor.org/rfc/rfc6797#section-7.2): the http URL
    should answer with a permanent redirect to the https URL of the same host; a temporary (302/307) redirect
    is not cached, a hop through
    another http URL or another host leaves a plain-http request an attacker can answer.
    """
    chain = site.chain(Probe.HTTP_HOME)
    if not chain or not chain[0].answered or chain[0].status not in (301, 302, 303, 307, 308):
        return
    first, location = chain[0], chain[0].header("Location") or ""
    target_host = (
        re.sub(r"^https?://([^/:]+).*$", r"\1", location.lower()) if "://" in location else site.host
    )
    problems = []
    if first.status not in (301, 308):
        problems.append(f"status {first.status} is temporary (use 301 or 308)")
    if not location.lower().startswith("https://"):
        problems.append("the first hop does not go to https")
    if target_host != site.host:
        problems.append(f"it goes to another host ({target_host})")
    if problems:
        yield spec.fail(
            subjects=["SECURE_SSL_REDIRECT", "return"],
            location=at(first),
            evidence=first.evidence("Location", notes=problems),
        )


def _hsts(value: str) -> dict[str, str]:
    out = {}
    for part in value.split(";"):
        key, _, val = part.strip().partition("=")
        if key:
            out[key.strip().lower()] = val.strip().strip('"')
    return out


@site_check(
    "GL803",
    title="HTTPS responses carry no Strict-Transport-Security header",
    severity=Severity.MEDIUM,
    reference=SECURITY + "#http-strict-transport-security",
    remediation="""
    SECURE_HSTS_SECONDS = 31536000 (Django), or in the nginx server block:

        add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    """,
)
def hsts_missing(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Without HSTS (RFC 6797) a browser keeps trying http first, and an attacker on the
    path can strip the redirect. Django's security guide: "For sites that should only be
    accessed over HTTPS, you can instruct modern browsers to refuse to connect to your
    domain name via an insecure connection".
    """
    ex = https_home(site)
    if ex.answered and not ex.header("Strict-Transport-Security"):
        yield spec.fail(
            subjects=["Strict-Transport-Security", "SECURE_HSTS_SECONDS", "add_header"],
            location=at(ex),
            evidence=ex.evidence("Strict-Transport-Security"),
        )


@site_check(
    "GL804",
    title="HSTS max-age is under a year, or preload is asked without what it requires",
    severity=Severity.LOW,
    reference="https://hstspreload.org/#submission-requirements",
    remediation="""
    Strict-Transport-Security: max-age=31536000; includeSubDomains[; preload]
    (SECURE_HSTS_SECONDS = 31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS = True,
    SECURE_HSTS_PRELOAD = True only once every subdomain serves https).
    """,
)
def hsts_weak(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A short max-age lets a browser forget the site is https-only; the preload list
    (https://hstspreload.org/) requires "max-age must be at least 31536000 seconds" and
    "The includeSubDomains directive must be specified" when ``preload`` is sent.
    """
    try:
        ex = https_home(site)
    except Outcome:  # GL803 says why there is no https home page
        return
    if not ex.header("Strict-Transport-Security"):
        return
    values = ex.headers_named("Strict-Transport-Security")
    d = _hsts(values[0])
    age = int(d["max-age"]) if d.get("max-age", "").isdigit() else 0
    problems = []
    if age < ONE_YEAR:
        problems.append(f"max-age={age} is under {ONE_YEAR} (one year)")
    if "preload" in d and "includesubdomains" not in d:
        problems.append("preload without includeSubDomains")
    if len(set(values)) > 1:
        problems.append(f"{len(values)} different Strict-Transport-Security headers (browsers use the first)")
    if problems:
        yield spec.fail(
            subjects=["Strict-Transport-Security", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS"],
            location=at(ex),
            evidence=ex.evidence("Strict-Transport-Security", notes=problems),
        )


@site_check(
    "GL805",
    title="an https page loads scripts, styles or frames over plain http",
    severity=Severity.MEDIUM,
    reference="https://www.w3.org/TR/mixed-content/",
    remediation="""
    Load every resource over https: use {% static %} with a relative STATIC_URL (or an
    https:// one for a CDN), fix hard-coded http:// URLs in templates, and point form
    actions at https (or at relative paths).
    """,
)
def mixed_content(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """W3C Mixed Content (https://www.w3.org/TR/mixed-content/): browsers block
    scripts, stylesheets and frames an https page
    loads over http (the page breaks) and warn before a form is submitted over http;
    what does load can be read or changed on the way. (Images and media are upgraded to
    https by current browsers, so they are not reported.) The https pages probed (home,
    form page, admin login) are read for ``http://`` URLs in ``src``, stylesheet
    ``href``, ``data`` and form ``action``.
    """
    https_home(site)
    pages_seen = [
        ex
        for name in (Probe.HOME, Probe.FORM, *(n for n in site.chains if n.startswith(ADMIN)))
        if (ex := site.final(name)) is not None
        and ex.answered
        and ex.scheme == "https"
        and ex.content_type.startswith("text/html")
    ]
    for ex in dict.fromkeys(pages_seen):
        found = [(w, u) for w, u in pages.mixed_content(ex.text) if w not in pages.UPGRADEABLE]
        if found:
            yield spec.fail(
                subjects=sorted({w for w, _ in found}),
                location=at(ex),
                evidence=ex.evidence(notes=[f"  {w}: {u}" for w, u in found[:8]]),
            )
            break
