"""Server configurations golive finds but does not audit yet: Apache, uWSGI XML.

They are never silently ignored: when the project holds one, the collector is reported
``skipped`` with the files and the reason ("not audited yet"); when it holds none, the
collector succeeds with nothing to say. Apache is recognised by its ``<VirtualHost>``,
``<Directory>``, ``<IfModule>`` sections or ``WSGIScriptAlias``/``WSGIDaemonProcess``
(https://httpd.apache.org/docs/current/configuring.html); a uWSGI XML file by its ``<uwsgi>``
element (https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html). uWSGI's ini, YAML
and JSON files are audited by :mod:`golive.collectors.appservers.uwsgi_collector`; Traefik,
Caddy and Fly.io configurations by :mod:`golive.collectors.proxies` (which lists what it
could not read).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from golive.collectors import CollectorSpec, Skip
from golive.collectors.deployment_files import audit_files, display_path
from golive.context import AuditContext
from golive.registry import FactsBase


class UnauditedFacts(FactsBase, frozen=True, kw_only=True):
    """Nothing: produced only when the project holds none of the configurations listed above."""

    collector: ClassVar[str] = "unaudited servers"
    files: tuple[str, ...] = ()


def _found(ctx: AuditContext) -> Iterator[str]:
    from golive.collectors.nginx.read import APACHE_RE, read_text

    project_dir = ctx.project_dir
    for path in audit_files(ctx):
        name = path.name
        if not name.endswith((".conf", ".xml")) and name != ".htaccess":
            continue
        try:
            text = read_text(path)
        except (OSError, ValueError):
            continue
        shown = display_path(path, project_dir)
        if (name.endswith(".conf") and APACHE_RE.search(text)) or name == ".htaccess":
            yield f"{shown} (Apache)"
        elif name.endswith(".xml") and "<uwsgi>" in text:  # ini, YAML, JSON: the uwsgi collector
            yield f"{shown} (uWSGI XML)"


def collect(ctx: AuditContext) -> UnauditedFacts:
    """:class:`Skip` naming every such configuration found; empty facts when none."""
    found = sorted(_found(ctx))
    if found:
        raise Skip(f"{', '.join(found)}: not audited yet")
    return UnauditedFacts()


SPEC = CollectorSpec(
    name="unaudited servers",
    produces=UnauditedFacts,
    collect=collect,
    description="Apache and uWSGI XML configurations (detected, not audited yet)",
)
