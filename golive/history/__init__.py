"""History: past audits stored and graded.

:mod:`.store` keeps every audit run from the command line in an SQLite database, compares
it with the previous one (new, fixed, unchanged findings) and grades it; :mod:`.trend` draws
the trend of failing findings (a terminal sparkline and an inline SVG chart).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEFAULT_PATH", "history_path"]

#: Where the history lives in a project unless configured (see :func:`history_path`).
DEFAULT_PATH = Path(".golive") / "history.sqlite"


def history_path(project_dir: Path, explicit: Path | None = None, configured: object = None) -> Path:
    """Where the history lives: ``explicit`` (``--history``), else ``[tool.golive] history``
    (relative to the project), else ``PROJECT/.golive/history.sqlite``.
    """
    if explicit is not None:
        return explicit.expanduser()
    if isinstance(configured, str) and configured:
        return project_dir / Path(configured).expanduser()
    return project_dir / DEFAULT_PATH
