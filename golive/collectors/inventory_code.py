"""Project code and build files the deployment relies on, listed in the report as recognised
and not audited (:mod:`golive.collectors.inventory` lists the rest).

A reviewer counts some of a project's own code as part of its deployment; golive does not
audit it, and the report says so rather than leave the reader guessing. Recognised by name,
place and at most the first 64 KB of the file (paths relative to the repository root; test
folders and ``test_*`` files excepted):

* modules the settings name: the project modules a settings module imports whose dotted
  path below the top package has a configuration word (``config``, ``conf``, ``env``,
  ``settings``...: ``pkg.config.common``, where the defaults and environment variables of the
  settings come from), and the project class a backend setting names by dotted path
  (``STORAGES``/``CACHES``/``DATABASES`` ``BACKEND``/``ENGINE``, ``*_STORAGE``,
  ``*_BACKEND(S)``, ``*_ENGINE``; Django resolves them with ``import_string``:
  https://docs.djangoproject.com/en/stable/ref/settings/#storages) (:func:`named_by_settings`);
* the Celery application module (``celery.py``/``celery_app.py`` instantiating ``Celery(``,
  Celery's documented Django layout:
  https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html; ``celeryconfig.py``);
* the Django system checks an app registers (``checks.py`` or a ``checks/`` package using
  ``django.core.checks`` ``register``: https://docs.djangoproject.com/en/stable/topics/checks/);
* code that creates the periodic jobs of a task scheduler: a management command, or a module
  named for schedules, using django-q, django-celery-beat, Celery beat, django-crontab,
  huey's periodic tasks or APScheduler;
* Python code that starts an application server or a process manager at run time: a module
  named for servers, workers, runners or supervisord whose strings name a server
  (``"daphne"``) and that spawns processes (``subprocess``, ``os.exec*``, supervisord);
* a ``Makefile`` with deployment targets (install, image, release, deploy...) or recipes
  (docker, gunicorn, uWSGI, migrate, collectstatic).

Pure reading; never raises for a file it cannot read or parse (that file is not listed).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from golive.collectors.layout_rules import TEST_WORDS

CONFIG_MODULE, BACKEND_CLASS, CELERY_APP = "configuration module", "backend class", "Celery app"
SYSTEM_CHECKS, SCHEDULED_JOBS, LAUNCHER = "Django system checks", "scheduled jobs", "process launcher"
MAKEFILE = "Makefile"

#: Most bytes read of a file whose content decides its class.
HEAD = 64 * 1024
CONFIG_WORDS = frozenset(
    {"config", "conf", "configuration", "env", "environ", "environment", "settings", "defaults"}
)
BACKEND_SETTING = re.compile(r"STORAGES|CACHES|DATABASES|CHANNEL_LAYERS|\w+_(STORAGE|BACKENDS?|ENGINE)")
DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")
CELERY_NAMES = frozenset({"celery.py", "celery_app.py", "celeryapp.py", "tasks_app.py"})
CELERY_CONFIG_NAMES = frozenset({"celeryconfig.py", "celery_config.py"})
CHECKS_USE = re.compile(r"django\.core\.checks|from\s+django\.core\s+import\s+checks")
SCHEDULE_WORDS = frozenset(
    {"schedule", "schedules", "scheduled", "scheduler", "cron", "crontab", "periodic", "beat", "jobs"}
)
SCHEDULER_USE = re.compile(
    r"\bdjango_q\b|django_celery_beat|\bPeriodicTask\b|\bCrontabSchedule\b|\bbeat_schedule\b"
    r"|CELERY_BEAT_SCHEDULE|\bCRONJOBS\b|\b(db_)?periodic_task\b|\bapscheduler\b"
)
LAUNCH_WORDS = frozenset(
    {
        "supervisor",
        "supervisord",
        "server",
        "servers",
        "worker",
        "workers",
        "daemon",
        "daemons",
        "launcher",
        "launch",
        "runner",
        "process",
        "processes",
        "circus",
        "honcho",
    }
)
SERVER_STRING = re.compile(
    r"""['"](?:[^'"\n]*[\s/])?(gunicorn|uwsgi|daphne|uvicorn|hypercorn|granian|waitress-serve)\b"""
)
SPAWNS = re.compile(r"\bsubprocess\b|\bPopen\b|\bos\.exec\w*|\bsupervisor(ctl|d)?\b|\[program:")
MAKEFILE_NAMES = frozenset({"Makefile", "makefile", "GNUmakefile"})
MAKE_TARGET = re.compile(r"^([A-Za-z0-9_./-]+)\s*:(?![=:])", re.MULTILINE)
MAKE_WORDS = frozenset(
    {
        "deploy",
        "deployment",
        "docker",
        "image",
        "release",
        "install",
        "production",
        "prod",
        "serve",
        "sandbox",
    }
)
MAKE_RECIPE = re.compile(r"\b(docker|gunicorn|uwsgi|collectstatic|migrate|kubectl|helm|ansible-playbook)\b")


@functools.lru_cache(maxsize=8192)
def name_words(name: str) -> frozenset[str]:
    """The lower-case words of a file or folder name (split at every non-alphanumeric
    character); remembered, since a project's folder names recur in every path below them."""
    return frozenset(w for w in _WORD_SPLIT.split(name.lower()) if w)


_WORD_SPLIT = re.compile(r"[^a-z0-9]+")


def head_text(path: Path) -> str:
    """The first :data:`HEAD` bytes of ``path`` as text (undecodable bytes replaced); "" when it
    cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD).decode("utf-8", "replace")
    except OSError:
        return ""


def _test_path(rel: PurePosixPath) -> bool:
    folders = frozenset().union(*(name_words(p) for p in rel.parts[:-1]))
    return (
        bool(folders & TEST_WORDS) or rel.name.startswith(("test_", "tests_")) or rel.stem.endswith("_test")
    )


def recognise_code(path: Path, rel: PurePosixPath) -> tuple[str, str] | None:
    """``(kind, reason)`` of the first per-file class of the module docstring ``rel``
    (POSIX, relative to the repository; ``path`` the file) belongs to, or None. Every class
    is "not audited"."""
    if _test_path(rel):
        return None
    name = rel.name
    if name in MAKEFILE_NAMES:
        return _makefile(path)
    if rel.suffix != ".py":
        return None
    if name in CELERY_CONFIG_NAMES:
        return CELERY_APP, "Celery's configuration module: golive does not audit Celery"
    folders = [p.lower() for p in rel.parts[:-1]]
    stem_words = name_words(rel.stem)
    command = "management" in folders and "commands" in folders
    candidate = (
        name in CELERY_NAMES
        or name == "checks.py"
        or (folders and folders[-1] == "checks")
        or command
        or bool(stem_words & SCHEDULE_WORDS)
        or bool((stem_words | set(folders)) & LAUNCH_WORDS)
    )
    if not candidate:
        return None
    head = head_text(path)
    if name in CELERY_NAMES and re.search(r"\bCelery\(", head):
        return CELERY_APP, "the Celery application (broker, workers, beat): golive does not audit Celery"
    checks = name == "checks.py" or folders[-1:] == ["checks"]
    if checks and CHECKS_USE.search(head) and re.search(r"\bregister\b", head):
        return (
            SYSTEM_CHECKS,
            "Django system checks the project registers: they run among Django's checks when"
            " golive loads the settings; the file is not read",
        )
    if (command or stem_words & SCHEDULE_WORDS) and SCHEDULER_USE.search(head):
        return (
            SCHEDULED_JOBS,
            "creates the periodic jobs of a task scheduler (django-q, Celery beat, cron):"
            " golive does not read the jobs it schedules",
        )
    if not (stem_words | set(folders)) & LAUNCH_WORDS:
        return None  # before SERVER_STRING, tried at every quote of the head (issue 15)
    server = SERVER_STRING.search(head)
    if server and SPAWNS.search(head):
        return (
            LAUNCHER,
            f"Python code that starts {server.group(1)} or a process manager at run time:"
            " not audited (golive reads the start commands of deployment files only)",
        )
    return None


def _makefile(path: Path) -> tuple[str, str] | None:
    text = head_text(path)
    targets = [t for t in MAKE_TARGET.findall(text) if not t.startswith(".")]
    named = [t for t in targets if name_words(t) & MAKE_WORDS]
    if not named and not MAKE_RECIPE.search(text):
        return None
    shown = ", ".join(named[:4]) or "recipes running docker, migrate or a server"
    return (
        MAKEFILE,
        f"a Makefile with deployment targets ({shown}): golive does not run or audit make targets",
    )


def named_by_settings(
    settings: Iterable[Path], roots: Iterable[Path], repo: Path
) -> list[tuple[Path, str, str]]:
    """``(file, kind, reason)`` of the project modules the settings files ``settings`` name:
    the configuration modules they import and the classes their backend settings name by
    dotted path, resolved under ``roots`` (the Django root, then the repository root) to a
    file inside ``repo``. Neither a settings module of ``settings`` nor a test file is returned."""
    settings = list(settings)
    given = {p.resolve() for p in settings}
    roots = [r for r in dict.fromkeys(roots)]
    out: dict[Path, tuple[str, str]] = {}
    for source in settings:
        try:
            tree = ast.parse(source.read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue
        for choices in _imports(tree, source, roots):
            dotted, found = next(
                ((d, f) for d in choices if (f := _module_file(d, roots, repo)) is not None), ("", None)
            )
            if found is not None and _config_module(dotted):
                out.setdefault(
                    found,
                    (
                        CONFIG_MODULE,
                        f"the configuration module {dotted} the settings import (their defaults and"
                        " environment variables come from it): not read; golive judges the settings' values",
                    ),
                )
        for setting, dotted in _backend_paths(tree):
            found = _module_file(dotted, roots, repo, strip=1)
            if found is not None:
                out.setdefault(
                    found,
                    (BACKEND_CLASS, f"project code the {setting} setting names ({dotted}): not audited"),
                )
    return [
        (path, kind, reason)
        for path, (kind, reason) in out.items()
        if path.resolve() not in given
        and not _test_path(PurePosixPath(path.resolve().relative_to(repo.resolve()).as_posix()))
    ]


def _config_module(dotted: str) -> bool:
    parts = dotted.split(".")
    below = parts[1:] or parts
    return bool(frozenset().union(*(name_words(p) for p in below)) & CONFIG_WORDS)


def _imports(tree: ast.Module, source: Path, roots: list[Path]) -> list[tuple[str, ...]]:
    """The dotted names imported by ``tree``, each as the modules it may be, first the most
    specific (relative imports made absolute against ``roots``): ``from a import b`` gives
    ``(a.b, a)``."""
    out: list[tuple[str, ...]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name,) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package_of(source, node.level, roots)
                if package is None:
                    continue
                base = ".".join(p for p in (package, base) if p)
            if not base:
                continue
            out += [(f"{base}.{alias.name}", base) for alias in node.names if alias.name != "*"]
            out.append((base,))
    return out


def _package_of(source: Path, level: int, roots: list[Path]) -> str | None:
    folder = source.parent
    for _ in range(level - 1):
        folder = folder.parent
    for root in roots:
        try:
            rel = folder.resolve().relative_to(root.resolve())
        except ValueError:
            continue
        return ".".join(rel.parts)
    return None


def _backend_paths(tree: ast.Module) -> list[tuple[str, str]]:
    """``(setting, dotted string)`` for the dotted strings in the values of backend settings."""
    out: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            while isinstance(target, ast.Subscript):
                target = target.value
            if isinstance(target, ast.Name) and BACKEND_SETTING.fullmatch(target.id):
                out += [
                    (target.id, const.value)
                    for const in ast.walk(node.value)
                    if isinstance(const, ast.Constant)
                    and isinstance(const.value, str)
                    and DOTTED.fullmatch(const.value)
                ]
    return out


def _module_file(dotted: str, roots: list[Path], repo: Path, strip: int = 0) -> Path | None:
    """The file of module ``dotted`` (or, with ``strip``, of the module holding its last
    ``strip`` names: a class) under one of ``roots``, inside ``repo``; None when absent."""
    parts = dotted.split(".")
    for cut in range(0, strip + 1):
        names = parts[: len(parts) - cut] if cut else parts
        if not names:
            continue
        for root in roots:
            for candidate in (root.joinpath(*names).with_suffix(".py"), root.joinpath(*names, "__init__.py")):
                try:
                    if candidate.is_file() and candidate.resolve().is_relative_to(repo.resolve()):
                        return candidate
                except OSError:
                    continue
    return None
