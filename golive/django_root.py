"""Where the Django project lies in the repository, and why (the *Django root*).

Many repositories keep ``manage.py`` in a subfolder (``src/manage.py``, ``app/manage.py``,
``<name>/manage.py``) and their deployment files at the top (``docker/``, ``deploy/``,
``contrib/``). golive is run from the repository root: findings are located relative to
it and deployment files are searched from it, while the settings are imported the way
``manage.py`` imports them, with the folder holding ``manage.py`` first on ``sys.path``
(Django's ``django-admin`` docs: manage.py "puts your project's package on sys.path",
https://docs.djangoproject.com/en/stable/ref/django-admin/). That folder is the Django
root. Rules, first that applies:

1. ``--django-root DIR`` (relative to the current directory, as every path on the command
   line is);
2. ``[tool.golive] django_root`` (relative to the repository root);
3. the repository root itself, when it holds ``manage.py``, or a package whose ``wsgi.py``
   or ``asgi.py`` sets a ``DJANGO_SETTINGS_MODULE`` default that resolves from the root
   (``mysite.settings`` with ``mysite/settings.py``; a ``sandbox/wsgi.py`` defaulting to
   ``settings`` beside it is imported from ``sandbox/``, rule 4), or the settings module given
   with ``--settings`` / ``[tool.golive] settings``: projects laid out as
   ``django-admin startproject`` makes them are audited exactly as before;
4. the folder of a ``manage.py`` below the root (at most :data:`MAX_DEPTH` folders deep),
   not inside ``node_modules``, virtual environments (a ``pyvenv.cfg``), dot-folders, or
   ``tests``/``docs`` trees (:data:`SKIP_TREES`). Several candidates: the shallowest; at
   equal depth, one whose folder holds the settings module asked for or the one its
   ``manage.py`` names by default; then by path. The reason names the others seen;
5. else the folder above a package holding ``wsgi.py``/``asgi.py`` below the root (the
   folder a server's ``--chdir`` would name), with the same order;
6. else the repository root ("no manage.py, wsgi.py or asgi.py found").
"""

from __future__ import annotations

from pathlib import Path

from msgspec import Struct

from golive.discovery import SKIP_DIRS, module_file, settings_module_default

#: Folders deep below the repository root that ``manage.py`` is looked for.
MAX_DEPTH = 3
#: Trees never searched for the Django project: test suites and documentation hold small
#: Django projects of their own (a reusable app's ``tests/manage.py``), never the deployed one.
SKIP_TREES = frozenset({"tests", "test", "docs", "doc", "node_modules", "site-packages", "htmlcov"})


class DjangoRootError(Exception):
    """``--django-root``/``django_root`` names no folder inside the repository (exit status 2)."""


class DjangoRoot(Struct, frozen=True, kw_only=True):
    """The Django root: ``path`` (absolute), ``rel`` (relative to the repository root, ``.``
    for the root itself), a one-line ``reason`` for the report, and the other candidate
    folders seen (``others``, relative paths of their ``manage.py``/``wsgi.py``)."""

    path: Path
    rel: str
    reason: str
    others: tuple[str, ...] = ()


def _skipped(folder: Path) -> bool:
    name = folder.name
    return (
        name in SKIP_DIRS or name in SKIP_TREES or name.startswith(".") or (folder / "pyvenv.cfg").is_file()
    )


def _search(repo: Path, file_names: tuple[str, ...]) -> list[Path]:
    """Files named ``file_names`` below ``repo`` (not at it), breadth first, at most
    :data:`MAX_DEPTH` folders deep, skipping :func:`_skipped` trees."""
    found: list[Path] = []
    level = [repo]
    for _ in range(MAX_DEPTH):
        below: list[Path] = []
        for folder in level:
            try:
                entries = sorted(folder.iterdir())
            except OSError:
                continue
            below += [e for e in entries if e.is_dir() and not e.is_symlink() and not _skipped(e)]
        for folder in below:
            found += [folder / n for n in file_names if (folder / n).is_file()]
        level = below
    return found


def _rel(path: Path, repo: Path) -> str:
    return path.relative_to(repo).as_posix() or "."


def _root_is_django(repo: Path, settings: str | None) -> str | None:
    """Why the repository root itself is the Django root (rule 3), or None."""
    if (repo / "manage.py").is_file():
        return "manage.py in the project directory"
    if settings and module_file(repo, settings) is not None:
        return f"the settings module {settings} is under the project directory"
    for pattern in ("*/wsgi.py", "*/asgi.py"):
        for path in sorted(repo.glob(pattern)):
            default = settings_module_default(path)
            # the default must import from the root: a sandbox/wsgi.py defaulting to the bare
            # "settings" beside it is imported from sandbox/ (its manage.py's folder), not from here
            if default and module_file(repo, default) is not None:
                return f"{_rel(path, repo)} in the project directory"
    return None


def _order(candidates: list[tuple[Path, Path]], repo: Path, settings: str | None) -> list[tuple[Path, Path]]:
    """Candidates ``(root, file)`` by depth, then settings found under the root, then path."""

    def key(item: tuple[Path, Path]) -> tuple[int, int, str]:
        root, file = item
        wanted = settings or settings_module_default(file)
        holds = wanted is not None and module_file(root, wanted) is not None
        return (len(root.relative_to(repo).parts), 0 if holds else 1, root.as_posix())

    return sorted(candidates, key=key)


def _chosen(ordered: list[tuple[Path, Path]], repo: Path, what: str) -> DjangoRoot:
    root, file = ordered[0]
    others = tuple(_rel(f, repo) for _, f in ordered[1:])
    reason = f"{_rel(file, repo)}: {what}"
    if others:
        reason += f"; also seen: {', '.join(others[:4])}" + (
            f" and {len(others) - 4} more" if len(others) > 4 else ""
        )
    return DjangoRoot(path=root, rel=_rel(root, repo), reason=reason, others=others)


def _given(value: Path, base: Path, repo: Path, how: str) -> DjangoRoot:
    path = (base / value.expanduser()).resolve()
    if not path.is_dir():
        raise DjangoRootError(f"{how} {value}: no such directory")
    try:
        rel = _rel(path, repo)
    except ValueError:
        raise DjangoRootError(f"{how} {value}: not inside the project directory {repo}") from None
    return DjangoRoot(path=path, rel=rel, reason=f"given with {how}")


def find_django_root(
    repo: Path,
    *,
    explicit: Path | None = None,
    configured: str | None = None,
    config_name: str = "",
    settings: str | None = None,
) -> DjangoRoot:
    """The Django root of the repository at ``repo`` (absolute), by the module's rules.

    ``explicit`` is ``--django-root`` (relative to the current directory), ``configured``
    ``[tool.golive] django_root`` (relative to ``repo``), ``settings`` the settings module
    given with ``--settings`` or configured, if any. Raises :class:`DjangoRootError` when
    a given folder does not exist or lies outside ``repo``.
    """
    repo = repo.resolve()
    if explicit is not None:
        return _given(explicit, Path.cwd(), repo, "--django-root")
    if configured:
        return _given(
            Path(configured), repo, repo, f"[tool.golive] django_root in {config_name or 'the configuration'}"
        )
    why = _root_is_django(repo, settings)
    if why:
        return DjangoRoot(path=repo, rel=".", reason=why)
    manages = [(p.parent, p) for p in _search(repo, ("manage.py",))]
    if manages:
        what = "the shallowest manage.py below the repository root"
        ordered = _order(manages, repo, settings)
        if len(manages) > 1:
            what += (
                " (rule: shallowest, then the one whose folder holds its settings, then by path;"
                f" {len(manages)} found)"
            )
        return _chosen(ordered, repo, what)
    entries = [(p.parent.parent, p) for p in _search(repo, ("wsgi.py", "asgi.py")) if p.parent.parent != repo]
    if entries:
        ordered = _order(entries, repo, settings)
        return _chosen(ordered, repo, "no manage.py found; the folder above the package holding it")
    return DjangoRoot(
        path=repo, rel=".", reason="no manage.py, wsgi.py or asgi.py found: the repository root"
    )
