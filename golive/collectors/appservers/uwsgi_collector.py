"""The uWSGI collector: every uWSGI instance of the project, read with golive's own reader.

Instances come from the process commands :mod:`golive.collectors.project` finds (Procfile,
Dockerfile, compose, systemd, supervisord, start scripts) that run ``uwsgi``, each with the
environment its files declare (``UWSGI_*`` variables are options), and from configuration
files in the repository that no command loads: an ``.ini`` with a ``[uwsgi]`` section, a
YAML file with a top-level ``uwsgi:`` key, a JSON file with a ``"uwsgi"`` key, an XML
file with ``<uwsgi>`` (listed as not read). Files the layout classifies as development,
test or example are left out (:mod:`golive.collectors.layout`). uWSGI is never run: its
hooks (``exec-pre-app``...) would execute. The reader is
:mod:`golive.collectors.appservers.uwsgi`; the checks are in
:mod:`golive.checks.appserver_uwsgi` (and, for what every server shares, in
:mod:`golive.checks.appserver_config`, through :func:`app_server`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from golive.collectors import CollectorSpec, Skip
from golive.collectors.appservers.cmdline import invocations
from golive.collectors.appservers.commands import command_env, is_container
from golive.collectors.appservers.uwsgi import read
from golive.collectors.appservers.uwsgi_served import source_folders
from golive.collectors.deployment_files import audit_files, display_path
from golive.context import AuditContext
from golive.facts.appservers import LISTENERS, UwsgiFacts, UwsgiInstance
from golive.model import Location

if TYPE_CHECKING:
    from golive.collectors.layout import Layout
    from golive.facts.gunicorn import AppServer
    from golive.facts.project import ProcessCommand

#: A uWSGI configuration: ``[uwsgi]`` (ini lines are stripped), a top-level ``uwsgi:`` key (a
#: compose service named ``uwsgi:`` is indented), ``{"uwsgi": ...}``, ``<uwsgi>``.
CONFIG_RE = re.compile(r"^(\s*\[uwsgi\]|uwsgi:\s*$|\s*\{\s*\"uwsgi\"\s*:|\s*<uwsgi>)", re.MULTILINE)
SUFFIXES = (".ini", ".yaml", ".yml", ".json", ".xml")
MAX_SIZE = 1_000_000


def discover(ctx: AuditContext, unread: list[str] | None = None) -> list[Path]:
    """uWSGI configuration files in the repository that the layout admits (production or
    unknown); a candidate (``.ini``, ``.yaml``...) that cannot be read, or is over 1 MB, is
    added to ``unread`` with the reason. Looked for once per audit (the gunicorn and uWSGI
    collectors both ask), through the audit's layout (:meth:`Layout.once`)."""
    from golive.collectors.layout import layout_of

    layout = layout_of(ctx)
    found, lines = layout.once("uwsgi files", lambda: _discover(ctx, layout))
    if unread is not None:
        unread += lines
    return list(found)


def _discover(ctx: AuditContext, layout: Layout) -> tuple[list[Path], list[str]]:
    """:func:`discover`'s search: the files found and the unread lines."""
    from golive.collectors.layout import UWSGI

    found, unread = [], []
    for path in audit_files(ctx, every=True):
        if not path.name.endswith(SUFFIXES):
            continue
        try:
            if path.stat().st_size > MAX_SIZE:
                unread.append(f"{display_path(path, ctx.project_dir)}: over 1 MB, not read")
                continue
            # Every form of CONFIG_RE holds "uwsgi" (ASCII: no decoding error hides or makes it),
            # so the bytes are tested first at C speed; only the few holding it are decoded and
            # searched, the expression trying each line's start (issue 15).
            if b"uwsgi" not in path.read_bytes():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            unread.append(f"{display_path(path, ctx.project_dir)}: cannot be read ({type(exc).__name__})")
            continue
        if CONFIG_RE.search(text) and layout.admit(path, UWSGI):
            found.append(path)
    return found, unread


def instances(
    ctx: AuditContext, commands: Sequence[ProcessCommand] | None = None, unread: list[str] | None = None
) -> list[UwsgiInstance]:
    """Every uWSGI instance: those the project's commands start (an image's ``CMD`` that a
    compose service or a heroku.yml process replaces is not one), then the configuration files
    no command loads (each an instance of its own)."""
    if commands is None:
        from golive.collectors.project import collect as project_commands

        commands = project_commands(ctx).commands
    out: list[UwsgiInstance] = []
    used: set[str] = set()
    # A compose service's command or a heroku.yml process replaces the CMD of the image it runs.
    replaced = {c.dockerfile for c in commands if c.dockerfile and not c.origin.startswith("Dockerfile")}
    for cmd in commands:
        if cmd.origin == "Dockerfile CMD" and cmd.dockerfile in replaced:
            continue
        env = command_env(cmd, ctx.env)
        for inv in invocations(cmd.argv, env):
            if inv.program != "uwsgi":
                continue
            found = f"{cmd.origin} ({cmd.location})" + (f", {cmd.via}" if cmd.via else "")
            instance = read(
                project_dir=ctx.project_dir,
                env=env,
                argv=inv.argv,
                found=found,
                where=cmd.location,
                command=cmd.command,
                cmd=cmd,
                container=is_container(cmd),
            )
            out.append(instance)
            used.update(instance.files)
    for path in discover(ctx, unread):
        shown = display_path(path, ctx.project_dir)
        if shown in used:
            continue
        out.append(
            read(
                project_dir=ctx.project_dir,
                env=ctx.env,
                file=path,
                found=f"discovered {shown}",
                where=Location(path=shown),
                uwsgi_env=False,
            )
        )
    return out


def app_server(instance: UwsgiInstance) -> AppServer:
    """The instance as an :class:`golive.collectors.appservers.gunicorn.AppServer`, for the rules every
    server shares (bind, reload, workers, the nginx upstream, per-process caches)."""
    from golive.facts.gunicorn import AppServer

    reload = instance.last("py-autoreload")
    seconds = instance.number("py-autoreload")
    workers = instance.last("processes")
    where: dict[str, Location] = {}
    for name, option in (("reload", reload), ("workers", workers)):
        if option is not None and option.location is not None:
            where[name] = option.location
    listeners = instance.listeners
    for listener in listeners:
        if listener.option.location is not None:
            where.setdefault("bind", listener.option.location)
            where[f"bind {listener.endpoint.text}"] = listener.option.location
    return AppServer(
        kind="uwsgi",
        found=instance.found,
        location=instance.location,
        command=instance.command,
        config_file=instance.files[0] if instance.files else None,
        binds=tuple(listener.endpoint for listener in listeners),
        workers=instance.number("processes"),
        reload=bool(seconds),
        reload_option=(f"{reload.written} {reload.value}" if instance.command else reload.text)
        if reload is not None and seconds
        else "",
        proxy_headers=None,
        unresolved=tuple(
            o.text for o in instance.options if o.unresolved and o.name in {*LISTENERS, "processes"}
        ),
        option_locations=where,
        drops_to=uid.value.strip()
        if (uid := instance.last("uid")) is not None and not uid.unresolved
        else None,
    )


def collect(ctx: AuditContext) -> UwsgiFacts:
    """:class:`Skip` when the project runs no uWSGI and holds no uWSGI configuration."""
    unread: list[str] = []
    found = instances(ctx, unread=unread)
    if not found:
        why = f" ({'; '.join(unread)})" if unread else ""
        raise Skip(f"no uWSGI found (no command runs uwsgi, no [uwsgi] configuration file){why}")
    return UwsgiFacts(
        instances=tuple(found), unread=tuple(unread), source_folders=source_folders(found, ctx.project_dir)
    )


SPEC = CollectorSpec(
    name="uwsgi",
    produces=UwsgiFacts,
    collect=collect,
    description="uWSGI: commands that run it, its ini/YAML/JSON files (golive's own reader, never run)",
)
