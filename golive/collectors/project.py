"""The project collector: how the project is started and what it depends on.

Process commands come from the files a deployment starts the app with: ``Procfile``
lines, ``Dockerfile`` ``CMD``/``ENTRYPOINT`` (read with dockerfile-parse), docker-compose
``command``/``entrypoint`` (PyYAML), and systemd units' ``ExecStart`` (configparser).
Requirements come from ``requirements*.txt`` and ``pyproject.toml``
(:mod:`golive.collectors.declared_dependencies`). The nginx/gunicorn collectors reuse the
commands. Every other deployment file recognised is listed in the report once per audit
(:mod:`golive.collectors.inventory`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from golive.collectors import CollectorSpec
from golive.collectors import layout as layout_mod
from golive.collectors.appservers.platforms import KUBERNETES_KIND, kubernetes_workload
from golive.collectors.appservers.platforms import READERS as PLATFORM_READERS
from golive.collectors.appservers.platforms import kubernetes as kubernetes_commands
from golive.collectors.compose_commands import compose_commands, split_command
from golive.collectors.declared_dependencies import default_groups, pyproject_dependencies, requirements_file
from golive.collectors.deploy_shape import read_shape
from golive.collectors.inventory import ci_files, discover, settings_inventory
from golive.collectors.layout import Layout, layout_of
from golive.context import AuditContext
from golive.facts.project import (
    BuildKey,
    Dependency,
    MissingSource,
    ProcessCommand,
    ProjectFacts,
    is_dockerfile,
)
from golive.model import Location
from golive.parse_errors import describe
from golive.walk import ProjectWalk, small_text

MAX_DEPTH = 4


#: Folders whose Kubernetes manifests are not the production deployment.
_NOT_DEPLOYED = frozenset({"tests", "test", "docs", "examples", "example", "dev", "local"})


def _procfile(path: Path, rel: str) -> Iterator[ProcessCommand]:
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        name, sep, command = line.partition(":")
        if sep and name.strip() and not name.lstrip().startswith("#") and command.strip():
            cmd = command.strip()
            yield ProcessCommand(
                origin="Procfile",
                location=Location(path=rel, line=lineno),
                command=cmd,
                argv=split_command(cmd),
            )


def _dockerfile(path: Path, rel: str, images: dict[str, Any]) -> Iterator[ProcessCommand]:
    """The final image's ``ENTRYPOINT``/``CMD`` (:mod:`golive.collectors.appservers.dockerfiles`);
    the image is remembered in ``images`` for following its start scripts."""
    from golive.collectors.appservers.dockerfiles import read
    from golive.collectors.appservers.launch import safe_env

    image = read(path, rel)
    images[rel] = image
    for item in image.commands:
        yield ProcessCommand(
            origin=f"Dockerfile {item.instruction}",
            location=Location(path=rel, line=item.line),
            command=" ".join(item.argv),
            argv=item.argv,
            cwd=image.workdir,
            dockerfile=rel,
            env=safe_env(image.env),
            user=image.user,
            user_at=Location(path=rel, line=image.user_line) if image.user else None,
        )


def deployment_kind(path: Path) -> str | None:
    """The :mod:`~golive.collectors.layout` kind of a file this collector reads commands from
    (``Procfile``, ``Procfile.web``; ``Dockerfile``, ``Dockerfile.prod``, ``web.Dockerfile``;
    ``docker-compose.yml``, ``compose.prod.yaml``, ``docker-compose.override.https.yml``;
    ``local.yml``/``production.yml``, ``docker-compose.postgres`` when they hold
    ``services:``; ``*.service``), or None."""
    name = path.name
    if name == "Procfile" or name.startswith("Procfile."):
        return layout_mod.PROCFILE
    if is_dockerfile(name):
        return layout_mod.DOCKERFILE
    if re.fullmatch(r"(docker-)?compose(\.[\w-]+)*\.ya?ml", name):
        return layout_mod.COMPOSE
    if name.endswith((".yml", ".yaml")) and not name.startswith(".") and _compose_like(path):
        return layout_mod.COMPOSE
    if name.startswith(("docker-compose.", "docker-compose-", "compose.")) and _compose_like(path):
        return layout_mod.COMPOSE  # docker-compose.postgres, docker-compose.yml.example
    if name.endswith(".service"):
        return layout_mod.SYSTEMD
    return None


def _compose_like(path: Path) -> bool:
    """True for a YAML file at most 1 MB whose top level has ``services:`` and ``image:``,
    ``build:`` or ``command:`` under it: a compose file under another name (``local.yml``)."""
    text = small_text(path, 1_000_000)
    if text is None or "services:" not in text:  # what the expression needs, found at C speed (issue 15)
        return False
    return bool(re.search(r"^services:\s*$", text, re.M)) and bool(
        re.search(r"^\s+(image|build|command):", text, re.M)
    )


def _systemd(path: Path, rel: str) -> Iterator[ProcessCommand]:
    import configparser  # here: a project without systemd units does not load it (issue 15)

    text = path.read_text(encoding="utf-8")
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text, source=rel)
    if not parser.has_option("Service", "ExecStart"):
        return
    from golive.collectors.appservers.launch import safe_env

    command = " ".join(parser.get("Service", "ExecStart").split()).lstrip("-@+!:")
    lines = text.splitlines()

    def line_of(key: str) -> int | None:
        return next((i for i, ln in enumerate(lines, 1) if ln.strip().startswith(key)), None)

    # systemd.exec(5): Environment= holds space-separated, optionally quoted assignments.
    env = [
        w.partition("=")[::2]
        for w in split_command(parser.get("Service", "Environment", fallback=""))
        if "=" in w
    ]
    umask = parser.get("Service", "UMask", fallback=None)
    yield ProcessCommand(
        origin="systemd ExecStart",
        location=Location(path=rel, line=line_of("ExecStart")),
        command=command,
        argv=split_command(command),
        env=safe_env([(k, v) for k, v in env]),
        umask=umask.strip() if umask else None,
        umask_at=Location(path=rel, line=line_of("UMask")) if umask else None,
        cwd=parser.get("Service", "WorkingDirectory", fallback=None),
        user=user.strip() if (user := parser.get("Service", "User", fallback=None)) else None,
        user_at=Location(path=rel, line=line_of("User=")) if user else None,
    )


def collect(ctx: AuditContext) -> ProjectFacts:
    """Scan the project tree (4 levels deep, skipping virtualenvs and VCS folders).

    Once per audit: the gunicorn, uWSGI and dependencies collectors call this function too,
    concurrently with the project collector; the audit's first call reads the project, the
    others wait for its answer (or its exception), shared through the audit's
    :class:`~golive.collectors.layout.Layout` (``ctx.layout``). A context without one (tests,
    ``manage.py golive``) reads the project at each call.
    """
    return _shared(ctx)[0]


def walked_files(ctx: AuditContext) -> list[Path]:
    """The files of :class:`golive.walk.ProjectWalk` under ``ctx.project_dir`` (4 levels), in
    its order: walked once per audit (:func:`collect` reads the same walk), through the audit's
    layout; a context without one walks at each call. Asking for them does not read the
    project (the nginx, proxies and platforms collectors need the files only)."""
    return list(_walk(ctx)[0])


def _walk(ctx: AuditContext, layout: Layout | None = None) -> tuple[tuple[Path, ...], str | None]:
    """The walk's files and its note (None unless capped), once per audit (:meth:`Layout.walk`
    of the audit's layout, or of ``layout``: a reading's own when the context has none)."""
    layout = layout or getattr(ctx, "layout", None)
    if isinstance(layout, Layout) and layout.repo == ctx.project_dir and MAX_DEPTH == layout_mod.MAX_DEPTH:
        return layout.walk()
    walk = ProjectWalk(ctx.project_dir, max_depth=MAX_DEPTH)
    return tuple(walk), walk.note


def _shared(ctx: AuditContext) -> tuple[ProjectFacts, tuple[Path, ...]]:
    layout = getattr(ctx, "layout", None)
    if not isinstance(layout, Layout):
        return _read(ctx)
    return layout.once("project read", lambda: _read(ctx))


def _read(ctx: AuditContext) -> tuple[ProjectFacts, tuple[Path, ...]]:
    """:func:`collect`'s reading of the project, once: the facts and the files walked."""
    commands: list[ProcessCommand] = []
    deps: list[Dependency] = []
    req_files: list[str] = []
    unread: list[str] = []
    images: dict[str, Any] = {}
    files: list[Path] = []
    admitted: list[tuple[str, Path]] = []
    groups: tuple[tuple[str, ...], Location | None] = ((), None)
    layout = layout_of(ctx)
    walked, note = _walk(ctx, layout)
    prefix = os.path.join(str(ctx.project_dir), "")
    for path in walked:
        files.append(path)
        text = str(path)  # the walk joins names to the root: its rel is the rest (issue 15)
        rel = text[len(prefix) :] if text.startswith(prefix) else str(path.relative_to(ctx.project_dir))
        name = path.name
        kind = deployment_kind(path)
        if kind is not None and not layout.admit(path, kind):
            continue  # development, test or example: listed in the report as left out
        if kind is not None:
            admitted.append((kind, path))
        try:
            if kind == layout_mod.PROCFILE:
                commands += _procfile(path, rel)
            elif kind == layout_mod.DOCKERFILE:
                commands += _dockerfile(path, rel, images)
            elif kind == layout_mod.COMPOSE:
                commands += compose_commands(path, rel, layout, ctx.project_dir)
            elif kind == layout_mod.SYSTEMD:
                commands += _systemd(path, rel)
            elif re.fullmatch(r"requirements.*\.(txt|in)", name) or (
                path.parent.name == "requirements" and name.endswith(".txt")
            ):
                req_files.append(rel)
                deps += requirements_file(path, rel)
            elif name == "pyproject.toml":
                deps += pyproject_dependencies(path, rel)
                if path.parent == ctx.project_dir and not groups[0]:
                    groups = default_groups(path, rel)
            elif _supervisord_like(path) and layout.admit(path, layout_mod.SCRIPT):
                from golive.collectors.appservers.launch import supervisord

                commands += supervisord(path, rel)
            elif name in PLATFORM_READERS and layout.admit(path, layout_mod.PROCFILE):
                commands += PLATFORM_READERS[name](path, rel)  # heroku.yml, render.yaml, fly.toml
            elif kubernetes_workload(path) and layout.admit(path, KUBERNETES_KIND):
                commands += kubernetes_commands(path, rel)  # containers' command and args
        except Exception as exc:  # reported, never swallowed: the file is not audited
            unread.append(f"{rel}: {describe(exc)}")  # never the parser's quote of a line
            continue
    if note is not None:
        unread.append(note)
    commands += _start_scripts(ctx.project_dir, commands, files, images, unread, layout)
    if layout.claim("inventory"):  # once per audit: the collectors call this function again
        discover(layout, files, settings_inventory(ctx), hidden=ci_files(ctx.project_dir))
    manifests = [
        f
        for f in files
        if f.suffix in (".yml", ".yaml") and not _NOT_DEPLOYED & set(f.relative_to(ctx.project_dir).parts)
    ]
    shape = read_shape(ctx.project_dir, admitted, manifests)
    facts = ProjectFacts(
        commands=tuple(commands),
        dependencies=tuple(deps),
        requirement_files=tuple(req_files),
        unread=tuple(unread),
        shape=shape,
        missing_sources=_missing_sources(ctx.project_dir, images),
        default_groups=groups[0],
        default_groups_at=groups[1],
        build_keys=tuple(
            BuildKey(dockerfile=rel, line=line, path=path, tool=tool)
            for rel, image in images.items()
            for path, line, tool in image.build_keys
        ),
    )
    return facts, tuple(files)


def _missing_sources(project_dir: Path, images: dict[str, Any]) -> tuple[MissingSource, ...]:
    """The ``COPY``/``ADD`` sources of the admitted Dockerfiles that the repository lacks."""
    from golive.collectors.appservers.dockerfiles import contexts, gitignore_patterns, missing_sources

    ignored = gitignore_patterns(project_dir)
    return tuple(
        MissingSource(dockerfile=rel, line=copy.line, source=source, text=" ".join(copy.text.split()))
        for rel, image in images.items()
        for copy, source in missing_sources(image, contexts(project_dir / rel, project_dir), ignored)
    )


def _supervisord_like(path: Path) -> bool:
    """A ``.conf``/``.ini`` file (at most 1 MB) with a ``[program:x]`` section."""
    if not path.name.endswith((".conf", ".ini")):
        return False
    from golive.collectors.appservers.launch import SUPERVISORD_RE

    text = small_text(path, 1_000_000)
    return text is not None and bool(SUPERVISORD_RE.search(text))


def _start_scripts(
    project_dir: Path,
    commands: list[ProcessCommand],
    files: list[Path],
    images: dict[str, Any],
    unread: list[str],
    layout: Layout,
) -> list[ProcessCommand]:
    """The commands of the start scripts ``commands`` run (:mod:`golive.collectors.appservers.launch`),
    each script resolved in the repository through its Dockerfile's ``COPY`` lines."""
    from functools import partial

    from msgspec.structs import replace

    from golive.collectors.appservers.dockerfiles import contexts, read
    from golive.collectors.appservers.launch import follow, safe_env
    from golive.collectors.appservers.scripts import Resolver

    staged = dict(images)  # "Dockerfile" (last stage) or "Dockerfile#release" (a compose build.target)
    for i, cmd in enumerate(commands):
        if cmd.dockerfile is None or cmd.origin.startswith("Dockerfile"):
            continue  # a compose service or a heroku.yml process run in an image built here
        key = f"{cmd.dockerfile}#{cmd.stage}" if cmd.stage else cmd.dockerfile
        if key not in staged and (project_dir / cmd.dockerfile).is_file() and cmd.dockerfile in images:
            staged[key] = read(project_dir / cmd.dockerfile, cmd.dockerfile, cmd.stage)
        image = staged.get(key)
        if image is not None:  # the container's environment: the image's ENV, then the service's
            commands[i] = replace(
                cmd,
                env=(*safe_env(image.env), *cmd.env),
                cwd=cmd.cwd or image.workdir,
                user=cmd.user or image.user,
                user_at=cmd.user_at
                or (Location(path=key.split("#")[0], line=image.user_line) if image.user else None),
            )
    copied = {
        key: partial(
            image.source_of,
            contexts=contexts(project_dir / key.split("#")[0], project_dir),
            project_dir=project_dir,
        )
        for key, image in staged.items()
    }
    resolver = Resolver(
        project_dir=project_dir,
        files=files,
        copied=copied,
        workdirs={key: image.workdir for key, image in staged.items()},
    )
    services = []  # s6-overlay and runit run their services' ./run scripts
    for p in files:
        if p.name != "run":
            continue
        found_in = re.search(
            r"(^|/)(s6[\w.-]*|services\.d|s6-rc\.d|service|sv)/", p.relative_to(project_dir).as_posix()
        )
        if found_in:
            kind = "runit" if found_in.group(2) in ("service", "sv") else "s6"
            services.append(
                ProcessCommand(
                    origin=f"{kind} service",
                    location=Location(path=str(p.relative_to(project_dir))),
                    command=p.name,
                    argv=("sh", str(p)),
                )
            )
    found = follow([*commands, *services], resolver, unread, lambda p: layout.admit(p, layout_mod.SCRIPT))
    # A script line reached twice (compose's entrypoint and the image's own ENTRYPOINT) is one
    # command: the route through the compose file wins, since it adds the service's environment.
    best: dict[tuple[str, int | None, str], ProcessCommand] = {}
    for cmd in found:
        seen = (cmd.location.path, cmd.location.line, cmd.command)
        if seen not in best or ("docker-compose" in cmd.via and "docker-compose" not in best[seen].via):
            best[seen] = cmd
    return list(best.values())


SPEC = CollectorSpec(
    name="project",
    produces=ProjectFacts,
    collect=collect,
    description="Procfile, Dockerfile, compose, systemd units, requirements",
)
