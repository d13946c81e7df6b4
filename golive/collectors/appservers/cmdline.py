"""Application servers started by the project's process commands, and their options.

The commands come from :mod:`golive.collectors.project` (Procfile, Dockerfile
``CMD``/``ENTRYPOINT``, docker-compose ``command``, systemd ``ExecStart``). A command is
split at ``&&``, ``;`` and ``sh -c``, wrappers are peeled off (``exec``, ``env A=B``,
``python -m``, ``poetry run``, ``uv run``, ``pipenv run``, ``ddtrace-run``, ``gosu USER``,
``su-exec USER``, ``s6-setuidgid USER``, ``chpst -u USER``, ``runuser -u USER --``,
``newrelic-admin run-program``, ``opentelemetry-instrument``), and what remains is
recognised by its program name. gunicorn's arguments are left to gunicorn's own parser
(:mod:`golive.collectors.appservers.gunicorn_loader`); uvicorn, daphne, hypercorn, granian,
waitress-serve and mod_wsgi-express options (and uWSGI's, for the command line alone) are
read with :mod:`argparse` declaring the production-relevant ones, as each server's manual
documents them: https://www.uvicorn.org/settings/,
https://github.com/django/daphne#readme, https://hypercorn.readthedocs.io/en/latest/how_to_guides/configuring.html,
https://uwsgi-docs.readthedocs.io/en/latest/Options.html.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Iterator, Mapping

from msgspec import Struct

from golive import shellwords
from golive.redact import fill_in

SERVERS = (
    "gunicorn",
    "uvicorn",
    "daphne",
    "hypercorn",
    "uwsgi",
    "granian",
    "waitress-serve",
    "waitress",
    "mod_wsgi-express",
)
WRAPPERS = {"exec", "nice", "nohup", "ddtrace-run", "opentelemetry-instrument", "dumb-init", "tini", "--"}
#: Programs that drop privileges and run the rest as a user they take as one argument:
#: ``gosu USER cmd``, ``su-exec USER cmd``, ``s6-setuidgid USER cmd``, ``setuidgid USER cmd``.
USER_WRAPPERS = {"gosu", "su-exec", "s6-setuidgid", "setuidgid"}
#: runit's chpst and util-linux's runuser, with the options that take a value (chpst(8), runuser(1)).
OPTION_WRAPPERS = {
    "chpst": {"-u", "-U", "-e", "-/", "-n", "-l", "-L", "-m", "-d", "-o", "-p", "-f", "-c", "-r", "-t"},
    "runuser": {"-u", "-g", "-G", "--user", "--group", "--supp-group"},
}
RUNNERS = {("poetry", "run"), ("uv", "run"), ("pipenv", "run"), ("pdm", "run"), ("hatch", "run")}
VAR_RE = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)")


class Invocation(Struct, frozen=True, kw_only=True):
    """One application server started by a command: its ``program`` and its arguments."""

    program: str
    argv: tuple[str, ...]
    unresolved: tuple[str, ...] = ()


def expand(token: str, env: Mapping[str, str]) -> tuple[str, bool]:
    """Expand ``$VAR``, ``${VAR}``, ``${VAR:-default}`` from ``env``: (text, fully resolved).
    A secret-named variable or a secret value of ``env`` is filled in as ``***``
    (:func:`golive.redact.fill_in`), which counts as resolved."""
    resolved = True
    if "$" not in token:
        return token, resolved

    def sub(match: re.Match[str]) -> str:
        nonlocal resolved
        name = match.group(1) or match.group(3)
        if name in env:
            return fill_in(name, env[name], env)
        if match.group(2) is not None:
            return match.group(2)
        resolved = False
        return match.group(0)

    return VAR_RE.sub(sub, token), resolved


def segments(argv: tuple[str, ...]) -> Iterator[list[str]]:
    """The simple commands of a shell command line's words, split at ``&&``, ``;``, ``||`` and
    ``|`` (each a list of words; empty ones left out)."""
    current: list[str] = []
    for token in argv:
        if token in ("&&", ";", "||", "|"):
            if current:
                yield current
            current = []
        else:
            current.append(token)
    if current:
        yield current


def peel(argv: list[str]) -> list[str]:
    """Drop wrappers in front of the program (see the module docstring); linear in ``argv``."""
    i, n = 0, len(argv)
    while i < n:
        head = os.path.basename(argv[i])
        nxt = argv[i + 1] if i + 1 < n else None
        if head in WRAPPERS:
            i += 1
        elif head in USER_WRAPPERS and nxt is not None:
            i += 2
        elif head in OPTION_WRAPPERS:
            i += 1
            while i < n and argv[i].startswith("-") and argv[i] != "--":
                i += 2 if argv[i] in OPTION_WRAPPERS[head] else 1
        elif head == "env":
            i += 1
            while i < n and ("=" in argv[i] or argv[i].startswith("-")):
                i += 1
        elif "=" in argv[i] and not argv[i].startswith("-"):
            i += 1  # VAR=value prefix
        elif (
            (nxt is not None and (head, nxt) in RUNNERS)
            or (head == "newrelic-admin" and nxt == "run-program")
            or (re.fullmatch(r"python[\d.]*", head) and i + 2 < n and nxt == "-m")
        ):
            i += 2  # "poetry run", "newrelic-admin run-program", "python -m"
        else:
            break
    return argv[i:]


def invocations(argv: tuple[str, ...], env: Mapping[str, str]) -> list[Invocation]:
    """The application servers a command line starts (``sh -c "..."`` is split too)."""
    out: list[Invocation] = []
    for segment in segments(argv):
        head = os.path.basename(segment[0]) if segment else ""
        if head in ("sh", "bash", "/bin/sh") and len(segment) > 2 and segment[1] in ("-c", "-ec", "-lc"):
            try:
                out += invocations(tuple(shellwords.split(segment[2])), env)
            except ValueError:
                continue
            continue
        peeled = peel(segment)
        if not peeled:
            continue
        program = os.path.basename(peeled[0])
        if program not in SERVERS:
            continue
        args: list[str] = []
        unresolved: list[str] = []
        for token in peeled[1:]:
            text, ok = expand(token, env)
            args.append(text)
            if not ok:
                unresolved.append(token)
        out.append(Invocation(program=program, argv=tuple(args), unresolved=tuple(unresolved)))
    return out


def drop_unresolved(
    argv: tuple[str, ...], keep: tuple[str, ...] = ("-b", "--bind")
) -> tuple[tuple[str, ...], list[str]]:
    """Remove options whose value is an unexpanded ``$VAR`` (except ``keep``): (argv, dropped)."""
    out: list[str] = []
    dropped: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if token.startswith("-") and "=" in token and "$" in token and token.split("=", 1)[0] not in keep:
            dropped.append(token)
        elif (
            token.startswith("-")
            and "=" not in token
            and nxt is not None
            and "$" in nxt
            and token not in keep
        ):
            dropped.append(f"{token} {nxt}")
            i += 1
        elif "$" in token and not token.startswith("-") and not (out and out[-1] in keep):
            dropped.append(token)
        else:
            out.append(token)
        i += 1
    return tuple(out), dropped


class ServerOptions(Struct, frozen=True, kw_only=True):
    """The production-relevant options of a non-gunicorn server, as written.

    ``binds`` are address strings (``host:port``, ``unix:path``, ``fd://N``);
    ``proxy_headers`` is None when the server has no such switch; ``trust_option`` names
    the option that lists the trusted proxies when it is not ``--forwarded-allow-ips``;
    ``config`` names a configuration file the server reads (uWSGI ``--ini``), not audited yet.
    """

    binds: tuple[str, ...] = ()
    workers: int | None = None
    reload: bool = False
    reload_option: str = ""
    proxy_headers: bool | None = None
    forwarded_allow_ips: str | None = None
    config: str | None = None
    trust_option: str = ""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ValueError(message)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def uvicorn_options(argv: tuple[str, ...], env: Mapping[str, str]) -> ServerOptions:
    """uvicorn: ``--host`` (127.0.0.1), ``--port`` (8000), ``--uds``, ``--fd``, ``--workers``,
    ``--reload``, ``--proxy-headers`` (on by default), ``--forwarded-allow-ips``
    (``$FORWARDED_ALLOW_IPS``, else 127.0.0.1).
    """
    p = _Parser(add_help=False)
    p.add_argument("--host", default=env.get("UVICORN_HOST", "127.0.0.1"))
    p.add_argument("--port", default=env.get("UVICORN_PORT", "8000"))
    p.add_argument("--uds")
    p.add_argument("--fd")
    p.add_argument("--workers", default=env.get("WEB_CONCURRENCY"))
    p.add_argument("--reload", action="store_true")
    p.add_argument("--proxy-headers", dest="proxy", action="store_true", default=True)
    p.add_argument("--no-proxy-headers", dest="proxy", action="store_false")
    p.add_argument("--forwarded-allow-ips", default=env.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))
    ns, _ = p.parse_known_args(argv)
    if ns.uds:
        binds: tuple[str, ...] = (f"unix:{ns.uds}",)
    elif ns.fd:
        binds = (f"fd://{ns.fd}",)
    else:
        host = f"[{ns.host}]" if ":" in ns.host else ns.host
        binds = (f"{host}:{ns.port}",)
    return ServerOptions(
        binds=binds,
        workers=_int(ns.workers),
        reload=ns.reload,
        reload_option="--reload",
        proxy_headers=ns.proxy,
        forwarded_allow_ips=ns.forwarded_allow_ips,
    )


def daphne_options(argv: tuple[str, ...], env: Mapping[str, str]) -> ServerOptions:
    """daphne: ``-b/--bind`` (127.0.0.1), ``-p/--port`` (8000), ``-u/--unix-socket``,
    ``--fd``, ``-e/--endpoint``, ``--proxy-headers`` (off by default; trusts any peer).
    """
    p = _Parser(add_help=False)
    p.add_argument("-b", "--bind", default=None)
    p.add_argument("-p", "--port", default=None)
    p.add_argument("-u", "--unix-socket")
    p.add_argument("--fd")
    p.add_argument("-e", "--endpoint", action="append", default=[])
    p.add_argument("--proxy-headers", action="store_true")
    ns, _ = p.parse_known_args(argv)
    binds: list[str] = []
    if ns.unix_socket:
        binds.append(f"unix:{ns.unix_socket}")
    if ns.fd:
        binds.append(f"fd://{ns.fd}")
    for endpoint in ns.endpoint:
        match = re.search(r"port=(\d+)", endpoint)
        iface = re.search(r"interface=([^:]+)", endpoint)
        if endpoint.startswith("unix:"):
            binds.append("unix:" + endpoint.split(":")[1])
        elif match:
            binds.append(f"{iface.group(1) if iface else '0.0.0.0'}:{match.group(1)}")
    if ns.bind or ns.port or not binds:
        binds.append(f"{ns.bind or '127.0.0.1'}:{ns.port or 8000}")
    return ServerOptions(binds=tuple(binds), proxy_headers=ns.proxy_headers)


def hypercorn_options(argv: tuple[str, ...], env: Mapping[str, str]) -> ServerOptions:
    """hypercorn: ``-b/--bind`` (repeatable, 127.0.0.1:8000), ``-w/--workers``, ``--reload``,
    ``-c/--config`` (a TOML/Python file, not read here). No proxy-header handling of its own.
    """
    p = _Parser(add_help=False)
    p.add_argument("-b", "--bind", action="append", default=[])
    p.add_argument("-w", "--workers")
    p.add_argument("--reload", action="store_true")
    p.add_argument("-c", "--config")
    ns, _ = p.parse_known_args(argv)
    return ServerOptions(
        binds=tuple(ns.bind) or ("127.0.0.1:8000",),
        workers=_int(ns.workers),
        reload=ns.reload,
        reload_option="--reload",
        config=ns.config,
    )


def uwsgi_options(argv: tuple[str, ...], env: Mapping[str, str]) -> ServerOptions:
    """uWSGI: ``--http``, ``--http-socket``, ``--socket/-s``, ``--uwsgi-socket``,
    ``--processes/-p/--workers``, ``--py-autoreload``/``--python-autoreload``,
    ``--touch-reload``; ``--ini``/``--yaml``/``--xml`` or a positional file is a config.
    """
    p = _Parser(add_help=False, prefix_chars="-")
    for name in ("--http", "--http-socket", "--https", "-s", "--socket", "--uwsgi-socket", "--https-socket"):
        p.add_argument(name, action="append", default=[], dest=name.lstrip("-").replace("-", "_"))
    p.add_argument("-p", "--processes", "--workers", dest="workers")
    p.add_argument("--py-autoreload", "--python-autoreload", "--py-auto-reload", dest="autoreload")
    p.add_argument("--ini", "--yaml", "--xml", "--json", dest="config")
    ns, rest = p.parse_known_args(argv)
    binds = [b for key in ("http", "http_socket", "https", "https_socket") for b in getattr(ns, key)]
    binds += [b for key in ("s", "socket", "uwsgi_socket") for b in getattr(ns, key)]
    config = ns.config or next((r for r in rest if r.endswith((".ini", ".yaml", ".yml", ".xml"))), None)
    autoreload = _int(ns.autoreload)
    return ServerOptions(
        binds=tuple(binds),
        workers=_int(ns.workers),
        reload=bool(autoreload),
        reload_option=f"--py-autoreload {ns.autoreload}" if autoreload else "",
        config=config,
    )


def granian_options(argv: tuple[str, ...], env: Mapping[str, str]) -> ServerOptions:
    """granian: ``--host`` (127.0.0.1, ``$GRANIAN_HOST``), ``--port`` (8000), ``--uds``,
    ``--workers`` (1), ``--reload`` (https://github.com/emmett-framework/granian#options).
    No forwarded-header handling of its own."""
    p = _Parser(add_help=False)
    p.add_argument("--host", default=env.get("GRANIAN_HOST", "127.0.0.1"))
    p.add_argument("--port", default=env.get("GRANIAN_PORT", "8000"))
    p.add_argument("--uds")
    p.add_argument("--workers", default=env.get("GRANIAN_WORKERS"))
    p.add_argument(
        "--reload", dest="reload", action="store_true", default=env.get("GRANIAN_RELOAD") == "true"
    )
    p.add_argument("--no-reload", dest="reload", action="store_false")
    ns, _ = p.parse_known_args(argv)
    host = f"[{ns.host}]" if ":" in ns.host else ns.host
    return ServerOptions(
        binds=(f"unix:{ns.uds}",) if ns.uds else (f"{host}:{ns.port}",),
        workers=_int(ns.workers),
        reload=ns.reload,
        reload_option="--reload",
    )


def waitress_options(argv: tuple[str, ...], env: Mapping[str, str]) -> ServerOptions:
    """waitress-serve: ``--listen`` (repeatable), else ``--host`` (0.0.0.0: every interface)
    and ``--port`` (8080), ``--unix-socket``; ``--trusted-proxy`` (``*``: any peer) with
    ``--trusted-proxy-headers`` makes it take the scheme and client from forwarded headers
    (https://docs.pylonsproject.org/projects/waitress/en/latest/arguments.html). One process."""
    p = _Parser(add_help=False)
    p.add_argument("--listen", action="append", default=[])
    p.add_argument("--host", default="0.0.0.0")
    p.add_argument("--port", default="8080")
    p.add_argument("--unix-socket")
    p.add_argument("--trusted-proxy")
    p.add_argument("--trusted-proxy-headers")
    ns, _ = p.parse_known_args(argv)
    binds = tuple(ns.listen) or ((f"unix:{ns.unix_socket}",) if ns.unix_socket else (f"{ns.host}:{ns.port}",))
    return ServerOptions(
        binds=binds,
        proxy_headers=bool(ns.trusted_proxy) and bool(ns.trusted_proxy_headers),
        forwarded_allow_ips=ns.trusted_proxy,
        trust_option="--trusted-proxy",
    )


def mod_wsgi_options(argv: tuple[str, ...], env: Mapping[str, str]) -> ServerOptions:
    """mod_wsgi-express (``start-server``/``setup-server``): ``--host`` (every interface when
    unset), ``--port`` (8000), ``--processes``, ``--reload-on-changes``
    (https://pypi.org/project/mod-wsgi/, "mod_wsgi-express start-server --help")."""
    p = _Parser(add_help=False)
    p.add_argument("--host", default="")
    p.add_argument("--port", default="8000")
    p.add_argument("--processes")
    p.add_argument("--reload-on-changes", action="store_true")
    ns, _ = p.parse_known_args([a for a in argv if a not in ("start-server", "setup-server")])
    return ServerOptions(
        binds=(f"{ns.host or '0.0.0.0'}:{ns.port}",),
        workers=_int(ns.processes),
        reload=ns.reload_on_changes,
        reload_option="--reload-on-changes",
    )


PARSERS = {
    "uvicorn": uvicorn_options,
    "daphne": daphne_options,
    "hypercorn": hypercorn_options,
    "uwsgi": uwsgi_options,
    "granian": granian_options,
    "waitress-serve": waitress_options,
    "waitress": waitress_options,
    "mod_wsgi-express": mod_wsgi_options,
}
