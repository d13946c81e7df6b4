"""The host collector: this machine, when it is the server the project runs on.

It runs only when asked (``--host``) or when the project directory is the running
deployment: an application server (gunicorn, uWSGI, Daphne, Uvicorn, Hypercorn,
Granian) whose working directory, or ``--chdir``, is the project directory
(psutil, :mod:`golive.collectors.host.app_servers`). Otherwise it raises :class:`Skip` with
the reason (``--no-host`` too).

What it gathers, with psutil and the standard library, judging nothing:

* the mode and owner of the settings modules (the settings package's ``.py`` files
  and any ``local_settings.py``), ``.env`` files and private-key files of the project;
* the web server's user (nginx's ``user`` directive from ``--nginx`` or
  ``/etc/nginx/nginx.conf``, read with crossplane; else ``www-data``, Debian's) and the
  paths of the project tree that user may write to;
* the user each application-server process of the project runs as, and the mode of the
  unix sockets gunicorn listens on;
* the Redis, Memcached, PostgreSQL and MySQL servers listening on this machine and on
  which addresses (``psutil.net_connections``);
* for each Redis in ``CACHES``: the answer to one real ``PING`` sent without a password
  (``+PONG`` means anyone who can reach it can read and write the cache). ``CACHES``
  comes from the project's settings as Django loads them: the runtime collector's facts
  (this collector declares ``uses=(RuntimeFacts,)`` and runs after it).
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from golive.collectors import CollectorError, CollectorSpec, Skip
from golive.collectors.host.app_servers import inside, project_processes
from golive.context import AuditContext
from golive.discovery import SKIP_DIRS
from golive.facts.host import AppProcess, FileMode, HostFacts, RedisPing, SocketMode
from golive.facts.runtime import RuntimeFacts
from golive.redact import redact_words
from golive.registry import Facts

EXAMPLE_ENV = (".example", ".sample", ".template", ".dist")
KEY_SUFFIXES = (".key", ".pem", ".p12", ".pfx")
MAX_WALK = 20000
MAX_DEPTH = 6


def runtime_settings(facts: Facts) -> dict[str, Any]:
    """The redacted settings as Django loaded them, from the runtime collector's facts.

    Raises :class:`CollectorError` when the runtime collector produced none (the settings
    did not load, or ``--no-runtime``): the caller says which setting it could not read.
    """
    runtime = facts.get(RuntimeFacts)
    if runtime is None:
        raise CollectorError("the settings were not loaded (see the runtime collector)")
    return dict(runtime.settings)


# --- files -------------------------------------------------------------------------------


def _walk(root: Path) -> Iterator[Path]:
    stack, seen = [(root, 0)], 0
    while stack:
        folder, depth = stack.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_WALK:
                return
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if depth < MAX_DEPTH and entry.name not in SKIP_DIRS and entry.name != ".git":
                    stack.append((entry, depth + 1))
                yield entry
            elif entry.is_file():
                yield entry


def _owner(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _kind(path: Path, settings_files: set[Path]) -> str | None:
    name = path.name
    if path in settings_files or name == "local_settings.py":
        return "settings"
    if (name == ".env" or name.startswith(".env.") or name.endswith(".env")) and not name.endswith(
        EXAMPLE_ENV
    ):
        return "env"
    if name.endswith(KEY_SUFFIXES) or name.startswith("id_rsa") or name.startswith("id_ed25519"):
        if name.endswith(".pub"):
            return None
        try:
            with path.open("rb") as handle:
                head = handle.read(65536)
        except OSError:
            return None
        if b"PRIVATE KEY" in head or name.endswith((".key", ".p12", ".pfx")):
            return "key"
    return None


def settings_files(ctx: AuditContext) -> set[Path]:
    """The settings module's file and, for a settings package, its sibling modules."""
    from golive.discovery import module_file

    found = module_file(ctx.django_dir, ctx.settings_module)
    if found is None:
        return set()
    folder = found.parent
    out = {found.resolve()}
    if (folder / "__init__.py").is_file() and folder.name in ("settings", "conf", "config"):
        out |= {p.resolve() for p in folder.glob("*.py") if p.name != "__init__.py"}
    return out


def _writable_by(st: os.stat_result, uid: int, gids: set[int]) -> bool:
    if st.st_mode & stat.S_IWOTH:
        return True
    if st.st_uid == uid and st.st_mode & stat.S_IWUSR:
        return True
    return st.st_gid in gids and bool(st.st_mode & stat.S_IWGRP)


# --- the web server's user ---------------------------------------------------------------


def web_server_user(ctx: AuditContext) -> tuple[str, str]:
    """(user, where it came from): nginx's ``user`` directive, else Debian's ``www-data``.

    Source: https://nginx.org/en/docs/ngx_core_module.html#user (nginx's own default is
    ``nobody``, but Debian's and Ubuntu's packages set ``user www-data;``).
    """
    candidates = [Path(p) for p in ctx.options.nginx] or [Path("/etc/nginx/nginx.conf")]
    for path in candidates:
        if not path.is_file():
            continue
        try:
            import crossplane

            payload = crossplane.parse(
                str(path), single=True, comments=False, check_ctx=False, check_args=False, catch_errors=True
            )
        except Exception:  # an unreadable nginx file is the nginx collector's to report
            continue
        for config in payload.get("config", []):
            for directive in config.get("parsed", []):
                if directive.get("directive") == "user" and directive.get("args"):
                    return str(directive["args"][0]), f"{path}:{directive.get('line')} user"
        return "nobody", f"{path} has no user directive (nginx's default)"
    return "www-data", "no nginx configuration read: Debian's default www-data"


# --- processes, sockets, listeners -------------------------------------------------------


def _processes(procs: list[Any]) -> tuple[tuple[AppProcess, ...], tuple[SocketMode, ...]]:
    import psutil

    apps, sockets = [], []
    seen_paths: set[str] = set()
    for proc in procs:
        try:
            with proc.oneshot():
                apps.append(
                    AppProcess(
                        pid=proc.pid,
                        ppid=proc.ppid(),
                        user=proc.username(),
                        name=proc.name(),
                        cmdline=" ".join(redact_words(proc.cmdline()))[:300],
                    )
                )
                paths = [
                    c.laddr for c in proc.net_connections(kind="unix") if isinstance(c.laddr, str) and c.laddr
                ]
        except (psutil.Error, OSError):
            continue
        for path in paths:
            if path in seen_paths or path.startswith("\0"):
                continue
            seen_paths.add(path)
            try:
                st = os.stat(path)
            except OSError:
                continue
            if stat.S_ISSOCK(st.st_mode):
                sockets.append(
                    SocketMode(
                        path=path, mode=stat.S_IMODE(st.st_mode), owner=_owner(st.st_uid), pid=proc.pid
                    )
                )
    return tuple(apps), tuple(sockets)


# --- collect -------------------------------------------------------------------------------


def activation(ctx: AuditContext) -> tuple[str, list[Any]]:
    """(why the host is audited, the project's app-server processes). Raises :class:`Skip`."""
    if ctx.options.host is False:
        raise Skip("--no-host: this machine is not audited")
    try:
        procs = project_processes(ctx.project_dir)
    except ImportError:
        raise CollectorError("psutil is not installed: pip install psutil") from None
    if ctx.options.host:
        return "--host", procs
    if procs:
        first = procs[0]
        return f"auto: {first.name()} (pid {first.pid}) runs from {ctx.project_dir}", procs
    raise Skip(
        f"not on the server: no application server runs from {ctx.project_dir} on this machine"
        " (pass --host to audit this machine anyway)"
    )


#: What :func:`gate` found, for :func:`collect` to take over: id(ctx) → (a weak reference to
#: ctx, the activation or the exception it raised). Entries are removed when taken.
_GATED: dict[int, tuple[weakref.ref[AuditContext], tuple[str, list[Any]] | Exception]] = {}
_GATED_LOCK = threading.Lock()


def gate(ctx: AuditContext) -> None:
    """Decide from ``ctx`` and this machine's processes alone whether the host is audited
    (:func:`activation`): raises its :class:`Skip` (or :class:`CollectorError`) when not, so
    that the scheduler runs the collector at once instead of waiting for the runtime facts,
    which only the audit itself reads (``CACHES``): off the server the host collector is no
    longer the last thing to finish after the runtime probe (issue 15). The answer is kept
    for :func:`collect`, which gives the same one without scanning the processes again."""
    try:
        found: tuple[str, list[Any]] | Exception = activation(ctx)
    except (Skip, CollectorError) as exc:
        found = exc
    with _GATED_LOCK:
        _GATED[id(ctx)] = (weakref.ref(ctx), found)
    if isinstance(found, Exception):
        raise found


def _activation(ctx: AuditContext) -> tuple[str, list[Any]]:
    """:func:`gate`'s answer for ``ctx`` when it ran (raised again when it was one), else
    :func:`activation`'s, now."""
    with _GATED_LOCK:
        kept = _GATED.pop(id(ctx), None)
    if kept is None or kept[0]() is not ctx:
        return activation(ctx)
    found = kept[1]
    if isinstance(found, Exception):
        raise found.with_traceback(None)
    return found


def collect(ctx: AuditContext, facts: Facts) -> HostFacts:
    """Gather the host's facts (see the module docstring); CACHES come from ``facts``."""
    reason, procs = _activation(ctx)  # raises Skip off the server
    from golive.collectors.host.services import listeners, redis_ping, redis_targets

    root = ctx.project_dir
    settings = settings_files(ctx)
    user, user_source = web_server_user(ctx)
    try:
        account = pwd.getpwnam(user)
        uid, gids = account.pw_uid, set(os.getgrouplist(user, account.pw_gid))
        known = True
    except KeyError:
        uid, gids, known = -1, set(), False
    files: list[FileMode] = []
    writable: list[str] = []
    total = 0
    candidates = [root, *_walk(root)]
    env_file = ctx.options.env_file or (root / ctx.config.env_file if ctx.config.env_file else None)
    if env_file is not None and env_file.is_file() and not inside(env_file, root):
        candidates.append(env_file)
    for path in candidates:
        try:
            st = path.lstat()
        except OSError:
            continue
        rel = str(path.relative_to(root)) if inside(path, root) else str(path)
        if known and uid != 0 and inside(path, root) and _writable_by(st, uid, gids):
            total += 1
            if len(writable) < 20:
                writable.append(rel or ".")
        if stat.S_ISREG(st.st_mode):
            kind = "env" if env_file is not None and path == env_file else _kind(path.resolve(), settings)
            if kind:
                files.append(
                    FileMode(
                        path=rel,
                        kind=kind,
                        mode=stat.S_IMODE(st.st_mode),
                        owner=_owner(st.st_uid),
                        group=_group(st.st_gid),
                    )
                )
    apps, sockets = _processes(procs)
    pings, redis_error = [], None
    try:
        for alias, target, has_password in redis_targets(runtime_settings(facts)):
            answer, detail = redis_ping(target)
            pings.append(
                RedisPing(
                    alias=alias, target=target, url_has_password=has_password, answer=answer, detail=detail
                )
            )
    except CollectorError as exc:
        redis_error = f"CACHES unknown: {exc}"
    return HostFacts(
        reason=reason,
        project_dir=str(root),
        files=tuple(files),
        web_user=user,
        web_user_source=user_source,
        web_user_known=known,
        writable=tuple(writable),
        writable_total=total,
        processes=apps,
        sockets=sockets,
        listeners=listeners(),
        redis=tuple(pings),
        redis_error=redis_error,
    )


SPEC = CollectorSpec(
    name="host",
    produces=HostFacts,
    collect=collect,
    description="this machine as the server: file modes, users, listeners, Redis, sockets",
    uses=(RuntimeFacts,),
    gate=gate,
)
