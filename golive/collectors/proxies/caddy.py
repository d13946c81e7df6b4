"""Caddyfiles as :class:`golive.facts.proxies.Route` values, through ``caddy adapt``.

Caddy's own adapter turns a Caddyfile into its JSON configuration without starting the
server (``caddy adapt --config FILE --adapter caddyfile``,
https://caddyserver.com/docs/command-line#caddy-adapt); golive runs the ``caddy`` binary
found on PATH (Debian's package ``caddy``) with a timeout, in the file's folder, with an
empty environment but for ``{$VAR}`` placeholders (each set to a marker host name that golive
then treats as unknown). Read from the JSON (https://caddyserver.com/docs/json/apps/http/servers/):

* each server's ``listen`` addresses and ``automatic_https`` (``disable``,
  ``disable_redirects``, ``skip``): Caddy's automatic HTTPS serves a site with a host name
  over TLS and redirects its plain-http requests to https
  (https://caddyserver.com/docs/automatic-https#activation), unless the global option
  ``auto_https off``/``disable_redirects`` turns that off;
* each route's ``host`` matchers and handlers: ``reverse_proxy``/``file_server`` (the site
  is served), a ``static_response`` with an ``https://`` ``Location`` (a redirect), and a
  ``headers`` handler setting ``Strict-Transport-Security``.

A site on a listener without TLS (``http://example.com``, ``:80``) answers plain http.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from golive.facts.proxies import Route
from golive.model import Location

ENV_RE = re.compile(r"\{\$([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}")
MARKER = "golive-unset-{}.invalid"
MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d+)", re.I)
TIMEOUT = 15.0


class CaddyUnavailable(Exception):
    """``caddy`` is not on PATH: the Caddyfile cannot be adapted."""


def adapt(path: Path) -> dict[str, Any]:
    """The JSON configuration of the Caddyfile at ``path`` (``caddy adapt``). Raises
    :class:`CaddyUnavailable` without the binary, ``ValueError`` with caddy's first error line
    when it rejects the file, ``subprocess.TimeoutExpired`` past :data:`TIMEOUT` seconds."""
    binary = shutil.which("caddy")
    if binary is None:
        raise CaddyUnavailable("caddy is not installed (Debian's package caddy provides `caddy adapt`)")
    text = path.read_text(encoding="utf-8", errors="replace")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent"}
    env.update({name: MARKER.format(name.lower()) for name in ENV_RE.findall(text)})
    done = subprocess.run(
        [binary, "adapt", "--config", path.name, "--adapter", "caddyfile"],
        cwd=path.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.splitlines() if ln.startswith("Error")] or done.stderr.splitlines()
        raise ValueError((lines[0] if lines else f"caddy adapt exited {done.returncode}")[:300])
    data = json.loads(done.stdout or "{}")
    return data if isinstance(data, dict) else {}


def version() -> str:
    """``caddy version``'s first word, ``""`` when it cannot be run."""
    binary = shutil.which("caddy")
    if binary is None:
        return ""
    try:
        out = subprocess.run(
            [binary, "version"], capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (out.stdout.split() or [""])[0]


def _handlers(routes: list[Any]) -> Iterator[dict[str, Any]]:
    for route in routes or []:
        for handler in route.get("handle") or [] if isinstance(route, dict) else []:
            if not isinstance(handler, dict):
                continue
            yield handler
            if handler.get("handler") == "subroute":
                yield from _handlers(handler.get("routes") or [])


def _hsts(handler: dict[str, Any]) -> str | None:
    if handler.get("handler") != "headers":
        return None
    response = handler.get("response") or {}
    for op in ("set", "add"):
        for name, values in (response.get(op) or {}).items():
            if name.lower() == "strict-transport-security" and values:
                return str(values[0])
    return None


def _line(lines: list[str], hosts: tuple[str, ...], port: str) -> int | None:
    wanted = list(hosts) or [port]
    for i, ln in enumerate(lines, 1):
        words = re.split(r"[\s,{]+", ln.strip())
        for w in words:
            bare = re.sub(r"^https?://", "", w)
            if bare and any(bare == h or bare.startswith(h + ":") for h in wanted):
                return i
    return None


def routes(data: dict[str, Any], shown: str, text: str) -> list[Route]:
    """The sites of an adapted Caddyfile (``data``; ``text`` the Caddyfile, for lines)."""
    lines = text.splitlines()
    servers = ((data.get("apps") or {}).get("http") or {}).get("servers") or {}
    sites: dict[tuple[str, ...], dict[str, Any]] = {}
    for server in servers.values():
        listen = [str(a) for a in server.get("listen") or []]
        ports = {a.rsplit(":", 1)[-1] for a in listen}
        auto = server.get("automatic_https") or {}
        plain_listener = "443" not in ports and not server.get("tls_connection_policies")
        for route in server.get("routes") or []:
            hosts = tuple(sorted(h for m in route.get("match") or [] for h in m.get("host") or []))
            site = sites.setdefault(
                hosts, {"serves": [], "redirects": [], "hsts": None, "tls": [], "off": None}
            )
            handlers = list(_handlers([route]))
            kinds = {h.get("handler") for h in handlers}
            location = next(
                (
                    str((h.get("headers") or {}).get("Location", [""])[0])
                    for h in handlers
                    if h.get("handler") == "static_response"
                ),
                "",
            )
            for h in handlers:
                site["hsts"] = site["hsts"] or _hsts(h)
            port = sorted(ports)[0] if ports else ""
            if plain_listener:
                if location.startswith("https://") and not kinds & {"reverse_proxy", "file_server"}:
                    site["redirects"].append(f"{shown}: http:// site redirects to {location}")
                else:
                    site["serves"].append(port)
            else:
                site["tls"].append(port)
                if auto.get("disable"):
                    site["off"] = (
                        f"{shown}: auto_https off (Caddy's automatic HTTPS and its redirects are off)"
                    )
                elif auto.get("disable_redirects"):
                    site["off"] = f"{shown}: auto_https disable_redirects"
                elif hosts and not set(hosts) & set(auto.get("skip") or []):
                    site["redirects"].append(
                        f"{shown}: site {', '.join(hosts)} on :{port} (Caddy's automatic HTTPS redirects"
                        " http to https for a site with a host name)"
                    )
    out = []
    for hosts, site in sites.items():
        names = ", ".join(hosts) or ":" + ",".join(site["serves"] + site["tls"])
        unknown = None
        marked = [h for h in hosts if h.startswith("golive-unset-")]
        if marked:
            unknown = "its address comes from an environment variable ({$VAR}) golive does not know"
        elif not hosts and site["serves"]:
            unknown = "no host name: TLS may end before Caddy (a load balancer, a CDN, another proxy)"
        plain: bool | None = bool(site["serves"] or (site["redirects"] and not site["off"]))
        if marked:
            plain = None
        hsts = site["hsts"]
        match = MAX_AGE.search(hsts or "")
        out.append(
            Route(
                proxy="Caddy",
                name=names,
                hosts=hosts,
                location=Location(
                    path=shown, line=_line(lines, hosts, ":" + (site["serves"] or site["tls"] or [""])[0])
                ),
                plain_http=plain,
                tls=bool(site["tls"]),
                redirect=None if site["serves"] or not site["redirects"] else site["redirects"][0],
                hsts=int(match.group(1)) if match else None,
                hsts_at=f'{shown}: header Strict-Transport-Security "{hsts}"' if hsts else None,
                redirect_off=site["off"],
                unknown=unknown,
                how="caddy adapt",
            )
        )
    return out
