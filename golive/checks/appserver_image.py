"""What the server's image and start command install (checklist section 6, GL625–GL626).

The image must build from the repository (a ``COPY`` of a file the repository lacks stops
``docker build``), and the environment the server starts in must hold the production
dependencies only: ``uv run`` syncs the project's default dependency groups, the ``dev``
group included, before it runs its command (uv's documentation, "Default groups":
https://docs.astral.sh/uv/concepts/projects/dependencies/#default-groups; ``uv run``:
https://docs.astral.sh/uv/reference/cli/#uv-run).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from golive.facts.project import ProcessCommand, ProjectFacts
from golive.model import Finding, Location, Severity
from golive.registry import CheckSpec, Facts, check

#: ``uv run`` options after which it does not install the default groups.
UV_NO_DEV = frozenset(
    {"--no-sync", "--no-dev", "--no-default-groups", "--only-group", "--no-group", "--no-project"}
)
#: Environment variables with the same effect (uv's settings reference).
UV_NO_DEV_ENV = ("UV_NO_SYNC", "UV_NO_DEV", "UV_NO_DEFAULT_GROUPS")
TRUE = frozenset({"1", "true", "yes", "on"})
#: The application servers whose start command GL626 judges (a worker or a development
#: tool started with ``uv run`` is not the server).
SERVERS = frozenset({"gunicorn", "uwsgi", "uvicorn", "daphne", "hypercorn", "granian", "waitress-serve"})


@check(
    "GL625",
    title="the Dockerfile copies a file the repository does not have: the image cannot be built",
    severity=Severity.LOW,
    needs=(ProjectFacts,),
    reference="https://docs.docker.com/reference/dockerfile/#copy",
    remediation="""
    Commit the file, or copy the one the project has now (a `requirements.txt` replaced by
    `pyproject.toml`: `COPY pyproject.toml ./` and `pip install .`).
    """,
)
def missing_copy_source(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Docker's ``COPY``/``ADD`` take their sources from the build context; a source that is
    not there stops the build ("failed to compute cache key: ... not found"), so the image the
    deployment names cannot be built from this commit, and what it would install or run is
    not what the repository holds. Judged on the production Dockerfiles the project collector
    reads; a source with a wildcard, a variable or a URL, or one the ``.gitignore`` names (a
    file generated before the build), is not judged. Low (docs/severity.md): the build fails
    loudly and nothing insecure ships; it says the image is stale or the deployment broken.
    """
    for missing in facts[ProjectFacts].missing_sources:
        yield spec.fail(
            subjects=[missing.source],
            location=Location(path=missing.dockerfile, line=missing.line),
            evidence=[
                f"{missing.text} ({missing.dockerfile}:{missing.line}): {missing.source} does not exist"
                " in the repository, so the build stops at this line"
            ],
        )


@check(
    "GL626",
    title="the server's start command installs the development dependencies (uv run)",
    severity=Severity.MEDIUM,
    needs=(ProjectFacts,),
    reference="https://docs.astral.sh/uv/concepts/projects/dependencies/#default-groups",
    remediation="""
    Install once, at build time, without the development group, and start without syncing:

        RUN uv sync --locked --no-dev
        CMD ["uv", "run", "--no-sync", "gunicorn", "mysite.wsgi"]

    (or set `ENV UV_NO_SYNC=1` in the image, or call `/app/.venv/bin/gunicorn` directly).
    """,
)
def uv_run_dev_groups(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """uv: "By default, uv includes the dev dependency group in the environment (e.g., during
    uv run or uv sync)", and ``uv run`` syncs the environment before it runs the command. A
    start command ``uv run ...`` in a project with a ``dev`` group (or other default groups)
    therefore installs test and development tools into the production environment at every
    start (even after ``uv sync --no-dev`` at build time), and needs the package index while
    starting. Judged on the commands that start an application server; passes with
    ``--no-sync``/``--no-dev``/``--no-default-groups`` or the matching ``UV_*`` variable in
    the command's environment.
    """
    project = facts[ProjectFacts]
    if not project.default_groups:
        return
    seen: set[tuple[str, int | None]] = set()
    for cmd in project.commands:
        if not _uv_run(cmd) or not _starts_server(cmd) or _told_not_to(cmd):
            continue
        key = (cmd.location.path, cmd.location.line)
        if key in seen:
            continue
        seen.add(key)
        groups = ", ".join(project.default_groups)
        where = f" ({project.default_groups_at})" if project.default_groups_at else ""
        yield spec.fail(
            subjects=["uv run"],
            location=cmd.location,
            evidence=[
                f"{cmd.origin}: {cmd.command}",
                f"uv run syncs the default dependency groups ({groups}{where}) into the environment"
                " before it runs: no --no-sync or --no-dev",
            ],
        )


def _uv_run(cmd: ProcessCommand) -> bool:
    words = [w.rsplit("/", 1)[-1] for w in cmd.argv]
    return any(w == "uv" and nxt == "run" for w, nxt in pairwise(words))


def _starts_server(cmd: ProcessCommand) -> bool:
    return any(w.rsplit("/", 1)[-1] in SERVERS for w in cmd.argv)


def _told_not_to(cmd: ProcessCommand) -> bool:
    if any(w.split("=", 1)[0] in UV_NO_DEV for w in cmd.argv):
        return True
    env = dict(cmd.env)
    return any(env.get(name, "").strip().lower() in TRUE for name in UV_NO_DEV_ENV)
