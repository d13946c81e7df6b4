"""The state a server command runs with, as the application-server collectors need it.

A :class:`golive.collectors.project.ProcessCommand` carries what its file declares: the
environment (compose ``environment:``, systemd ``Environment=``, a start script's
``export``), the working directory and the umask. Here that becomes what gunicorn's
loader and the option parsers take: the environment to expand ``$VAR`` with, the
variables gunicorn itself reads (``GUNICORN_CMD_ARGS``, ``WEB_CONCURRENCY``, ``PORT``:
https://docs.gunicorn.org/en/stable/settings.html), and a configuration path of the
command (``-c /etc/app/gunicorn.py``) mapped onto the repository when that absolute path
does not exist here (:func:`map_file`), saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from golive.collectors.appservers.cmdline import expand
from golive.collectors.appservers.scripts import Resolver, resolve

if TYPE_CHECKING:
    from golive.facts.project import ProcessCommand

#: Environment variables gunicorn reads itself.
GUNICORN_ENV = ("GUNICORN_CMD_ARGS", "WEB_CONCURRENCY", "PORT")
CONTAINER_ORIGINS = ("Dockerfile", "docker-compose")


def command_env(cmd: ProcessCommand, base: Mapping[str, str]) -> dict[str, str]:
    """``base`` (the audit's environment) with the command's declared assignments applied in
    order, each expanded against what is set before it: what the declared files give the
    process wins over the shell golive runs in."""
    env = dict(base)
    for name, value in cmd.env:
        env[name] = expand(value, env)[0]
    return env


def declared_gunicorn_env(cmd: ProcessCommand, base: Mapping[str, str]) -> dict[str, str]:
    """The variables gunicorn reads (:data:`GUNICORN_ENV`) that the command's files declare,
    expanded; unresolved ones (a ``$VAR`` left) are left out."""
    env = command_env(cmd, base)
    names = {name for name, _ in cmd.env}
    return {k: env[k] for k in GUNICORN_ENV if k in names and "$" not in env[k]}


def is_container(cmd: ProcessCommand) -> bool:
    """True when the command runs inside a container image (its paths are the image's)."""
    return cmd.dockerfile is not None or cmd.origin.startswith(CONTAINER_ORIGINS)


def map_file(written: str, cmd: ProcessCommand | None, project_dir: Path) -> tuple[Path | None, str]:
    """The file a command names (``-c /etc/app/gunicorn.py``, ``--ini uwsgi.ini``) and a note
    when it is not the path as written: ``(path, note)``.

    A relative path is looked up from the command's working directory (mapped onto the
    repository: ``cd /app/src`` → ``src/``), then the project. An absolute path that exists
    on this machine (outside a container) is used as is; else the repository's file at the
    longest matching tail of the path, else its file of the same name, and the note says
    which ("/etc/app/gunicorn.py does not exist here: read the repository's
    deploy/gunicorn.py, the file of that name"). ``(None, why)`` when there is none.
    """
    container = cmd is not None and is_container(cmd)
    if written.startswith("/") and not container and Path(written).is_file():
        return Path(written), ""
    if not written.startswith("/"):
        for base in workdirs(cmd, project_dir):
            candidate = base / written
            if candidate.is_file():
                return candidate, ""
    files = [p for p in _walk(project_dir) if p.name == Path(written).name]
    found, how = resolve(
        written,
        Resolver(project_dir=project_dir, files=files),
        dockerfile=None,
        cwd=None,
        container=True,
        near=project_dir,
    )
    if found is None:
        return None, how
    shown = str(found.relative_to(project_dir)) if found.is_relative_to(project_dir) else str(found)
    if written.startswith("/"):
        where = "in the container" if container else "here"
        extra = ""
        if "the file of that name" in how:
            extra = ", the file of that name" + (how[how.index(" (one of") :] if " (one of" in how else "")
        return found, f"{written} does not exist {where}: read the repository's {shown}{extra}"
    return found, f"{written} read as the repository's {shown}"


def workdirs(cmd: ProcessCommand | None, project_dir: Path) -> list[Path]:
    """Folders of the repository the command's working directory may be, most likely first:
    its ``cwd`` (relative, or each tail of an absolute one that exists in the project),
    then the project itself."""
    out: list[Path] = []
    cwd = cmd.cwd if cmd is not None else None
    if cwd and not cwd.startswith("$"):
        parts = [p for p in cwd.split("/") if p and p != "."]
        for i in range(len(parts)):
            candidate = project_dir.joinpath(*parts[i:])
            if candidate.is_dir():
                out.append(candidate)
                break
    return [*out, project_dir]


def _walk(project_dir: Path) -> list[Path]:
    from golive.collectors.project import MAX_DEPTH
    from golive.walk import project_files

    return list(project_files(project_dir, max_depth=MAX_DEPTH))
