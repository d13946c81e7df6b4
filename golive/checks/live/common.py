"""What the live-site checks share (no rules live here; GL8xx): the per-site declaration,
the exchanges a check reads, and the outcome when one is missing.

A live check is declared with :func:`site_check` and judges one site at a time,
``func(site, facts, spec)``: the registry iterates the probed sites (a site that answered
nothing is an ``error`` outcome, :func:`sites`), and a helper here that finds no answer
raises :class:`~golive.registry.Outcome`, which becomes that site's ``skipped`` (the
probe was not made) or ``error`` (it failed in transit) finding. Nothing else repeats
that bookkeeping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from golive.facts.live import CookieInfo, Exchange, LiveFacts, Probe, SiteFacts
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Location, Status
from golive.registry import CheckSpec, Facts, Outcome, check

SECURITY = "https://docs.djangoproject.com/en/stable/topics/security/"
NGINX_CORE = "https://nginx.org/en/docs/http/ngx_http_core_module.html"
ONE_YEAR = 31_536_000
EXPIRY_WARN_DAYS = 21

#: A live check's function: the findings about one site.
SiteFunc = Callable[[SiteFacts, Facts, CheckSpec], Iterable[Finding]]


def sites(facts: Facts, spec: CheckSpec) -> Iterator[SiteFacts | Finding]:
    """The sites to judge; a site that answered nothing is an ``error`` outcome instead."""
    for site in facts[LiveFacts].sites:
        if site.error:
            yield spec.finding(
                Status.ERROR, reason=f"{site.url}: {site.error}", location=Location(path=site.url)
            )
        else:
            yield site


def site_check(id: str, **declared: Any) -> Callable[[SiteFunc], CheckSpec]:
    """Declare a live check (:func:`golive.registry.check` with ``needs=(LiveFacts,)``) whose
    function judges one site: see this module's docstring."""
    return check(id, needs=(LiveFacts,), each=sites, **declared)


def at(ex: Exchange) -> Location:
    """Where a finding about ``ex`` points: its URL."""
    return Location(path=ex.url)


def missing(site: SiteFacts, name: str) -> Outcome:
    """The outcome of probe ``name`` having no answer on ``site``: ``skipped`` when it was
    not made, ``error`` when it failed in transit."""
    if name in site.skipped:
        return Outcome(Status.SKIPPED, site.skipped[name], Location(path=site.url))
    last = site.final(name)
    if last is not None and last.error:
        return Outcome(Status.ERROR, site.why_missing(name), at(last))
    return Outcome(Status.SKIPPED, f"{site.url}: {site.why_missing(name)}", Location(path=site.url))


def answer(site: SiteFacts, name: str) -> Exchange:
    """The final exchange of probe ``name`` (an answer, or a connection closed without one);
    raises :func:`missing`'s outcome when there is none."""
    ex = site.final(name)
    if ex is None or not (ex.answered or ex.closed):
        raise missing(site, name)
    return ex


def https_home(site: SiteFacts) -> Exchange:
    """The home page over https; raises the ``skipped`` outcome saying why there is none."""
    if not site.https_origin:
        raise Outcome(Status.SKIPPED, f"{site.url}: the site has no https URL", Location(path=site.url))
    ex = answer(site, Probe.HOME)
    if ex.scheme != "https":
        raise Outcome(Status.SKIPPED, f"{site.url}: the home page was not probed over https", at(ex))
    return ex


def home(site: SiteFacts) -> Exchange:
    """The home page's answer; raises the outcome saying why there is none (closed: error)."""
    ex = answer(site, Probe.HOME)
    if not ex.answered:
        raise Outcome(Status.ERROR, f"{ex.request_line()}: connection closed", at(ex))
    return ex


def setting(facts: Facts, name: str, default: str) -> str:
    """A string setting of the project's runtime facts, else ``default``."""
    runtime = facts.get(RuntimeFacts)
    value = runtime.setting(name) if runtime else None
    return value if isinstance(value, str) and value else default


def own_exchanges(site: SiteFacts) -> list[Exchange]:
    """Answers to requests made with the site's own Host header."""
    return [ex for ex in site.exchanges() if ex.answered and not ex.host_header]


def cookies(site: SiteFacts, name: str | None = None) -> list[CookieInfo]:
    """The cookies the site set with a value, first of each name (only ``name`` when given)."""
    seen: dict[str, CookieInfo] = {}
    for ex in own_exchanges(site):
        for c in ex.cookies:
            if (name is None or c.name == name) and c.name not in seen and c.value_length:
                seen[c.name] = c
    return list(seen.values())


def cookie_evidence(c: CookieInfo) -> list[str]:
    """The request and the (redacted) ``Set-Cookie`` line of cookie ``c``."""
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
