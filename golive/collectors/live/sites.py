"""Probing many sites at once, politely: a global limit on requests in flight, a per-site
one, at most as many sites under way as request slots, and a deadline for each site
(:data:`SITE_DEADLINE_FACTOR` × the request timeout). What is asked of one site is
:mod:`golive.collectors.live.engine`'s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from msgspec.structs import replace

from golive.collectors.live.client import ProbeClient
from golive.collectors.live.engine import SiteProbe
from golive.collectors.live.targets import ProbeOptions, SiteTarget, group_targets
from golive.facts.live import SiteFacts

SITE_DEADLINE_FACTOR = 8


async def probe_site(
    target: SiteTarget, opts: ProbeOptions, global_: asyncio.Semaphore, per_host: asyncio.Semaphore
) -> SiteFacts:
    """Probe one site; never raises for network faults, and ends within the site deadline."""
    deadline = opts.client.timeout * SITE_DEADLINE_FACTOR
    async with ProbeClient(
        opts.client, per_host=per_host, global_=global_, connections=max(1, opts.per_host)
    ) as client:
        probe = SiteProbe(target, opts, client, global_)
        try:
            return await asyncio.wait_for(probe.run(), timeout=deadline)
        except asyncio.TimeoutError:
            return SiteFacts(
                url=target.url,
                host=target.host,
                requests=client.used,
                error=f"probing did not finish within {deadline:g} s",
                chains=probe.ordered(),
            )


async def probe_all(targets: Sequence[SiteTarget], opts: ProbeOptions) -> list[SiteFacts]:
    """Probe every site concurrently: ``opts.concurrency`` requests in flight overall (and
    at most as many sites under way), ``opts.per_host`` per site. Returns the facts in the
    order of ``targets``.
    """
    out: list[SiteFacts | None] = [None] * len(targets)

    def keep(i: int, facts: SiteFacts) -> None:
        out[i] = facts

    await probe_each(targets, opts, keep)
    return [facts for facts in out if facts is not None]


async def probe_each(
    targets: Sequence[SiteTarget], opts: ProbeOptions, on_done: Callable[[int, SiteFacts], None]
) -> None:
    """:func:`probe_all`, handing each site's facts to ``on_done(i, facts)`` (``i`` its
    index in ``targets``; in the event loop) as soon as it is probed, keeping none:
    :mod:`golive.collectors.live.workers` passes each site on at once."""
    global_ = asyncio.Semaphore(max(1, opts.concurrency))
    opts = replace(opts, per_host=site_connections(opts, len(targets)))
    per_host = {t.host: asyncio.Semaphore(opts.per_host) for t in targets}
    # At most ``concurrency`` sites are under way at once (each waits on its own chain of
    # requests much of the time, so as many sites as request slots keep them busy): a site's
    # deadline starts when it starts, not while a thousand others hold every slot, and only
    # that many sites' clients and answers are in memory at a time.
    sites = asyncio.Semaphore(max(1, opts.concurrency))

    async def one(i: int, target: SiteTarget) -> None:
        async with sites:
            facts = await probe_site(target, opts, global_, per_host[target.host])
        on_done(i, facts)

    await asyncio.gather(*(one(i, t) for i, t in enumerate(targets)))


def site_connections(opts: ProbeOptions, sites: int) -> int:
    """Requests in flight (and connections) per site: ``opts.per_host``, or fewer when many
    sites share the global limit (``opts.concurrency`` requests over as many sites under
    way): each site's share of it, at least two. A site's own requests then cost fewer
    TLS handshakes (each is more CPU than a request), and a slow site still finishes
    within its deadline (two at a time over its 48 requests at most)."""
    share = max(1, opts.concurrency) // max(1, min(sites, max(1, opts.concurrency)))
    return max(1, min(opts.per_host, max(2, share)))


def run_probes(urls: Sequence[str], opts: ProbeOptions) -> list[SiteFacts]:
    """Synchronous entry point: group ``urls`` into sites and probe them all."""
    return asyncio.run(probe_all(group_targets(urls), opts))
