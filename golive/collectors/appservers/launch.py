"""From the commands a deployment names to the commands that start its servers.

:func:`follow` reads the start scripts the project's process commands run
(:mod:`golive.collectors.appservers.scripts`), and :func:`supervisord` the programs of a
supervisord configuration (``[program:x]`` sections, read with :mod:`configparser`:
``command``, ``directory``, ``environment``, ``umask``; supervisord's ``%(ENV_X)s``,
``%(here)s`` and ``%(program_name)s`` expansions,
http://supervisord.org/configuration.html#program-x-section-settings). Both build
:class:`golive.collectors.project.ProcessCommand` values with the text redacted
(:mod:`golive.redact`): a script's ``--env SECRET=...`` or a URL's password never
reaches a fact, and secret-named assignments of the environment are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from golive.collectors.appservers.scripts import (
    SHELLS,
    Resolver,
    ScriptCommand,
    alternatives,
    read_script,
    resolve,
    script_target,
    simple_commands,
    words,
)
from golive.facts.secrets import holds_secret
from golive.model import Location
from golive.redact import PLACEHOLDER, redact_text, redact_words, secret_values

if TYPE_CHECKING:
    from golive.facts.project import ProcessCommand

#: Programs a start script may run that matter to the audit besides the servers
#: :mod:`golive.collectors.appservers.cmdline` knows: Django's commands (runserver, migrate).
DJANGO_WORDS = frozenset({"manage.py", "django-admin", "django-admin.py"})
#: How deep scripts calling scripts are followed.
MAX_DEPTH = 4
#: Origins whose paths are inside a container image, not on the host.
CONTAINER_ORIGINS = ("Dockerfile", "docker-compose")


def safe_env(pairs: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Assignments fit for a fact: secret-named ones (:func:`golive.facts.secrets.holds_secret`,
    ``SECRET_KEY_FALLBACKS`` included) left out, a copy of a secret value replaced by ``***``,
    the rest through :func:`golive.redact.redact_text`."""
    known = secret_values(dict(pairs))
    return tuple((k, PLACEHOLDER if v in known else redact_text(v)) for k, v in pairs if not holds_secret(k))


def _runs(argv: Sequence[str]) -> Iterator[list[str]]:
    """The simple commands of a command line, ``sh -c "..."`` strings split as a shell would."""
    from golive.collectors.appservers.cmdline import segments

    for segment in segments(tuple(argv)):
        head = segment[0].rsplit("/", 1)[-1] if segment else ""
        if head in SHELLS and len(segment) > 2 and re.fullmatch(r"-[a-z]*c[a-z]*", segment[1]):
            try:
                yield from simple_commands(words(segment[2]))
            except ValueError:
                continue
        else:
            yield segment


def _server(argv: Sequence[str]) -> bool:
    """True when ``argv`` (wrappers peeled) starts an application server."""
    from golive.collectors.appservers.cmdline import SERVERS, peel

    peeled = peel(list(argv))
    return bool(peeled) and peeled[0].rsplit("/", 1)[-1] in SERVERS


#: Programs that run the rest of the line as another user: ``gosu USER``, ``su-exec USER``,
#: ``s6-setuidgid USER``, ``setuidgid USER``, ``chpst -u USER``, ``runuser -u USER``.
DROPPERS = {"gosu": 1, "su-exec": 1, "s6-setuidgid": 1, "setuidgid": 1}


def drops_to(argv: Sequence[str]) -> str | None:
    """The user a command line switches to before the program it runs, or None (the switch
    comes first: only the first words are looked at, so a long command line costs nothing)."""
    for i, word in enumerate(argv[: min(len(argv) - 1, 8)]):
        name = word.rsplit("/", 1)[-1]
        if name in DROPPERS:
            return argv[i + 1].split(":", 1)[0]
        if name in ("chpst", "runuser") and argv[i + 1] == "-u" and i + 2 < len(argv):
            return argv[i + 2].split(":", 1)[0]
    return None


def _wrapped(args: Sequence[str]) -> int | None:
    """Where the command a wrapper script runs starts in its arguments: after ``--``
    (``wait-for-it.sh db:5432 -- gunicorn ...``), else at the first word that is a server
    (``bin/start-pgbouncer gunicorn ...``); None when neither."""
    if "--" in args:
        return args.index("--") + 1
    from golive.collectors.appservers.cmdline import SERVERS

    return next((i for i, a in enumerate(args) if a.rsplit("/", 1)[-1] in SERVERS), None)


def _relevant(argv: Sequence[str]) -> bool:
    names = {w.rsplit("/", 1)[-1] for w in argv}
    return _server(argv) or bool(DJANGO_WORDS & names)


def _command(
    sc: ScriptCommand, rel: str, parent: ProcessCommand, via: str, umask_where: Location | None
) -> ProcessCommand:
    from golive.facts.project import ProcessCommand

    env = dict(parent.env)
    env.update(safe_env(sc.env))
    cwd = parent.cwd
    if sc.cwd is not None:
        cwd = sc.cwd if sc.cwd.startswith(("/", "$")) or not cwd else f"{cwd.rstrip('/')}/{sc.cwd}"
    user, user_at = parent.user, parent.user_at
    dropped = drops_to(sc.words)
    if dropped is not None:  # exec gosu app gunicorn ...
        user, user_at = dropped, Location(path=rel, line=sc.line)
    return ProcessCommand(
        origin="start script",
        location=Location(path=rel, line=sc.line),
        command=redact_text(sc.text),
        argv=redact_words(sc.words),
        env=tuple(env.items()),
        umask=sc.umask if sc.umask is not None else parent.umask,
        umask_at=umask_where if sc.umask is not None else parent.umask_at,
        cwd=cwd,
        via=via,
        dockerfile=parent.dockerfile,
        stage=parent.stage,
        user=user,
        user_at=user_at,
    )


def follow(
    commands: Sequence[ProcessCommand],
    resolver: Resolver,
    unread: list[str],
    admit: Callable[[Path], bool] = lambda _: True,
    *,
    _depth: int = 0,
    _seen: frozenset[Path] = frozenset(),
) -> list[ProcessCommand]:
    """The commands of every start script ``commands`` run, scripts they run included.

    A script path that cannot be resolved in the repository, or a script that cannot be
    read, adds one line to ``unread`` (never silently dropped). ``admit(path)`` says
    whether a script is audited (the layout's classification); a script left out is not
    read. Returns the script lines that start a server or run Django's ``manage.py``; a
    ``runserver`` in an ``if``/``case`` branch whose other branch starts a server is the
    development alternative and left out (the branch taken is decided at run time).
    """
    found: list[ProcessCommand] = []
    if _depth >= MAX_DEPTH:
        return found
    project = resolver.project_dir
    for cmd in commands:
        for argv in _runs(cmd.argv):
            target = script_target(argv)
            if target is None:
                continue
            written, args = target
            start = _wrapped(args)
            if start is not None:  # wait-for-it.sh db:5432 -- gunicorn ..., bin/start-pgbouncer gunicorn ...
                tail = args[start:]
                found += follow(
                    [_replace_argv(cmd, tail)], resolver, unread, admit, _depth=_depth, _seen=_seen
                )
                if _relevant(tail):
                    found.append(_replace_argv(cmd, tail))
            near = (project / cmd.location.path).parent
            path, how = resolve(
                written,
                resolver,
                dockerfile=f"{cmd.dockerfile}#{cmd.stage}"
                if cmd.dockerfile and cmd.stage
                else cmd.dockerfile,
                cwd=cmd.cwd,
                container=cmd.origin.startswith(CONTAINER_ORIGINS) or cmd.dockerfile is not None,
                near=near,
            )
            where = f"{cmd.origin} ({cmd.location})"
            if path is None:
                unread.append(f"{where} runs {written}: {how}: not audited")
                continue
            resolved = path.resolve()
            if resolved in _seen or not admit(resolved):
                continue
            try:
                text = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                unread.append(f"{where} runs {written}: {path}: cannot be read ({exc.__class__.__name__})")
                continue
            rel = _display(path, project)
            via = f"run by {where}" + (
                f"; {how}" if how not in ("in the repository", "on this machine") else ""
            )
            lines = read_script(text)
            dev = alternatives(lines, lambda c: _server(c.words))
            for index, sc in enumerate(lines):
                if index in dev and {"runserver", "runserver_plus"} & set(sc.words):
                    continue  # the development branch of an if/case whose other branch starts a server
                umask_where = Location(path=rel, line=sc.umask_line) if sc.umask_line else None
                new = _command(sc, rel, cmd, via, umask_where)
                if _relevant(sc.words):
                    found.append(new)
                found += follow([new], resolver, unread, admit, _depth=_depth + 1, _seen=_seen | {resolved})
    return found


def _replace_argv(cmd: ProcessCommand, argv: Sequence[str]) -> ProcessCommand:
    from msgspec.structs import replace

    return replace(cmd, argv=redact_words(argv), command=redact_text(" ".join(argv)))


def _display(path: Path, project: Path) -> str:
    try:
        return str(path.resolve().relative_to(project.resolve()))
    except ValueError:
        return str(path)


ENV_RE = re.compile(r"%\(ENV_(\w+)\)s")


def _supervisor_value(value: str, name: str, here: str) -> str:
    """supervisord's expansions: ``%(ENV_X)s`` → ``${X}`` (expanded later from the audit's
    environment), ``%(here)s``, ``%(program_name)s``, ``%(process_num)d`` (0)."""
    value = ENV_RE.sub(lambda m: "${" + m.group(1) + "}", value)
    value = value.replace("%(here)s", here).replace("%(program_name)s", name)
    return re.sub(r"%\(process_num\)\d*d", "0", value)


def _environment(value: str) -> list[tuple[str, str]]:
    """``KEY="val",KEY2=val2`` (supervisord's ``environment``), split outside quotes."""
    try:
        lexer_words = words(value.replace(",", " , "))
    except ValueError:
        return []
    pairs = []
    for word in lexer_words:
        if "=" in word and word != ",":
            name, _, val = word.partition("=")
            pairs.append((name.strip(), val))
    return pairs


def supervisord(path: Path, rel: str) -> Iterator[ProcessCommand]:
    """The ``[program:x]`` commands of a supervisord configuration file (``configparser``,
    repeated keys allowed, no interpolation: supervisord's own ``%(...)s`` are expanded
    here). Raises ``OSError``/``UnicodeDecodeError``/``configparser.Error`` when unreadable."""
    import configparser  # here: a project without supervisord files does not load it (issue 15)

    from golive.collectors.compose_commands import split_command
    from golive.facts.project import ProcessCommand

    text = path.read_bytes().decode("utf-8")
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text, source=rel)
    lines = text.splitlines()
    for section in parser.sections():
        if not section.startswith("program:") or not parser.has_option(section, "command"):
            continue
        name = section.split(":", 1)[1]
        here = str(path.parent)
        command = " ".join(_supervisor_value(parser.get(section, "command"), name, here).split())
        start = next((i for i, ln in enumerate(lines) if ln.strip() == f"[{section}]"), 0)
        line = next(
            (i + 1 for i, ln in enumerate(lines[start:], start) if re.match(r"\s*command\s*=", ln)), None
        )
        umask = parser.get(section, "umask", fallback=None)
        umask_line = next(
            (i + 1 for i, ln in enumerate(lines[start:], start) if re.match(r"\s*umask\s*=", ln)), None
        )
        env = _environment(_supervisor_value(parser.get(section, "environment", fallback=""), name, here))
        directory = parser.get(section, "directory", fallback=None)
        user = parser.get(section, "user", fallback=None)
        user_line = next(
            (i + 1 for i, ln in enumerate(lines[start:], start) if re.match(r"\s*user\s*=", ln)), None
        )
        yield ProcessCommand(
            origin="supervisord command",
            location=Location(path=rel, line=line),
            command=redact_text(command),
            argv=redact_words(split_command(command)),
            env=safe_env(env),
            umask=umask.strip() if umask else None,
            umask_at=Location(path=rel, line=umask_line) if umask else None,
            cwd=_supervisor_value(directory, name, here) if directory else None,
            user=user.strip() if user else None,
            user_at=Location(path=rel, line=user_line) if user else None,
        )


SUPERVISORD_RE = re.compile(r"^\s*\[program:[^\]]+\]", re.MULTILINE)
