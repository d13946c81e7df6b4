"""Live site, response headers (GL850–GL858): versions, nosniff, framing, referrer, COOP, CSP,
CORS, Permissions-Policy.

See :mod:`golive.checks.live` for what the checks read and how outcomes are made.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from golive.checks._util import SETTINGS
from golive.checks.live.common import NGINX_CORE, at, home, site_check
from golive.facts import live_pages as pages
from golive.facts.live import PROBE_ORIGIN, Exchange, Probe, SiteFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts

VERSION = re.compile(r"\d+\.\d+")


@site_check(
    "GL850",
    title="Server or X-Powered-By headers disclose software versions",
    severity=Severity.LOW,
    reference=NGINX_CORE + "#server_tokens",
    remediation="""
    server_tokens off;  # nginx, in the http block
    and drop X-Powered-By where it is added (proxy_hide_header X-Powered-By;).
    """,
)
def version_disclosed(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """nginx's ``server_tokens`` "Enables or disables emitting nginx version on error
    pages and in the 'Server' response header field"; a version tells an attacker which
    known vulnerabilities to try.
    """
    answered = (site.final(Probe.HOME), site.final(Probe.NOT_FOUND))
    for ex in [e for e in answered if e is not None and e.answered]:
        server = ex.header("Server") or ""
        powered = ex.header("X-Powered-By")
        subjects = (["server_tokens", "Server"] if VERSION.search(server) else []) + (
            ["X-Powered-By"] if powered else []
        )
        if subjects:
            yield spec.fail(
                subjects=subjects, location=at(ex), evidence=ex.evidence("Server", "X-Powered-By")
            )
            break


def _header_check(
    site: SiteFacts, spec: CheckSpec, header: str, ok: re.Pattern[str], subjects: list[str]
) -> Iterator[Finding]:
    ex = home(site)
    value = ex.header(header)
    if value is None or not ok.search(value):
        yield spec.fail(subjects=[header, *subjects], location=at(ex), evidence=ex.evidence(header))


@site_check(
    "GL851",
    title="X-Content-Type-Options: nosniff is missing",
    severity=Severity.LOW,
    reference=SETTINGS + "#secure-content-type-nosniff",
    remediation="SECURE_CONTENT_TYPE_NOSNIFF = True  # Django's default (SecurityMiddleware)",
)
def nosniff_missing(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's SecurityMiddleware sets it unless told not to: "prevent the browser from
    guessing the content type" and running an upload as a script (MIDDLEWARE docs).
    """
    yield from _header_check(
        site,
        spec,
        "X-Content-Type-Options",
        re.compile(r"^\s*nosniff\s*$", re.I),
        ["SECURE_CONTENT_TYPE_NOSNIFF"],
    )


def _csp(ex: Exchange) -> list[str]:
    return ex.headers_named("Content-Security-Policy") + (
        pages.meta_csp(ex.text) if ex.content_type == "text/html" else []
    )


@site_check(
    "GL852",
    title="the page can be framed by any site (no X-Frame-Options, no frame-ancestors)",
    severity=Severity.MEDIUM,
    reference="https://docs.djangoproject.com/en/stable/ref/clickjacking/",
    remediation="""
    Keep django.middleware.clickjacking.XFrameOptionsMiddleware in MIDDLEWARE
    (X_FRAME_OPTIONS = "DENY"), or send Content-Security-Policy: frame-ancestors 'self'.
    """,
)
def framing_allowed(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's clickjacking docs: the X-Frame-Options header "indicates whether or not
    a resource is allowed to load within a frame"; without it (or CSP frame-ancestors,
    which supersedes it) any site can overlay the page and steal clicks.
    """
    ex = home(site)
    xfo = (ex.header("X-Frame-Options") or "").strip().upper()
    if xfo in ("DENY", "SAMEORIGIN") or any(
        "frame-ancestors" in v.lower() for v in ex.headers_named("Content-Security-Policy")
    ):
        return
    yield spec.fail(
        subjects=["X-Frame-Options", "X_FRAME_OPTIONS", "Content-Security-Policy"],
        location=at(ex),
        evidence=ex.evidence("X-Frame-Options", "Content-Security-Policy"),
    )


@site_check(
    "GL853",
    title="no Referrer-Policy (or one that leaks full URLs)",
    severity=Severity.LOW,
    reference=SETTINGS + "#secure-referrer-policy",
    remediation='SECURE_REFERRER_POLICY = "same-origin"  # Django\'s default is "same-origin"',
)
def referrer_policy(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's SecurityMiddleware sends ``Referrer-Policy: same-origin`` by default;
    without it (or with ``unsafe-url``) URLs with tokens leak to other sites in the
    Referer header (https://www.w3.org/TR/referrer-policy/).
    """
    yield from _header_check(
        site,
        spec,
        "Referrer-Policy",
        re.compile(r"^(?!.*unsafe-url).*[a-z]", re.I),
        ["SECURE_REFERRER_POLICY"],
    )


@site_check(
    "GL854",
    title="no Cross-Origin-Opener-Policy",
    severity=Severity.LOW,
    reference=SETTINGS + "#secure-cross-origin-opener-policy",
    remediation='SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # Django\'s default',
)
def coop_missing(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's settings reference: COOP "allows you to opt-in to cross-origin isolation"
    so a page opened by another site cannot reach into this one's window.
    """
    yield from _header_check(
        site,
        spec,
        "Cross-Origin-Opener-Policy",
        re.compile(r"same-origin", re.I),
        ["SECURE_CROSS_ORIGIN_OPENER_POLICY"],
    )


@site_check(
    "GL855",
    title="no Content-Security-Policy",
    severity=Severity.LOW,
    reference="https://docs.djangoproject.com/en/stable/ref/csp/",
    remediation="""
    Django 6.0+: add django.middleware.csp.ContentSecurityPolicyMiddleware and
        from django.utils.csp import CSP
        SECURE_CSP = {"default-src": [CSP.SELF], "script-src": [CSP.SELF, CSP.NONCE]}
    (older Django: django-csp, or add_header Content-Security-Policy "default-src 'self'" always; in nginx).
    """,
)
def csp_missing(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A Content-Security-Policy limits where scripts may come from, the main defence in
    depth against cross-site scripting (https://www.w3.org/TR/CSP3/). Both the header and
    ``<meta http-equiv>`` count; ``Content-Security-Policy-Report-Only`` does not enforce.
    """
    ex = home(site)
    if not _csp(ex):
        yield spec.fail(
            subjects=["Content-Security-Policy", "SECURE_CSP"],
            location=at(ex),
            evidence=ex.evidence("Content-Security-Policy", "Content-Security-Policy-Report-Only"),
        )


def _directive(policy: str, name: str) -> str | None:
    for part in policy.split(";"):
        tokens = part.strip().split()
        if tokens and tokens[0].lower() == name:
            return " ".join(tokens[1:])
    return None


@site_check(
    "GL856",
    title="the Content-Security-Policy allows inline scripts ('unsafe-inline')",
    severity=Severity.LOW,
    reference="https://www.w3.org/TR/CSP3/#unsafe-inline-usage",
    remediation="""
    Use nonces instead (Django 6.0+: CSP.NONCE in SECURE_CSP["script-src"] and
    <script nonce="{{ csp_nonce }}">), or move inline scripts into files.
    """,
)
def csp_unsafe_inline(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """CSP3 (https://www.w3.org/TR/CSP3/#unsafe-inline-usage): with ``'unsafe-inline'`` in script-src (or
    default-src when there is
    no script-src), an injected ``<script>`` runs, which defeats the policy's purpose; a
    nonce or a hash makes browsers ignore 'unsafe-inline'.
    """
    ex = home(site)
    for policy in _csp(ex):
        scripts = _directive(policy, "script-src")
        scripts = scripts if scripts is not None else _directive(policy, "default-src")
        if (
            scripts
            and "'unsafe-inline'" in scripts
            and not re.search(r"'(nonce|sha256|sha384|sha512)-", scripts)
        ):
            yield spec.fail(
                subjects=["Content-Security-Policy", "SECURE_CSP"],
                location=at(ex),
                evidence=ex.evidence(notes=[f"  Content-Security-Policy: {policy}"]),
            )
            break


@site_check(
    "GL857",
    title="CORS lets any origin read responses with credentials",
    severity=Severity.HIGH,
    reference="https://fetch.spec.whatwg.org/#cors-protocol-and-credentials",
    remediation="""
    List the trusted origins (django-cors-headers: CORS_ALLOWED_ORIGINS = ["https://app.example.com"],
    CORS_ALLOW_ALL_ORIGINS = False), and allow credentials only for them.
    """,
)
def cors_credentials(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """The Fetch standard (https://fetch.spec.whatwg.org/#http-cors-protocol): a response with
    ``Access-Control-Allow-Credentials: true``
    lets the named origin read it with the user's cookies. Reflecting any Origin (or
    ``*``) with credentials hands every site the user's data.
    """
    for name in (Probe.HOME, Probe.PREFLIGHT):
        ex = site.final(name)
        if ex is None or not ex.answered:
            continue
        allow = (ex.header("Access-Control-Allow-Origin") or "").strip()
        creds = (ex.header("Access-Control-Allow-Credentials") or "").strip().lower() == "true"
        if creds and allow in ("*", PROBE_ORIGIN):
            yield spec.fail(
                subjects=[
                    "Access-Control-Allow-Origin",
                    "Access-Control-Allow-Credentials",
                    "CORS_ALLOW_ALL_ORIGINS",
                    "CORS_ALLOW_CREDENTIALS",
                ],
                location=at(ex),
                evidence=ex.evidence("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"),
            )
            break


@site_check(
    "GL858",
    title="no Permissions-Policy",
    severity=Severity.LOW,
    reference="https://www.w3.org/TR/permissions-policy-1/",
    remediation="""
    Switch off the browser features the site does not use, in nginx (`always`, and repeat
    it in locations that have their own add_header):

        add_header Permissions-Policy "camera=(), microphone=(), geolocation=(), payment=()" always;

    or in Django with the django-permissions-policy middleware (PERMISSIONS_POLICY).
    """,
)
def permissions_policy_missing(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """The Permissions-Policy header (W3C Permissions Policy) lets a site refuse powerful
    browser features (camera, microphone, geolocation, payment) to its own pages and to
    anything it embeds, so an injected script or a third-party frame cannot use them.
    Django sets no such header; the OWASP Secure Headers Project
    (https://owasp.org/www-project-secure-headers/) lists it. Any policy
    with at least one directive counts.
    """
    yield from _header_check(site, spec, "Permissions-Policy", re.compile(r"\w+=\s*\("), [])
