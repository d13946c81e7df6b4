"""Server configurations golive finds but does not audit yet: Apache, uWSGI XML, Traefik, Caddy.

They are never silently ignored: when the project holds one, the collector is reported
``skipped`` with the files and the reason ("not audited yet"); when it holds none, the
collector succeeds with nothing to say. Apache is recognised by its ``<VirtualHost>``,
``<Directory>``, ``<IfModule>`` sections or ``WSGIScriptAlias``/``WSGIDaemonProcess``
(https://httpd.apache.org/docs/current/configuring.html); a uWSGI XML file by its ``<uwsgi>``
element (https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html). uWSGI's ini, YAML
and JSON files are audited by :mod:`golive.collectors.appservers.uwsgi_collector`. A
``Caddyfile``, a Traefik static configuration (``traefik.yml``/``.toml`` with
``entryPoints``) and a compose service running the ``traefik`` or ``caddy`` image are named
too: their TLS redirects, HSTS and forwarded headers are not judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from golive.collectors import CollectorSpec, Skip
from golive.collectors.deployment_files import deployment_files, display_path
from golive.context import AuditContext
from golive.registry import FactsBase

#: Traefik's static configuration (https://doc.traefik.io/traefik/getting-started/configuration-overview/).
TRAEFIK_RE = re.compile(r"^\s*\[?entry_?points\]?\s*[:=]?", re.MULTILINE | re.IGNORECASE)
#: A compose service running Traefik or Caddy (their image).
PROXY_IMAGE_RE = re.compile(
    r"^\s*image:\s*['\"]?(?:[\w.-]+/)*(traefik|caddy)(?::|@|['\"]?\s*$)", re.MULTILINE
)


@dataclass(frozen=True, kw_only=True)
class UnauditedFacts(FactsBase):
    """Nothing: produced only when the project holds none of the configurations listed above."""

    collector: ClassVar[str] = "unaudited servers"
    files: tuple[str, ...] = ()


def _found(project_dir: Path) -> Iterator[str]:
    from golive.collectors.nginx.read import APACHE_RE, _read_text

    for path in deployment_files(project_dir):
        name = path.name
        if name == "Caddyfile" or name.startswith("Caddyfile.") or name.endswith(".caddyfile"):
            yield f"{display_path(path, project_dir)} (Caddy)"
            continue
        if not name.endswith((".conf", ".ini", ".yaml", ".yml", ".xml", ".toml")) and name != ".htaccess":
            continue
        try:
            text = _read_text(path)
        except (OSError, ValueError):
            continue
        shown = display_path(path, project_dir)
        if (name.endswith(".conf") and APACHE_RE.search(text)) or name == ".htaccess":
            yield f"{shown} (Apache)"
        elif name.endswith(".xml") and "<uwsgi>" in text:  # ini, YAML, JSON: the uwsgi collector
            yield f"{shown} (uWSGI XML)"
        elif (
            name.startswith("traefik")
            and name.endswith((".yml", ".yaml", ".toml"))
            and TRAEFIK_RE.search(text)
        ):
            yield f"{shown} (Traefik)"
        elif name.endswith((".yml", ".yaml")) and (match := PROXY_IMAGE_RE.search(text)):
            yield f"{shown} ({'Traefik' if match.group(1) == 'traefik' else 'Caddy'} service)"


def collect(ctx: AuditContext) -> UnauditedFacts:
    """:class:`Skip` naming every such configuration found; empty facts when none."""
    found = sorted(_found(ctx.project_dir))
    if found:
        raise Skip(f"{', '.join(found)}: not audited yet")
    return UnauditedFacts()


SPEC = CollectorSpec(
    name="unaudited servers",
    produces=UnauditedFacts,
    collect=collect,
    description="Apache, uWSGI XML, Traefik and Caddy configurations (detected, not audited yet)",
)
