"""Live site, error pages (GL870–GL872): the project's own 404 and 400 templates, and a real
404 status for what does not exist.

See :mod:`golive.checks.live` for what the checks read and how outcomes are made.
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._util import CHECKLIST
from golive.checks.live.common import answer, at, site_check
from golive.facts import live_pages as pages
from golive.facts.live import Exchange, Probe, SiteFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts


def _default_page(ex: Exchange) -> str | None:
    kind = pages.debug_page(ex.text)
    if kind:
        return f"Django's {kind} DEBUG page"
    server = pages.default_error_page(ex.text)
    return f"{server}'s built-in error page" if server else None


@site_check(
    "GL870",
    title="the 404 page is Django's or nginx's default, not the project's",
    severity=Severity.LOW,
    reference=CHECKLIST + "#customize-the-default-error-views",
    remediation="""
    Add templates/404.html (and 500.html, 400.html, 403.html) in the site's design, and
    for pages nginx answers itself: error_page 404 /404.html;
    """,
)
def default_404(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's checklist: "Django includes default views and templates for several
    HTTP error codes. You may want to override the default templates by creating the
    following templates in your root template directory: 404.html, 500.html, 403.html,
    and 400.html."
    """
    ex = answer(site, Probe.NOT_FOUND)
    if ex.answered and (what := _default_page(ex)):
        yield spec.fail(
            subjects=["404.html", "handler404", "error_page"],
            location=at(ex),
            evidence=ex.evidence(notes=[f"  recognised as {what}"]),
        )


@site_check(
    "GL871",
    title="the 400 page is Django's or nginx's default, not the project's",
    severity=Severity.LOW,
    reference=CHECKLIST + "#customize-the-default-error-views",
    remediation="Add templates/400.html in the site's design (and error_page 400 /400.html; in nginx).",
)
def default_400(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's checklist lists 400.html among the templates to override ("Customize
    the default error views"); a 400 is what a request with a bad Host gets.
    """
    answers = [
        ex for n in (Probe.BOGUS_HOST, Probe.BOGUS_HOST_HTTP) if (ex := site.final(n)) and ex.status == 400
    ]
    if not answers:
        yield spec.skipped(f"{site.url}: no 400 answer seen (a bogus Host got no answer or another status)")
        return
    for ex in answers:
        if what := _default_page(ex):
            yield spec.fail(
                subjects=["400.html", "handler400", "error_page"],
                location=at(ex),
                evidence=ex.evidence(notes=[f"  recognised as {what}"]),
            )
            break


@site_check(
    "GL872",
    title="a page that does not exist is answered 200 (soft 404)",
    severity=Severity.LOW,
    reference=CHECKLIST + "#customize-the-default-error-views",
    remediation="""
    Let unknown paths reach Django's 404 handling: no catch-all URL pattern (re_path(r"^.*$", ...))
    in front of it, no `try_files ... /index.html` or `error_page 404 =200` in nginx for
    the paths Django serves; a custom handler404 must return status 404.
    """,
)
def soft_404(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A random path must get status 404: a "soft 404" (a 200 page saying "not found",
    or the home page for everything) makes caches and search engines keep junk URLs, and
    hides probes for files that must not be served. Django's own 404 handling
    (``handler404``, the checklist's "error views") answers 404.
    """
    ex = answer(site, Probe.NOT_FOUND)
    if ex.status is not None and 200 <= ex.status < 300:
        yield spec.fail(
            subjects=["handler404", "urlpatterns", "try_files"],
            location=at(ex),
            evidence=ex.evidence(
                "Content-Type", notes=[f"  {len(ex.body)} bytes for a path that does not exist"]
            ),
        )
    elif ex.status is not None:
        yield spec.passed(subjects=["handler404"], location=at(ex), evidence=ex.evidence())
