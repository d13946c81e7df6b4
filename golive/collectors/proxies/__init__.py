"""The front proxies of the deployment: Traefik and Caddy (issue 12, "Others").

Discovered in the repository as :mod:`golive.collectors.deployment_files` walks it, and
classified by :class:`golive.collectors.layout.Layout` (only production and unknown files
are read; the others are listed as left out):

* Compose files: a service running the ``traefik`` image gives Traefik's static
  configuration through its command's ``--flags`` (and its published ports); every service's
  ``labels:`` and ``deploy.labels:`` give Traefik routers and middlewares
  (https://doc.traefik.io/traefik/providers/docker/#routing-configuration-with-labels);
* Traefik files (YAML with PyYAML's safe loader through :mod:`golive.yamlread`, TOML with
  :mod:`tomllib`): a top-level ``entryPoints`` is a static configuration, a top-level
  ``http:`` with ``routers``/``middlewares`` a file-provider dynamic one;
* ``fly.toml``: the http services of Fly.io's proxy (:mod:`golive.collectors.proxies.fly`);
* Caddyfiles (``Caddyfile``, ``Caddyfile.*``, ``*.caddyfile``), adapted to JSON by Debian's
  ``caddy adapt`` (:mod:`golive.collectors.proxies.caddy`); without ``caddy`` on PATH, or
  when caddy rejects the file, it is listed as not audited, with the reason.

Nothing is started. Raises :class:`golive.collectors.Skip` when the repository holds no
Traefik or Caddy configuration.
"""

from __future__ import annotations

import posixpath
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from golive import yamlread
from golive.collectors import CollectorSpec, Skip
from golive.collectors.deployment_files import audit_files, display_path
from golive.collectors.proxies import caddy, fly, traefik
from golive.context import AuditContext
from golive.facts.compose import Service, strings
from golive.facts.proxies import ProxyFacts, Route
from golive.parse_errors import describe

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SERVICES_RE = re.compile(r"^services\s*:", re.MULTILINE)
#: A top-level ``entryPoints``/``http`` key (YAML) or table (TOML): a Traefik file, maybe.
TRAEFIK_TEXT = re.compile(r"(?im)^\[?(entry_?points|http)\b")
PROXY_KIND = "proxy config"
MAX_SIZE = 1_000_000


def is_caddyfile(name: str) -> bool:
    """``Caddyfile``, ``Caddyfile.prod``, ``site.caddyfile``."""
    return name == "Caddyfile" or name.startswith("Caddyfile.") or name.lower().endswith(".caddyfile")


def _compose(
    path: Path,
    shown: str,
    project_dir: Path,
    static: traefik.Static,
    pending: list[tuple[Service, dict[str, str], list[str]]],
    files: list[str],
) -> None:
    """Read a Compose file's Traefik service flags into ``static``; its services' Traefik labels
    are added to ``pending`` (read once every static configuration is known: with
    ``providers.docker.exposedByDefault=false`` only ``traefik.enable=true`` services count)."""
    from golive.collectors.nginx.context import read_compose

    text = path.read_text(encoding="utf-8")
    data = yamlread.safe_load(text)
    services = read_compose(path, shown, posixpath.dirname(shown) or ".", {}, project_dir)
    raw = data.get("services") if isinstance(data, Mapping) else {}
    lines = text.splitlines()
    used = False
    proxies = [s for s in services if "traefik" in s.image.lower()]
    for service in proxies:
        flags = traefik.flags(service.command)
        if flags:
            traefik.read_static(flags, f"{shown} service {service.name} command", static, service.ports)
            used = True
    for service in services:
        spec = raw.get(service.name) if isinstance(raw, Mapping) else None
        deploy = spec.get("deploy") if isinstance(spec, Mapping) else None
        labels: dict[str, str] = dict(service.labels)
        if isinstance(deploy, Mapping):
            labels.update(strings(deploy.get("labels"), {}))
        if not any(k.lower().startswith("traefik.http.") for k in labels):
            continue
        pending.append((service, labels, lines))
        used = True
    if used or proxies:
        files.append(f"{shown} (Traefik: compose {'labels' if used else 'service'})")


def _traefik_file(
    path: Path, shown: str, static: traefik.Static, dynamic: traefik.Dynamic, files: list[str]
) -> None:
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text) if path.suffix == ".toml" else yamlread.safe_load(text)
    if not isinstance(data, Mapping):
        return
    keys = {str(k).lower() for k in data}
    flat = traefik.flatten(data)
    what = []
    if "entrypoints" in keys:
        traefik.read_static(flat, shown, static)
        what.append("static")
    http = data.get("http")
    if isinstance(http, Mapping) and ({"routers", "middlewares"} & {str(k).lower() for k in http}):
        traefik.read_file_dynamic(flat, shown, dynamic, text.splitlines())
        what.append("dynamic")
    if what:
        files.append(f"{shown} (Traefik {' and '.join(what)} configuration)")


def _caddyfile(path: Path, shown: str, files: list[str], unread: list[str]) -> list[Route]:
    try:
        data = caddy.adapt(path)
    except caddy.CaddyUnavailable as exc:
        unread.append(f"{shown} (Caddy): not audited: {exc}")
        return []
    except ValueError as exc:
        unread.append(f"{shown} (Caddy): not audited: caddy adapt: {exc}")
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    files.append(f"{shown} (Caddyfile, read with caddy adapt {caddy.version()})")
    return caddy.routes(data, shown, text)


def collect(ctx: AuditContext) -> ProxyFacts:
    """Read every Traefik and Caddy configuration of the project; :class:`Skip` when none."""
    from golive.collectors import layout as layout_mod
    from golive.collectors.layout import layout_of

    layout = layout_of(ctx)
    project_dir = ctx.project_dir
    static, dynamic = traefik.Static(), traefik.Dynamic()
    files: list[str] = []
    unread: list[str] = []
    edge_routes: list[Route] = []
    pending: list[tuple[Service, dict[str, str], list[str]]] = []
    for path in audit_files(ctx):  # the project collector's walk, shared (issue 15)
        name = path.name
        if not (is_caddyfile(name) or path.suffix in (".yml", ".yaml", ".toml")):
            continue
        shown = display_path(path, project_dir)
        ours = is_caddyfile(name) or "traefik" in name.lower()  # its errors are reported
        try:
            if path.stat().st_size > MAX_SIZE:
                continue
            if is_caddyfile(name):
                if layout.admit(path, PROXY_KIND):
                    edge_routes += _caddyfile(path, shown, files, unread)
                continue
            if name == "fly.toml":
                ours = True
                if layout.admit(path, layout_mod.PROCFILE):
                    edge_routes += fly.routes(path.read_text(encoding="utf-8"), shown)
                    files.append(f"{shown} (Fly.io services)")
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix != ".toml" and SERVICES_RE.search(text) and "traefik" in text.lower():
                ours = True
                if layout.admit(path, layout_mod.COMPOSE):
                    _compose(path, shown, project_dir, static, pending, files)
            elif (
                TRAEFIK_TEXT.search(text)
                and re.search(r"(?i)entry_?points|routers|middlewares", text)
                and layout.admit(path, PROXY_KIND)
            ):
                _traefik_file(path, shown, static, dynamic, files)
        except Exception as exc:  # reported, never swallowed: the file is not audited
            if ours:
                unread.append(f"{shown}: not audited: {describe(exc)}")
    for service, labels, lines in pending:
        enable = labels.get("traefik.enable", "").lower()
        if enable == "false" or (enable != "true" and not static.exposed_by_default):
            continue  # Traefik's docker provider leaves the container out
        traefik.read_labels(service, labels, dynamic, lines)
    routes = traefik.routes(static, dynamic) + edge_routes
    if not files and not unread:
        raise Skip("no Traefik, Caddy or Fly.io configuration in the project")
    return ProxyFacts(
        routes=tuple(routes), files=tuple(files), open_api=tuple(static.open_api), unread=tuple(unread)
    )


SPEC = CollectorSpec(
    name="front proxy",
    produces=ProxyFacts,
    collect=collect,
    description="Traefik (Compose labels, traefik.yml/toml) and Caddy (Caddyfile through caddy adapt)",
)
