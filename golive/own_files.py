"""golive's own files in a project: the ``.golive`` folder and the history database.

golive keeps what it writes into an audited project (the history database
``.golive/history.sqlite``, the backup verification record, screenshots) in one folder,
``.golive``, that ignores itself in git: :func:`make_folder` gives it a ``.gitignore`` of
``*`` when it creates it (gitignore(5): the patterns of a ``.gitignore`` apply to its own
folder, and ``*`` matches the ``.gitignore`` too), so a plain ``git add -A`` leaves it
out. Files committed there anyway, and a history database kept elsewhere with
``--history`` or ``[tool.golive] history``, are still golive's: :func:`is_own` tells the
git collector not to report them (they hold audits, not the project's data).

Outside projects, golive keeps its caches (PyPI's release data, pip-audit's answers, nginx
-t's answers, gixy-ng's scans, gunicorn's loader answers) in one user folder,
:func:`user_cache`; the caches that key their entries with an HMAC share the key
:func:`cache_key` reads or makes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

#: The folder golive writes into a project.
FOLDER = ".golive"
#: What its ``.gitignore`` holds.
IGNORE_ALL = "*\n"
#: Files SQLite keeps beside a database while it is open (rollback journal, WAL, shared memory).
SQLITE_COMPANIONS = ("", "-journal", "-wal", "-shm")


def make_folder(folder: Path) -> Path:
    """Create ``folder`` and its parents; returns it. When ``folder`` is, or lies inside, a
    folder named ``.golive``, that ``.golive`` gets a ``.gitignore`` of ``*`` unless it has
    one (an existing one is the user's and is kept).

    Raises ``OSError`` when the folder cannot be created; a ``.gitignore`` that cannot be
    written is left out silently (the folder is usable without it).
    """
    folder.mkdir(parents=True, exist_ok=True)
    for parent in (folder, *folder.parents):
        if parent.name == FOLDER:
            ignore = parent / ".gitignore"
            if not ignore.exists():
                with contextlib.suppress(OSError):
                    ignore.write_text(IGNORE_ALL, encoding="utf-8")
            break
    return folder


def own_paths(repo_root: Path, databases: Iterable[Path]) -> frozenset[str]:
    """Repository paths (``/``-separated, relative to ``repo_root``) of the history
    ``databases`` and the files SQLite keeps beside them; those outside the repository are
    left out."""
    root = os.path.realpath(repo_root)
    out: set[str] = set()
    for db in databases:
        full = os.path.realpath(db)
        if os.path.commonpath([root, full]) != root:
            continue
        rel = Path(os.path.relpath(full, root)).as_posix()
        out.update(rel + suffix for suffix in SQLITE_COMPANIONS)
    return frozenset(out)


def is_own(repo_path: str, own: frozenset[str] = frozenset()) -> bool:
    """True for a repository path (``/``-separated) inside a ``.golive`` folder, or one of
    ``own`` (from :func:`own_paths`)."""
    return FOLDER in repo_path.split("/")[:-1] or repo_path in own


def user_cache(env: dict[str, str]) -> Path:
    """golive's user cache folder for the environment ``env``: ``$XDG_CACHE_HOME/golive``,
    else ``~/.cache/golive`` (the XDG Base Directory Specification's default). Not created."""
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "golive"


def cache_key(path: Path) -> bytes:
    """The HMAC key of a cache folder, read from ``path`` (64 hex digits), or made there once:
    32 random bytes, the file created exclusively with mode 0600 in a folder of mode 0700 (an
    audit running meanwhile that made it first wins). ``b""`` when it can be neither read nor
    made: the caller then keeps nothing."""
    with contextlib.suppress(OSError, ValueError):
        value = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(value) >= 32:
            return value
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another audit made it meanwhile (or a damaged key is there)
        with contextlib.suppress(OSError, ValueError):
            value = bytes.fromhex(path.read_text(encoding="ascii").strip())
            return value if len(value) >= 32 else b""
        return b""
    except OSError:
        return b""
    value = os.urandom(32)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(value.hex())
    return value
