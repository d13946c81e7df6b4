"""The newest file of a backup location: a directory, or a glob (``/var/backups/db/*.dump``).

Only regular files count (symlinks are followed to their target, directories are not
entered recursively unless the glob says ``**``). Raises nothing: an unreadable location
is reported in :attr:`Scan.error`.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
from pathlib import Path

from msgspec import Struct


class Newest(Struct, frozen=True, kw_only=True):
    """The newest file: ``path``, modification time (aware, local zone), ``size`` in bytes."""

    path: str
    modified: dt.datetime
    size: int

    def age_hours(self, now: dt.datetime) -> float:
        """How many hours before ``now`` it was last written."""
        return (now - self.modified).total_seconds() / 3600


class Scan(Struct, frozen=True, kw_only=True):
    """One location: the ``pattern`` looked at, how many files matched, the newest one."""

    pattern: str
    files: int
    newest: Newest | None
    error: str | None = None


def _pattern(location: str, base: Path) -> str:
    path = Path(location).expanduser()
    if not path.is_absolute():
        path = base / path
    if any(ch in location for ch in "*?["):
        return str(path)
    return str(path / "*") if path.is_dir() or not path.exists() else str(path)


def scan(
    location: str, base: Path, exclude_suffixes: tuple[str, ...] = (), only_suffixes: tuple[str, ...] = ()
) -> Scan:
    """Scan ``location`` (relative paths are relative to ``base``, the project directory).

    ``only_suffixes``/``exclude_suffixes`` filter file names (django-dbbackup keeps
    database and media backups in one folder: media backups end in ``.tar``/``.tar.gz``).
    """
    pattern = _pattern(location, base)
    folder = Path(pattern).parent
    if "*" not in str(folder) and not folder.is_dir():
        return Scan(pattern=pattern, files=0, newest=None, error=f"{folder}: no such directory")
    best: Newest | None = None
    count = 0
    try:
        matches = glob.glob(pattern, recursive=True)
    except OSError as exc:
        return Scan(pattern=pattern, files=0, newest=None, error=f"{pattern}: {exc.strerror or exc}")
    for name in matches:
        lower = name.lower()
        if only_suffixes and not lower.endswith(only_suffixes):
            continue
        if exclude_suffixes and lower.endswith(exclude_suffixes):
            continue
        try:
            st = os.stat(name)
        except OSError:
            continue
        if not Path(name).is_file():
            continue
        count += 1
        modified = dt.datetime.fromtimestamp(st.st_mtime).astimezone()
        if best is None or modified > best.modified:
            best = Newest(path=name, modified=modified, size=st.st_size)
    return Scan(pattern=pattern, files=count, newest=best)


def holds_files(folder: str, limit: int = 10000) -> tuple[int, str | None]:
    """(number of files under ``folder``, counted up to ``limit``; error or None)."""
    root = Path(folder)
    if not root.is_dir():
        return 0, f"{folder}: no such directory"
    count = 0
    try:
        for _, _, files in os.walk(root):
            count += len(files)
            if count >= limit:
                break
    except OSError as exc:
        return count, str(exc)
    return count, None
