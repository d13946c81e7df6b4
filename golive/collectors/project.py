"""The project collector: how the project is started and what it depends on.

Process commands come from the files a deployment starts the app with: ``Procfile``
lines, ``Dockerfile`` ``CMD``/``ENTRYPOINT`` (read with dockerfile-parse), docker-compose
``command``/``entrypoint`` (PyYAML), and systemd units' ``ExecStart`` (configparser).
Requirements come from ``requirements*.txt`` (each line read with ``packaging``) and
``pyproject.toml`` dependencies. The nginx/gunicorn collectors reuse the commands.
"""

from __future__ import annotations

import configparser
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from golive import shellwords
from golive.collectors import CollectorSpec
from golive.collectors import layout as layout_mod
from golive.collectors.layout import Layout, layout_of
from golive.context import AuditContext
from golive.discovery import SKIP_DIRS
from golive.model import Location
from golive.registry import FactsBase

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_DEPTH = 4


@dataclass(frozen=True, kw_only=True)
class ProcessCommand:
    """A command line that starts (part of) the deployment.

    ``origin`` is ``Procfile``, ``Dockerfile CMD``, ``Dockerfile ENTRYPOINT``,
    ``docker-compose command``, ``docker-compose entrypoint`` or ``systemd ExecStart``.
    """

    origin: str
    location: Location
    command: str
    argv: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Dependency:
    """A requirement line: normalised ``name``, its specifier text, and where it is."""

    name: str
    specifier: str
    location: Location


@dataclass(frozen=True, kw_only=True)
class ProjectFacts(FactsBase):
    """Process commands and declared dependencies of the project."""

    collector: ClassVar[str] = "project"
    commands: tuple[ProcessCommand, ...]
    dependencies: tuple[Dependency, ...]
    requirement_files: tuple[str, ...]

    def depends_on(self, *names: str) -> list[Dependency]:
        """The dependencies among ``names`` (normalised, case-insensitive)."""
        wanted = {_normalise(n) for n in names}
        return [d for d in self.dependencies if d.name in wanted]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _walk(root: Path) -> Iterator[Path]:
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir():
                if depth < MAX_DEPTH and entry.name not in SKIP_DIRS and not entry.name.startswith("."):
                    stack.append((entry, depth + 1))
            elif entry.is_file():
                yield entry


def _argv(command: str) -> tuple[str, ...]:
    try:
        return tuple(shellwords.split(command))
    except ValueError:
        return tuple(command.split())


def _procfile(path: Path, rel: str) -> Iterator[ProcessCommand]:
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        name, sep, command = line.partition(":")
        if sep and name.strip() and not name.lstrip().startswith("#") and command.strip():
            cmd = command.strip()
            yield ProcessCommand(
                origin="Procfile", location=Location(path=rel, line=lineno), command=cmd, argv=_argv(cmd)
            )


def _dockerfile(path: Path, rel: str) -> Iterator[ProcessCommand]:
    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(path=str(path))
    for item in parser.structure:
        instruction = item.get("instruction", "").upper()
        if instruction not in ("CMD", "ENTRYPOINT"):
            continue
        value = item.get("value", "").strip()
        try:
            parsed = json.loads(value)
            argv = tuple(str(a) for a in parsed) if isinstance(parsed, list) else _argv(value)
        except ValueError:
            argv = _argv(value)
        yield ProcessCommand(
            origin=f"Dockerfile {instruction}",
            location=Location(path=rel, line=int(item.get("startline", 0)) + 1),
            command=" ".join(argv),
            argv=argv,
        )


def deployment_kind(path: Path) -> str | None:
    """The :mod:`~golive.collectors.layout` kind of a file this collector reads commands from
    (``Procfile``, ``Procfile.web``; ``Dockerfile``, ``Dockerfile.prod``, ``web.Dockerfile``;
    ``docker-compose.yml``, ``compose.prod.yaml``, ``local.yml``/``production.yml`` when they
    hold ``services:``; ``*.service``), or None."""
    name = path.name
    if name == "Procfile" or name.startswith("Procfile."):
        return layout_mod.PROCFILE
    if name == "Dockerfile" or name.startswith("Dockerfile.") or name.endswith(".Dockerfile"):
        return layout_mod.DOCKERFILE
    if re.fullmatch(r"(docker-)?compose(\.[\w-]+)?\.ya?ml", name):
        return layout_mod.COMPOSE
    if name.endswith((".yml", ".yaml")) and not name.startswith(".") and _compose_like(path):
        return layout_mod.COMPOSE
    if name.endswith(".service"):
        return layout_mod.SYSTEMD
    return None


def _compose_like(path: Path) -> bool:
    """True for a YAML file at most 1 MB whose top level has ``services:`` and ``image:``,
    ``build:`` or ``command:`` under it: a compose file under another name (``local.yml``)."""
    try:
        if path.stat().st_size > 1_000_000:
            return False
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(re.search(r"^services:\s*$", text, re.M)) and bool(
        re.search(r"^\s+(image|build|command):", text, re.M)
    )


def _compose(path: Path, rel: str, layout: Layout | None = None) -> Iterator[ProcessCommand]:
    import yaml

    root = yaml.compose(path.read_text(encoding="utf-8"))
    if not isinstance(root, yaml.MappingNode):
        return
    services = _mapping_get(root, "services")
    if not isinstance(services, yaml.MappingNode):
        return
    for key_node, service in services.value:
        if not isinstance(service, yaml.MappingNode):
            continue
        profiles = _mapping_get(service, "profiles")
        if isinstance(profiles, yaml.SequenceNode):
            role = layout_mod.profile_role([getattr(n, "value", "") for n in profiles.value])
            if role is not None:  # started only by `docker compose --profile dev`
                if layout is not None:
                    name = getattr(key_node, "value", "?")
                    layout.left_out(path, f"compose service {name}", role[0], role[1])
                continue
        for key in ("command", "entrypoint"):
            node = _mapping_get(service, key)
            if node is None:
                continue
            if isinstance(node, yaml.SequenceNode):
                argv = tuple(str(n.value) for n in node.value if isinstance(n, yaml.ScalarNode))
            elif isinstance(node, yaml.ScalarNode):
                argv = _argv(str(node.value))
            else:
                continue
            yield ProcessCommand(
                origin=f"docker-compose {key}",
                location=Location(path=rel, line=node.start_mark.line + 1),
                command=" ".join(argv),
                argv=argv,
            )


def _mapping_get(node: Any, key: str) -> Any:
    for k, v in node.value:
        if getattr(k, "value", None) == key:
            return v
    return None


def _systemd(path: Path, rel: str) -> Iterator[ProcessCommand]:
    text = path.read_text(encoding="utf-8")
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text, source=rel)
    if not parser.has_option("Service", "ExecStart"):
        return
    command = " ".join(parser.get("Service", "ExecStart").split()).lstrip("-@+!:")
    line = next((i for i, ln in enumerate(text.splitlines(), 1) if ln.strip().startswith("ExecStart")), None)
    yield ProcessCommand(
        origin="systemd ExecStart",
        location=Location(path=rel, line=line),
        command=command,
        argv=_argv(command),
    )


def _requirements(path: Path, rel: str) -> Iterator[Dependency]:
    from packaging.requirements import InvalidRequirement, Requirement

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        yield Dependency(
            name=_normalise(req.name), specifier=str(req.specifier), location=Location(path=rel, line=lineno)
        )


def _pyproject(path: Path, rel: str) -> Iterator[Dependency]:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return
    deps = list(data.get("project", {}).get("dependencies", []) or [])
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {}) or {}
    deps += [name for name in poetry if name.lower() != "python"]
    for dep in deps:
        try:
            req = Requirement(str(dep))
        except InvalidRequirement:
            continue
        yield Dependency(name=_normalise(req.name), specifier=str(req.specifier), location=Location(path=rel))


def collect(ctx: AuditContext) -> ProjectFacts:
    """Scan the project tree (4 levels deep, skipping virtualenvs and VCS folders)."""
    commands: list[ProcessCommand] = []
    deps: list[Dependency] = []
    req_files: list[str] = []
    layout = layout_of(ctx)
    for path in _walk(ctx.project_dir):
        rel = str(path.relative_to(ctx.project_dir))
        name = path.name
        kind = deployment_kind(path)
        if kind is not None and not layout.admit(path, kind):
            continue  # development, test or example: listed in the report as left out
        try:
            if kind == layout_mod.PROCFILE:
                commands += _procfile(path, rel)
            elif kind == layout_mod.DOCKERFILE:
                commands += _dockerfile(path, rel)
            elif kind == layout_mod.COMPOSE:
                commands += _compose(path, rel, layout)
            elif kind == layout_mod.SYSTEMD:
                commands += _systemd(path, rel)
            elif re.fullmatch(r"requirements.*\.(txt|in)", name) or (
                path.parent.name == "requirements" and name.endswith(".txt")
            ):
                req_files.append(rel)
                deps += _requirements(path, rel)
            elif name == "pyproject.toml":
                deps += _pyproject(path, rel)
        except Exception:
            continue
    return ProjectFacts(
        commands=tuple(commands), dependencies=tuple(deps), requirement_files=tuple(req_files)
    )


SPEC = CollectorSpec(
    name="project",
    produces=ProjectFacts,
    collect=collect,
    description="Procfile, Dockerfile, compose, systemd units, requirements",
)
