"""The settings module a production deployment file names (issue 13).

``manage.py`` and ``wsgi.py`` usually default ``DJANGO_SETTINGS_MODULE`` to development
settings; the deployment sets the real one in the process environment. Django's WSGI how-to:
the environment variable wins over the ``os.environ.setdefault`` of ``wsgi.py``
(https://docs.djangoproject.com/en/stable/howto/deployment/wsgi/#configuring-the-settings-module),
and ``django-admin --settings`` sets it for one command
(https://docs.djangoproject.com/en/stable/ref/django-admin/#cmdoption-settings).

:func:`named_by_deployment` reads, never runs, the files that start the site:

- Dockerfile ``ENV DJANGO_SETTINGS_MODULE=x`` (or ``ENV DJANGO_SETTINGS_MODULE x``);
- compose files: the ``environment:`` (mapping or list) of the web service, the service
  that starts a production server, else one named ``web``, ``app``, ``django``...
  (services in development/test ``profiles`` are left out);
- systemd units ``Environment=``, uWSGI ``env = DJANGO_SETTINGS_MODULE=x``, supervisord
  ``environment=``;
- Procfiles and start scripts: ``export DJANGO_SETTINGS_MODULE=x``, ``DJANGO_SETTINGS_MODULE=x
  cmd``, ``${DJANGO_SETTINGS_MODULE:-x}``, ``--settings=x``, gunicorn's ``--env
  DJANGO_SETTINGS_MODULE=x``.

What sets the variable for a build step only does not count: a Dockerfile ``RUN
DJANGO_SETTINGS_MODULE=x ...`` (only ``ENV``, ``CMD`` and ``ENTRYPOINT`` reach the running
container), or a ``collectstatic``/``compilemessages`` command with its own settings.
Only files :mod:`golive.collectors.layout` classifies as production or unknown count
(a ``compose/local/Dockerfile`` or ``Dockerfile.test`` does not); comment lines do not
count; a module that is not a file of the Django project does not count. Production files
come before unknown ones, then by path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from msgspec import Struct

from golive import yamlread
from golive.collectors import layout as layout_mod
from golive.collectors.layout import Layout, Role
from golive.walk import project_files

DSM = "DJANGO_SETTINGS_MODULE"
_MODULE = r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\b(?![.\w$%{-])"
#: ``DJANGO_SETTINGS_MODULE=x`` (shell, systemd, uWSGI, supervisord, gunicorn ``--env``).
ASSIGN = re.compile(rf"(?<![\w$]){DSM}\s*=\s*[\"']?{_MODULE}")
#: ``${DJANGO_SETTINGS_MODULE:-x}``: the value used when the variable is unset.
SHELL_DEFAULT = re.compile(rf"\$\{{{DSM}:?-[\"']?{_MODULE}")
#: ``ENV DJANGO_SETTINGS_MODULE x`` (the Dockerfile's older form, no ``=``).
DOCKER_ENV_SPACE = re.compile(rf"^\s*ENV\s+{DSM}\s+[\"']?{_MODULE}", re.MULTILINE | re.IGNORECASE)
#: ``--settings=x`` or ``--settings x`` of ``manage.py``/``django-admin``.
SETTINGS_OPTION = re.compile(rf"--settings(?:=|\s+)[\"']?{_MODULE}")
#: Names of compose services that serve the site when no command says so.
WEB_SERVICES = ("web", "app", "django", "backend", "api", "server", "website", "wsgi", "asgi")
SUPERVISOR = "supervisord config"
MAX_DEPTH = 4


class NamedModule(Struct, frozen=True, kw_only=True):
    """``module`` set by the deployment file ``path`` (POSIX, relative to the repository) at
    ``line``; ``detail`` says how when it is not a plain assignment (``service web``,
    ``--settings``); ``role`` and ``why`` are the file's classification."""

    module: str
    path: str
    line: int
    detail: str
    role: str
    why: str

    @property
    def reason(self) -> str:
        """The report's one-line reason: which file chose the module, and why it counts."""
        detail = f" ({self.detail})" if self.detail else ""
        if self.role == Role.PRODUCTION.value:
            kind = f", a production deployment file ({self.why})"
        else:
            kind = ", a deployment file nothing marks as development or test"
        return f"{DSM} set by {self.path}:{self.line}{detail}{kind}"


def _walk(root: Path) -> Iterator[Path]:
    """The repository's files (:class:`golive.walk.ProjectWalk`: no symlinked folder, capped)."""
    return project_files(root, max_depth=MAX_DEPTH)


#: Suffixes of files that may be deployment files whatever their content says: YAML (a
#: Compose file), ini (uWSGI), conf (supervisord), a systemd unit, a shell script.
CANDIDATE_SUFFIXES = (".yml", ".yaml", ".service", ".ini", ".conf", ".sh")


def _candidate(path: Path) -> bool:
    """True when ``path``'s name allows a kind :func:`_kind` knows (decided before reading):
    a Procfile, a Dockerfile, a name ending in :data:`CANDIDATE_SUFFIXES`, or a name without
    a dot that starts with ``#!`` (a script; only its first two bytes are read for that)."""
    from golive.facts.project import is_dockerfile

    name = path.name
    if name == "Procfile" or name.startswith("Procfile.") or is_dockerfile(name):
        return True
    if name.endswith(CANDIDATE_SUFFIXES):
        return True
    if "." in name:
        return False
    try:
        with path.open("rb") as handle:
            return handle.read(2) == b"#!"
    except OSError:
        return False


def _kind(path: Path, head: str) -> str | None:
    """The layout kind of a file that may set the variable, or None."""
    from golive.facts.project import is_dockerfile

    name = path.name
    if name == "Procfile" or name.startswith("Procfile."):
        return layout_mod.PROCFILE
    if is_dockerfile(name):
        return layout_mod.DOCKERFILE
    if name.endswith((".yml", ".yaml")) and re.search(r"^services:\s*$", head, re.M):
        return layout_mod.COMPOSE
    if name.endswith(".service"):
        return layout_mod.SYSTEMD
    if name.endswith(".ini") and re.search(r"^\s*\[uwsgi\]", head, re.M):
        return layout_mod.UWSGI
    if name.endswith(".conf") and re.search(r"^\s*\[program:", head, re.M):
        return SUPERVISOR
    if name.endswith(".sh") or ("." not in name and head.startswith("#!") and "sh" in head.split("\n", 1)[0]):
        return layout_mod.SCRIPT
    return None


def _read(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return handle.read(layout_mod.MAX_READ).decode("utf-8", "replace")
    except OSError:
        return None


def _blank_comments(text: str) -> str:
    """``text`` with comment lines emptied (line numbers kept)."""
    return "\n".join("" if line.lstrip().startswith(("#", ";")) else line for line in text.split("\n"))


#: Instructions whose settings the running container gets: ``ENV`` sets its environment,
#: ``CMD``/``ENTRYPOINT`` start it. A ``RUN`` step's ``VAR=x cmd`` is build time only
#: (https://docs.docker.com/reference/dockerfile/#env).
RUNTIME_INSTRUCTIONS = ("ENV", "CMD", "ENTRYPOINT")
#: Build-time management commands: their own ``--settings``/``VAR=x`` (a ``settings.static``
#: module made for collectstatic) say nothing about the module the site runs.
BUILD_COMMANDS = re.compile(r"\b(collectstatic|compilemessages|compress|assets)\b")


def _runtime_only(body: str, kind: str) -> str:
    """``body`` with what does not set the running site's settings blanked, offsets kept:
    in a Dockerfile every instruction but ENV, CMD and ENTRYPOINT (continuation lines
    included); elsewhere every line that runs a build-time command."""
    out: list[str] = []
    keep, continuing = True, False
    for line in body.split("\n"):
        stripped = line.strip()
        if kind == layout_mod.DOCKERFILE:
            if not continuing and stripped:
                keep = stripped.split(None, 1)[0].upper() in RUNTIME_INSTRUCTIONS
            continuing = stripped.endswith("\\")
        else:
            keep = not BUILD_COMMANDS.search(line)
        out.append(line if keep else " " * len(line))
    return "\n".join(out)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _in_text(text: str, kind: str) -> Iterator[tuple[str, int, str]]:
    """``(module, line, detail)`` for every setting of the variable in ``text``."""
    body = _runtime_only(_blank_comments(text), kind)
    patterns: list[tuple[re.Pattern[str], str]] = [(ASSIGN, ""), (SHELL_DEFAULT, "default of ${...:-}")]
    if kind == layout_mod.DOCKERFILE:
        patterns.append((DOCKER_ENV_SPACE, ""))
    if kind in (
        layout_mod.PROCFILE,
        layout_mod.SCRIPT,
        layout_mod.SYSTEMD,
        SUPERVISOR,
        layout_mod.DOCKERFILE,
    ):
        patterns.append((SETTINGS_OPTION, "--settings"))
    hits = [(m.start(1), m.group(1), detail) for pattern, detail in patterns for m in pattern.finditer(body)]
    for offset, module, detail in sorted(hits):
        yield module, _line(body, offset), detail


def _in_compose(text: str) -> Iterator[tuple[str, int, str]]:
    """``(module, line, "service NAME")`` from the web service's ``environment:``."""
    import yaml

    try:
        root = yamlread.compose(text)
    except yaml.YAMLError:
        return
    services = _get(root, "services")
    if not isinstance(services, yaml.MappingNode):
        return
    found: list[tuple[int, str, str, int]] = []
    for key, service in services.value:
        if not isinstance(service, yaml.MappingNode):
            continue
        profiles = _get(service, "profiles")
        if isinstance(profiles, yaml.SequenceNode):
            names = [p.value for p in profiles.value if isinstance(p, yaml.ScalarNode)]
            if layout_mod.profile_role(names) is not None:
                continue
        rank = _service_rank(str(key.value), service)
        if rank == 3:
            continue  # runserver: a development service
        for module, line in _compose_environment(_get(service, "environment")):
            found.append((rank, module, str(key.value), line))
    if not found:
        return
    best = min(rank for rank, *_ in found)
    if best == 2 and len({service for *_, service, _ in found}) > 1:
        return  # several services, none recognisably the web one
    for rank, module, service, line in found:
        if rank == best:
            yield module, line, f"service {service}"


def _get(node: Any, key: str) -> Any:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def _service_rank(name: str, service: Any) -> int:
    """0: starts a production server; 1: named like the web service; 2: anything else."""
    import yaml

    for field in ("command", "entrypoint"):
        node = _get(service, field)
        if node is None:
            continue
        words = [node.value] if isinstance(node, yaml.ScalarNode) else []
        if isinstance(node, yaml.SequenceNode):
            words = [str(n.value) for n in node.value if isinstance(n, yaml.ScalarNode)]
        command = " ".join(words)
        if layout_mod.RUNSERVER.search(command):
            return 3
        if layout_mod.PROD_SERVER.search(command):
            return 0
    return 1 if name.lower() in WEB_SERVICES else 2


def _compose_environment(node: Any) -> Iterator[tuple[str, int]]:
    import yaml

    module = re.compile(_MODULE)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == DSM and isinstance(value, yaml.ScalarNode):
                hit = module.fullmatch(str(value.value).strip())
                if hit:
                    yield hit.group(1), value.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.ScalarNode):
                name, sep, value = str(item.value).partition("=")
                hit = module.fullmatch(value.strip().strip("\"'"))
                if sep and name.strip() == DSM and hit:
                    yield hit.group(1), item.start_mark.line + 1


def module_exists(django_root: Path, module: str) -> bool:
    """True when dotted ``module`` is a file (or package) under ``django_root``."""
    base = django_root.joinpath(*module.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def named_by_deployment(repo: Path, django_root: Path, layout: Layout) -> list[NamedModule]:
    """Every module of the Django project at ``django_root`` that a production (or unknown)
    deployment file of the repository ``repo`` sets ``DJANGO_SETTINGS_MODULE`` to, best
    first (production files before unknown ones, then by path and line). Only files whose
    name makes them candidates are read (:func:`_candidate`), and each is classified by the
    audit's ``layout`` (:meth:`golive.collectors.layout.Layout.classify`). Never raises for
    an unreadable or malformed file: it is passed over."""
    found: list[NamedModule] = []
    for path in sorted(_walk(repo)):
        if not _candidate(path):
            continue
        head = _read(path)
        if head is None or (DSM not in head and "--settings" not in head):
            continue
        kind = _kind(path, head)
        rel = layout.rel(path)
        if kind is None or rel is None:
            continue
        every = _in_compose(head) if kind == layout_mod.COMPOSE else _in_text(head, kind)
        hits = [h for h in every if module_exists(django_root, h[0])]
        if not hits:
            continue
        # the audit's classification (cached, listed in the report); a supervisord file is
        # the project collector's start-script kind
        role = layout.classify(path, layout_mod.SCRIPT if kind == SUPERVISOR else kind)
        if not role.audited:
            continue
        for module, line, detail in hits:
            found.append(
                NamedModule(
                    module=module, path=rel, line=line, detail=detail, role=role.role, why=role.reason
                )
            )
    found.sort(key=lambda n: (n.role != Role.PRODUCTION.value, n.path, n.line))
    return found
