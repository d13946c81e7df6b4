"""The https redirect and HSTS of a Traefik or Caddy in front of nginx, from the Compose file
(issue 13): what :mod:`golive.checks.django_proxy` reads when nginx is reached only through
such a proxy (:attr:`golive.facts.nginx.NginxDeployment.front`).

Traefik (https://doc.traefik.io/traefik/): an entrypoint on port 80 with
``--entrypoints.<ep>.http.redirections.entrypoint.to=<tls ep>`` redirects every request on
it ("EntryPoints / HTTP / Redirection"), as does a ``redirectscheme`` middleware with
``scheme=https`` on the routers of the routed service; HSTS is a ``headers`` middleware with
``stsSeconds`` used by every router of the routed service (its ``middlewares`` label; the
middleware may be declared on any container). Caddy with caddy-docker-proxy labels: a site
address with a host name gets Caddy's automatic HTTPS, which redirects http to https
(https://caddyserver.com/docs/automatic-https); HSTS only from a
``caddy.header.Strict-Transport-Security`` label. Traefik's and Caddy's own files (and
Fly.io's fly.toml) are read by :mod:`golive.collectors.proxies`: :func:`edge_verdict` judges
their routes when no nginx stands between them and Django.
"""

from __future__ import annotations

import re

from msgspec import Struct

from golive.facts.compose import Service
from golive.facts.nginx import NginxDeployment, NginxFacts
from golive.facts.proxies import ProxyFacts
from golive.model import Location

MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d+)", re.I)


class FrontVerdict(Struct, frozen=True):
    """What the proxies in front showed: ``proof`` lines (every routed service is covered),
    ``unsure`` lines (why not), and the proxy's name for the reason."""

    proof: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()
    proxy: str = ""
    location: Location | None = None


def _fronts(nginx: NginxFacts) -> list[NginxDeployment]:
    out: list[NginxDeployment] = []
    for f in nginx.parsed:
        dep = f.deployment
        if dep is not None and dep.front is not None and all(d.service.name != dep.service.name for d in out):
            out.append(dep)
    return out


def _kind(front: Service) -> str:
    text = f"{front.image} {front.name}".lower()
    return "Traefik" if "traefik" in text else "Caddy" if "caddy" in text else ""


def _flags(front: Service) -> dict[str, str]:
    """``--a.b=c`` flags of the proxy's command."""
    out = {}
    for word in front.command.split():
        key, eq, value = word.lstrip("-").partition("=")
        if eq and word.startswith("--"):
            out[key.lower()] = value
    return out


def _routers(service: Service) -> list[str]:
    names = []
    for key in service.labels:
        match = re.match(r"traefik\.http\.routers\.([^.]+)\.", key)
        if match and match.group(1) not in names:
            names.append(match.group(1))
    return names


def _middlewares(service: Service, router: str) -> list[str]:
    value = service.labels.get(f"traefik.http.routers.{router}.middlewares", "")
    return [m.strip().split("@", 1)[0] for m in value.split(",") if m.strip()]


def _label(dep: NginxDeployment, key: str) -> tuple[Service, str] | None:
    """The service declaring label ``key`` (middlewares may sit on any container), and its value."""
    for service in (dep.service, *dep.siblings):
        if key in service.labels:
            return service, service.labels[key]
    return None


def _traefik_redirect(dep: NginxDeployment, front: Service) -> str | None:
    flags = _flags(front)
    for key, value in flags.items():
        match = re.fullmatch(r"entrypoints\.([^.]+)\.http\.redirections\.entrypoint\.to", key)
        if match and flags.get(f"entrypoints.{match.group(1)}.address", "").endswith(":80"):
            ep = match.group(1)
            address = flags[f"entrypoints.{ep}.address"]
            return (
                f"{front.file} service {front.name}: --entrypoints.{ep}.address={address}"
                f" --entrypoints.{ep}.http.redirections.entrypoint.to={value}"
                f" (every request on :80 is redirected to the entrypoint {value})"
            )
    for router in _routers(dep.service):
        for mw in _middlewares(dep.service, router):
            found = _label(dep, f"traefik.http.middlewares.{mw}.redirectscheme.scheme")
            if found and found[1].lower() == "https":
                return (
                    f"{dep.service.file} service {dep.service.name}: router {router} uses middleware {mw}:"
                    f" traefik.http.middlewares.{mw}.redirectscheme.scheme=https"
                )
    return None


def _caddy_site(dep: NginxDeployment) -> str | None:
    site = dep.service.labels.get("caddy", "")
    hosts = [h for h in re.split(r"[\s,]+", site) if h and not h.startswith((":", "http://"))]
    return hosts[0] if hosts and "." in hosts[0] else None


def front_redirect(nginx: NginxFacts) -> FrontVerdict:
    """Whether the proxies in front of every internal nginx redirect plain http to https."""
    proof: list[str] = []
    unsure: list[str] = []
    kinds: list[str] = []
    for dep in _fronts(nginx):
        front = dep.front
        assert front is not None
        kind = _kind(front)
        kinds.append(kind or front.name)
        line = None
        if kind == "Traefik":
            line = _traefik_redirect(dep, front)
        elif kind == "Caddy" and (host := _caddy_site(dep)):
            line = (
                f"{dep.service.file} service {dep.service.name}: caddy={host} (Caddy's automatic HTTPS"
                " redirects http to https for a site address with a host name)"
            )
        if line:
            proof.append(line)
        else:
            unsure.append(
                f"not settled by {kind or front.name}: no redirection to https in {front.file}"
                f" (its own configuration file, if any, is not read)"
            )
    return _verdict(proof, unsure, kinds, nginx)


def _verdict(proof: list[str], unsure: list[str], kinds: list[str], nginx: NginxFacts) -> FrontVerdict:
    """Proof only when nothing is unsure; located in the Compose file of the first front."""
    fronts = _fronts(nginx)
    where = Location(path=fronts[0].service.file) if fronts and proof and not unsure else None
    return FrontVerdict(
        tuple(proof) if not unsure else (), tuple(unsure), "/".join(dict.fromkeys(kinds)), where
    )


def front_hsts(nginx: NginxFacts, minimum: int) -> FrontVerdict:
    """Whether the proxies in front send HSTS of at least ``minimum`` seconds on every router
    (Traefik) or site (Caddy) that reaches an internal nginx."""
    proof: list[str] = []
    unsure: list[str] = []
    kinds: list[str] = []
    for dep in _fronts(nginx):
        front = dep.front
        assert front is not None
        kind = _kind(front)
        kinds.append(kind or front.name)
        where = f"{dep.service.file} service {dep.service.name}"
        if kind == "Traefik":
            routers = _routers(dep.service)
            for router in routers:
                line = None
                for mw in _middlewares(dep.service, router):
                    found = _label(dep, f"traefik.http.middlewares.{mw}.headers.stsSeconds")
                    if found and found[1].isdigit() and int(found[1]) >= minimum:
                        line = (
                            f"{where}: router {router} uses middleware {mw}:"
                            f" traefik.http.middlewares.{mw}.headers.stsSeconds={found[1]}"
                        )
                if line:
                    proof.append(line)
                else:
                    unsure.append(
                        f"not settled by Traefik: the router {router} ({where}) uses no headers middleware"
                        " with stsSeconds"
                    )
            if not routers:
                unsure.append(f"not settled by Traefik: no router label on {where}")
        elif kind == "Caddy":
            value = dep.service.labels.get("caddy.header.Strict-Transport-Security", "")
            match = MAX_AGE.search(value)
            if match and int(match.group(1)) >= minimum:
                proof.append(f"{where}: caddy.header.Strict-Transport-Security={value}")
            else:
                unsure.append(
                    f"not settled by Caddy: no caddy.header.Strict-Transport-Security label on {where}"
                )
        else:
            unsure.append(f"not settled by {front.name}: its configuration is not read")
    return _verdict(proof, unsure, kinds, nginx)


def edge_verdict(proxy: ProxyFacts | None, *, redirect: bool, minimum: int) -> FrontVerdict:
    """What the Traefik, Caddy and Fly.io configurations golive read
    (:class:`golive.facts.proxies.ProxyFacts`) show for Django's W008 (``redirect``) or W004
    (HSTS of at least ``minimum`` seconds): proof only when every route settles it (each
    redirects plain http or answers TLS only; each https route adds the header). Empty when
    no route was read."""
    if proxy is None or not proxy.routes:
        return FrontVerdict()
    proof: list[str] = []
    unsure: list[str] = []
    kinds = [r.proxy for r in proxy.routes]
    for route in proxy.routes:
        if redirect:
            if route.plain_http is None:
                unsure.append(f"not settled by {route.label}: {route.unknown}")
            elif route.serves_plain_http:
                unsure.append(f"not settled by {route.label} ({route.location}): it answers plain http")
            elif route.redirect:
                proof.append(f"{route.label}: {route.redirect}")
            else:
                proof.append(f"{route.label} ({route.location}) answers https only")
        elif route.tls:
            if route.hsts is not None and route.hsts >= minimum and route.hsts_at:
                proof.append(f"{route.label}: {route.hsts_at}")
            else:
                unsure.append(
                    f"not settled by {route.label} ({route.location}): no Strict-Transport-Security"
                    f" of at least {minimum} seconds"
                )
    where = proxy.routes[0].location if proof and not unsure else None
    return FrontVerdict(
        tuple(proof) if not unsure else (), tuple(unsure), "/".join(dict.fromkeys(kinds)), where
    )
