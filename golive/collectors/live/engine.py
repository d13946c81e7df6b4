"""What golive asks of one live site, and in which order (:class:`SiteProbe`).

A site is one host name and its URLs (:mod:`golive.collectors.live.targets`); many sites
are probed at once by :mod:`golive.collectors.live.sites`. Per site, at most
``ClientConfig.budget`` (48) requests, each with a deadline, plus at most five TLS handshakes:

1. ``http-home``: GET the plain-http URL (given, or port 80 when the https URL uses 443),
   following same-host redirects (≤ 4 hops): does it go to https in one 301/308 hop?
2. TLS handshakes with the https origin (:mod:`golive.collectors.live.tls`): the verifying one
   decides; the others (legacy versions, static RSA, a browser's TLS 1.2 offer) run
   alongside it and everything after it. When the certificate is not trusted and
   ``--insecure`` is not given, the HTTPS probes below are skipped with that reason (the
   certificate problem itself is a finding either way).
3. On the *primary* origin (https when usable, else http): ``home`` (GET the URL's path
   with an ``Origin`` header, ≤ 3 hops; the answer of 1 when that was the same URL; asked
   for alongside the handshakes when the https URL was given); the probes that need
   nothing from it, as soon as the primary origin is known (a few before, on HTTP/1.1),
   or once it is back when the site speaks HTTP/2 (streams on one connection:
   :mod:`golive.collectors.live.client`): ``404`` (a random path), ``bogus-host`` (GET /
   with a Host that is no one's, on https and http), ``preflight`` (OPTIONS / as a CORS
   preflight), ``admin:/admin/`` and ``admin:--admin-path`` (≤ 2 hops each), the ``file:``
   and ``listing:PREFIX/`` probes (:mod:`golive.collectors.live.targets`), ``security.txt``
   (RFC 9116); then what the home page names: ``form`` (one form page linked from it),
   the traversal paths of the static prefixes seen on it and ``asset`` (its first
   stylesheet or script, ``Accept-Encoding: gzip``). Findings keep this order.
4. ``admin-http``: the admin login found in 3, over plain http.

A site that answers nothing (refused, timed out) stops after its first probe.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from msgspec.structs import replace

from golive.collectors.live import tls as handshakes
from golive.collectors.live.client import BudgetExceeded, ProbeClient, origin_of, url_port
from golive.collectors.live.targets import (
    FILE_CAP,
    LISTED_PREFIXES,
    ProbeOptions,
    SiteTarget,
    early_order,
    file_paths,
    join,
    prefixes,
    same_site,
)
from golive.facts import live_pages as pages
from golive.facts.live import PROBE_ORIGIN, SECURITY_TXT, CertInfo, Exchange, Probe, SiteFacts, TlsFacts

T = TypeVar("T")


class SiteProbe:
    """The probes of one site (see the module docstring); ``run()`` returns its facts."""

    def __init__(self, target: SiteTarget, opts: ProbeOptions, client: ProbeClient, limit: asyncio.Semaphore):
        self.t = target
        self.opts = opts
        self.client = client
        self.limit = limit
        self.chains: dict[str, tuple[Exchange, ...]] = {}
        self.planned: list[str] = []  # probe names in the order they were asked for
        self.ahead: list[asyncio.Future[Any]] = []  # jobs started before they are awaited
        self.skipped: dict[str, str] = {}
        self.notes: list[str] = []
        self.token = secrets.token_hex(4)
        self.cert: asyncio.Future[CertInfo] | None = None  # the certificate's fields, being read

    def _probe(self, name: str, job: Awaitable[tuple[Exchange, ...]]) -> Awaitable[None]:
        """Plan probe ``name`` now (its place in :meth:`ordered`), run ``job`` when awaited."""
        self.planned.append(name)
        return self._record(name, job)

    async def _record(self, name: str, job: Awaitable[tuple[Exchange, ...]]) -> None:
        try:
            self.chains[name] = await job
        except BudgetExceeded as exc:
            self.skipped[name] = str(exc)

    def _ahead(self, job: Awaitable[T]) -> asyncio.Future[T]:
        """Start ``job`` now, to be awaited later (cancelled by :meth:`run` if never)."""
        task = asyncio.ensure_future(job)
        self.ahead.append(task)
        return task

    def ordered(self) -> dict[str, tuple[Exchange, ...]]:
        """The chains in the order the probes were planned, not the order concurrent ones
        finished in, so that "the first page showing X" is the same on every run."""
        rank = {name: i for i, name in reversed(list(enumerate(self.planned)))}
        return dict(sorted(self.chains.items(), key=lambda kv: rank.get(kv[0], len(rank))))

    async def _get(
        self, url: str, *, host_header: str | None = None, max_body: int | None = None
    ) -> tuple[Exchange, ...]:
        return (await self.client.request("GET", url, host_header=host_header, max_body=max_body),)

    async def _tls(self, origin: str) -> TlsFacts:
        """The verifying handshake (chain, name): what decides the primary origin. The
        certificate's fields are read meanwhile (:meth:`_tls_all` adds them)."""
        port, c = url_port(origin), self.opts.client
        async with self.limit:
            facts, der = await handshakes.verify(
                self.t.host, port, c.resolver.lookup(self.t.host, port), cacert=c.cacert, timeout=c.timeout
            )
        self.cert = self._ahead(asyncio.to_thread(handshakes.cert_info, der)) if der else None
        return facts

    async def _tls_offers(self, origin: str) -> tuple[str, str, dict[str, str]]:
        """The other handshakes, alongside the verifying one (:func:`handshakes.offers`)."""
        port, c = url_port(origin), self.opts.client
        async with self.limit:
            return await handshakes.offers(
                self.t.host, port, c.resolver.lookup(self.t.host, port), timeout=c.timeout
            )

    async def _tls_all(
        self, main: TlsFacts, offers: asyncio.Future[tuple[str, str, dict[str, str]]]
    ) -> TlsFacts:
        """``main`` with the results of :meth:`_tls_offers` (not when ``main`` failed)."""
        if main.error:
            await _settle(offers)
            return main
        rsa, browser, legacy = await offers
        cert = await self.cert if self.cert is not None else None
        return replace(main, cert=cert, legacy=legacy, static_rsa=rsa, browser_tls12=browser)

    async def run(self) -> SiteFacts:
        """Probe the site (see the module docstring); jobs started ahead of need are
        cancelled if the site's deadline cuts this short."""
        try:
            return await self._run()
        finally:
            for task in self.ahead:
                if not task.done():
                    task.cancel()

    async def _run(self) -> SiteFacts:
        t = self.t
        http_origin = origin_of(t.http_url) if t.http_url else None
        https_origin = origin_of(t.https_url) if t.https_url else None
        # An https URL that was given is the primary origin unless its TLS is broken or not
        # trusted, and then httpx's own verifying handshake fails before any request is sent:
        # its home page is asked for first (pages depend on it), with the handshakes' threads.
        early_home = None
        if https_origin and t.https_url and not t.https_derived:
            early_url = join(https_origin, urlsplit(t.https_url).path or "/")
            origin_header = {"Origin": PROBE_ORIGIN}
            early_home = self._ahead(self.client.follow(early_url, max_hops=3, headers=origin_header))
        # The TLS handshakes with the known (or guessed) https origin run meanwhile.
        tls_job = self._ahead(self._tls(https_origin)) if https_origin else None
        offers = self._ahead(self._tls_offers(https_origin)) if https_origin else None
        tls_origin = https_origin
        http_home = self._ahead(self.client.follow(t.http_url, max_hops=4)) if t.http_url else None
        # So are the first probes that need nothing from the home page, as many as the
        # per-host limit leaves room for: their connections are set up meanwhile too.
        early: dict[str, asyncio.Future[None]] = {}
        if early_home is not None and https_origin:
            room = self.opts.per_host - 1 - (http_home is not None)
            early = self._start_independent(https_origin, http_origin, limit=room) if room > 0 else {}
        if http_home is not None:
            await self._probe(Probe.HTTP_HOME, http_home)
            for ex in self.chains.get(Probe.HTTP_HOME, ()):
                if ex.scheme == "https" and (t.https_derived or not https_origin):
                    https_origin, t = origin_of(ex.url), replace(t, https_derived=False)
        tls = None
        if https_origin:
            if tls_job is None or offers is None or tls_origin != https_origin:
                for job in (tls_job, offers):
                    if job is not None:
                        job.cancel()
                tls_job = self._ahead(self._tls(https_origin))
                offers = self._ahead(self._tls_offers(https_origin))
            tls = await tls_job
            if tls.error and t.https_derived:
                self.notes.append(f"no https on port 443 ({tls.error})")
                https_origin, tls = None, None
                if offers is not None:
                    await _settle(offers)
                    offers = None
        else:
            for job in (tls_job, offers):
                if job is not None:
                    job.cancel()
            offers = None
        primary, reason = self._primary(http_origin, https_origin, tls)
        site = SiteFacts(url=t.url, host=t.host, http_origin=http_origin, https_origin=https_origin, tls=tls)
        if early_home is not None and (primary is None or primary != https_origin):
            await _settle(early_home)
            early_home = None
        if early and (primary is None or primary != https_origin):
            await self._drop_early(early)
            early = {}
        if primary is None:
            if tls is not None and offers is not None:
                tls = await self._tls_all(tls, offers)
                site = replace(site, tls=tls)
            return self._finish(
                site,
                error=reason if not self._answered() and not (tls and tls.cert) else None,
                skip_reason=reason,
            )
        path = urlsplit(t.https_url if primary.startswith("https") and t.https_url else t.url).path or "/"
        home_url, origin_header = join(primary, path), {"Origin": PROBE_ORIGIN}
        # The home page first; on https its connection tells the protocol. Over HTTP/2 the other
        # probes are streams, started once it is back: httpcore reads a connection's answers one
        # task at a time, and the home page's would wait behind streams waiting on the socket.
        if primary == https_origin and early_home is None:
            early_home = self._ahead(self.client.follow(home_url, max_hops=3, headers=origin_header))
        multiplexed = primary == https_origin and await self.client.negotiated(primary) == "h2"
        started = early if multiplexed else self._start_independent(primary, http_origin, early)
        if primary == http_origin and t.http_url == home_url and Probe.HTTP_HOME in self.chains:
            self.planned.append(Probe.HOME)
            self.chains[Probe.HOME] = self.chains[Probe.HTTP_HOME]  # the same GET: not made twice
        elif early_home is not None:
            await self._probe(Probe.HOME, early_home)
        else:
            await self._probe(Probe.HOME, self.client.follow(home_url, max_hops=3, headers=origin_header))
        home = self.chains[Probe.HOME][-1] if Probe.HOME in self.chains else None
        started = self._start_independent(primary, http_origin, early) if multiplexed else started
        if tls is not None and offers is not None:
            site = replace(site, tls=await self._tls_all(tls, offers))
        if home is not None and not home.answered and not home.closed and not self._answered():
            for task in started.values():  # as if never asked: the site answers nothing
                await _settle(task)
            for name in started:
                self.chains.pop(name, None)
                self.skipped.pop(name, None)
            self.client.used -= len(started)
            return self._finish(
                site, error=f"{home.method} {home.url}: {home.error}", skip_reason=home.error or ""
            )
        await self._content(primary, http_origin, home, started)
        admin = next(
            (
                c[-1]
                for n, c in self.chains.items()
                if n.startswith(Probe.admin("")) and c[-1].status == 200 and pages.admin_login(c[-1].text)
            ),
            None,
        )
        if admin is not None and http_origin and primary != http_origin:
            login_path = urlsplit(admin.url).path
            await self._probe(Probe.ADMIN_HTTP, self._get(join(http_origin, login_path)))
        site = replace(site, admin_login=admin.url if admin else None)
        return self._finish(site)

    def _answered(self) -> bool:
        return any(ex.answered or ex.closed for chain in self.chains.values() for ex in chain)

    def _primary(
        self, http_origin: str | None, https_origin: str | None, tls: object
    ) -> tuple[str | None, str]:
        if https_origin and isinstance(tls, TlsFacts):
            if tls.error:
                return None, f"HTTPS on {tls.target} is broken: {tls.error}"
            if not tls.verified and not self.opts.client.insecure:
                return None, (
                    f"the certificate of {tls.target} is not trusted ({tls.verify_error}): the HTTPS probes"
                    " were not made; pass --cacert FILE, or --insecure to probe past it"
                )
            return https_origin, ""
        if http_origin:
            return http_origin, ""
        return None, "no URL to probe"

    def _independent(
        self, primary: str, http_origin: str | None
    ) -> list[tuple[str, Awaitable[tuple[Exchange, ...]]]]:
        """The content probes that need nothing from the home page, in their planned order."""
        bogus = f"golive-{self.token}.invalid"
        jobs: list[tuple[str, Awaitable[tuple[Exchange, ...]]]] = [
            (Probe.NOT_FOUND, self._get(join(primary, f"/golive-{self.token}-not-found/"))),
            (Probe.BOGUS_HOST, self._get(primary + "/", host_header=bogus)),
            (Probe.PREFLIGHT, self._options(primary)),
        ]
        if http_origin and http_origin != primary:
            jobs.append((Probe.BOGUS_HOST_HTTP, self._get(http_origin + "/", host_header=bogus)))
        for admin_path in dict.fromkeys(("/admin/", *self.opts.admin_paths)):
            p = "/" + admin_path.strip("/") + "/" if admin_path.strip("/") else "/"
            jobs.append((Probe.admin(p), self.client.follow(join(primary, p), max_hops=2)))
        for file_path in file_paths(self.opts, ""):
            jobs.append((Probe.file(file_path), self._get(join(primary, file_path), max_body=FILE_CAP)))
        for prefix in prefixes(self.opts)[:LISTED_PREFIXES]:
            jobs.append((Probe.listing(prefix), self._get(join(primary, prefix + "/"), max_body=FILE_CAP)))
        jobs.append((Probe.SECURITY_TXT, self._get(join(primary, SECURITY_TXT), max_body=FILE_CAP)))
        return jobs

    def _start_independent(
        self,
        primary: str,
        http_origin: str | None,
        early: dict[str, asyncio.Future[None]] | None = None,
        limit: int | None = None,
    ) -> dict[str, asyncio.Future[None]]:
        """Start :meth:`_independent`'s probes now (``limit`` of them, by :func:`early_order`; those
        in ``early`` were started already), planned (placed in the report) by :meth:`_content`."""
        started: dict[str, asyncio.Future[None]] = {}
        jobs = self._independent(primary, http_origin)
        first = set(early_order([name for name, _ in jobs])[:limit]) if limit is not None else None
        for i, (name, job) in enumerate(jobs):
            if early and name in early:
                job.close()  # type: ignore[attr-defined]  # a coroutine, never awaited
                started[name] = early[name]
            elif first is not None and i not in first:
                job.close()  # type: ignore[attr-defined]
            else:
                started[name] = self._ahead(self._record(name, job))
        return started

    async def _drop_early(self, early: dict[str, asyncio.Future[None]]) -> None:
        """Forget probes started on an https origin that turned out unusable: their
        handshakes failed before any request was sent (httpx verifies as the verifying
        handshake did), so they are neither findings nor requests."""
        for task in early.values():
            await _settle(task)
        for name in early:
            self.chains.pop(name, None)
            self.skipped.pop(name, None)
        self.client.used -= len(early)

    async def _content(
        self,
        primary: str,
        http_origin: str | None,
        home: Exchange | None,
        started: dict[str, asyncio.Future[None]],
    ) -> None:
        home_text = home.text if home is not None and home.answered else ""
        jobs: list[Awaitable[None]] = []

        def plan(name: str, job: Callable[[], Awaitable[tuple[Exchange, ...]]] | None = None) -> None:
            if name in started:
                self.planned.append(name)
                jobs.append(started[name])
            elif job is not None:
                jobs.append(self._probe(name, job()))

        for probe in (Probe.NOT_FOUND, Probe.BOGUS_HOST, Probe.PREFLIGHT, Probe.BOGUS_HOST_HTTP):
            plan(probe)
        for name in started:
            if name.startswith(Probe.admin("")):
                plan(name)
        link = pages.form_link(home_text) if home_text else None
        form = same_site(home.url, link, self.t.host) if link and home is not None else None
        if form:
            plan(Probe.FORM, functools.partial(self.client.follow, form, max_hops=1))
        for file_path in file_paths(self.opts, home_text):
            plan(
                Probe.file(file_path),
                functools.partial(self._get, join(primary, file_path), max_body=FILE_CAP),
            )
        for prefix in prefixes(self.opts)[:LISTED_PREFIXES]:
            plan(Probe.listing(prefix))
        asset = pages.static_asset(home_text) if home_text else None
        asset_url = same_site(home.url, asset, self.t.host) if asset and home is not None else None
        if asset_url:
            plan(Probe.ASSET, functools.partial(self._asset, asset_url))
        plan(Probe.SECURITY_TXT)
        await asyncio.gather(*jobs)

    async def _asset(self, url: str) -> tuple[Exchange, ...]:
        headers = {"Accept-Encoding": "gzip"}
        return (await self.client.request("GET", url, headers=headers, max_body=FILE_CAP),)

    async def _options(self, origin: str) -> tuple[Exchange, ...]:
        headers = {"Origin": PROBE_ORIGIN, "Access-Control-Request-Method": "GET"}
        return (await self.client.request("OPTIONS", origin + "/", headers=headers),)

    def _finish(self, site: SiteFacts, *, error: str | None = None, skip_reason: str = "") -> SiteFacts:
        if skip_reason:
            first = (Probe.HOME, Probe.NOT_FOUND, Probe.BOGUS_HOST, Probe.PREFLIGHT)
            for name in (*first, Probe.admin("/admin/"), Probe.file("/.git/HEAD")):
                if name not in self.chains:
                    self.skipped.setdefault(name, skip_reason)
        return replace(
            site,
            chains=self.ordered(),
            skipped=dict(self.skipped),
            requests=self.client.used,
            error=error,
            notes=tuple(self.notes),
        )


async def _settle(task: asyncio.Future[Any]) -> None:
    """Let a speculative request end and drop its outcome. It is not cancelled: a request
    cancelled between its TCP connect and its TLS handshake can leave a silent open
    connection behind, which a server handling handshakes one at a time waits on. It
    ends soon anyway (a failed verification, or its own deadline)."""
    with contextlib.suppress(Exception):
        await task
