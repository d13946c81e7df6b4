"""Traefik's routers as :class:`golive.facts.proxies.Route` values.

Traefik's configuration has two halves (https://doc.traefik.io/traefik/getting-started/configuration-overview/):
the *static* one (entrypoints, API, providers) in ``traefik.yml``/``traefik.toml`` or the
``--flags`` of the container's command, and the *dynamic* one (routers, middlewares) in
Docker labels of the routed containers or in files of the file provider. Read here:

* entrypoints: ``address`` (``:80``), ``http.redirections.entryPoint.to``/``.scheme``
  ("EntryPoints / HTTP / Redirection": every request on that entrypoint is redirected),
  ``http.tls`` (every router on it is TLS) and ``http.middlewares``
  (https://doc.traefik.io/traefik/routing/entrypoints/);
* ``api.insecure`` (the API and dashboard on the ``traefik`` entrypoint, port 8080, with no
  authentication: https://doc.traefik.io/traefik/operations/api/#insecure);
* routers: ``rule``, ``entryPoints`` (all of them when unset), ``tls`` ("the router is
  dedicated to HTTPS requests only") and ``middlewares``
  (https://doc.traefik.io/traefik/routing/routers/);
* middlewares: ``redirectScheme.scheme`` (https://doc.traefik.io/traefik/middlewares/http/redirectscheme/)
  and ``headers.stsSeconds`` (https://doc.traefik.io/traefik/middlewares/http/headers/).

Label and flag keys are matched case-insensitively, as Traefik does. Pure reading of
already-parsed data: the collector passes Compose services and parsed files in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from msgspec import Struct, field

from golive.facts.compose import Service
from golive.facts.proxies import OpenApi, Route
from golive.model import Location

HOST_RE = re.compile(r"Host(?:SNI)?\(([^)]*)\)")


class EntryPoint(Struct):
    """One entrypoint of the static configuration, with where each part was read."""

    name: str
    address: str = ""
    redirect_to: str = ""
    tls: bool = False
    middlewares: list[str] = field(default_factory=list)
    where: str = ""

    @property
    def port(self) -> int | None:
        match = re.search(r":(\d+)(?:/\w+)?$", self.address)
        return int(match.group(1)) if match else None

    @property
    def plain(self) -> bool | None:
        """True: plain http; False: TLS; None: its address is unknown."""
        if self.tls or self.port == 443:
            return False
        return True if self.port is not None else None


class Static(Struct):
    """The static configuration seen (merged over every source)."""

    entrypoints: dict[str, EntryPoint] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    open_api: list[OpenApi] = field(default_factory=list)
    exposed_by_default: bool = True

    def entrypoint(self, name: str) -> EntryPoint:
        return self.entrypoints.setdefault(name.lower(), EntryPoint(name=name))


class Dynamic(Struct):
    """Routers and middlewares seen: name → (flat lower-case key → value, location)."""

    routers: dict[str, tuple[dict[str, str], Location, str]] = field(default_factory=dict)
    middlewares: dict[str, tuple[dict[str, str], str]] = field(default_factory=dict)


def flatten(node: Any, prefix: str = "") -> dict[str, str]:
    """A nested mapping as ``a.b.c`` keys (lower case) → string values; lists joined by ``,``."""
    out: dict[str, str] = {}
    if isinstance(node, Mapping):
        if not node and prefix:  # `tls: {}` turns the option on with its defaults
            out[prefix.rstrip(".")] = "true"
        for key, value in node.items():
            out.update(flatten(value, f"{prefix}{str(key).lower()}."))
    elif isinstance(node, list):
        if all(not isinstance(v, (Mapping, list)) for v in node):
            out[prefix.rstrip(".")] = ",".join(str(v) for v in node)
        else:
            for i, v in enumerate(node):
                out.update(flatten(v, f"{prefix}{i}."))
    elif node is not None:
        out[prefix.rstrip(".")] = str(node).lower() if isinstance(node, bool) else str(node)
    return out


def read_static(flat: Mapping[str, str], where: str, static: Static, published: Iterable[str] = ()) -> None:
    """Merge one static configuration (flat keys: ``entrypoints.web.address``) into ``static``."""
    static.seen.append(where)
    for key, value in flat.items():
        m = re.fullmatch(r"entrypoints\.([^.]+)\.(.+)", key)
        if m:
            ep = static.entrypoint(m.group(1))
            rest = m.group(2)
            ep.where = ep.where or where
            if rest == "address":
                ep.address = value
            elif rest == "http.redirections.entrypoint.to":
                ep.redirect_to = value
            elif rest.startswith("http.tls"):
                ep.tls = ep.tls or value.lower() not in ("false", "")
            elif rest == "http.middlewares":
                ep.middlewares += [v.strip() for v in value.split(",") if v.strip()]
        elif key == "api.insecure" and value.lower() == "true":
            wide = [p for p in published if re.search(r"(^|:)8080(:8080)?$", p) and not p.startswith("127.")]
            static.open_api.append(
                OpenApi(
                    location=Location(path=where.split(" ", 1)[0]),
                    evidence=f"{where}: api.insecure=true",
                    published=wide[0] if wide else "",
                )
            )
        elif key == "providers.docker.exposedbydefault" and value.lower() == "false":
            static.exposed_by_default = False


def flags(command: str) -> dict[str, str]:
    """``--a.b=c`` flags of a command (lower-case keys); a bare ``--a.b`` is ``true``."""
    out: dict[str, str] = {}
    for word in command.split():
        if word.startswith("--"):
            key, eq, value = word[2:].partition("=")
            out[key.lower()] = value if eq else "true"
    return out


def read_labels(service: Service, labels: Mapping[str, str], dynamic: Dynamic, lines: list[str]) -> None:
    """Routers and middlewares of one container's ``traefik.http.*`` labels."""
    flat = {k.lower(): v for k, v in labels.items()}
    for key, value in flat.items():
        m = re.fullmatch(r"traefik\.http\.(routers|middlewares)\.([^.]+)\.(.+)", key)
        if not m:
            continue
        kind, name, rest = m.groups()
        if kind == "routers":
            entry = dynamic.routers.setdefault(
                name,
                (
                    {},
                    Location(path=service.file, line=_line(lines, f"traefik.http.routers.{name}.")),
                    f"{service.file} service {service.name}",
                ),
            )
        else:
            mw = dynamic.middlewares.setdefault(name, ({}, f"{service.file} service {service.name}"))
            mw[0][rest] = value
            continue
        entry[0][rest] = value


def read_file_dynamic(flat: Mapping[str, str], shown: str, dynamic: Dynamic, lines: list[str]) -> None:
    """Routers and middlewares of a file-provider file (flat keys ``http.routers.app.rule``)."""
    for key, value in flat.items():
        m = re.fullmatch(r"http\.(routers|middlewares)\.([^.]+)\.(.+)", key)
        if not m:
            continue
        kind, name, rest = m.groups()
        if kind == "routers":
            entry = dynamic.routers.setdefault(
                name, ({}, Location(path=shown, line=_line(lines, name)), shown)
            )
        else:
            mw = dynamic.middlewares.setdefault(name, ({}, shown))
            mw[0][rest] = value
            continue
        entry[0][rest] = value


def _line(lines: list[str], needle: str) -> int | None:
    low = needle.lower()
    return next((i for i, ln in enumerate(lines, 1) if low in ln.lower()), None)


def _names(value: str) -> list[str]:
    return [v.strip().split("@", 1)[0].lower() for v in value.split(",") if v.strip()]


def _redirect_mw(dynamic: Dynamic, names: Iterable[str]) -> str | None:
    for mw in names:
        found = dynamic.middlewares.get(mw)
        if found and found[0].get("redirectscheme.scheme", "").lower() == "https":
            return f"middleware {mw} ({found[1]}): redirectscheme.scheme=https"
    return None


def _hsts_mw(dynamic: Dynamic, names: Iterable[str]) -> tuple[int, str] | None:
    for mw in names:
        found = dynamic.middlewares.get(mw)
        value = found[0].get("headers.stsseconds", "") if found else ""
        if found and value.isdigit():
            return int(value), f"middleware {mw} ({found[1]}): headers.stsSeconds={value}"
    return None


def routes(static: Static, dynamic: Dynamic) -> list[Route]:
    """Each router as a :class:`Route`: plain http or TLS by its entrypoints and ``tls``,
    redirected by its entrypoints' redirection or a ``redirectScheme`` middleware, HSTS by a
    ``headers`` middleware (its own or its entrypoints')."""
    out = []
    for name, (conf, location, where) in sorted(dynamic.routers.items(), key=lambda r: str(r[1][1])):
        rule = conf.get("rule", "")
        hosts = tuple(h.strip(" `'\"") for m in HOST_RE.finditer(rule) for h in m.group(1).split(","))
        own_tls = any((k == "tls" and v.lower() != "false") or k.startswith("tls.") for k, v in conf.items())
        wanted = _names(conf.get("entrypoints", ""))
        eps = (
            [static.entrypoints[e] for e in wanted if e in static.entrypoints]
            if wanted
            else list(static.entrypoints.values())
        )
        missing = [e for e in wanted if e not in static.entrypoints]
        mws = _names(conf.get("middlewares", ""))
        ep_mws = [m for ep in eps for m in _names(",".join(ep.middlewares))]
        plain: bool | None
        unknown = None
        redirect = None
        if own_tls:
            plain = False
        else:
            plains = [ep for ep in eps if ep.plain is True]
            if plains:
                plain = True
                redirects = [ep for ep in plains if ep.redirect_to]
                if len(redirects) == len(plains):
                    ep = redirects[0]
                    redirect = (
                        f"entrypoint {ep.name} ({ep.where}): address={ep.address},"
                        f" http.redirections.entryPoint.to={ep.redirect_to}"
                    )
            elif eps and not missing and all(ep.plain is False for ep in eps):
                plain = False
            else:
                plain = None
                what = ", ".join(missing) or "its entrypoints"
                unknown = (
                    f"the address of {what} is not in the static configuration golive read"
                    if static.seen
                    else "Traefik's static configuration (entrypoints) was not found"
                )
        redirect = redirect or _redirect_mw(dynamic, mws)
        hsts = _hsts_mw(dynamic, [*mws, *ep_mws])
        out.append(
            Route(
                proxy="Traefik",
                name=name,
                location=location,
                hosts=hosts,
                plain_http=plain,
                tls=own_tls or any(ep.plain is False for ep in eps),
                redirect=redirect,
                hsts=hsts[0] if hsts else None,
                hsts_at=hsts[1] if hsts else None,
                unknown=unknown,
                how=where,
            )
        )
    return out
