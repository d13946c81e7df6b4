"""Fly.io's proxy as :class:`golive.facts.proxies.Route` values, from ``fly.toml``.

Fly's edge proxy terminates TLS for the ports whose ``handlers`` hold ``tls`` and passes
plain http on the others; ``force_https = true`` makes it redirect plain-http requests to
https (https://fly.io/docs/reference/configuration/#the-http_service-section, "force_https",
and #the-services-sections, "services.ports"). ``[http_service]`` is port 80 (http) and 443
(tls, http); ``http_options.response.headers`` adds response headers (HSTS among them).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from typing import Any

from golive.facts.proxies import Route
from golive.model import Location

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d+)", re.I)


def _line(lines: list[str], needle: str) -> int | None:
    return next((i for i, ln in enumerate(lines, 1) if ln.strip().startswith(needle)), None)


def _hsts(service: Mapping[str, Any]) -> str | None:
    headers = ((service.get("http_options") or {}).get("response") or {}).get("headers") or {}
    for name, value in headers.items() if isinstance(headers, Mapping) else ():
        if str(name).lower() == "strict-transport-security":
            return str(value[0] if isinstance(value, list) and value else value)
    return None


def routes(text: str, shown: str) -> list[Route]:
    """The http services of a fly.toml (``text``); raises ``tomllib.TOMLDecodeError``."""
    data = tomllib.loads(text)
    lines = text.splitlines()
    app = str(data.get("app") or "app")
    out = []
    http_service = data.get("http_service")
    if isinstance(http_service, Mapping):
        force = http_service.get("force_https") is True
        hsts = _hsts(http_service)
        out.append(
            _route(
                f"{app} [http_service]",
                shown,
                _line(lines, "[http_service]"),
                True,
                True,
                f"{shown}: [http_service] force_https = true" if force else None,
                hsts,
            )
        )
    for i, service in enumerate(data.get("services") or []):
        if not isinstance(service, Mapping):
            continue
        ports = [p for p in service.get("ports") or [] if isinstance(p, Mapping)]
        webs = [p for p in ports if "http" in (p.get("handlers") or [])]
        if not webs:
            continue
        plain = [p for p in webs if "tls" not in (p.get("handlers") or [])]
        forced = [p for p in plain if p.get("force_https") is True]
        redirect = (
            f"{shown}: [[services.ports]] port {forced[0].get('port')} force_https = true"
            if plain and len(forced) == len(plain)
            else None
        )
        where = _line(lines, "[[services]]")
        out.append(
            _route(
                f"{app} [[services]] #{i + 1} (internal_port {service.get('internal_port')})",
                shown,
                where,
                bool(plain),
                len(plain) < len(webs),
                redirect,
                _hsts(service),
            )
        )
    return out


def _route(
    name: str, shown: str, line: int | None, plain: bool, tls: bool, redirect: str | None, hsts: str | None
) -> Route:
    match = MAX_AGE.search(hsts or "")
    return Route(
        proxy="Fly.io",
        name=name,
        location=Location(path=shown, line=line),
        plain_http=plain,
        tls=tls,
        redirect=redirect,
        hsts=int(match.group(1)) if match else None,
        hsts_at=f"{shown}: http_options.response.headers Strict-Transport-Security = {hsts}"
        if hsts
        else None,
        how="fly.toml",
    )
