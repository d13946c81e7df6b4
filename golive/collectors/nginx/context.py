"""Where an nginx file is deployed: the Compose service that runs it, and its templates.

Compose files anywhere in the project (4 levels deep, YAML with a top-level ``services:``)
are read with PyYAML (https://docs.docker.com/reference/compose-file/services/); an audited
nginx file belongs to the service that bind-mounts it (or its folder), else to an
nginx-looking service whose build context holds it. Files named like production (``prod``)
are preferred to development ones (``local``, ``dev``) when both mount the same file.

The official nginx image renders ``/etc/nginx/templates/*.template`` into
``/etc/nginx/conf.d/`` with ``envsubst`` at start-up, substituting only the variables
defined in the container's environment (its ``docker-entrypoint.d/20-envsubst-on-templates.sh``,
documented under "Using environment variables in nginx configuration" at
https://hub.docker.com/_/nginx): :func:`substitute` does the same with the service's
``environment:``/``env_file:`` values and keeps every other placeholder as written. A
secret-named variable, or one holding a secret value, is filled in as
:data:`golive.redact.PLACEHOLDER` (:func:`golive.redact.fill_in`): a service's environment
is kept redacted (DESIGN.md, "Conventions": secrets never leave the collector that reads
them), and checks read the placeholder as unknown. Only ``env_file:`` paths inside the
project are read: ``/run/secrets/app.env`` names a file of the server, not of this machine.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from golive import yamlread
from golive.collectors.deployment_files import deployment_files, display_path
from golive.collectors.nginx.paths import shown
from golive.facts.compose import Service, Volume, interpolate, strings, volume
from golive.facts.nginx import NginxDeployment
from golive.redact import fill_in, redact_env, secret_values

SERVICES_RE = re.compile(r"^services\s*:", re.MULTILINE)
PLACEHOLDER_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
PRODUCTION_RE = re.compile(r"prod", re.IGNORECASE)
DEVELOPMENT_RE = re.compile(r"local|dev|test|ci\b|override", re.IGNORECASE)


def read_compose(
    path: Path, shown: str, base: str, env: Mapping[str, str], project_dir: Path | None = None
) -> list[Service]:
    """The services of the Compose file at ``path`` (``shown`` as the report names it; ``base``
    its folder relative to the project, for relative bind mounts and build contexts). ``env``
    interpolates ``${VAR}``. A built service's Dockerfile ``COPY``s from the context are
    added to its volumes as ``copied`` ones (with ``project_dir``). Its ``env_file:``s are
    read when inside ``project_dir``; its environment is kept redacted
    (:func:`golive.redact.redact_env`). Raises
    ``yaml.YAMLError``/``OSError``/``UnicodeDecodeError`` for a file that cannot be read;
    returns ``[]`` for YAML that is not a Compose file."""
    project_dir = project_dir or path.parent

    data = yamlread.safe_load(path.read_text(encoding="utf-8"))
    services = data.get("services") if isinstance(data, Mapping) else None
    if not isinstance(services, Mapping):
        return []
    out = []
    for name, spec in services.items():
        if not isinstance(spec, Mapping):
            continue
        environment: dict[str, str] = {}
        for env_file in _env_files(spec.get("env_file")):
            environment.update(_dotenv(path.parent / interpolate(env_file, env), project_dir))
        environment.update(strings(spec.get("environment"), env))
        environment = redact_env(environment, env)
        build = spec.get("build")
        context = build.get("context", ".") if isinstance(build, Mapping) else build
        dockerfile = (
            str(build.get("dockerfile") or "Dockerfile") if isinstance(build, Mapping) else "Dockerfile"
        )
        context_rel = posixpath.normpath(posixpath.join(base, str(context))) if context else ""
        copies = _copies(project_dir, context_rel, dockerfile) if context_rel else []
        command = spec.get("command")
        out.append(
            Service(
                name=str(name),
                file=shown,
                image=interpolate(str(spec.get("image") or ""), env),
                build=context_rel,
                ports=tuple(
                    str(p.get("published", p)) if isinstance(p, Mapping) else str(p)
                    for p in spec.get("ports") or []
                ),
                volumes=tuple(v for v in (volume(i, base, env) for i in spec.get("volumes") or []) if v)
                + tuple(copies),
                environment=environment,
                labels=strings(spec.get("labels"), env),
                command=" ".join(map(str, command)) if isinstance(command, list) else str(command or ""),
            )
        )
    return out


def _copies(project_dir: Path, context: str, dockerfile: str) -> list[Volume]:
    """The final stage's ``COPY``/``ADD`` of the build context, as ``copied`` volumes (Docker's
    rules: a folder's contents go to the destination; a file goes to it, or into it when it
    ends with ``/`` or several sources are copied). A Dockerfile that cannot be read adds none
    (the application-server collector reports it)."""
    from golive.collectors.appservers.dockerfiles import read

    path = project_dir / context / dockerfile
    try:
        image = read(path, display_path(path, project_dir))
    except (OSError, UnicodeDecodeError, ValueError):
        return []
    out = []
    for copy in image.copies:
        for source in copy.sources:
            if any(c in source for c in "*?[") or "://" in source:
                continue
            rel = posixpath.normpath(posixpath.join(context, source))
            is_file = (project_dir / rel).is_file()
            # a destination that exists as a folder in the image receives the file: "/" at its
            # end, several sources, or (a guess) a file with a suffix copied to a name without
            # one or to a "*.d" folder (COPY nginx.conf /etc/nginx/conf.d)
            dest_name = posixpath.basename(copy.dest.rstrip("/"))
            into = (
                copy.dest.endswith("/")
                or len(copy.sources) > 1
                or dest_name.endswith(".d")
                or ("." in posixpath.basename(rel) and "." not in dest_name)
            )
            target = posixpath.join(copy.dest, posixpath.basename(rel)) if is_file and into else copy.dest
            out.append(Volume(source=rel, target=posixpath.normpath(target), copied=True))
    return out


def _env_files(node: object) -> list[str]:
    items = node if isinstance(node, list) else [node] if node else []
    return [str(i.get("path", "")) if isinstance(i, Mapping) else str(i) for i in items]


def _dotenv(path: Path, project_dir: Path) -> dict[str, str]:
    """The variables of the env file at ``path``; none when it is not a file inside
    ``project_dir`` (symbolic links resolved)."""
    from dotenv import dotenv_values

    try:
        path.resolve().relative_to(project_dir.resolve())
    except (ValueError, OSError):
        return {}
    if not path.is_file():
        return {}
    try:
        values = dotenv_values(path, interpolate=False)
    except (OSError, UnicodeDecodeError):
        return {}  # unreadable: its values stay unknown, as for a file outside the project
    return {k: v for k, v in values.items() if v is not None}


def _nginx_like(service: Service) -> bool:
    return "nginx" in (service.image + service.name + service.build).lower()


def _rank(shown: str) -> int:
    return 0 if PRODUCTION_RE.search(shown) else 2 if DEVELOPMENT_RE.search(shown) else 1


class ComposeContext:
    """Every Compose file of a project, read once: ``files`` (each one's services, production
    first) and ``errors`` (files that could not be read, with the reason)."""

    def __init__(
        self, project_dir: Path, env: Mapping[str, str] | None = None, files: Iterable[Path] | None = None
    ) -> None:
        self.project_dir = project_dir
        self.files: list[list[Service]] = []
        self.errors: list[str] = []
        found: list[tuple[int, str, list[Service]]] = []
        for path in deployment_files(project_dir) if files is None else files:
            if path.suffix not in (".yml", ".yaml"):
                continue
            shown = display_path(path, project_dir)
            try:
                text = path.read_text(encoding="utf-8")
                if not SERVICES_RE.search(text):
                    continue
                values = {**_dotenv(path.parent / ".env", project_dir), **(env or {})}
                base = posixpath.dirname(shown) or "."
                services = read_compose(path, shown, base, values, project_dir)
            except Exception as exc:  # a broken YAML file costs its own context only
                from golive.parse_errors import describe  # here: only a file that cannot be read

                self.errors.append(f"{shown}: {describe(exc)}")
                continue
            if services:
                found.append((_rank(shown), shown, services))
        self.files = [services for _, _, services in sorted(found, key=lambda f: (f[0], f[1]))]

    def deployment_of(self, path: Path) -> NginxDeployment | None:
        """The service that runs nginx with ``path``: the first (production first) that
        bind-mounts the file or a folder above it, else an nginx-looking service whose build
        context holds it; None when no Compose file says."""
        rel = shown(path, self.project_dir)
        if rel.startswith("/"):
            return None
        for services in self.files:
            mounts = []
            for service in services:
                for vol in service.volumes:
                    source = vol.source.rstrip("/")
                    inside = rel == source or rel.startswith(source + "/")
                    if not vol.named and source not in (".", "") and inside:
                        rest = posixpath.relpath(rel, source)
                        target = vol.target if rest == "." else posixpath.join(vol.target, rest)
                        how = (
                            f"copies it to {target} in its image" if vol.copied else f"mounts it at {target}"
                        )
                        mounts.append(
                            (not _nginx_like(service), vol.copied, -len(source), service, target, how)
                        )
            if mounts:
                _, _, _, service, target, how = min(mounts, key=lambda m: (m[0], m[1], m[2]))
                return self._deployment(service, services, target, how)
        for services in self.files:
            for service in services:
                build = service.build
                if build not in ("", ".") and rel.startswith(build + "/") and _nginx_like(service):
                    return self._deployment(service, services, "", f"builds its image from {build}/")
        return None

    @staticmethod
    def _deployment(service: Service, services: list[Service], target: str, how: str) -> NginxDeployment:
        return NginxDeployment(
            service=service,
            siblings=tuple(s for s in services if s is not service),
            mounted_at=target,
            how=f"{service.file} service {service.name} {how}",
            env=dict(service.environment),
        )


def is_template(path: Path) -> bool:
    """True for a file the official image's envsubst renders: ``*.template``."""
    return path.name.endswith(".template")


def substitute(text: str, env: Mapping[str, str]) -> tuple[str, list[str], list[str]]:
    """``envsubst`` as the official image runs it: each ``${NAME}`` and ``$NAME`` whose
    NAME is in ``env`` is replaced by its value, every other one kept as written (nginx's
    own ``$host`` is untouched unless the environment defines ``host``). A secret-named
    variable or a secret value of ``env`` is filled in as ``***`` (:func:`golive.redact.fill_in`).
    Returns the text, the names substituted and the ``${NAME}`` placeholders left."""
    used: list[str] = []
    known = secret_values(env)

    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name in env:
            if name not in used:
                used.append(name)
            return fill_in(name, env[name], known)
        return match.group(0)

    out = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", one, text)
    left = list(dict.fromkeys(m.group(0) for m in PLACEHOLDER_RE.finditer(out)))
    return out, used, left


def render(text: str, deployment: NginxDeployment | None) -> tuple[str, str]:
    """A template's text as envsubst renders it with the deployment's variables, and a line
    for the report: which variables came from which service, which were left as written."""
    rendered, used, left = substitute(text, deployment.env if deployment is not None else {})
    said = []
    if used and deployment is not None:
        said.append(f"{', '.join(used)} from {deployment.service.file} service {deployment.service.name}")
    if left:
        said.append(f"{', '.join(left)} left as written (no value known)")
    return rendered, "a template (envsubst): " + ("; ".join(said) or "no ${VAR} in it")
