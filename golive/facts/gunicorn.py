"""The application-server facts of gunicorn and the other servers started by a command line
(:class:`AppServer`), as :mod:`golive.collectors.appservers.gunicorn` read them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from msgspec import Struct, field
from msgspec.structs import force_setattr

from golive.facts.endpoints import Endpoint
from golive.model import Location
from golive.redact import redact_text, redact_value
from golive.registry import FactsBase

OCTAL = ("umask", "control_socket_mode")


class AppServer(Struct, frozen=True, kw_only=True):
    """One application server process group as it would run.

    ``kind`` is ``gunicorn``, ``uvicorn``, ``daphne``, ``hypercorn`` or ``uwsgi``;
    ``found`` says how golive found it; ``location`` is the command or config file.
    ``workers`` is None unless set explicitly (command line, config, environment);
    ``proxy_headers`` whether it takes the scheme and client address from
    ``X-Forwarded-*`` headers at all (None: not applicable); for gunicorn, ``settings``
    holds every effective setting and ``sources`` which were set where.
    """

    kind: str
    found: str
    location: Location | None
    command: str = ""
    config_file: str | None = None
    binds: tuple[Endpoint, ...] = ()
    bind_explicit: bool = True
    workers: int | None = None
    reload: bool = False
    reload_option: str = ""
    proxy_headers: bool | None = None
    forwarded_allow_ips: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)
    unresolved: tuple[str, ...] = ()
    cpu_count: int | None = None
    version: str = ""
    #: Why this server's configuration was not read (a config file golive does not read
    #: yet), empty when it was: checks need at least one server read (:func:`servers_read`).
    unread: str = ""
    #: The file-mode mask the process starts with, as written (``umask 0`` in a start script,
    #: systemd ``UMask=``, supervisord ``umask=``), and where; None when nothing sets it.
    process_umask: str | None = None
    process_umask_at: Location | None = None
    #: Who the process is started as (Dockerfile ``USER``, compose ``user:``, systemd
    #: ``User=``, supervisord ``user=``, ``gosu USER``) and where; ``run_as_default`` names the
    #: platform whose default (root) applies when nothing sets it ("" when unknown);
    #: ``drops_to`` the unprivileged user the server itself switches to (gunicorn ``user``,
    #: uWSGI ``uid``), None when it does not.
    run_as: str | None = None
    run_as_at: Location | None = None
    run_as_default: str = ""
    drops_to: str | None = None
    #: Where options were set, for servers read by golive's own readers (uWSGI): ``reload``,
    #: ``workers``, ``bind`` → their file and line.
    option_locations: Mapping[str, Location] = field(default_factory=dict)
    #: The option listing the proxies it trusts, when not ``--forwarded-allow-ips``.
    trust_option: str = ""

    def __post_init__(self) -> None:
        """Redact the command and every setting's text when the fact is made
        (:mod:`golive.redact`): a variable expanded into the command line, ``raw_env`` or a URL
        with a password never enters a fact."""
        force_setattr(self, "command", redact_text(self.command))
        force_setattr(self, "settings", redact_value(dict(self.settings)))

    def setting(self, name: str, default: Any = None) -> Any:
        """An effective gunicorn setting (``workers``, ``bind``...), or ``default``."""
        return self.settings.get(name, default)

    def where_bind(self, bind: Endpoint) -> Location | None:
        """Where one of the server's binds was set (its own option's line for uWSGI), else
        :meth:`where` ``("bind")``."""
        return self.option_locations.get(f"bind {bind.text}") or self.where("bind")

    def explicit(self, name: str) -> bool:
        """True when the setting was given (config file, GUNICORN_CMD_ARGS, command line)."""
        return name in self.sources

    def where(self, name: str) -> Location | None:
        """Where a setting was given: its line in the config file, else the command."""
        if name in self.option_locations:
            return self.option_locations[name]
        if self.sources.get(name) == "config file" and self.config_file:
            return Location(path=self.config_file, line=self.lines.get(name))
        return self.location

    def how(self, name: str) -> str:
        """``"workers = 1 (deploy/gunicorn.conf.py:5)"``: a setting, its value and origin, for evidence."""
        value = self.settings.get(name)
        shown = f"0o{value:03o}" if name in OCTAL and isinstance(value, int) else repr(value)
        origin = self.sources.get(name)
        if origin == "config file":
            origin = str(self.where(name))
        elif origin is None:
            origin = "gunicorn's default"
        return f"{name} = {shown} ({origin})"

    @property
    def label(self) -> str:
        """``gunicorn (Procfile:1)``: the server and where it is started or configured."""
        return f"{self.kind} ({self.location})" if self.location else self.kind


class GunicornFacts(FactsBase, frozen=True, kw_only=True):
    """Every application server found, gunicorn's with its effective settings."""

    collector: ClassVar[str] = "gunicorn"
    servers: tuple[AppServer, ...]

    @property
    def gunicorn(self) -> list[AppServer]:
        """The gunicorn instances."""
        return [s for s in self.servers if s.kind == "gunicorn"]

    @property
    def collector_details(self) -> Mapping[str, Any]:
        """What the report lists under this collector: each server, how it was found."""
        return {
            "servers": [
                {
                    "kind": s.kind,
                    "found": s.found,
                    "config_file": s.config_file,
                    "bind": [str(b) for b in s.binds],
                    "unresolved": list(s.unresolved),
                    "gunicorn": s.version or None,
                }
                for s in self.servers
            ]
        }


UMASK_RE = re.compile(r"^0?[0-7]{1,4}$")


def umask_value(text: str | None) -> int | None:
    """The numeric umask of ``umask NNN`` / ``UMask=NNN`` (octal), None when symbolic or absent."""
    if text is None or not UMASK_RE.match(text.strip()):
        return None
    return int(text.strip(), 8)
