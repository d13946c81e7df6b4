"""The live collector: the site as the world sees it (``golive audit --url URL``).

It probes every ``--url`` with :mod:`golive.collectors.live.engine` (httpx; GET, HEAD and OPTIONS
only; a bounded number of requests per site, each with a deadline), inspects TLS with
the standard library ``ssl``, and takes screenshots with Playwright driving Debian's
chromium (:mod:`golive.collectors.live.screenshots`: the browser's requests have a budget of their
own, GET and HEAD to the site only, at most ``REQUESTS_PER_PAGE`` a page, each
screenshot counting what it loaded and what was blocked; the PNGs go to
``.golive/screenshots/TIME/`` in the project). It judges nothing: the checks are in
:mod:`golive.checks.live`.

With the project's runtime settings (``uses``), it also probes where the URLconf mounts
the admin and the STATIC_URL/MEDIA_URL prefixes.

``Skip`` when no URL is given; ``CollectorError`` for a malformed ``--resolve``, an
unreadable ``--cacert``, or when no site answered at all (the reason says which fault).

Modules: :mod:`.client` (httpx, curl-style ``--resolve``, bounded bodies, no cross-host
redirects), :mod:`.tls` (standard-library ``ssl``: protocols, chain, expiry, key size, host
name), :mod:`.targets` (the sites, grouped from the URLs, and the paths asked of each),
:mod:`.engine` (what is requested of a site, in which order), :mod:`.sites` (many sites at
once under global and per-host limits; also behind ``golive probe``), :mod:`.screenshots`
(Playwright driving Debian's chromium). The facts they produce are in
:mod:`golive.facts.live`, the page recognisers in :mod:`golive.facts.live_pages`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from msgspec.structs import replace

from golive.collectors import CollectorError, CollectorSpec, Skip
from golive.facts.live import LiveFacts, SiteFacts
from golive.facts.runtime import RuntimeFacts
from golive.model import Screenshot
from golive.registry import Facts

if TYPE_CHECKING:  # the probing engine (httpx, asyncio) is imported when a site is probed
    from golive.collectors.live.targets import ProbeOptions
    from golive.context import AuditContext

#: Seconds per request when ``golive audit`` probes (``golive probe --timeout`` sets its own).
AUDIT_TIMEOUT = 10.0


def probe_options(
    *,
    resolve: tuple[str, ...],
    cacert: Path | None,
    insecure: bool,
    timeout: float,
    admin_path: str | None,
    concurrency: int | None = None,
    extra_files: tuple[str, ...] = (),
) -> ProbeOptions:
    """Build :class:`ProbeOptions`; ``ValueError`` with a one-line message on bad input."""
    from golive.collectors.live.client import ClientConfig, ResolveError, Resolver
    from golive.collectors.live.targets import DEFAULT_CONCURRENCY, ProbeOptions

    try:
        resolver = Resolver.parse(resolve)
    except ResolveError as exc:
        raise ValueError(str(exc)) from None
    if cacert is not None and not cacert.is_file():
        raise ValueError(f"--cacert {cacert}: no such file")
    if timeout <= 0:
        raise ValueError("--timeout must be positive")
    client = ClientConfig(timeout=timeout, resolver=resolver, cacert=cacert, insecure=insecure)
    return ProbeOptions(
        client=client,
        concurrency=DEFAULT_CONCURRENCY if concurrency is None else concurrency,
        admin_paths=(admin_path,) if admin_path else (),
        extra_files=extra_files,
    )


def gather(
    urls: tuple[str, ...] | list[str],
    opts: ProbeOptions,
    *,
    screenshots: bool,
    screenshot_dir: Path | None,
    dir_for: str = "flat",
) -> list[tuple[SiteFacts, tuple[Screenshot, ...], str]]:
    """Probe the sites and screenshot them: ``[(site, screenshots, note)]`` per site.

    ``dir_for`` is ``flat`` (every PNG in ``screenshot_dir``) or ``host`` (one
    sub-directory per host). Raises :class:`ValueError` for a URL that cannot be probed.
    """
    import asyncio

    from golive.collectors.live.sites import probe_all
    from golive.collectors.live.targets import group_targets

    targets = group_targets(list(urls))

    async def run() -> list[tuple[SiteFacts, tuple[Screenshot, ...], str]]:
        sites = await probe_all(targets, opts)
        if not screenshots or screenshot_dir is None:
            note = "screenshots disabled (--no-screenshots)" if not screenshots else "no screenshot directory"
            return [(s, (), note) for s in sites]
        from golive.collectors.live.screenshots import capture_all

        shots = await capture_all(sites, opts, screenshot_dir, per_host_dirs=dir_for == "host")
        return [(s, shots.get(s.host, ((), ""))[0], shots.get(s.host, ((), ""))[1]) for s in sites]

    return asyncio.run(run())


def project_hints(runtime: RuntimeFacts | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """From the project's runtime settings: (admin paths its URLconf mounts, static and
    media URL prefixes), so the probes look where this project puts them."""
    if runtime is None:
        return (), ()
    admin = tuple("/" + p.strip("/") + "/" for p in (runtime.admin_urls or ()) if p.strip("/"))
    prefixes = []
    for name in ("STATIC_URL", "MEDIA_URL"):
        value = runtime.setting(name)
        if isinstance(value, str) and "://" not in value and value.strip("/"):
            prefixes.append("/" + value.strip("/"))
    return admin, tuple(prefixes)


def dev_tool_paths(runtime: RuntimeFacts | None) -> tuple[str, ...]:
    """``/__debug__/``, ``/silk/``...: the URL prefixes where the URLconf includes a
    development tool's URLs (GL113 reports what the site answers there; issue 13)."""
    if runtime is None:
        return ()
    return tuple(dict.fromkeys("/" + route.strip("/") + "/" for route, _ in runtime.dev_tool_urls or ()))


def _settings_urls(ctx: AuditContext) -> tuple[str, ...]:
    """URL paths of the settings file for a web server rooted at the Django root, and at the
    repository root when the Django root is a subfolder (``/site_conf/settings.py``,
    ``/src/site_conf/settings.py``)."""
    from golive.collectors.live.targets import settings_file_paths

    if not ctx.settings_module:
        return ()
    paths = settings_file_paths(ctx.django_dir, ctx.settings_module)
    if ctx.django_dir == ctx.project_dir:
        return paths
    prefix = "/" + ctx.django_dir.relative_to(ctx.project_dir).as_posix()
    return paths + tuple(prefix + p for p in paths)


def collect(ctx: AuditContext, earlier: Facts | None = None) -> LiveFacts:
    """Probe every ``--url`` of the audit and return :class:`LiveFacts`.

    ``earlier`` holds the runtime facts when the settings loaded: the admin paths of the
    URLconf and STATIC_URL/MEDIA_URL are then probed too.
    """
    o = ctx.options
    if not o.urls:
        raise Skip("no --url given: the live site was not probed")
    from golive.collectors.live.targets import TargetError

    admin_paths, prefixes = project_hints(earlier.get(RuntimeFacts) if earlier is not None else None)
    try:
        opts = probe_options(
            resolve=o.resolve,
            cacert=o.cacert,
            insecure=o.insecure,
            timeout=float(o.live_timeout if o.live_timeout is not None else AUDIT_TIMEOUT),
            admin_path=o.admin_path,
            extra_files=_settings_urls(ctx)
            + dev_tool_paths(earlier.get(RuntimeFacts) if earlier is not None else None),
        )
        opts = replace(
            opts,
            admin_paths=tuple(dict.fromkeys((*opts.admin_paths, *admin_paths))),
            static_prefixes=prefixes,
        )
        shot_dir = o.screenshot_dir or (
            ctx.project_dir / ".golive" / "screenshots" / ctx.started.strftime("%Y%m%dT%H%M%S")
        )
        results = gather(o.urls, opts, screenshots=o.screenshots, screenshot_dir=shot_dir)
    except (ValueError, TargetError) as exc:
        raise CollectorError(str(exc)) from None
    sites = tuple(site for site, _, _ in results)
    if all(site.error for site in sites):
        raise CollectorError("; ".join(f"{s.url}: {s.error}" for s in sites))
    notes = {note for _, _, note in results if note}
    return LiveFacts(
        sites=sites,
        screenshots=tuple(shot for _, shots, _ in results for shot in shots),
        screenshots_note="; ".join(sorted(notes)),
        insecure=o.insecure,
    )


SPEC = CollectorSpec(
    name="live",
    produces=LiveFacts,
    collect=collect,
    description="the live site over HTTP and TLS, with screenshots",
    uses=(RuntimeFacts,),
    alongside=True,  # the site, over the network
)
