"""The one walk over a project's files, shared by the collectors that look for them.

The project collector (Procfile, Dockerfile, Compose, systemd, start scripts), the readers
built on its file list and the deployed-settings search walk the repository with
:class:`ProjectWalk`:

* symbolic links to folders are not followed: a link to ``/`` would walk the auditing
  machine's filesystem, a link to a folder of the repository would read its files twice (and
  double their commands); a symbolic link to a file is listed as the file it is;
* the folders no deployment file lives in are skipped (:data:`golive.discovery.SKIP_DIRS`
  and every hidden folder), and the walk goes ``max_depth`` folders down;
* at most :data:`MAX_ENTRIES` entries are looked at; past that the walk stops and
  :attr:`ProjectWalk.note` says so, for the collector's notes (a collector never swallows
  what it could not read).

Files come out folder by folder, each folder's entries sorted by name.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from operator import attrgetter
from pathlib import Path

from golive.discovery import SKIP_DIRS

_name = attrgetter("name")

#: How many entries (files and folders) one walk looks at before it stops.
MAX_ENTRIES = 50_000
#: How many folders down from the root a walk goes by default.
MAX_DEPTH = 4


class ProjectWalk:
    """The files under ``root`` (see the module docstring). Iterate it for the paths; after
    that, :attr:`capped` is True when :data:`MAX_ENTRIES` stopped it, and :attr:`note` is
    the line to show (None when the walk was complete). Never raises for a folder that
    cannot be listed: it is passed over."""

    def __init__(self, root: Path, *, max_depth: int = MAX_DEPTH) -> None:
        self.root = root
        self.max_depth = max_depth
        self.capped = False
        self.limit = MAX_ENTRIES

    def __iter__(self) -> Iterator[Path]:
        # os.scandir: each entry's type comes with the listing (d_type), and the stat calls the
        # checks need are made at most once and cached on the DirEntry; pathlib's iterdir()
        # then is_symlink()/is_dir()/is_file() made up to three a file (issue 15). Same
        # order as sorted(Path.iterdir()): a folder's entries share their parent, so Paths
        # compare by name.
        self.limit = MAX_ENTRIES
        stack: list[tuple[str, int]] = [(os.fspath(self.root), 0)]
        seen = 0
        while stack:
            folder, depth = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=_name)
            except OSError:
                continue
            for entry in entries:
                seen += 1
                if seen > self.limit:
                    self.capped = True
                    return
                try:
                    if entry.is_dir():
                        if entry.is_symlink():
                            continue  # never followed: outside the repository, or read twice
                        name = entry.name
                        if depth < self.max_depth and name not in SKIP_DIRS and not name.startswith("."):
                            stack.append((entry.path, depth + 1))
                    elif entry.is_file():
                        yield Path(entry.path)
                except OSError:
                    continue

    @property
    def note(self) -> str | None:
        """``"stopped after 50000 entries under shop: ..."`` when the walk was capped."""
        if not self.capped:
            return None
        return (
            f"stopped after {self.limit} entries under {self.root.name or self.root}:"
            " files beyond them were not looked at"
        )


def project_files(root: Path, *, max_depth: int = MAX_DEPTH) -> Iterator[Path]:
    """The files of :class:`ProjectWalk` under ``root``, for a caller that needs no note."""
    return iter(ProjectWalk(root, max_depth=max_depth))


def small_text(path: Path, max_bytes: int) -> str | None:
    """The text of the file at ``path`` (UTF-8, undecodable bytes replaced) when it holds at
    most ``max_bytes`` bytes; None when it is larger or cannot be read (``OSError``): the
    collectors that search a project's files pass such a file over."""
    try:
        if path.stat().st_size > max_bytes:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
