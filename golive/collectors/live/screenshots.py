"""Screenshots of the live site with Playwright driving Debian's chromium.

Captured per site: the home page, the 404 page, the admin login (when exposed) and
Django's DEBUG page when one leaked on a request a browser cannot make itself (a bogus
Host header: its captured body is rendered at the site's own URL).

The browser is Debian's (``/usr/bin/chromium``, or ``$GOLIVE_CHROMIUM``), started
headless through ``executable_path`` (never ``playwright install``), with the switches
that keep chromium from calling home, and with host-resolver rules under which only
the probed hosts resolve (``MAP * ~NOTFOUND``). Each page gets a fresh context: no
cookies, no storage, nothing typed into a form, so a screenshot shows no more than the
site publishes to anyone.

**Scripts run**: a screenshot is meant to show the page as its users see it, and many
pages draw themselves with JavaScript. So the page's own code runs, and the guard is
Playwright's request interception (``BrowserContext.route``, which sees every request
of the context's pages, https://playwright.dev/python/docs/network#handle-requests), so
that the probe's contract ("GET, HEAD and OPTIONS only, a bounded number of requests")
holds for the browser too:

- only GET and HEAD to the probed origins (the site's http and https origins) go out;
  any other method (a ``fetch`` POST or PUT, a beacon, a form the page submits) and any
  other origin are aborted;
- WebSockets are intercepted (``BrowserContext.route_web_socket``) and closed without
  ever being connected to the server; service workers are never registered
  (``service_workers="block"``, https://playwright.dev/python/docs/service-workers);
- each page loads at most :data:`REQUESTS_PER_PAGE` requests (the document included),
  a cap of its own besides the probe's budget of requests per site; the rest are
  aborted. A site costs at most ``4 × REQUESTS_PER_PAGE`` browser requests (four pages);
- redirects obey the same rules: Playwright calls the route handler for the first
  request of a redirect chain only, so golive also pauses every response through the
  DevTools protocol (``Fetch.enable`` at the response stage) and lets chromium follow a
  redirect only to an allowed origin and under the cap, counting each hop; besides, no
  other host resolves in the browser (the host-resolver rules above, addresses
  included);
- every :class:`~golive.model.Screenshot` says how many requests it loaded and how many
  golive blocked, and the reports show it.

After the ``load`` event, golive waits up to :data:`SETTLE_MS` for the network to be
idle (Playwright's ``networkidle``), so what the page's scripts draw or ask for is in the
picture and in the counts.

When no browser (or no Playwright) is available, no screenshot is taken and the note
says why; the audit goes on. Playwright: https://playwright.dev/python/docs/api/class-browsertype#browser-type-launch
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from msgspec import Struct

from golive.collectors.live.client import origin_of
from golive.collectors.live.targets import ProbeOptions
from golive.facts import live_pages as pages
from golive.facts.live import Exchange, Probe, SiteFacts
from golive.model import Screenshot
from golive.own_files import make_folder  # .golive ignores itself in git

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--metrics-recording-only",
    "--no-default-browser-check",
    "--no-pings",
    "--safebrowsing-disable-auto-update",
    "--password-store=basic",
    "--use-mock-keychain",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,"
    "CertificateTransparencyComponentUpdater,DnsOverHttps",
)
VIEWPORT = {"width": 1280, "height": 800}
PAGES_AT_ONCE = 4
#: Requests the browser may send for one page, the document included (see the docstring).
REQUESTS_PER_PAGE = 40
#: Methods the browser may send (the probe itself also sends OPTIONS, never the browser).
BROWSER_METHODS = frozenset({"GET", "HEAD"})
#: Milliseconds to wait, after ``load``, for the network to be idle.
SETTLE_MS = 3000


def chromium_path() -> str | None:
    """The browser to drive: ``$GOLIVE_CHROMIUM`` when set (only it), else
    ``/usr/bin/chromium``, else ``chromium`` on PATH; None when there is none."""
    forced = os.environ.get("GOLIVE_CHROMIUM")
    candidates = (forced,) if forced else ("/usr/bin/chromium", shutil.which("chromium"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def no_browser_reason() -> str:
    """Why :func:`chromium_path` found nothing, in one line with the fix."""
    forced = os.environ.get("GOLIVE_CHROMIUM")
    if forced:
        return f"no browser: {forced} is not an executable (GOLIVE_CHROMIUM)"
    return "no browser: /usr/bin/chromium not found (apt install chromium)"


class Shot(Struct, frozen=True):
    """One planned screenshot: ``body`` is set when a captured answer is rendered."""

    name: str
    url: str
    caption: str
    body: Exchange | None = None


def plan(site: SiteFacts) -> list[Shot]:
    """Which pages of ``site`` to capture (see the module docstring)."""
    shots = []
    home = site.final(Probe.HOME)
    if home is not None and home.answered and home.status and home.status < 300:
        shots.append(Shot("home", home.url, f"Home page ({home.status})"))
    nf = site.final(Probe.NOT_FOUND)
    if nf is not None and nf.answered:
        kind = pages.debug_page(nf.text)
        shots.append(
            Shot("404", nf.url, f"404 page ({nf.status})" + (f": Django's {kind} DEBUG page" if kind else ""))
        )
    if site.admin_login:
        shots.append(Shot("admin-login", site.admin_login, "Django admin login, reachable by anyone"))
    for name in (Probe.BOGUS_HOST, Probe.BOGUS_HOST_HTTP):
        ex = site.final(name)
        if ex is not None and ex.answered and pages.debug_page(ex.text):
            root = origin_of(ex.url) + "/"
            caption = f"Django's DEBUG page, answered to Host: {ex.host_header} ({ex.status})"
            shots.append(Shot("debug", root, caption, body=ex))
            break
    return shots


def resolver_rules(sites: Sequence[SiteFacts], opts: ProbeOptions) -> str:
    """Chromium ``--host-resolver-rules``: ``--resolve`` mappings, the probed hosts, nothing else."""
    rules = [
        f"EXCLUDE {s.host}" for s in sites if not any(h == s.host for h, _ in opts.client.resolver.entries)
    ]
    for (host, port), addr in opts.client.resolver.entries.items():
        rules.append(f"MAP {host}:{port} {addr}:{port}")
    rules.append("MAP * ~NOTFOUND")
    return ", ".join(rules)


def _slug(site: SiteFacts) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", site.host).strip("-") or "site"


async def capture_all(
    sites: Sequence[SiteFacts], opts: ProbeOptions, directory: Path, *, per_host_dirs: bool = False
) -> dict[str, tuple[tuple[Screenshot, ...], str]]:
    """Capture every site's planned pages; ``{host: (screenshots, note)}``.

    PNGs go to ``directory`` (``directory/<host>/`` with ``per_host_dirs``), named
    ``<host>-<page>.png`` (or ``<page>.png``); :attr:`Screenshot.path` is absolute.
    Never raises: a missing browser or a failed capture becomes the note.
    """
    plans = {s.host: plan(s) for s in sites}
    if not any(plans.values()):
        return {s.host: ((), "nothing to capture (no page answered)") for s in sites}
    exe = chromium_path()
    if exe is None:
        return {s.host: ((), no_browser_reason()) for s in sites}
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        return {s.host: ((), "Playwright is not installed (pip install playwright)") for s in sites}
    results: dict[str, list[Screenshot]] = {s.host: [] for s in sites}
    failures: dict[str, list[str]] = {s.host: [] for s in sites}
    args = [*CHROMIUM_ARGS, f"--host-resolver-rules={resolver_rules(sites, opts)}"]
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=exe, headless=True, args=args, timeout=30_000)
            limit = asyncio.Semaphore(PAGES_AT_ONCE)
            jobs = []
            for site in sites:
                folder = directory / _slug(site) if per_host_dirs else directory
                prefix = "" if per_host_dirs else _slug(site) + "-"
                for shot in plans[site.host]:
                    path = (folder / f"{prefix}{shot.name}.png").resolve()
                    jobs.append(_one(browser, site, shot, path, opts, limit, results, failures))
            await asyncio.gather(*jobs)
            await browser.close()
    except Exception as exc:  # the browser did not start or died: the audit goes on
        text = " ".join(str(exc).split())[:200]
        return {s.host: ((), f"chromium could not be driven: {text}") for s in sites}
    order = {"home": 0, "404": 1, "admin-login": 2, "debug": 3}
    out = {}
    for site in sites:
        shots = tuple(sorted(results[site.host], key=lambda s: order.get(s.name, 9)))
        out[site.host] = (shots, "; ".join(failures[site.host]))
    return out


class Gate:
    """The request interception of one page's context: what it let through, what it blocked.

    :meth:`request` lets a request out when its method is in :data:`BROWSER_METHODS`, its
    origin in ``allowed`` and the page is under ``cap``; it aborts it otherwise.
    :meth:`paused` judges each redirect before chromium follows it;
    :meth:`websocket` closes every WebSocket without connecting it to the server.
    """

    def __init__(self, allowed: set[str], cap: int = REQUESTS_PER_PAGE) -> None:
        self.allowed = allowed
        self.cap = cap
        self.loaded = 0
        self.blocked = 0

    def admits(self, method: str, url: str) -> bool:
        """True when a request ``method url`` may go out now (counted as loaded)."""
        if method.upper() in BROWSER_METHODS and origin_of(url) in self.allowed and self.loaded < self.cap:
            self.loaded += 1
            return True
        self.blocked += 1
        return False

    async def request(self, route: Any) -> None:
        """Playwright's route handler: continue or abort ``route.request``."""
        if self.admits(route.request.method, route.request.url):
            await route.continue_()
        else:
            await route.abort("blockedbyclient")

    def follows(self, request_url: str, status: int, headers: list[dict[str, str]]) -> bool:
        """Whether the browser may follow a redirect (``status`` 3xx, ``headers`` the CDP
        ``responseHeaders``) of ``request_url``: its next hop is a request of its own,
        admitted as :meth:`admits` admits a first one (to an allowed origin, under the
        cap; a 307 or 308 keeps a method the route already admitted)."""
        if not 300 <= status < 400:
            return True
        location = next((h.get("value", "") for h in headers if h.get("name", "").lower() == "location"), "")
        if not location:
            return True
        return self.admits("GET", urljoin(request_url, location))

    async def paused(self, cdp: Any, event: dict[str, Any]) -> None:
        """CDP ``Fetch.requestPaused`` at the response stage
        (https://chromedevtools.github.io/devtools-protocol/tot/Fetch/#event-requestPaused):
        Playwright's route handler is called for the first request of a redirect chain
        only, so each redirect is judged here, before chromium follows it: failed
        (``BlockedByClient``) when :meth:`follows` says no, else let through."""
        request_id = event.get("requestId")
        status = event.get("responseStatusCode")
        go = status is None or self.follows(
            str((event.get("request") or {}).get("url", "")), int(status), event.get("responseHeaders") or []
        )
        with contextlib.suppress(Exception):  # the page may be closing
            if go:
                await cdp.send("Fetch.continueRequest", {"requestId": request_id})
            else:
                await cdp.send(
                    "Fetch.failRequest", {"requestId": request_id, "errorReason": "BlockedByClient"}
                )

    async def websocket(self, ws: Any) -> None:
        """Playwright's WebSocket route handler: never connected to the server (no
        ``connect_to_server``), closed at once, counted as blocked."""
        self.blocked += 1
        await ws.close()


async def _one(
    browser: Any,
    site: SiteFacts,
    shot: Shot,
    path: Path,
    opts: ProbeOptions,
    limit: asyncio.Semaphore,
    results: dict[str, list[Screenshot]],
    failures: dict[str, list[str]],
) -> None:
    gate = Gate({o for o in (site.http_origin, site.https_origin) if o})
    trust_anyway = opts.client.insecure or opts.client.cacert is not None
    timeout_ms = opts.client.timeout * 1000
    async with limit:
        context = await browser.new_context(
            ignore_https_errors=trust_anyway,
            viewport=VIEWPORT,
            service_workers="block",
            accept_downloads=False,
        )
        try:
            await context.route("**/*", gate.request)
            await context.route_web_socket(re.compile(".*"), gate.websocket)
            page = await context.new_page()
            if shot.body is not None:
                captured = shot.body

                async def serve(route: Any) -> None:  # a page route: it takes precedence
                    await route.fulfill(
                        status=captured.status or 200,
                        content_type=captured.header("Content-Type") or "text/html",
                        body=captured.body,
                    )

                await page.route(shot.url, serve)
            cdp = await context.new_cdp_session(page)
            cdp.on("Fetch.requestPaused", lambda event: asyncio.ensure_future(gate.paused(cdp, event)))
            await cdp.send("Fetch.enable", {"patterns": [{"urlPattern": "*", "requestStage": "Response"}]})
            await page.goto(shot.url, timeout=timeout_ms, wait_until="load")
            with contextlib.suppress(Exception):  # a page that never goes quiet is shot as it is
                await page.wait_for_load_state("networkidle", timeout=SETTLE_MS)
            make_folder(path.parent)
            await page.screenshot(path=str(path), timeout=timeout_ms)
            results[site.host].append(
                Screenshot(
                    name=shot.name,
                    url=shot.url,
                    path=str(path),
                    caption=shot.caption,
                    requests_loaded=gate.loaded,
                    requests_blocked=gate.blocked,
                )
            )
        except Exception as exc:
            failures[site.host].append(f"{shot.name}: {' '.join(str(exc).split())[:160]}")
        finally:
            await context.close()
