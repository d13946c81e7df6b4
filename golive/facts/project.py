"""The project facts: the repository's process commands (Procfile, Dockerfile, Compose,
systemd...), its declared dependencies and the shape of its deployment (application services,
replicas, volumes), as the project collector (:mod:`golive.collectors.project`) read them.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from msgspec import Struct
from msgspec.structs import force_setattr

from golive.model import Location
from golive.redact import redact_text, redact_words
from golive.registry import FactsBase


def dependency_name(name: str) -> str:
    """A distribution name normalised as PEP 503 does (``Django_Redis`` → ``django-redis``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


class AppService(Struct, frozen=True, kw_only=True):
    """One service that runs the project's code: its ``name``, where it is declared, how many
    copies run (``replicas``: 1 unless a file says more), and the container paths mounted as
    volumes (``volumes``)."""

    name: str
    location: Location
    replicas: int = 1
    volumes: tuple[str, ...] = ()


class DeployShape(Struct, frozen=True, kw_only=True):
    """The application services found (``services``), the ``VOLUME`` paths of the project's
    Dockerfiles (``image_volumes``), and whether the application runs in containers (a
    Dockerfile, Compose or Kubernetes file among the production files: ``containers``)."""

    services: tuple[AppService, ...] = ()
    image_volumes: tuple[str, ...] = ()
    containers: bool = False

    @property
    def several(self) -> list[str]:
        """Why more than one application server may write at once (empty: one): a service
        with several replicas, or several services running the project's code."""
        out = [f"{s.name} runs {s.replicas} replicas ({s.location})" for s in self.services if s.replicas > 1]
        if not out and len(self.services) > 1:
            names = ", ".join(f"{s.name} ({s.location})" for s in self.services)
            out.append(f"{len(self.services)} services run the project's code: {names}")
        return out

    def volume_for(self, folder: str) -> str:
        """The mounted container path that ends with ``folder`` (a path relative to the code
        tree, ``data`` or ``var/db``), compared by its tail; ``""`` when none does."""
        tail = folder.strip("/")
        if not tail:
            return ""
        for path in [*self.image_volumes, *(v for s in self.services for v in s.volumes)]:
            clean = path.rstrip("/")
            if clean == "/" + tail or clean.endswith("/" + tail):
                return path
        return ""


class ProcessCommand(Struct, frozen=True, kw_only=True):
    """A command line that starts (part of) the deployment.

    ``origin`` is ``Procfile``, ``Dockerfile CMD``, ``Dockerfile ENTRYPOINT``,
    ``docker-compose command``, ``docker-compose entrypoint``, ``systemd ExecStart``,
    ``supervisord command`` or ``start script`` (a line of a script one of the others runs,
    :mod:`golive.collectors.appservers.launch`; ``via`` says which and how the script was
    found). The state the command runs with, where the file says: ``env`` (assignments, in
    order, values as written; secret-named ones left out), ``umask`` (as written, octal) and
    where it is set, ``cwd`` (the working directory as written: ``cd``, ``WorkingDirectory=``,
    ``directory=``, a Dockerfile's ``WORKDIR``), ``dockerfile`` (the Dockerfile, relative to
    the project, whose image runs the command: its ``COPY`` lines map image paths) and
    ``stage`` (the build stage a compose file names with ``build.target``; None: the last);
    ``user`` (who the process runs as, where a file says: Dockerfile ``USER``, compose
    ``user:``, systemd ``User=``, supervisord ``user=``, a script's ``gosu USER``; None: not
    set, the platform's default) and where it is set.
    """

    origin: str
    location: Location
    command: str
    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    umask: str | None = None
    umask_at: Location | None = None
    cwd: str | None = None
    via: str = ""
    dockerfile: str | None = None
    stage: str | None = None
    user: str | None = None
    user_at: Location | None = None

    def __post_init__(self) -> None:
        """Redact the command when the fact is made (:mod:`golive.redact`): an ``--env
        SECRET=...``, a URL's password or a ``--password`` value never enters a fact."""
        argv = redact_words(self.argv)
        # a command that is its words joined is redacted once, as words
        joined = " ".join(argv) if self.command == " ".join(self.argv) else None
        force_setattr(self, "command", joined if joined is not None else redact_text(self.command))
        force_setattr(self, "argv", argv)


class Dependency(Struct, frozen=True, kw_only=True):
    """A requirement line: normalised ``name``, its specifier text, and where it is."""

    name: str
    specifier: str
    location: Location


class MissingSource(Struct, frozen=True, kw_only=True):
    """A ``COPY``/``ADD`` source of a Dockerfile that no build context of the repository holds:
    ``dockerfile`` (relative to the project), its ``line``, the ``source`` as written and the
    instruction's text (``COPY ./requirements.txt /requirements.txt``)."""

    dockerfile: str
    line: int
    source: str
    text: str


class BuildKey(Struct, frozen=True, kw_only=True):
    """A private key a Dockerfile's ``RUN`` writes into the image at build time: the
    ``dockerfile`` (relative to the project), the ``line``, the key's ``path`` in the image and
    the ``tool`` that wrote it (``openssl``, ``sscg``, ``mkcert``, ``certtool``)."""

    dockerfile: str
    line: int
    path: str
    tool: str


class ProjectFacts(FactsBase, frozen=True, kw_only=True):
    """Process commands and declared dependencies of the project."""

    collector: ClassVar[str] = "project"
    commands: tuple[ProcessCommand, ...]
    dependencies: tuple[Dependency, ...]
    requirement_files: tuple[str, ...]
    unread: tuple[str, ...] = ()
    #: Replicas, application services and volumes of a container deployment
    #: (:mod:`golive.collectors.deploy_shape`); None when not read.
    shape: DeployShape | None = None
    #: ``COPY``/``ADD`` sources missing from the repository (the image cannot be built):
    #: :func:`golive.collectors.appservers.dockerfiles.missing_sources`.
    missing_sources: tuple[MissingSource, ...] = ()
    #: The dependency groups ``uv run`` and ``uv sync`` install unless told otherwise (a
    #: ``dev`` group in ``pyproject.toml``, or ``[tool.uv] default-groups``), and where they
    #: are declared; ``()``: none.
    default_groups: tuple[str, ...] = ()
    default_groups_at: Location | None = None
    #: Private keys the production images generate at build time (every container of the
    #: image, and everyone who pulls it, has the same key).
    build_keys: tuple[BuildKey, ...] = ()

    @property
    def collector_details(self) -> dict[str, Any]:
        """What the report lists under this collector: the files or scripts it could not read
        (``notes``: every report format shows them with the collector)."""
        return {"notes": list(self.unread)} if self.unread else {}

    def depends_on(self, *names: str) -> list[Dependency]:
        """The dependencies among ``names`` (normalised, case-insensitive)."""
        wanted = {dependency_name(n) for n in names}
        return [d for d in self.dependencies if d.name in wanted]


NAME_RE = re.compile(r"^(Dockerfile|Containerfile)([.-][\w.-]+)?$|^[\w.-]+\.(Dockerfile|dockerfile)$")


def is_dockerfile(name: str) -> bool:
    """True for ``Dockerfile``, ``Dockerfile.prod``, ``Dockerfile-worker``, ``web.Dockerfile``,
    ``Containerfile``; False for ``Dockerfile.dockerignore``-style companions."""
    return bool(NAME_RE.match(name)) and not name.endswith((".dockerignore", ".md", ".txt"))
