"""Live site, static and media files as the web server serves them (GL865–GL867):
directory listings, compression and cache lifetime.

See :mod:`golive.checks.live` for what the checks read and how outcomes are made. The
``listing:PREFIX`` probes GET STATIC_URL and MEDIA_URL themselves; the ``asset`` probe
GETs the first stylesheet or script of the home page (with ``Accept-Encoding: gzip``).
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks.live.common import answer, at, cache_directives, site_check
from golive.facts import live_pages as pages
from golive.facts.live import LISTING, Exchange, Probe, SiteFacts
from golive.model import Finding, Location, Severity, Status
from golive.registry import CheckSpec, Facts, Outcome

STATICFILES = "https://docs.djangoproject.com/en/stable/ref/contrib/staticfiles/"
#: Text assets smaller than this are not worth compressing (nginx's gzip_min_length
#: counts bytes too; one TCP segment carries about this much).
COMPRESS_MIN = 1024
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")


@site_check(
    "GL865",
    title="a static or media directory is listed (autoindex)",
    severity=Severity.MEDIUM,
    reference="https://nginx.org/en/docs/http/ngx_http_autoindex_module.html",
    remediation="autoindex off;  # nginx's default: drop `autoindex on` from the static and media locations",
)
def directory_listed(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A generated index of MEDIA_ROOT lists every user upload (invoices, ID scans) to
    anyone, and one of STATIC_ROOT maps the application. Django's file-upload security
    notes ask that user uploads be served so they cannot be browsed or executed; nginx's
    ``autoindex`` "is off" by default (https://nginx.org/en/docs/http/ngx_http_autoindex_module.html).
    Recognised by the listing page itself.
    """
    probes = [n for n in site.chains if n.startswith(LISTING)]
    if not probes:
        raise Outcome(
            Status.SKIPPED,
            f"{site.url}: the static and media directories were not requested",
            Location(path=site.url),
        )
    for name in probes:
        ex = site.final(name)
        if ex is not None and ex.status == 200 and pages.directory_listing(ex.text):
            yield spec.fail(
                subjects=["autoindex", "MEDIA_URL" if "media" in name else "STATIC_URL"],
                location=at(ex),
                evidence=ex.evidence("Content-Type", notes=['  a generated directory index ("Index of /…")']),
            )


def asset(site: SiteFacts) -> Exchange:
    """The ``asset`` probe's answer; raises the outcome saying why there is none."""
    if Probe.ASSET not in site.chains and Probe.ASSET not in site.skipped:
        raise Outcome(
            Status.SKIPPED,
            f"{site.url}: the home page loads no stylesheet or script from this site",
            Location(path=site.url),
        )
    ex = answer(site, Probe.ASSET)
    if ex.status != 200:
        raise Outcome(Status.SKIPPED, f"{ex.request_line()}: answered {ex.status}, not the file", at(ex))
    return ex


@site_check(
    "GL866",
    title="static text files are sent uncompressed",
    severity=Severity.LOW,
    reference="https://nginx.org/en/docs/http/ngx_http_gzip_module.html",
    remediation="""
    gzip on; gzip_types text/css application/javascript image/svg+xml;  # nginx
    or, better, compress once at build time: gzip_static on; with files pre-compressed
    by whitenoise's CompressedManifestStaticFilesStorage or django-compression-middleware.
    """,
)
def asset_uncompressed(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Stylesheets and scripts shrink to a fifth or less with gzip; sending them raw
    slows every first visit (nginx: https://nginx.org/en/docs/http/ngx_http_gzip_module.html).
    (Compressing static files is safe; compressing HTML that
    carries secrets is what BREACH exploits, so golive asks this of static files only.)
    Judged on the first stylesheet or script of the home page, asked for with
    ``Accept-Encoding: gzip``.
    """
    ex = asset(site)
    encoding = (ex.header("Content-Encoding") or "").strip().lower()
    if not ex.content_type.startswith(COMPRESSIBLE):
        yield spec.skipped(f"{ex.url}: {ex.content_type or 'no Content-Type'} is not text", location=at(ex))
    elif encoding and encoding != "identity":
        yield spec.passed(subjects=["gzip"], location=at(ex), evidence=ex.evidence("Content-Encoding"))
    elif len(ex.body) < COMPRESS_MIN and not ex.truncated:
        yield spec.skipped(f"{ex.url}: {len(ex.body)} bytes, too small to matter", location=at(ex))
    else:
        yield spec.fail(
            subjects=["gzip", "gzip_types"],
            location=at(ex),
            evidence=ex.evidence(
                "Content-Type", "Content-Encoding", notes=[f"  {len(ex.body)} bytes sent uncompressed"]
            ),
        )


def cache_lifetime(cache_control: str | None, expires: str | None) -> str | None:
    """What lets a browser reuse the file without asking again (``max-age=2592000``,
    ``Expires: ...``), or None. ``no-store`` and ``no-cache`` rule reuse out (RFC 9111
    §5.2.2)."""
    directives = cache_directives(cache_control)
    if {"no-store", "no-cache"} & directives.keys():
        return None
    age = directives.get("max-age", "")
    if age.isdigit():
        return f"max-age={age}" if int(age) > 0 else None
    return f"Expires: {expires}" if expires else None


@site_check(
    "GL867",
    title="static files carry no cache lifetime",
    severity=Severity.LOW,
    reference=STATICFILES + "#manifeststaticfilesstorage",
    remediation="""
    With ManifestStaticFilesStorage (hashed names) give STATIC_URL a far-future lifetime:

        location /static/ { alias /srv/app/static/; expires 1y;
                            add_header Cache-Control "public, immutable"; }

    (or whitenoise, which does this for hashed files).
    """,
)
def asset_not_cached(site: SiteFacts, facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's staticfiles docs on ManifestStaticFilesStorage: hashed file names let you
    "set far future expires headers". Without Cache-Control max-age or Expires, every
    page view asks again for every stylesheet and script (RFC 9111 §4.2 freshness).
    """
    ex = asset(site)
    lifetime = cache_lifetime(ex.header("Cache-Control"), ex.header("Expires"))
    evidence = ex.evidence("Cache-Control", "Expires")
    if lifetime:
        yield spec.passed(subjects=["expires", "Cache-Control"], location=at(ex), evidence=evidence)
    else:
        yield spec.fail(subjects=["expires", "Cache-Control"], location=at(ex), evidence=evidence)
