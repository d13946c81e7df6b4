"""Live site, what must not be shown (GL830–GL841): bogus Host, DEBUG pages, the admin login.

See :mod:`golive.checks.live` for what the checks read and how outcomes are made.
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._util import CHECKLIST
from golive.checks.live.common import SECURITY, answer, at, missing, site_check
from golive.facts import live_pages as pages
from golive.facts.live import ADMIN, Exchange, Probe, SiteFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, Outcome


@site_check(
    "GL830",
    title="a request with a bogus Host header is served (200)",
    severity=Severity.HIGH,
    reference=SECURITY + "#host-header-validation",
    remediation="""
    List the real names in ALLOWED_HOSTS (never "*"), and give nginx a default server
    that drops every other Host before it reaches Django:

        server { listen 80 default_server; listen 443 ssl default_server;
                 server_name _; ssl_reject_handshake on; return 444; }
    """,
)
def bogus_host_served(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's security guide: "Django uses the Host header provided by the client to
    construct URLs in certain cases"; a site that answers any Host lets an attacker
    poison password-reset links and caches. A bogus Host must get 400, 444 (no answer)
    or a default page, never the site.
    """
    probes = [n for n in (Probe.BOGUS_HOST, Probe.BOGUS_HOST_HTTP) if n in site.chains or n in site.skipped]
    if not probes:
        raise missing(site, Probe.BOGUS_HOST)
    for name in probes:  # two requests: the outcome of one missing does not end the other's
        try:
            ex = answer(site, name)
        except Outcome as unanswered:
            yield spec.outcome(unanswered)
            continue
        if ex.status is not None and 200 <= ex.status < 300:
            yield spec.fail(
                subjects=["ALLOWED_HOSTS", "default_server"],
                location=at(ex),
                evidence=ex.evidence(
                    "Content-Type", notes=[f"  {len(ex.body)} bytes of content for a Host that is no one's"]
                ),
            )


@site_check(
    "GL831",
    title="Django's DEBUG page is served to the world",
    severity=Severity.CRITICAL,
    reference=CHECKLIST + "#debug",
    remediation="DEBUG = False  # in production; e.g. DEBUG = os.environ.get('DJANGO_DEBUG') == '1'",
)
def debug_page(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's checklist: "You must never enable debug in production." The technical
    404 page lists every URL pattern; the technical 500 page shows source code, local
    variables and most settings. Recognised by several of the templates' own markers.
    """
    hits = [
        (ex, kind) for ex in site.exchanges() if ex.answered for kind in [pages.debug_page(ex.text)] if kind
    ]
    if hits:
        ex, kind = hits[0]
        others = [f"also on {e.request_line()} ({k})" for e, k in hits[1:4]]
        yield spec.fail(
            subjects=["DEBUG"],
            location=at(ex),
            evidence=ex.evidence("Content-Type", notes=[f"  recognised as Django's {kind} page", *others]),
        )
    elif Probe.NOT_FOUND not in site.chains:
        raise missing(site, Probe.NOT_FOUND)


@site_check(
    "GL832",
    title="a page shows a traceback or the settings",
    severity=Severity.HIGH,
    reference=CHECKLIST + "#debug",
    remediation="""
    DEBUG = False, no debugging middleware in production (e.g. werkzeug's debugger), and
    error pages from templates/500.html; send errors to ADMINS or an error tracker.
    """,
)
def traceback_shown(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A Python traceback or a dump of settings in a page (from a debugging tool or a
    hand-made error view rather than Django's debug page, GL831) shows code paths and
    configuration to anyone. Django's checklist: "the debug page ... could display
    sensitive information".
    """
    for ex in site.exchanges():
        if not ex.answered or pages.debug_page(ex.text):
            continue
        shown = pages.leaks(ex.text) if ex.content_type.startswith("text/html") else []
        if shown:
            yield spec.fail(
                subjects=["DEBUG", "handler500"],
                location=at(ex),
                evidence=ex.evidence("Content-Type", notes=[f"  the page shows {' and '.join(shown)}"]),
            )
            break


def _admin_found(site: SiteFacts) -> list[tuple[str, Exchange]]:
    out = []
    for name, chain in site.chains.items():
        if name.startswith(ADMIN) and chain and chain[-1].status == 200 and pages.admin_login(chain[-1].text):
            out.append((name[len(ADMIN) :], chain[-1]))
    return out


@site_check(
    "GL840",
    title="the Django admin login is at the default /admin/",
    severity=Severity.LOW,
    reference="https://docs.djangoproject.com/en/stable/ref/contrib/admin/#hooking-adminsite-instances-into-your-urlconf",
    remediation="""
    Mount the admin elsewhere (path("backstage-7f3a/", admin.site.urls)), or restrict it
    by address in nginx (location /admin/ { allow 10.0.0.0/8; deny all; ... }).
    """,
)
def admin_default_path(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Every password-guessing bot tries ``/admin/`` first. Moving the admin is no
    access control, but it takes the login out of drive-by scans (OWASP: "Protect
    administrative interfaces", https://cheatsheetseries.owasp.org/).
    """
    default = ADMIN + "/admin/"
    if default not in site.chains:
        raise missing(site, default)
    for path, ex in _admin_found(site):
        if path == "/admin/":
            yield spec.fail(
                subjects=["admin.site.urls"],
                location=at(ex),
                evidence=[
                    *site.chain(default)[0].evidence("Location"),
                    *ex.evidence(notes=["  recognised as the Django admin login form"])[:2],
                ],
            )


@site_check(
    "GL841",
    title="the admin login is served over plain http",
    severity=Severity.HIGH,
    reference=CHECKLIST + "#https",
    remediation="""
    Redirect all plain http to https (nginx `return 301 https://$host$request_uri;`, or
    SECURE_SSL_REDIRECT = True), so passwords are never typed into an http page.
    """,
)
def admin_over_http(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A login form over http sends the password in the clear. Django's checklist: "Any
    website which allows users to log in should enforce site-wide HTTPS".
    """
    found = _admin_found(site)
    plain = [ex for _, ex in found if ex.scheme == "http"]
    http_login = site.final(Probe.ADMIN_HTTP)
    if http_login is not None and http_login.status == 200 and pages.admin_login(http_login.text):
        plain.append(http_login)
    if plain:
        ex = plain[0]
        yield spec.fail(
            subjects=["SECURE_SSL_REDIRECT", "return"],
            location=at(ex),
            evidence=ex.evidence("Location", notes=["  the admin login form is served over http"]),
        )
    elif not found:
        looked = [n[len(ADMIN) :] for n in site.chains if n.startswith(ADMIN)]
        yield spec.skipped(f"{site.url}: no admin login found (looked at {', '.join(looked) or 'nothing'})")
