"""Server configurations golive finds but does not audit yet: Apache files, uWSGI XML.

They are never silently ignored: when the project holds one, the collector is reported
``skipped`` with the files and the reason ("not audited yet"); when it holds none, the
collector succeeds with nothing to say. Apache is recognised by its ``<VirtualHost>``,
``<Directory>``, ``<IfModule>`` sections or ``WSGIScriptAlias``/``WSGIDaemonProcess``
(https://httpd.apache.org/docs/current/configuring.html); a uWSGI XML file by its ``<uwsgi>``
element (https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html). uWSGI's ini, YAML
and JSON files are audited by :mod:`golive.collectors.appservers.uwsgi_collector`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from golive.collectors import CollectorSpec, Skip
from golive.collectors.servers_common import deployment_files, display_path
from golive.context import AuditContext
from golive.registry import FactsBase

UWSGI_RE = re.compile(r"^\s*(\[uwsgi\]|uwsgi:\s*$)", re.MULTILINE)


@dataclass(frozen=True, kw_only=True)
class UnauditedFacts(FactsBase):
    """Nothing: produced only when the project holds no Apache or uWSGI configuration."""

    collector: ClassVar[str] = "unaudited servers"
    files: tuple[str, ...] = ()


def _found(project_dir: Path) -> Iterator[str]:
    from golive.collectors.servers_nginx_read import APACHE_RE, _read_text

    for path in deployment_files(project_dir):
        name = path.name
        if not name.endswith((".conf", ".ini", ".yaml", ".yml", ".xml")) and name != ".htaccess":
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


def collect(ctx: AuditContext) -> UnauditedFacts:
    """:class:`Skip` naming every Apache/uWSGI configuration found; empty facts when none."""
    found = sorted(_found(ctx.project_dir))
    if found:
        raise Skip(f"{', '.join(found)}: not audited yet")
    return UnauditedFacts()


SPEC = CollectorSpec(
    name="unaudited servers",
    produces=UnauditedFacts,
    collect=collect,
    description="Apache configuration files and uWSGI XML (detected, not audited yet)",
)
