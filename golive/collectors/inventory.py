"""The deployment files golive recognises beyond those its collectors audit, listed in the report.

A reviewer counts more files as "the deployment" than golive's collectors read:
``.dockerignore``, the requirements and lock files, the settings modules and ``wsgi.py``,
the entrypoint scripts of other containers, a Terraform folder, the CI workflow that
deploys, the install guide. A report that never names them
leaves the reader guessing whether golive looked. :func:`discover` recognises them by name
and place in the files the project collector walked and records each in the audit's
:class:`~golive.collectors.layout.Layout` (the report's "Deployment files"), saying whether
golive reads it and, when not, why (DESIGN.md: never claim what was not seen). A file a
collector already classified keeps that entry.

The classes, first that applies (paths relative to the repository root):

* Django settings: the module golive audits and the modules it star-imports (read), every
  other settings module (``settings*.py``, ``*_settings.py``, files of a ``settings/``
  package: read only for a committed ``SECRET_KEY``, as :mod:`golive.collectors.source` does);
* WSGI/ASGI entry points ``wsgi.py``/``asgi.py``: read when they are ``<Django root>/*/wsgi.py``
  (the settings module they select, Sentry), else listed as not read;
* requirements: ``requirements*.txt|in``, ``requirements/*.txt`` and ``pyproject.toml`` (read
  by the project collector); ``setup.py``, ``setup.cfg``, ``Pipfile``, lock files
  (``uv.lock``, ``poetry.lock``, ``Pipfile.lock``...), ``.python-version``, ``runtime.txt``:
  not read (the dependency checks read the installed environment);
* ``.dockerignore`` and Terraform (``*.tf``): not audited (platform manifests, Helm charts
  and Kubernetes manifests are the platforms collector's:
  :mod:`golive.collectors.appservers.platforms`);
* shell scripts that start or check something (``entrypoint*``, ``start*``, ``run*``,
  ``boot*``, ``healthcheck*``, ``install*``, ``deploy*``, a script naming a server,
  ``manage.py``, celery or nginx, or any script in a ``docker/``, ``deploy/``, ``compose/``
  folder) that no Dockerfile, compose file, Procfile or unit golive read starts: not audited,
  since nothing says how they run;
* env templates (``.env.example``, ``env_sample``, ``template-env``...) and configuration
  templates (``*.example.cfg``, ``*.conf.default``, ``template-local_settings``): examples,
  not read;
* documentation (``README*``, ``*.md``, ``*.rst``) in a ``docker/``, ``deploy/``, ``compose/``
  folder: not read (prose about the deployment material beside it);
* CI workflows that deploy (``.github/workflows/*deploy*.yml``...) and deployment guides
  (``install*``, ``deploy*``, ``configur*``, ``backup*``... pages under ``doc``/``docs``):
  not audited (golive does not run CI nor read prose).

Then the project code the deployment relies on (:mod:`golive.collectors.inventory_code`:
the configuration modules and backend classes the settings name, the Celery app, registered
system checks, periodic-job definitions, Python code that starts a server, a Makefile with
deployment targets): not audited.

Pure reading of names and of at most the first 64 KB of a script or YAML file; never raises
for a file it cannot read (that file is recognised by name only).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from golive.collectors.inventory_code import head_text, name_words, named_by_settings, recognise_code
from golive.collectors.layout import Layout
from golive.context import AuditContext

#: The kinds this module lists (those of the collectors are in :mod:`golive.collectors.layout`).
SETTINGS, ENTRY, REQUIREMENTS = "Django settings", "WSGI/ASGI entry point", "requirements"
DOCKERIGNORE, TERRAFORM, SCRIPT = ".dockerignore", "Terraform", "start script"
ENV_TEMPLATE, CI_DEPLOY, GUIDE = "env template", "CI deploy workflow", "deployment guide"

READ_REQUIREMENTS = re.compile(r"requirements[\w.-]*\.(txt|in)|pyproject\.toml")
UNREAD_REQUIREMENTS = frozenset(
    {
        "setup.py",
        "setup.cfg",
        "Pipfile",
        "Pipfile.lock",
        "poetry.lock",
        "uv.lock",
        "pdm.lock",
        "pylock.toml",
        ".python-version",
        "runtime.txt",
    }
)
SCRIPT_WORDS = frozenset(
    {"entrypoint", "start", "run", "boot", "healthcheck", "install", "deploy", "launch", "serve"}
)
#: Folders whose shell scripts belong to the deployment (``docker/secret-file-loader.sh``).
DEPLOY_FOLDERS = frozenset(
    {"docker", "dockerfiles", "deploy", "deployment", "compose", "container", "containers"}
)
SCRIPT_CONTENT = re.compile(
    r"\b(gunicorn|uwsgi|daphne|uvicorn|hypercorn|granian|waitress-serve|manage\.py|celery|nginx|supervisord)\b"
)
ENV_TEMPLATE_NAME = re.compile(
    r"(\.env|env)[._-](example|sample|template|dist|defaults?)|(example|sample|template)[._-]env"
    r"|[\w-]+\.env\.(example|sample|template|dist)|[\w.-]+\.(example|sample)\.(cfg|ini|conf|toml|ya?ml)"
    r"|[\w.-]+\.(cfg|ini|conf)\.(default|example|sample|dist)",
    re.IGNORECASE,
)
TEMPLATE_WORDS = frozenset({"template", "example", "sample", "dist", "default", "defaults"})
CONFIG_WORDS = frozenset({"env", "settings", "config", "conf", "cfg", "environment"})
GUIDE_WORDS = frozenset(
    {
        "install",
        "installation",
        "installing",
        "deploy",
        "deployment",
        "deploying",
        "production",
        "configure",
        "configuration",
        "options",
        "backup",
        "backups",
        "maintenance",
        "upgrade",
        "upgrading",
        "hosting",
        "nginx",
        "docker",
    }
)
DOC_FOLDERS = frozenset({"doc", "docs", "documentation"})
CI_FOLDERS = (".github/workflows/", ".gitlab/", ".circleci/")
CI_DEPLOY_WORDS = frozenset(
    {"deploy", "deployment", "release", "publish", "heroku", "fly", "production", "prod"}
)


def _settings_file(rel: PurePosixPath) -> bool:
    if rel.suffix != ".py":
        return False
    in_package = any(part == "settings" or part.startswith("settings_") for part in rel.parts[:-1])
    stem = rel.stem
    return in_package or stem == "settings" or stem.startswith("settings_") or stem.endswith("_settings")


def _script(path: Path, rel: PurePosixPath) -> bool:
    """A shell script that starts or checks something: by its name's words, its folder (one
    that holds container or deployment material), or its content."""
    shell = rel.suffix in (".sh", ".bash")
    if not shell and rel.suffix:
        return False
    head = head_text(path)
    if not shell and not re.match(r"#!\s*\S*/(env\s+)?(ba|da|z)?sh\b", head):
        return False
    if DEPLOY_FOLDERS & {p.lower() for p in rel.parts[:-1]}:
        return True
    return bool(name_words(rel.stem) & SCRIPT_WORDS) or bool(SCRIPT_CONTENT.search(head))


class Inventory:
    """What the source collector reads, for :func:`discover` to tell it from the rest (paths
    relative to the repository, POSIX): ``read``, the audited settings module and the modules
    it star-imports; ``entries_read``, the ``wsgi.py``/``asgi.py`` it reads; ``django_root``,
    the folder under which it reads every other settings module for a committed SECRET_KEY
    (``"."``: the repository root; None: outside the repository)."""

    def __init__(
        self, read: Iterable[str] = (), entries_read: Iterable[str] = (), django_root: str | None = "."
    ) -> None:
        self.read = frozenset(read)
        self.entries_read = frozenset(entries_read)
        self.django_root = django_root

    def under_django_root(self, rel: PurePosixPath) -> bool:
        """True when ``rel`` is inside the Django root."""
        if self.django_root is None:
            return False
        return self.django_root == "." or rel.is_relative_to(self.django_root)


def discover(
    layout: Layout, files: Iterable[Path], inventory: Inventory, hidden: Iterable[Path] = ()
) -> None:
    """Record in ``layout`` every file of ``files`` (and of ``hidden``: the CI folders, which
    the project walk skips) of a class of the module docstring, with whether golive reads it.
    A file already classified by a collector keeps its entry; scripts are judged last, after
    the collectors followed the commands into theirs."""
    settings: list[Path] = []
    walked = [(path, _walked_rel(layout, path)) for path in files]
    for path, rel_text in [*walked, *((path, layout.rel(path)) for path in hidden)]:
        if rel_text is None:
            continue
        rel = PurePosixPath(rel_text)
        found = _recognise(path, rel, inventory)
        if found is None:
            code = recognise_code(path, rel)
            found = None if code is None else (code[0], False, code[1])
        if found is not None:
            kind, read, reason = found
            layout.record(path, kind, read=read, reason=reason)
            if kind == SETTINGS:
                settings.append(path)
    roots = [layout.repo / inventory.django_root] if inventory.django_root is not None else []
    for path, kind, reason in named_by_settings(settings, [*roots, layout.repo], layout.repo):
        layout.record(path, kind, read=False, reason=reason)


def _walked_rel(layout: Layout, path: Path) -> str | None:
    """:meth:`Layout.rel` of a file the project walk found: its path below the repository as
    it stands, without resolving it, when it is no symbolic link (the walk follows none to a
    folder, so nothing above it is one); ``Layout.rel`` resolves each path, a tenth of a second
    for 2,000 files."""
    text, root = str(path), os.path.join(str(layout.repo), "")
    if text.startswith(root) and ".." not in path.parts and not path.is_symlink():
        return text[len(root) :].replace(os.sep, "/")
    return layout.rel(path)


def _recognise(path: Path, rel: PurePosixPath, inventory: Inventory) -> tuple[str, bool, str] | None:
    """``(kind, read, reason)`` of the first class ``rel`` belongs to, or None."""
    name, text = path.name, rel.as_posix()
    if text.startswith(CI_FOLDERS):
        if rel.suffix in (".yml", ".yaml") and name_words(name) & CI_DEPLOY_WORDS:
            return CI_DEPLOY, False, "a CI workflow that deploys: golive does not run or audit CI workflows"
        return None
    if _settings_file(rel):
        if text in inventory.read:
            return SETTINGS, True, "the settings module golive audits, or one it star-imports"
        if inventory.under_django_root(rel):
            return (
                SETTINGS,
                True,
                "another settings module than the one audited: read for a committed SECRET_KEY only",
            )
        return SETTINGS, False, "a settings module outside the Django root: not read"
    if name in ("wsgi.py", "asgi.py"):
        if text in inventory.entries_read:
            return ENTRY, True, "read for the settings module it selects and its Sentry set-up"
        return ENTRY, False, "not read: golive reads the wsgi.py/asgi.py of the Django root's packages"
    if READ_REQUIREMENTS.fullmatch(name) or (
        rel.parent.name == "requirements" and rel.suffix in (".txt", ".in")
    ):
        return REQUIREMENTS, True, "read for the project's declared dependencies"
    if name in UNREAD_REQUIREMENTS:
        return (
            REQUIREMENTS,
            False,
            "not read: the dependency checks read the packages installed in the audited environment",
        )
    if name == ".dockerignore" or name.endswith(".dockerignore"):
        return DOCKERIGNORE, False, "what a Docker build leaves out of the image: not audited"
    if rel.suffix == ".tf":
        return TERRAFORM, False, "Terraform: golive does not audit infrastructure code"
    if ENV_TEMPLATE_NAME.fullmatch(name) or _config_template(name):
        return ENV_TEMPLATE, False, "a template of the environment or configuration: an example, not read"
    if DOC_FOLDERS & {p.lower() for p in rel.parts[:-1]} and rel.suffix in (".md", ".rst", ".txt", ".mdx"):
        if name_words(rel.stem) & GUIDE_WORDS:
            return GUIDE, False, "a deployment guide: golive does not read prose"
        return None
    deploy_folder = next((p for p in rel.parts[:-1] if p.lower() in DEPLOY_FOLDERS), None)
    if deploy_folder and (rel.suffix in (".md", ".rst", ".mdx") or name.upper().startswith("README")):
        return (
            GUIDE,
            False,
            f"documentation in the {deploy_folder}/ deployment folder: golive does not read prose",
        )
    if _script(path, rel):
        return (
            SCRIPT,
            False,
            "no Dockerfile, compose file, Procfile or unit golive read starts it: not audited",
        )
    return None


def _config_template(name: str) -> bool:
    """A template of the environment or of settings: a template word and a configuration word
    in its name (``env_sample``, ``template-env``, ``template-local_settings``)."""
    found = name_words(name)
    return bool(found & TEMPLATE_WORDS) and bool(found & CONFIG_WORDS)


def settings_inventory(ctx: AuditContext) -> Inventory:
    """The settings modules the source collector reads as the audited chain, the Django root
    (whose other settings modules it reads for a committed SECRET_KEY), and the entry points
    it reads (``<Django root>/*/wsgi.py``, ``asgi.py``), relative to the repository."""
    from golive.collectors.source import settings_chain
    from golive.discovery import module_file

    chain: list[str] = []
    if ctx.settings_module and module_file(ctx.django_dir, ctx.settings_module) is not None:
        try:
            chain = [m.path for m in settings_chain(ctx)[0] if not m.error]
        except Exception:  # the source collector reports what it cannot read
            chain = []
    repo = ctx.project_dir.resolve()
    entries = [
        p.resolve().relative_to(repo).as_posix()
        for name in ("wsgi", "asgi")
        for p in ctx.django_dir.glob(f"*/{name}.py")
        if p.resolve().is_relative_to(repo)
    ]
    try:
        django_root: str | None = ctx.django_dir.resolve().relative_to(repo).as_posix()
    except ValueError:  # a --django-root outside the repository
        django_root = None
    return Inventory(read=chain, entries_read=entries, django_root=django_root)


def ci_files(project_dir: Path) -> list[Path]:
    """The workflow files of GitHub, GitLab and CircleCI (hidden folders the walk skips)."""
    out: list[Path] = []
    for pattern in (".github/workflows/*.y*ml", ".gitlab/**/*.y*ml", ".circleci/*.y*ml"):
        out += sorted(p for p in project_dir.glob(pattern) if p.is_file() and not p.is_symlink())
    return out[:200]
