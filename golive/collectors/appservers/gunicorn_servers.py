"""How the gunicorn collector (:mod:`golive.collectors.appservers.gunicorn`, which documents
the behaviour) finds the application servers: gunicorn instances from the project's process
commands and configuration files, loaded by gunicorn's own loader
(:mod:`golive.collectors.appservers.gunicorn_process`), and the other servers those commands
start (:mod:`golive.collectors.appservers.cmdline`, uWSGI with its files).

Imported by the collector once gunicorn's loader is started, so that its interpreter starts
while these readers are imported and run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace

from golive.collectors import CollectorError, Skip
from golive.collectors.appservers.cmdline import PARSERS, drop_unresolved, invocations
from golive.collectors.appservers.commands import (
    command_env,
    declared_gunicorn_env,
    is_container,
    map_file,
    workdirs,
)
from golive.collectors.appservers.gunicorn import discover
from golive.collectors.appservers.gunicorn_cache import Entry, LoaderCache
from golive.collectors.appservers.gunicorn_process import LoaderProcess, config_lines, load_all
from golive.collectors.appservers.uwsgi_collector import app_server
from golive.collectors.appservers.uwsgi_collector import instances as uwsgi_instances
from golive.collectors.deployment_files import audit_files, display_path
from golive.collectors.layout import layout_of
from golive.context import AuditContext
from golive.facts.endpoints import gunicorn_bind, listen_address
from golive.facts.gunicorn import AppServer, GunicornFacts
from golive.model import Location

if TYPE_CHECKING:
    from golive.facts.project import ProcessCommand

#: Most words of a server's command line handed to its option parser: argparse (gunicorn's
#: parser, and golive's for the other servers) takes time in the square of the number of
#: options (20,000 ``--env`` options: 13 s), and no real command line comes near this.
MAX_ARGS = 2000


def _config_arg(
    argv: tuple[str, ...], project_dir: Path, cmd: ProcessCommand | None = None
) -> tuple[tuple[str, ...], Path | None, str]:
    """The command's ``-c``/``--config`` file mapped onto the repository
    (:func:`golive.collectors.appservers.commands.map_file`): (argv with the mapped path,
    the file, a note saying how it was mapped or ``""``)."""
    out = list(argv)
    for i, token in enumerate(out):
        value = None
        if token in ("-c", "--config") and i + 1 < len(out):
            value, at = out[i + 1], i + 1
        elif token.startswith("--config="):
            value, at = token.split("=", 1)[1], i
        if value is not None:
            if value.startswith(("python:", "file:")):
                return tuple(out), None, ""
            found, note = map_file(value, cmd, project_dir)
            mapped = str(found) if found is not None else value
            out[at] = mapped if at != i else f"--config={mapped}"
            path = Path(mapped) if os.path.isabs(mapped) else project_dir / mapped
            return tuple(out), path.resolve(), note if found is not None else ""
    return tuple(out), None, ""


def _chdir_arg(argv: tuple[str, ...], project_dir: Path, cmd: ProcessCommand) -> tuple[tuple[str, ...], str]:
    """``--chdir DIR`` that does not exist here (a container path) replaced by the repository
    folder it maps to, else the project (gunicorn's validator refuses a missing folder; the
    folder only matters when the application is loaded, which golive never does)."""
    out = list(argv)
    for i, token in enumerate(out):
        value, at = None, i
        if token == "--chdir" and i + 1 < len(out):
            value, at = out[i + 1], i + 1
        elif token.startswith("--chdir="):
            value = token.split("=", 1)[1]
        if value is None or (Path(value).is_dir() and not is_container(cmd)):
            continue
        mapped = workdirs(replace(cmd, cwd=value), project_dir)[0]
        out[at] = str(mapped) if at != i else f"--chdir={mapped}"
        return tuple(
            out
        ), f"--chdir {value} read as the repository's {display_path(mapped, project_dir) or '.'}"
    return tuple(out), ""


def _with_umask(server: AppServer, cmd: ProcessCommand | None) -> AppServer:
    """``server`` with the umask and the user its command's files set (None: unchanged)."""
    from golive.collectors.appservers.launch import drops_to

    if cmd is None:
        return server
    dropped = drops_to(cmd.argv)
    user, user_at = (dropped, cmd.location) if dropped else (cmd.user, cmd.user_at)
    default = ""
    if user is None:  # Docker and systemd start a process as root unless told otherwise
        if is_container(cmd) and not cmd.origin.startswith("heroku.yml"):  # Heroku: never root
            default = "Docker"
            user_at = Location(path=cmd.dockerfile) if cmd.dockerfile else cmd.location
        elif cmd.origin == "systemd ExecStart":
            default = "systemd"
            user_at = Location(path=cmd.location.path)
    return replace(
        server,
        process_umask=cmd.umask if cmd.umask is not None else server.process_umask,
        process_umask_at=cmd.umask_at if cmd.umask is not None else server.process_umask_at,
        run_as=user,
        run_as_at=user_at,
        run_as_default=default,
    )


def given_commands(paths: list[Path], ctx: AuditContext) -> list[ProcessCommand]:
    """The server commands of start scripts or supervisord files given with ``--gunicorn``
    (:mod:`golive.collectors.appservers.launch`); :class:`CollectorError` for one that cannot be
    read or starts no server."""
    from golive.collectors.appservers.launch import SUPERVISORD_RE, follow, supervisord
    from golive.collectors.appservers.scripts import Resolver
    from golive.collectors.project import ProcessCommand
    from golive.walk import project_files

    out: list[ProcessCommand] = []
    for path in paths:
        shown = display_path(path, ctx.project_dir)
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CollectorError(f"--gunicorn {shown}: cannot be read ({type(exc).__name__})") from None
        if SUPERVISORD_RE.search(text):
            found = list(supervisord(path, shown))
        else:
            unread: list[str] = []
            start = ProcessCommand(
                origin="--gunicorn", location=Location(path=shown), command=str(path), argv=("sh", str(path))
            )
            resolver = Resolver(project_dir=ctx.project_dir, files=list(project_files(ctx.project_dir)))
            found = follow([start], resolver, unread)
        found = [c for c in found if any(i.program == "gunicorn" for i in invocations(c.argv, ctx.env))]
        if not found:
            raise CollectorError(
                f"--gunicorn {shown}: neither a gunicorn config file (.py) nor a start script or"
                " supervisord file that runs gunicorn"
            )
        out += found
    return out


def _gunicorn_server(
    result: dict[str, Any],
    found: str,
    location: Location | None,
    command: str,
    unresolved: tuple[str, ...],
    ctx: AuditContext,
) -> AppServer:
    project_dir = ctx.project_dir
    settings: dict[str, Any] = result.get("settings") or {}
    sources: dict[str, str] = result.get("sources") or {}
    config = result.get("config_file")
    workers = settings.get("workers") if "workers" in sources or "WEB_CONCURRENCY" in ctx.env else None
    allow = settings.get("forwarded_allow_ips") or []
    if isinstance(allow, str):
        allow = [a.strip() for a in allow.split(",")]
    return AppServer(
        kind="gunicorn",
        found=found,
        location=location or (Location(path=display_path(Path(config), project_dir)) if config else None),
        command=command,
        config_file=display_path(Path(config), project_dir) if config else None,
        binds=tuple(gunicorn_bind(str(b)) for b in settings.get("bind") or []),
        bind_explicit="bind" in sources,
        workers=workers if isinstance(workers, int) else None,
        reload=bool(settings.get("reload")),
        reload_option="reload",
        proxy_headers=True,
        forwarded_allow_ips=tuple(str(a) for a in allow),
        settings=settings,
        sources=sources,
        lines=config_lines(Path(config)) if config else {},
        unresolved=unresolved,
        cpu_count=result.get("cpu_count"),
        version=str(result.get("gunicorn_version") or ""),
        drops_to=str(settings.get("user"))
        if "user" in sources and settings.get("user") is not None
        else None,
    )


def servers(
    ctx: AuditContext,
    loader: LoaderProcess | None,
    cache: LoaderCache | None = None,
    kept: Entry | None = None,
) -> GunicornFacts:
    """Find and load every application server, gunicorn's configurations with ``loader``
    (started under ``ctx.python``; None: started if needed) or from ``kept``, the answers
    ``cache`` kept (:func:`golive.collectors.appservers.gunicorn_process.load_all`);
    :class:`Skip` when there is none."""
    from golive.collectors.project import collect as project_commands

    project_dir = ctx.project_dir
    given = [p if p.is_absolute() else Path.cwd() / p for p in ctx.options.gunicorn]
    chosen = given or discover(project_dir, layout_of(ctx), audit_files(ctx, every=True))
    configs = [p.resolve() for p in chosen]
    for path in configs:
        if not path.is_file():
            raise CollectorError(f"--gunicorn {path}: no such file")
    implicit = (project_dir / "gunicorn.conf.py").resolve()
    used: set[Path] = set()
    others: list[AppServer] = []
    pending: list[
        tuple[dict[str, Any], str, Location | None, str, tuple[str, ...], ProcessCommand | None]
    ] = []
    commands = list(project_commands(ctx).commands)
    scripts = [p for p in configs if not p.name.endswith(".py")]
    if scripts:  # --gunicorn start.sh / supervisord.conf: the commands it holds
        configs = [p for p in configs if p not in scripts]
        commands += given_commands(scripts, ctx)
    uwsgi = uwsgi_instances(ctx, commands)  # in command order, then the files no command loads
    for cmd in commands:
        for inv in invocations(cmd.argv, command_env(cmd, ctx.env)):
            found = f"{cmd.origin} ({cmd.location})" + (f", {cmd.via}" if cmd.via else "")
            if len(inv.argv) > MAX_ARGS:
                raise CollectorError(
                    f"{cmd.location}: {inv.program}'s command line has {len(inv.argv):,} words, more than"
                    f" golive hands to its option parser ({MAX_ARGS:,}): shorten it"
                )
            if inv.program == "uwsgi":  # read with its files (golive.collectors.appservers.uwsgi)
                if uwsgi and uwsgi[0].location == cmd.location:
                    others.append(_with_umask(app_server(uwsgi.pop(0)), cmd))
                continue
            if inv.program != "gunicorn":
                env = command_env(cmd, ctx.env)
                others.append(_with_umask(_other_server(inv, found, cmd.location, cmd.command, env), cmd))
                continue
            argv, dropped = drop_unresolved(inv.argv)
            argv, config, note = _config_arg(argv, project_dir, cmd)
            found += f"; {note}" if note else ""
            argv, note = _chdir_arg(argv, project_dir, cmd)
            found += f"; {note}" if note else ""
            default = None
            if config is None and cmd.cwd:  # gunicorn reads ./gunicorn.conf.py of its working directory
                default = next((d / "gunicorn.conf.py" for d in workdirs(cmd, project_dir)), None)
            used.add(config if config is not None else (default or implicit).resolve())
            request = {
                "argv": list(argv),
                "config": str(default) if default is not None and default.is_file() else None,
                "default_config": config is None and default is None,
                "env": declared_gunicorn_env(cmd, ctx.env),
                "what": str(cmd.location),
            }
            pending.append((request, found, cmd.location, cmd.command, tuple(dropped), cmd))
    for path in configs:
        if path in used:
            continue
        shown = display_path(path, project_dir)
        found = f"given with --gunicorn {shown}" if given else f"discovered {shown}"
        request = {"argv": [], "config": str(path), "default_config": False, "what": shown}
        pending.append((request, found, None, "", (), None))
    others += [app_server(instance) for instance in uwsgi]
    results = load_all([p[0] for p in pending], ctx, loader, cache, kept)
    servers = [
        _with_umask(_gunicorn_server(result, found, where, command, dropped, ctx), cmd)
        for (_, found, where, command, dropped, cmd), result in zip(pending, results, strict=True)
    ]
    servers += others
    if not servers:
        raise Skip(
            "no gunicorn, uvicorn, daphne, hypercorn or uWSGI found (no config file, no process command)"
            + layout_of(ctx).summary()
        )
    return GunicornFacts(servers=tuple(servers))


def _other_server(inv: Any, found: str, where: Location, command: str, env: Mapping[str, str]) -> AppServer:
    opts = PARSERS[inv.program](inv.argv, env)
    return AppServer(
        kind=inv.program,
        found=found,
        location=where,
        command=command,
        config_file=opts.config,
        binds=tuple(listen_address(b, 8000) for b in opts.binds),
        workers=opts.workers,
        reload=opts.reload,
        reload_option=opts.reload_option,
        proxy_headers=opts.proxy_headers,
        forwarded_allow_ips=tuple(
            a.strip() for a in (opts.forwarded_allow_ips or "").split(",") if a.strip()
        ),
        unresolved=inv.unresolved,
        unread=f"its configuration file {opts.config} is not read" if opts.config else "",
        trust_option=opts.trust_option,
    )
