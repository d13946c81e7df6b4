"""What the user asked for (:class:`AuditOptions`) and what the run resolved it to
(:class:`AuditContext`): project, settings module, interpreter, environment, author.

Building the context is where usage errors surface: a missing project directory, an
unreadable env file or a broken configuration raise :class:`UsageError` (exit status 2).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from msgspec import Struct, field

from golive.collectors.layout import Layout
from golive.config import Config, ConfigError, load_config
from golive.discovery import DiscoveryError, choose_settings, require_module
from golive.django_root import DjangoRootError, find_django_root
from golive.model import Severity


class UsageError(Exception):
    """Bad input the user must fix before anything can be audited (exit status 2)."""


class AuditOptions(Struct, frozen=True, kw_only=True):
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


class GitInfo(Struct, frozen=True, kw_only=True):
    """The project's git state: ``commit`` None when not a repository (``reason`` says why)."""

    commit: str | None = None
    dirty: bool | None = None
    user: str | None = None
    root: Path | None = None
    reason: str = ""


class AuditContext(Struct, frozen=True, kw_only=True, weakref=True):
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


#: The git commands :func:`git_info` runs, all at once: the work tree's root and the commit
#: (``--verify -q HEAD``: nothing and a failure without commits), the tracked files changed
#: under the project directory, the user's name and e-mail (every value of each, NUL-ended
#: ``key\nvalue`` entries; the last one counts, as ``git config user.name`` gives it).
GIT_QUERIES: tuple[tuple[str, ...], ...] = (
    ("rev-parse", "--show-toplevel", "--verify", "-q", "HEAD"),
    ("status", "--porcelain", "--untracked-files=no", "--", "."),
    ("config", "-z", "--get-regexp", r"^user\.(name|email)$"),
)
#: Seconds :func:`git_info` waits for them, together.
GIT_TIMEOUT = 20.0


def start_git_info(project_dir: Path) -> Callable[[], GitInfo]:
    """Start the :data:`GIT_QUERIES` about the git work tree holding ``project_dir``, all at
    once, and return the function that waits for them (at most :data:`GIT_TIMEOUT` seconds)
    and gives their :class:`GitInfo`: the caller does other work meanwhile (:func:`resolve`
    reads the configuration and finds the settings). Outside a repository, every query
    fails and the info says so; a query that fails or times out tells nothing. The function
    waits once and gives the same info however often it is called."""
    procs: list[subprocess.Popen[str] | None] = []
    for args in GIT_QUERIES:
        try:
            procs.append(
                subprocess.Popen(
                    ["git", "-C", str(project_dir), *args],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                )
            )
        except OSError:
            procs.append(None)

    def finish() -> GitInfo:
        deadline = time.monotonic() + GIT_TIMEOUT
        (head_code, head), (status_code, status), (config_code, config) = (
            _answer(proc, deadline) for proc in procs
        )
        lines = head.splitlines()  # the root, then the commit if HEAD names one
        if not lines:
            return GitInfo(reason="not a git repository (or git is not installed)")
        commit = lines[1].strip() if head_code == 0 and len(lines) > 1 else None
        values: dict[str, str] = {}
        for entry in config.split("\0") if config_code == 0 else ():
            key, _, value = entry.partition("\n")
            if key:
                values[key] = value.strip()
        name, email = values.get("user.name"), values.get("user.email")
        user = f"{name} <{email}>" if name and email else (name or email)
        return GitInfo(
            commit=commit or None,
            dirty=bool(status.strip()) if status_code == 0 else None,
            user=user,
            root=Path(lines[0].strip()),
            reason="" if commit else "repository has no commits yet",
        )

    return functools.cache(finish)  # answered once, however often asked


def _answer(proc: subprocess.Popen[str] | None, deadline: float) -> tuple[int | None, str]:
    """(exit status, output) of a git query; (None, "") when it could not start or did not
    finish by ``deadline`` (``time.monotonic`` seconds; it is then killed)."""
    if proc is None:
        return None, ""
    try:
        out, _ = proc.communicate(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None, ""
    return proc.returncode, out


def git_info(project_dir: Path) -> GitInfo:
    """Commit, dirtiness and user of the git work tree holding ``project_dir``
    (:func:`start_git_info`, waited for)."""
    return start_git_info(project_dir)()


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


def interpreter(option: str | None, configured: str | None, project_dir: Path) -> str:
    """The project's interpreter: ``--python`` (``option``), else ``[tool.golive] python``
    (``configured``), else the one running golive (``sys.executable``).

    A relative path is made absolute the way its source means it: ``--python`` against the
    current directory, as every path on a command line is (so the README's ``--python
    .venv/bin/python`` names the ``.venv`` where the command is typed, wherever the
    project lies); the configured one against the project directory, which holds the
    configuration. A bare name with no directory (``python3``) is left for ``PATH`` to
    find. Symbolic links are not resolved: a virtual environment's ``bin/python`` is one,
    and its path is what makes it that environment. Whether the file exists is for the
    runtime collector to report.
    """
    value = option or configured
    if not value:
        return sys.executable
    path = Path(value).expanduser()
    if path.is_absolute() or os.sep not in value:
        return str(path) if path.is_absolute() else value
    base = Path.cwd() if option else project_dir
    return str(base / path)


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


def resolve(options: AuditOptions, now: dt.datetime | None = None) -> AuditContext:
    """Turn options into a context. Raises :class:`UsageError` with a one-line message."""
    project_dir = options.project_dir.expanduser().resolve()
    if not project_dir.is_dir():
        raise UsageError(f"{options.project_dir}: no such directory")
    git_answers = start_git_info(project_dir)  # runs while the configuration and settings are read
    try:
        return _resolve(options, project_dir, git_answers, now)
    finally:
        git_answers()  # reaped, also when a usage error stops the audit


def _resolve(
    options: AuditOptions, project_dir: Path, git_answers: Callable[[], GitInfo], now: dt.datetime | None
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

    python = interpreter(options.python, config.python, project_dir)

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
