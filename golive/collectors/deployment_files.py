"""Files and paths shared by the web-server and application-server collectors.

The deployment files of a repository (test folders left out) and how a path is shown.
The addresses both kinds of server share (:class:`~golive.facts.endpoints.Endpoint`) are
facts: :mod:`golive.facts.endpoints`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from golive.context import AuditContext
from golive.model import Location
from golive.walk import project_files

#: Folders whose files are test data, not the deployment (discovery skips them).
TEST_FOLDERS = frozenset({"tests", "test", "fixtures", "testdata"})


def deployment_files(project_dir: Path, *, every: bool = False) -> Iterator[Path]:
    """The files of the repository at ``project_dir`` (4 levels deep, as
    :mod:`golive.collectors.project` walks it), without those under test folders
    (``tests/``, ``fixtures/``...) unless ``every``: a caller that asks
    :class:`golive.collectors.layout.Layout` about each file passes ``every=True`` so that
    test files are listed in the report as seen and left out rather than never seen.
    """
    from golive.collectors.project import MAX_DEPTH

    walked = _SCOPED.get(str(project_dir))
    for path in project_files(project_dir, max_depth=MAX_DEPTH) if walked is None else walked:
        if every or not TEST_FOLDERS.intersection(path.relative_to(project_dir).parts[:-1]):
            yield path


#: The audit's walk of a project folder, by path, while a :func:`shared_walk` scope is open.
_SCOPED: dict[str, tuple[Path, ...]] = {}
_SCOPES: dict[str, int] = {}
_LOCK = threading.Lock()


@contextmanager
def shared_walk(ctx: AuditContext) -> Iterator[None]:
    """Within this scope (any thread), :func:`deployment_files` of ``ctx.project_dir`` lists
    the files of the audit's walk (:func:`golive.collectors.project.walked_files`) instead of
    walking again: for code that is given the folder only (nginx's include resolver, once per
    input). The same files in the same order: the walk is the same."""
    key = str(ctx.project_dir)
    from golive.collectors.project import walked_files

    files = tuple(walked_files(ctx))
    with _LOCK:
        _SCOPES[key] = _SCOPES.get(key, 0) + 1
        _SCOPED[key] = files
    try:
        yield
    finally:
        with _LOCK:
            _SCOPES[key] -= 1
            if not _SCOPES[key]:
                del _SCOPES[key], _SCOPED[key]


def audit_files(ctx: AuditContext, *, every: bool = False) -> list[Path]:
    """:func:`deployment_files` of ``ctx.project_dir``, from the walk the project collector made
    in this audit (:func:`golive.collectors.project.walked_files`) instead of a walk of its own."""
    from golive.collectors.project import walked_files

    root = ctx.project_dir
    walked = _SCOPED.get(str(root))
    return [
        p
        for p in (walked_files(ctx) if walked is None else walked)
        if every or not TEST_FOLDERS.intersection(p.relative_to(root).parts[:-1])
    ]


def display_path(path: Path, project_dir: Path) -> str:
    """``path`` relative to the project when inside it, else absolute (for :class:`Location`)."""
    try:
        return str(path.resolve().relative_to(project_dir.resolve()))
    except ValueError:
        return str(path)


def location(path: str, line: int | None) -> Location:
    """A :class:`Location` (``line`` None when unknown)."""
    return Location(path=path, line=line or None)
