"""The HTTP client of the live probes: httpx, polite and bounded.

- Methods: GET, HEAD and OPTIONS only (:class:`ProbeClient` refuses anything else).
- Every request has a deadline (``timeout`` seconds for the whole exchange, body
  included), reads at most ``max_body`` bytes of the body (streamed, then the
  connection is dropped), and counts against a per-site budget of requests.
- Redirects are never followed by httpx; :meth:`ProbeClient.follow` follows them by hand,
  at most ``max_hops``, and never to another host.
- HTTP/2 where the site offers it (ALPN, RFC 9113 §3.2; httpx with ``h2``): the first https
  request of an origin offers it; once that connection speaks HTTP/2, every later request
  to the origin is a stream on it, at most :data:`HTTP2_STREAMS` at once. Until then, and
  on a site without HTTP/2, requests ride HTTP/1.1 connections, at most ``per_host`` at
  once (as many as a browser opens). An HTTP/2 answer cut at its cap is read on to its end
  (:meth:`ProbeClient._drain`); files that are large when served (:data:`BULKY`) and a
  request with a Host header of its own always ride HTTP/1.1, on a connection of its own
  kind: a server may answer it by dropping the connection (nginx's ``return 444``), which
  must not cut the other probes' streams.
- ``--resolve HOST:PORT:ADDR`` works like curl's: the connection goes to ADDR while the
  URL, the Host header, SNI and the certificate's host name check keep HOST. It is built
  on httpx's documented ``sni_hostname`` request extension
  (https://www.python-httpx.org/advanced/extensions/#request-extensions).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import re
import ssl
import sys
import threading
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from msgspec import Struct, field
from msgspec.structs import replace

# httpx's __init__ imports its own command-line client (httpx._main, which pulls in
# pygments and more of rich) whenever click and rich are installed, as they are with
# golive; that costs about a tenth of a second at each start. Likewise httpcore (which
# httpx imports when its first client is made) imports its HTTP/2 connection (h2, hpack:
# about 10 ms) whenever h2 is installed, though a probe needs it only once a site answers in
# HTTP/2 (httpcore's connection imports it then: :func:`_preload_http2` does it meanwhile,
# while the first connection is set up). Both guard the import with ``except ImportError``
# (stubs stand in), and a ``None`` entry in sys.modules makes an import raise ImportError.
# The entries are removed at once: a later ``import httpx._main`` or ``h2`` works as usual.
if "httpcore" not in sys.modules or "httpx" not in sys.modules:
    _blocked = [name for name in ("httpx._main", "h2") if name not in sys.modules]
    sys.modules.update(dict.fromkeys(_blocked))  # type: ignore[arg-type]
    try:
        import httpcore  # noqa: F401
        import httpx
    finally:
        for _name in _blocked:
            if sys.modules.get(_name, 0) is None:
                del sys.modules[_name]
import httpx

from golive import __version__
from golive.collectors.live.addresses import DEFAULT_PORTS as DEFAULT_PORTS
from golive.collectors.live.addresses import ResolveError as ResolveError
from golive.collectors.live.addresses import Resolver, origin_of
from golive.collectors.live.addresses import url_port as url_port
from golive.collectors.live.connection_trace import connected, request_trace
from golive.collectors.live.errors import closed_without_answer, describe_error
from golive.facts.live import Exchange, parse_set_cookie, redact_set_cookie

ALLOWED_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Streams in flight at once on a site's HTTP/2 connection (RFC 9113 §5.1.2 lets the server
#: cap it: nginx allows 128, browsers open up to 100): a few rounds of requests at most.
HTTP2_STREAMS = 16
#: Bytes read past its cap to end an HTTP/2 answer (:meth:`ProbeClient._drain`).
HTTP2_DRAIN = 1 << 20
#: Paths of files that are large when they are served (database dumps, archives): asked for
#: over HTTP/1.1 (cut at the cap, their connection is dropped; see :meth:`ProbeClient._drain`).
BULKY = re.compile(r"\.(sql|sqlite3?|db|dump|bak|gz|tgz|zip|tar|7z|rar|bz2|xz)$", re.IGNORECASE)
USER_AGENT = f"golive/{__version__} (+https://docs.djangoproject.com/en/stable/howto/deployment/checklist/)"


@functools.lru_cache(maxsize=8)
def ssl_context(cacert: Path | None) -> ssl.SSLContext:
    """A verifying client context: ``cacert`` when given (like curl's ``--cacert``, it
    replaces the system trust store), else the system trust store.

    Built once per ``cacert`` and shared (loading the system store costs a tenth of a
    second or more). Raises ``OSError``/``ssl.SSLError`` when ``cacert`` cannot be read.
    """
    return ssl.create_default_context(cafile=str(cacert) if cacert is not None else None)


@functools.lru_cache(maxsize=1)
def unverified_context() -> ssl.SSLContext:
    """The context of ``--insecure`` requests (no chain or name check), built once and
    shared: httpx builds one per client otherwise (for plain http too, where it goes
    unused), a few milliseconds for each site. The same as httpx's own ``verify=False``."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class ClientConfig(Struct, frozen=True, kw_only=True):
    """How requests are made: ``timeout`` seconds per exchange, ``max_body`` bytes read."""

    timeout: float = 10.0
    max_body: int = 1 << 20
    resolver: Resolver = field(default_factory=Resolver)
    cacert: Path | None = None
    insecure: bool = False
    budget: int = 48


class BudgetExceeded(RuntimeError):
    """The site's request budget is spent; the probe that asked is not made."""


class ProbeClient:
    """One site's client: an ``httpx.AsyncClient`` plus the limits of the probes.

    ``per_host`` and ``global_`` are semaphores shared by the sites of one run: a request
    holds both while it runs; ``connections`` (the per-host limit) is how many connections
    each scheme's pool keeps open and reuses. Use as ``async with ProbeClient(...) as client``.
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        per_host: asyncio.Semaphore,
        global_: asyncio.Semaphore,
        connections: int = 4,
    ) -> None:
        self.config = config
        self.connections = connections
        self.per_host = per_host
        self.global_ = global_
        self.used = 0
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._streams = asyncio.Semaphore(HTTP2_STREAMS)
        # https origin -> the protocol its first connection negotiated (ALPN: "h2",
        # "http/1.1"; "" when that connection failed), set as soon as its TLS handshake ends
        self._alpn: dict[str, asyncio.Future[str]] = {}
        self._busy = {"http": 0, "https": 0, "https/1.1": 0}  # requests under way, per client
        self._h2_off: set[str] = set()  # origins whose HTTP/2 connection is no longer used

    def _client(self, kind: str) -> httpx.AsyncClient:
        """One httpx client per kind, made on first use (a site probed over plain http
        never loads the trust store): ``http``, ``https`` (offers HTTP/2) and ``https/1.1``
        (HTTP/1.1 only)."""
        if kind not in self._clients:
            verify = unverified_context()
            if kind != "http" and not self.config.insecure:
                verify = ssl_context(self.config.cacert)
            # over HTTP/1.1, the first https connection and the others: ``connections`` in all
            most = max(1, self.connections - 1) if kind == "https/1.1" else self.connections
            options = dict(
                verify=verify,
                follow_redirects=False,
                trust_env=False,
                timeout=httpx.Timeout(self.config.timeout),
                limits=httpx.Limits(max_connections=most, max_keepalive_connections=most),
                headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.8"},
            )
            if kind == "https":
                _preload_http2()
            try:
                self._clients[kind] = httpx.AsyncClient(http2=kind == "https", **options)  # type: ignore[arg-type]
            except ImportError:  # h2 missing: HTTP/1.1 only
                self._clients[kind] = httpx.AsyncClient(**options)  # type: ignore[arg-type]
        return self._clients[kind]

    def _multiplexed(self, url: str, own_connection: bool) -> bool:
        """Whether ``url``'s origin is known to speak HTTP/2 (and the request may be a stream)."""
        if own_connection or not url.startswith("https:") or origin_of(url) in self._h2_off:
            return False
        alpn = self._alpn.get(origin_of(url))
        return alpn is not None and alpn.done() and alpn.result() == "h2"

    def _route(self, url: str, own_connection: bool) -> tuple[str, asyncio.Future[str] | None]:
        """(the client kind for a request about to start, the future to set with the protocol
        when it opens the origin's first connection); see the module docstring."""
        if not url.startswith("https:"):
            return "http", None
        if own_connection:
            return "https/1.1", None
        origin = origin_of(url)
        alpn = self._alpn.get(origin)
        if alpn is None:
            alpn = self._alpn[origin] = asyncio.get_running_loop().create_future()
            return "https", alpn
        if self._multiplexed(url, own_connection) or (alpn.done() and not self._busy["https"]):
            return "https", None  # HTTP/2, or its first connection over HTTP/1.1, idle: reused
        return "https/1.1", None

    async def negotiated(self, url: str) -> str:
        """The protocol the first connection to ``url``'s origin negotiated (``h2``,
        ``http/1.1``), waiting for its TLS handshake (at most the request timeout); ``""``
        when no request was made there yet, or that connection failed."""
        alpn = self._alpn.get(origin_of(url))
        if alpn is None:
            return ""
        with contextlib.suppress(asyncio.TimeoutError):
            return await asyncio.wait_for(asyncio.shield(alpn), timeout=self.config.timeout)
        return ""

    async def __aenter__(self) -> ProbeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for alpn in self._alpn.values():
            if not alpn.done():
                alpn.set_result("")
        for client in self._clients.values():
            await client.aclose()

    def _physical(self, url: str) -> tuple[str, dict[str, str], dict[str, object]]:
        """The URL to connect to, extra headers and extensions that apply ``--resolve``."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = url_port(url)
        addr = self.config.resolver.lookup(host, port)
        if addr is None:
            return url, {}, {}
        netloc_host = f"[{addr}]" if ":" in addr else addr
        physical = parts._replace(netloc=f"{netloc_host}:{port}").geturl()
        extensions: dict[str, object] = {"sni_hostname": host} if parts.scheme == "https" else {}
        return physical, {"Host": parts.netloc.rsplit("@", 1)[-1]}, extensions

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        host_header: str | None = None,
        max_body: int | None = None,
    ) -> Exchange:
        """Make one request; never raises for network faults (they land in ``error``).

        Raises :class:`ValueError` for a method other than GET/HEAD/OPTIONS and
        :class:`BudgetExceeded` when the site's budget is spent.
        """
        if method not in ALLOWED_METHODS:
            raise ValueError(f"golive never sends {method}: GET, HEAD and OPTIONS only")
        if self.used >= self.config.budget:
            raise BudgetExceeded(f"request budget of {self.config.budget} spent")
        self.used += 1
        shown = tuple((headers or {}).items())
        base = Exchange(method=method, url=url, host_header=host_header, request_headers=shown)
        own = host_header is not None or BULKY.search(urlsplit(url).path) is not None
        cap = max_body or self.config.max_body
        try:  # a stream of an HTTP/2 connection, else one of the per-host requests
            async with self._streams if self._multiplexed(url, own) else self.per_host, self.global_:
                kind, alpn = self._route(url, own)  # once under way: which connection is free
                self._busy[kind] += 1
                try:
                    job = self._send(base, headers or {}, host_header, cap, kind, alpn)
                    return await asyncio.wait_for(job, timeout=self.config.timeout)
                finally:
                    self._busy[kind] -= 1
                    if alpn is not None and not alpn.done():
                        alpn.set_result("")
        except httpx.RemoteProtocolError as exc:
            if closed_without_answer(exc):
                return _replace(base, closed=True)
            return _replace(base, error=describe_error(exc, self.config.timeout))
        except (httpx.HTTPError, asyncio.TimeoutError, OSError, ssl.SSLError) as exc:
            return _replace(base, error=describe_error(exc, self.config.timeout))

    async def _send(
        self,
        base: Exchange,
        headers: Mapping[str, str],
        host_header: str | None,
        cap: int,
        kind: str = "",
        alpn: asyncio.Future[str] | None = None,
    ) -> Exchange:
        physical, extra, extensions = self._physical(base.url)
        all_headers = {**extra, **headers}
        if host_header is not None:
            all_headers["Host"] = host_header
        if alpn is not None or not connected.is_set():
            extensions = {**extensions, "trace": request_trace(alpn)}
        client = self._client(kind or base.scheme)
        req = client.build_request(base.method, physical, headers=all_headers, extensions=extensions)
        response = await client.send(req, stream=True)
        try:
            body = bytearray()
            truncated = False
            if base.method != "HEAD":
                chunks = response.aiter_bytes()
                async for chunk in chunks:
                    body.extend(chunk)
                    if len(body) > cap:
                        truncated = True
                        del body[cap:]
                        break
                if truncated and response.http_version == "HTTP/2":
                    await self._drain(chunks, base.url)
        finally:
            await response.aclose()
        raw = response.headers.multi_items()
        cookies = tuple(
            c for k, v in raw if k.lower() == "set-cookie" for c in [parse_set_cookie(v, base.url)] if c
        )
        shown = tuple((k.title(), redact_set_cookie(v) if k.lower() == "set-cookie" else v) for k, v in raw)
        return _replace(
            base,
            status=response.status_code,
            reason=response.reason_phrase,
            http_version=response.http_version,
            headers=shown,
            body=bytes(body),
            truncated=truncated,
            cookies=cookies,
        )

    async def _drain(self, chunks: AsyncIterator[bytes], url: str) -> None:
        """Read the rest of an HTTP/2 answer cut at its cap, up to :data:`HTTP2_DRAIN` bytes,
        so that its stream ends: httpcore cannot reset one stream (encode/httpcore#943), so
        the server goes on sending it up to the stream's flow-control window (16 MiB: 15.8 MB
        of a 40 MB file measured on loopback, 3.9 MB over a dropped HTTP/1.1 connection), and
        those unread bytes hold the connection's window. Past that, the origin's later
        requests ride HTTP/1.1."""
        read = 0
        async for chunk in chunks:
            read += len(chunk)
            if read > HTTP2_DRAIN:
                self._h2_off.add(origin_of(url))
                return

    async def follow(
        self,
        url: str,
        *,
        max_hops: int = 4,
        headers: Mapping[str, str] | None = None,
        max_body: int | None = None,
    ) -> tuple[Exchange, ...]:
        """GET ``url`` and follow redirects on the same host (either scheme), at most ``max_hops``.

        Returns every exchange, the last one being the answer. A redirect to another
        host is not followed (the chain ends on it); a loop or too many hops ends the
        chain with an exchange whose ``error`` says so.
        """
        chain: list[Exchange] = []
        seen = {url}
        host = (urlsplit(url).hostname or "").lower()
        current = url
        while True:
            ex = await self.request("GET", current, headers=headers, max_body=max_body)
            chain.append(ex)
            location = ex.header("Location")
            if ex.status not in (301, 302, 303, 307, 308) or not location:
                return tuple(chain)
            target = urljoin(current, location)
            if (urlsplit(target).hostname or "").lower() != host:
                return tuple(chain)
            if target in seen or len(chain) > max_hops:
                what = "redirect loop" if target in seen else f"more than {max_hops} redirects"
                hops = " → ".join(e.path for e in chain) + f" → {urlsplit(target).path}"
                chain.append(Exchange(method="GET", url=target, error=f"{what}: {hops}"))
                return tuple(chain)
            seen.add(target)
            current = target


@functools.cache
def _preload_http2() -> None:
    """Import httpcore's HTTP/2 connection (h2) in a thread, once per process (``Thread.start``
    blocks the event loop until the thread runs), while the first https connection is set up,
    so that its answer does not wait for the import (see the import of httpx above). The
    thread starts importing once a TCP connect has ended (:data:`connected`, at most a second):
    before, it would hold the interpreter lock while the event loop sets up the first
    connections (about 10 ms on the home page's path in a cold process)."""
    threading.Thread(target=_import_http2, name="golive-http2", daemon=True).start()


def _import_http2() -> None:
    connected.wait(1.0)
    with contextlib.suppress(ImportError):
        importlib.import_module("httpcore._async.http2")


def _replace(ex: Exchange, **changes: object) -> Exchange:
    return replace(ex, **changes)
