"""Files and paths shared by the web-server and application-server collectors.

The deployment files of a repository (test folders left out) and how a path is shown.
The addresses both kinds of server share (:class:`~golive.facts.endpoints.Endpoint`) are
facts: :mod:`golive.facts.endpoints`.
"""

from __future__ import annotations

from collections.abc import Iterator
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

    for path in project_files(project_dir, max_depth=MAX_DEPTH):
        if every or not TEST_FOLDERS.intersection(path.relative_to(project_dir).parts[:-1]):
            yield path


def audit_files(ctx: AuditContext, *, every: bool = False) -> list[Path]:
    """:func:`deployment_files` of ``ctx.project_dir``, from the walk the project collector made
    in this audit (:func:`golive.collectors.project.walked_files`) instead of a walk of its own."""
    from golive.collectors.project import walked_files

    root = ctx.project_dir
    return [
        p for p in walked_files(ctx) if every or not TEST_FOLDERS.intersection(p.relative_to(root).parts[:-1])
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
