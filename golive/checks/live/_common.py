"""Shared helpers of the live-site checks (no rules live here; GL8xx)."""

from __future__ import annotations

from collections.abc import Iterator

from golive.facts.live import CookieInfo, Exchange, LiveFacts, SiteFacts
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Location, Status
from golive.registry import CheckSpec, Facts

SECURITY = "https://docs.djangoproject.com/en/stable/topics/security/"
NGINX_CORE = "https://nginx.org/en/docs/http/ngx_http_core_module.html"
ONE_YEAR = 31_536_000
EXPIRY_WARN_DAYS = 21


def _sites(facts: Facts, spec: CheckSpec) -> Iterator[SiteFacts | Finding]:
    """The sites to judge; a site that answered nothing yields an ``error`` outcome instead."""
    for site in facts[LiveFacts].sites:
        if site.error:
            yield spec.finding(
                Status.ERROR, reason=f"{site.url}: {site.error}", location=Location(path=site.url)
            )
        else:
            yield site


def _at(ex: Exchange) -> Location:
    return Location(path=ex.url)


def _missing(spec: CheckSpec, site: SiteFacts, name: str) -> Finding:
    """``skipped`` when the probe was not made, ``error`` when it failed in transit."""
    if name in site.skipped:
        return spec.skipped(site.skipped[name], location=Location(path=site.url))
    last = site.final(name)
    if last is not None and last.error:
        return spec.finding(Status.ERROR, reason=site.why_missing(name), location=_at(last))
    return spec.skipped(f"{site.url}: {site.why_missing(name)}", location=Location(path=site.url))


def _answer(spec: CheckSpec, site: SiteFacts, name: str) -> Exchange | Finding:
    ex = site.final(name)
    if ex is None or not (ex.answered or ex.closed):
        return _missing(spec, site, name)
    return ex


def _https_home(spec: CheckSpec, site: SiteFacts) -> Exchange | Finding:
    """The home page over https, or the outcome saying why there is none."""
    if not site.https_origin:
        return spec.skipped(f"{site.url}: the site has no https URL", location=Location(path=site.url))
    ex = _answer(spec, site, "home")
    if isinstance(ex, Exchange) and ex.scheme != "https":
        return spec.skipped(f"{site.url}: the home page was not probed over https", location=_at(ex))
    return ex


def _home(spec: CheckSpec, site: SiteFacts) -> Exchange | Finding:
    ex = _answer(spec, site, "home")
    if isinstance(ex, Exchange) and not ex.answered:
        return spec.finding(Status.ERROR, reason=f"{ex.request_line()}: connection closed", location=_at(ex))
    return ex


def _setting(facts: Facts, name: str, default: str) -> str:
    runtime = facts.get(RuntimeFacts)
    value = runtime.setting(name) if runtime else None
    return value if isinstance(value, str) and value else default


def _own_exchanges(site: SiteFacts) -> list[Exchange]:
    """Answers to requests made with the site's own Host header."""
    return [ex for ex in site.exchanges() if ex.answered and not ex.host_header]


def _cookies(site: SiteFacts, name: str | None = None) -> list[CookieInfo]:
    seen: dict[str, CookieInfo] = {}
    for ex in _own_exchanges(site):
        for c in ex.cookies:
            if (name is None or c.name == name) and c.name not in seen and c.value_length:
                seen[c.name] = c
    return list(seen.values())


def _cookie_evidence(c: CookieInfo) -> list[str]:
    return [f"GET {c.url}", f"  Set-Cookie: {c.header}"]


def cache_directives(cache_control: str | None) -> dict[str, str]:
    """``Cache-Control`` directives (RFC 9111 §5.2), names lower-cased → argument (``""``
    when none): ``"public, max-age=600"`` → ``{"public": "", "max-age": "600"}``."""
    out = {}
    for part in (cache_control or "").split(","):
        name, _, arg = part.strip().partition("=")
        if name.strip():
            out[name.strip().lower()] = arg.strip().strip('"')
    return out
