"""What the user asked for (:class:`AuditOptions`) and what the run resolved it to
(:class:`AuditContext`): project, settings module, interpreter, environment, author.

Building the context is where usage errors surface: a missing project directory, an
unreadable env file or a broken configuration raise :class:`UsageError` (exit status 2).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from golive.config import Config, ConfigError, load_config
from golive.discovery import DiscoveryError, choose_settings, require_module
from golive.django_root import DjangoRootError, find_django_root
from golive.model import Severity
from golive.project_git import GitInfo, start_git_info
from golive.project_git import git_info as git_info  # where golive.commands.signoff and tests find it
from golive.startup import interpreter

if TYPE_CHECKING:  # imported once the runtime probe is started (see resolve)
    from golive.collectors.layout import Layout

#: ``on_known(python, django_dir, env, settings_module)``: see :func:`resolve`.
Known = Callable[[str, Path, dict[str, str], str], None]


class UsageError(Exception):
    """Bad input the user must fix before anything can be audited (exit status 2)."""


@dataclass(frozen=True, kw_only=True)
class AuditOptions:
    """The options of ``golive audit`` (and ``manage.py golive``), unresolved.

    ``timeout`` is in seconds and bounds the runtime probe; ``select``/``ignore`` are
    check-id prefixes. The nginx, gunicorn, live-site, git and host fields are read by
    the collectors of those inputs.
    """

    project_dir: Path = Path(".")
    settings: str | None = None
    django_root: Path | None = None
    python: str | None = None
    env_file: Path | None = None
    author: str | None = None
    fail_on: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    timeout: float | None = None
    # web and application servers (issue 3)
    nginx: tuple[Path, ...] = ()
    nginx_prefix: Path | None = None
    gunicorn: tuple[Path, ...] = ()
    # the live site (issue 4)
    urls: tuple[str, ...] = ()
    resolve: tuple[str, ...] = ()
    cacert: Path | None = None
    insecure: bool = False
    admin_path: str | None = None
    screenshots: bool = True
    screenshot_dir: Path | None = None
    # git history and the host (issue 5)
    no_git: bool = False
    since: str | None = None
    host: bool | None = None
    # history and baseline (issue 6)
    history: Path | None = None
    no_history: bool = False
    baseline: Path | None = None
    no_runtime: bool = False
    # the sign-off and the network (issue 14): reviewers expected to sign ("Name (Role)");
    # offline: no network call to PyPI or OSV (shipped tables and pip-audit's cache only)
    approvers: tuple[str, ...] = ()
    offline: bool = False
    #: Seconds each live request may take (None: the live collector's default).
    live_timeout: float | None = None


@dataclass(frozen=True, kw_only=True)
class AuditContext:
    """The resolved inputs of one audit, shared read-only by every collector.

    ``env`` is the environment the project's code runs with (this process's plus
    ``--env-file``); ``fingerprint_key`` keys the short secret fingerprints, fresh for
    every audit so a fingerprint in a report cannot be matched against a guessed key.
    """

    options: AuditOptions
    project_dir: Path
    project_name: str
    config: Config
    settings_module: str
    settings_reason: str
    python: str
    env: dict[str, str]
    env_file_keys: tuple[str, ...]
    timeout: float
    author: str
    fail_on: Severity
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    git: GitInfo
    started: dt.datetime
    # os.urandom is what secrets.token_hex reads; that module's import (hmac, hashlib) is
    # kept off the path to the runtime probe's start
    fingerprint_key: str = field(default_factory=lambda: os.urandom(16).hex())
    #: The folder holding manage.py (on the settings' ``sys.path``) when it is not
    #: ``project_dir`` (see :mod:`golive.django_root`); None: the project directory.
    django_root: Path | None = None
    django_root_reason: str = ""
    #: The audit's :class:`golive.collectors.layout.Layout` (which files are production).
    layout: Layout | None = None
    #: Why the chosen settings are development settings, when no production settings exist
    #: (:func:`golive.settings_role.development_reason`); ``""``: they are not.
    settings_development: str = ""

    @property
    def django_dir(self) -> Path:
        """The Django root: where settings modules are resolved and the probe runs."""
        return self.django_root or self.project_dir


def read_env_file(path: Path) -> dict[str, str]:
    """The variables of a dotenv file (python-dotenv's syntax). ``UsageError`` if unreadable."""
    from dotenv import dotenv_values

    if not path.is_file():
        raise UsageError(f"--env-file {path}: no such file")
    try:
        values = dotenv_values(path, interpolate=False)
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--env-file {path}: cannot read it: {exc}") from None
    return {k: v for k, v in values.items() if v is not None}


#: Top-level folders of a repository that hold deployment files.
DEPLOYMENT_FOLDERS = frozenset(
    {"docker", "deploy", "deployment", "compose", "nginx", "contrib", "systemd", "etc"}
)


def _repository_above(project_dir: Path, git: GitInfo) -> str:
    """A note for the Django root's reason when golive runs in a subfolder of a git work
    tree whose top holds deployment files (``docker/``, ``deploy/``, a ``Dockerfile``, a
    compose file, a ``Procfile``): those are only searched when golive runs from there
    (issue 12). Empty otherwise (a monorepo whose top holds none, ``examples/`` here)."""
    if git.root is None:
        return ""
    top = git.root.resolve()
    if top == project_dir or top not in project_dir.parents:
        return ""
    try:
        entries = sorted(top.iterdir())
    except OSError:
        return ""
    seen = [
        e.name + ("/" if e.is_dir() else "")
        for e in entries
        if (e.is_dir() and e.name in DEPLOYMENT_FOLDERS)
        or (
            e.is_file()
            and (e.name in ("Procfile", "Dockerfile") or e.name.startswith(("docker-compose", "compose.")))
        )
    ]
    if not seen:
        return ""
    up = os.path.relpath(top, project_dir)
    return (
        f"; golive runs in a subfolder of the git repository, whose root ({up}) holds {', '.join(seen[:4])}:"
        f" deployment files outside {project_dir.name}/ are not searched, run golive from {up} to audit them"
    )


def resolve(
    options: AuditOptions, now: dt.datetime | None = None, on_known: Known | None = None
) -> AuditContext:
    """Turn options into a context. Raises :class:`UsageError` with a one-line message.

    ``on_known`` is called once with the context's ``python``, ``django_dir``, ``env`` and
    ``settings_module`` as soon as those are known, before the rest is resolved (the layout,
    the settings' role, git's answers, the sign-off table): the CLI starts the runtime
    probe's interpreter there (:func:`golive.startup.start_probe`). With settings given
    (``--settings``, ``[tool.golive] settings``) that is right after the configuration, the
    Django root and the env file are read; else once the settings are found."""
    project_dir = options.project_dir.expanduser().resolve()
    if not project_dir.is_dir():
        raise UsageError(f"{options.project_dir}: no such directory")
    git_answers = start_git_info(project_dir)  # runs while the configuration and settings are read
    try:
        return _resolve(options, project_dir, git_answers, now, on_known or (lambda *known: None))
    finally:
        git_answers()  # reaped, also when a usage error stops the audit


def _resolve(
    options: AuditOptions,
    project_dir: Path,
    git_answers: Callable[[], GitInfo],
    now: dt.datetime | None,
    on_known: Known,
) -> AuditContext:
    """:func:`resolve` once the directory is known and its git queries started."""
    try:
        config = load_config(project_dir)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    config_name = config.path.name if config.path else ""
    try:
        root = find_django_root(
            project_dir,
            explicit=options.django_root,
            configured=config.django_root,
            config_name=config_name,
            settings=options.settings or config.settings,
        )
    except DjangoRootError as exc:
        raise UsageError(str(exc)) from None
    env = dict(os.environ)
    env_file_keys: tuple[str, ...] = ()
    env_file = options.env_file or (project_dir / config.env_file if config.env_file else None)
    if env_file is not None:
        values = read_env_file(env_file)
        env.update(values)
        env_file_keys = tuple(values)
    python = interpreter(options.python, config.python, project_dir)
    if options.settings or config.settings:  # the module choose_settings gives, known now
        on_known(python, root.path, env, options.settings or config.settings or "")
    from golive.collectors.layout import Layout

    layout = Layout(
        project_dir,
        production_files=config.production_files,
        ignore_files=config.ignore_files,
        config_name=config_name or "the configuration",
    )
    env_from = (
        f"the --env-file {options.env_file}"
        if options.env_file
        else f"env_file {config.env_file} of {config_name}"
    )
    try:
        choice = choose_settings(
            root.path,
            options.settings,
            config.settings,
            config.path.name if config.path else "",
            shown_from=project_dir,
            environment=env,
            env_sources={key: env_from for key in env_file_keys},
            layout=layout,
        )
        if options.settings or config.settings:  # named by the user: a typo is a usage error
            given = "--settings" if options.settings else f"[tool.golive] settings in {config_name}"
            require_module(root.path, choice.module, given, project_dir)
    except DiscoveryError as exc:
        raise UsageError(str(exc)) from None
    if not (options.settings or config.settings):
        on_known(python, root.path, env, choice.module)

    fail_on_text = options.fail_on or config.fail_on or "high"
    try:
        fail_on = Severity.parse(fail_on_text)
    except ValueError as exc:
        raise UsageError(f"--fail-on: {exc}") from None

    git = git_answers()
    author = options.author or config.author or git.user or "unknown (set --author)"
    from golive.signoff import SignoffError, approvers

    try:
        approvers(config, options.approvers)  # a wrong [tool.golive.signoff] is a usage error
    except SignoffError as exc:
        raise UsageError(str(exc)) from None
    root_reason = root.reason + _repository_above(project_dir, git)
    from golive.settings_role import development_reason

    # settings the user named are audited as given; golive's own choice is classified
    development = "" if options.settings or config.settings else development_reason(root.path, choice.module)
    return AuditContext(
        options=options,
        project_dir=project_dir,
        project_name=project_dir.name,
        config=config,
        settings_module=choice.module,
        settings_reason=f"{development}; {choice.reason}" if development else choice.reason,
        python=python,
        env=env,
        env_file_keys=env_file_keys,
        timeout=options.timeout or config.timeout or 60.0,
        author=author,
        fail_on=fail_on,
        select=options.select or config.select,
        ignore=options.ignore + config.ignore,
        git=git,
        started=now or dt.datetime.now().astimezone(),
        django_root=root.path,
        django_root_reason=root_reason,
        layout=layout,
        settings_development=development,
    )
