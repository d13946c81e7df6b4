"""Paths resolved once per audit: helpers of :mod:`golive.collectors.nginx`.

The collector asks where the same files are many times (where a file is shown, include
edges and cycles, the keys of its caches): 2,000 ``Path.resolve`` calls for the 104
benchmark inputs, each an ``lstat`` per path component (20 µs, 40 ms in all). Within
:func:`resolved_once`, an absolute path's resolution (made from its folder's, :func:`_resolve`) and where
:func:`golive.collectors.deployment_files.display_path` shows it are remembered: the audit
sees one state of the file system's symbolic links, as it sees one state of each file.
A relative path (resolved against the working directory) is resolved each time. The memory
is dropped when the last scope ends.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from golive.collectors.deployment_files import display_path
from golive.collectors.nginx.scopes import Scopes

_RESOLVED: dict[str, Path] = {}
_SHOWN: dict[tuple[str, str], str] = {}
_SCOPES = Scopes(_RESOLVED, _SHOWN)


@contextmanager
def resolved_once() -> Iterator[None]:
    """Within this scope (any thread), :func:`resolved` and :func:`shown` remember their answers."""
    with _SCOPES.scope():
        yield


def resolved(path: Path) -> Path:
    """``path.resolve()``, remembered within :func:`resolved_once` for an absolute path."""
    if not _SCOPES or not path.is_absolute():
        return path.resolve()
    key = str(path)
    found = _RESOLVED.get(key)
    if found is None:
        found = _RESOLVED[key] = _resolve(path)
    return found


def _resolve(path: Path) -> Path:
    """``path.resolve()`` from its folder's remembered resolution when its last part is a name
    that is no symbolic link (``os.path.realpath`` keeps such a name as it is, and one it cannot
    ``lstat`` too): one ``lstat`` instead of one per part, the folders shared by many files
    resolved once."""
    name = path.name
    if name in ("", ".", ".."):
        return path.resolve()
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return path.resolve()
    except OSError:
        pass
    return resolved(path.parent) / name


def shown(path: Path, project_dir: Path) -> str:
    """:func:`golive.collectors.deployment_files.display_path`, remembered within
    :func:`resolved_once` for an absolute path and project folder (and computed from
    :func:`resolved`'s answers there)."""
    if not _SCOPES or not (path.is_absolute() and project_dir.is_absolute()):
        return display_path(path, project_dir)
    key = (str(path), str(project_dir))
    found = _SHOWN.get(key)
    if found is None:
        # display_path's answer, from the resolutions remembered here (it resolves both each call)
        try:
            found = str(resolved(path).relative_to(resolved(project_dir)))
        except ValueError:
            found = str(path)
        _SHOWN[key] = found
    return found
