"""The rules that tell production deployment files from development, tests or examples.

A repository holds more deployment files than the production deployment uses: a
``docker-compose.yml`` that runs ``runserver`` for development next to ``production.yml``,
``local.yml``, a CI fixture ``docker/compose/test-nginx.conf``, ``Procfile.dev``. Judging
them as production raises false alarms ("started with runserver") and audits the wrong
nginx. Every collector that discovers deployment files asks :class:`golive.collectors.layout.Layout` (one
per audit, ``ctx.layout``) whether to audit each one; only
``production`` and ``unknown`` files are audited (DESIGN.md, "Production, development,
test"), the others are listed in the report as seen and left out, with the reason.
This module holds the rules, pure functions of a path, a kind and a text;
:mod:`golive.collectors.layout` applies them to the files of one audit.

:func:`classify` decides, first rule that applies:

1. ``[tool.golive] ignore_files`` / ``production_files`` (path globs, relative to the
   repository root; a folder pattern takes the files under it): ``ignored`` / ``production``;
2. a test or CI folder anywhere in the path (``tests/``, ``ci/``, ``fixtures/``,
   ``.github/``...: :data:`TEST_WORDS`): ``test``;
3. the words of the file name (split at ``.``, ``-``, ``_``): ``test``, ``ci`` → ``test``;
   ``dev``, ``local``, ``override`` (Docker Compose merges ``docker-compose.override.yml``
   into every ``docker compose up`` of a developer's checkout:
   https://docs.docker.com/compose/how-tos/multiple-compose-files/merge/) → ``development``;
   ``example``, ``sample``, ``docs`` → ``example``; ``prod``, ``production``, ``live``,
   ``staging``, ``deploy`` → ``production`` (a name with both kinds of words is not
   production: ``docker-compose.prod.local.yml``);
4. the words of the folders, nearest first (``compose/local/django/Dockerfile``);
5. the content, for files that start processes (compose files, Dockerfiles, Procfiles,
   systemd units, start scripts, env files): Django's ``runserver`` ("DO NOT USE THIS SERVER
   IN A PRODUCTION SETTING", https://docs.djangoproject.com/en/stable/ref/django-admin/#runserver)
   and no production server → ``development``, *when another file of the repository
   starts a production server* (:meth:`Layout.production_server`; when none does, the
   runserver file may be how the site runs and is audited: GL601 judges it); a production
   server (gunicorn, uWSGI, daphne, uvicorn, hypercorn, granian, waitress) and no
   runserver → ``production``; neither, with ``DEBUG=1``/``DEBUG=True`` set →
   ``development`` (again only when another file starts a production server); compose
   services whose ``profiles`` are all development or test words are left out of the
   file's content and of the commands (https://docs.docker.com/compose/how-tos/profiles/);
   before that, a file whose own leading comment states its purpose ("for local
   development", "development only", "not for production": :data:`STATED_DEV`) is
   ``development`` whatever else the repository holds (its author said so);
6. else ``unknown`` (audited).

:func:`golive.settings_role.settings_role` classifies the settings module golive chose
with the same words (rules 3 and 4 on the dotted path: ``devproject.settings``).

A production server with ``DEBUG=True`` stays production: that is a finding, not a hint.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import PurePosixPath
from typing import Any

from golive import yamlread
from golive.model import DeploymentFile


class Role(str, Enum):
    """What a deployment file is for."""

    PRODUCTION = "production"
    DEVELOPMENT = "development"
    TEST = "test"
    EXAMPLE = "example"
    UNKNOWN = "unknown"
    IGNORED = "ignored"


#: Roles whose files are audited.
AUDITED = frozenset({Role.PRODUCTION, Role.UNKNOWN})

#: Kinds of deployment files (the ``kind`` a collector passes).
COMPOSE, DOCKERFILE, PROCFILE, SYSTEMD = "compose file", "Dockerfile", "Procfile", "systemd unit"
NGINX, GUNICORN, UWSGI, SCRIPT, ENV = (
    "nginx config",
    "gunicorn config",
    "uWSGI config",
    "start script",
    "env file",
)
#: Kinds whose content says which server they start (rule 5).
STARTS_PROCESSES = frozenset({COMPOSE, DOCKERFILE, PROCFILE, SYSTEMD, SCRIPT, ENV})

TEST_WORDS = frozenset(
    [
        "test",
        "tests",
        "testing",
        "ci",
        "e2e",
        "fixture",
        "fixtures",
        "testdata",
        "unittests",
        "unittest",
        "github",
        "gitlab",
        "circleci",
        "travis",
        "selenium",
        "cypress",
        "playwright",
    ]
)
DEV_WORDS = frozenset(["dev", "devel", "develop", "development", "local", "override", "debug"])
EXAMPLE_WORDS = frozenset(["example", "examples", "sample", "samples", "docs", "doc"])
PROD_WORDS = frozenset(["prod", "production", "prd", "live", "staging", "deploy", "deployment", "release"])
#: Order in which a name's words decide: any non-production word beats a production one.
WORD_ROLES: tuple[tuple[frozenset[str], Role], ...] = (
    (TEST_WORDS, Role.TEST),
    (DEV_WORDS, Role.DEVELOPMENT),
    (EXAMPLE_WORDS, Role.EXAMPLE),
    (PROD_WORDS, Role.PRODUCTION),
)

RUNSERVER = re.compile(r"\brunserver(?:_plus)?\b")
PROD_SERVER = re.compile(r"\b(gunicorn|uwsgi|daphne|uvicorn|hypercorn|granian|waitress-serve)\b")
DEBUG_ON = re.compile(r"\b(?:DJANGO_)?DEBUG\b['\"]?\s*[=:]\s*['\"]?(?:1|true|yes|on)\b['\"]?", re.IGNORECASE)
#: Most bytes of a file read for rule 5.
MAX_READ = 256 * 1024
#: A leading comment in which a file states it is for development (rule 5).
STATED_DEV = re.compile(
    r"\b(?:for\s+(?:local\s+)?development|(?:local\s+)?development\s+(?:only|purposes?)"
    r"|dev(?:elopment)?[\s-]+only|not\s+(?:meant\s+|intended\s+|suitable\s+)?for\s+production"
    r"|do\s+not\s+use\s+(?:it\s+|this\s+)?in\s+production)\b",
    re.IGNORECASE,
)


def words(name: str) -> list[str]:
    """The lower-case words of a file or folder name (``docker-compose.override.yml`` →
    ``docker compose override yml``)."""
    return [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]


def _word_role(name: str) -> tuple[Role, str] | None:
    found = set(words(name))
    for vocabulary, role in WORD_ROLES:
        hit = sorted(found & vocabulary)
        if hit:
            return role, hit[0]
    return None


def stated_role(text: str) -> tuple[Role, str] | None:
    """``development`` when the leading comment block of ``text`` (the comment lines before
    the first other line) states the file is for development, or None."""
    head = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith(("#", ";", "//")):
            break
        head.append(stripped.lstrip("#;/ "))
    found = STATED_DEV.search(" ".join(head))
    if found is None:
        return None
    return Role.DEVELOPMENT, f"its header comment says {' '.join(found.group(0).split())!r}"


def _glob_hit(rel: str, patterns: Iterable[str]) -> str | None:
    for pattern in patterns:
        folder = pattern.rstrip("/")
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, folder + "/*"):
            return pattern
    return None


#: A line that installs packages (``RUN pip install gunicorn``): naming a server there does
#: not start it.
INSTALL_LINE = re.compile(
    r"\b(pip3?|uv|poetry|pipenv|apt-get|apt|apk|yum|dnf|conda)\b.*\b(install|add|sync)\b"
)


def _uncommented(text: str) -> str:
    """``text`` without comment lines and lines that install packages."""
    return "\n".join(
        line
        for line in text.splitlines()
        if not line.lstrip().startswith(("#", ";")) and not INSTALL_LINE.search(line)
    )


def content_role(text: str, elsewhere: str | None = None) -> tuple[Role, str] | None:
    """Rule 5 on the (uncommented) text of a file that starts processes, or None.

    ``elsewhere`` is another deployment file of the repository that starts a production
    server, if any: only then is a file that starts runserver (or sets ``DEBUG`` on and
    starts no server) development. When nothing else starts a production server the
    runserver file may well be how the site runs: it is audited (GL601 judges it).
    """
    body = _uncommented(text)
    dev = RUNSERVER.search(body)
    prod = PROD_SERVER.search(body)
    if prod and not dev:
        return Role.PRODUCTION, f"starts {prod.group(1)}"
    if prod or elsewhere is None:
        return None
    if dev:
        return (
            Role.DEVELOPMENT,
            f"starts {dev.group(0)} (Django's development server), while {elsewhere}"
            " starts a production server",
        )
    debug = DEBUG_ON.search(body)
    if debug:
        return (
            Role.DEVELOPMENT,
            f"sets {' '.join(debug.group(0).split())} and starts no server, while {elsewhere}"
            " starts a production server",
        )
    return None


def profile_role(profiles: Sequence[object]) -> tuple[Role, str] | None:
    """The role of a compose service from its ``profiles``: development or test when every
    profile name is made of such words (``dev``, ``local-debug``, ``ci``), else None."""
    names = [str(p) for p in profiles if str(p).strip()]
    if not names:
        return None
    roles = []
    for name in names:
        found = _word_role(name)
        if found is None or found[0] not in (Role.DEVELOPMENT, Role.TEST):
            return None
        roles.append(found[0])
    role = Role.TEST if all(r is Role.TEST for r in roles) else Role.DEVELOPMENT
    return role, f"compose profile {', '.join(names)}"


def compose_content(text: str) -> str:
    """The services of a compose file minus those in development/test profiles, as text."""
    import yaml

    try:
        data = yamlread.safe_load(text)
    except yaml.YAMLError:
        return text
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return text
    kept: dict[str, Any] = {}
    for name, service in services.items():
        if isinstance(service, dict):
            profiles = service.get("profiles")
            if isinstance(profiles, list) and profile_role(profiles) is not None:
                continue
            kept[str(name)] = {k: service.get(k) for k in ("command", "entrypoint", "environment")}
    return yamlread.safe_dump(kept)


def classify(
    rel: str,
    kind: str,
    text: str | None = None,
    *,
    production_files: Sequence[str] = (),
    ignore_files: Sequence[str] = (),
    config_name: str = "the configuration",
    elsewhere: str | None = None,
) -> DeploymentFile:
    """The role of the deployment file at ``rel`` (POSIX path relative to the repository
    root) of ``kind``, by the module's rules; ``text`` is its content (rule 5, for the
    kinds in :data:`STARTS_PROCESSES`; None skips that rule), ``elsewhere`` another file
    that starts a production server (see :func:`content_role`). Pure: never reads a file.
    """

    def out(role: Role, reason: str) -> DeploymentFile:
        return DeploymentFile(path=rel, kind=kind, role=role.value, reason=reason, audited=role in AUDITED)

    hit = _glob_hit(rel, ignore_files)
    if hit:
        return out(Role.IGNORED, f"[tool.golive] ignore_files {hit!r} in {config_name}")
    hit = _glob_hit(rel, production_files)
    if hit:
        return out(Role.PRODUCTION, f"[tool.golive] production_files {hit!r} in {config_name}")
    path = PurePosixPath(rel)
    folders = [f for f in path.parts[:-1]]
    for folder in folders:
        test = sorted(set(words(folder)) & TEST_WORDS)
        if test:
            return out(Role.TEST, f"in the {folder}/ folder (tests or CI)")
    named = _word_role(path.name)
    if named:
        role, word = named
        return out(role, f"its name says {word!r}")
    for folder in reversed(folders):
        found = _word_role(folder)
        if found:
            role, word = found
            return out(role, f"in the {folder}/ folder ({word!r})")
    if text is not None and kind in STARTS_PROCESSES:
        stated = stated_role(text)
        if stated:
            return out(*stated)
        body = compose_content(text) if kind == COMPOSE else text
        found = content_role(body, elsewhere)
        if found:
            return out(*found)
        if RUNSERVER.search(_uncommented(body)) and not PROD_SERVER.search(_uncommented(body)):
            return out(Role.UNKNOWN, "starts runserver and no other file starts a production server: audited")
    return out(Role.UNKNOWN, "nothing in its path, name or content says production or not: audited")
