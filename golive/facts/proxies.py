"""Front proxies: the Traefik routers and Caddy sites that serve the application.

Built by :mod:`golive.collectors.proxies` from Compose labels and commands, Traefik's own
static and dynamic configuration files, and Caddyfiles (adapted to Caddy's JSON by
``caddy adapt``); read by :mod:`golive.checks.front_proxy`. Each :class:`Route` says what
golive saw about one router or site: whether it answers plain http, and with what evidence
it redirects to https and sends ``Strict-Transport-Security``. Pure data: nothing here
reads a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from msgspec import Struct

from golive.model import Location
from golive.registry import FactsBase


class Route(Struct, frozen=True, kw_only=True):
    """One Traefik router or Caddy site that reaches an application.

    ``proxy`` is ``Traefik`` or ``Caddy``; ``name`` the router name or the site address as
    written; ``hosts`` the host names it matches (``()``: any host, or unknown);
    ``location`` where it is declared. ``plain_http``: it answers requests on a plain-http
    entrypoint or address (True), only over TLS (False), or golive cannot tell (None, with
    ``unknown`` saying why); ``tls``: it also serves https. ``redirect``: the evidence that
    its plain-http requests are redirected to https (None: none seen). ``hsts``: the ``max-age`` of the
    ``Strict-Transport-Security`` header it adds, in seconds (None: it adds none), with
    ``hsts_at`` the evidence. ``redirect_off``: the configuration that turns the proxy's own
    redirect to https off (Caddy's ``auto_https off``/``disable_redirects``). ``how`` says
    where golive read it (``compose labels``, ``caddy adapt``...).
    """

    proxy: str
    name: str
    location: Location
    hosts: tuple[str, ...] = ()
    plain_http: bool | None = None
    tls: bool = False
    redirect: str | None = None
    hsts: int | None = None
    hsts_at: str | None = None
    redirect_off: str | None = None
    unknown: str | None = None
    how: str = ""

    @property
    def label(self) -> str:
        """``Traefik router app`` or ``Caddy site example.com``, for evidence lines."""
        kind = "router" if self.proxy == "Traefik" else "site"
        return f"{self.proxy} {kind} {self.name}"

    @property
    def serves_plain_http(self) -> bool:
        """True when the route answers plain http itself (the app, not a redirect)."""
        return self.plain_http is True and self.redirect is None


class OpenApi(Struct, frozen=True, kw_only=True):
    """Traefik's API and dashboard in insecure mode (``api.insecure``): ``location`` and
    ``evidence``; ``published`` the Compose port that publishes its entrypoint (``8080``)
    to every interface, ``""`` when none is seen."""

    location: Location
    evidence: str
    published: str = ""


class ProxyFacts(FactsBase, frozen=True, kw_only=True):
    """Every front proxy configuration golive read: ``routes`` (:class:`Route`), ``files``
    read (display paths with what was read in each), ``open_api`` (:class:`OpenApi`), and
    ``unread`` (files seen but not audited, with the reason)."""

    collector: ClassVar[str] = "front proxy"
    routes: tuple[Route, ...] = ()
    files: tuple[str, ...] = ()
    open_api: tuple[OpenApi, ...] = ()
    unread: tuple[str, ...] = ()

    @property
    def collector_details(self) -> Mapping[str, Any]:
        """What the report lists under this collector: the files read, each route, and the
        files not audited (``notes``)."""
        out: dict[str, Any] = {"files": list(self.files)}
        out["routes"] = [
            f"{r.label} ({r.location}): "
            + ("plain http" if r.plain_http else "TLS only" if r.plain_http is False else "unknown")
            + (", redirects to https" if r.redirect else "")
            + (f", HSTS max-age={r.hsts}" if r.hsts is not None else "")
            for r in self.routes
        ]
        if self.unread:
            out["notes"] = list(self.unread)
        return out
