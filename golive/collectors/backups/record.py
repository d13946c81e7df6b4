"""The record ``golive verify-backup`` leaves in the project: ``.golive/backup-verified.json``.

It holds when the restore was verified, which dump (path, size, SHA-256, modification
time), on which server (host and port only: never a password), the live and scratch
database names, the row counts per table on both sides and the verdict. The backups
collector reads it; check GL945 turns it into evidence that "backups are restorable".
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from msgspec import Struct, field
from msgspec.structs import asdict

from golive.own_files import make_folder

RECORD = Path(".golive") / "backup-verified.json"


class Verification(Struct, frozen=True, kw_only=True):
    """One ``golive verify-backup`` run. ``ok`` is the verdict; ``problems`` say why not.

    ``tables`` maps ``schema.table`` to ``[rows in the restored dump, rows live]`` (None
    where the table is missing on that side).
    """

    verified_at: str
    dump: str
    dump_size: int
    dump_sha256: str
    dump_modified: str
    dump_format: str
    server: str
    live_database: str
    scratch_database: str
    ok: bool
    problems: tuple[str, ...] = ()
    tables: dict[str, list[int | None]] = field(default_factory=dict)
    golive_version: str = ""

    @property
    def verified(self) -> dt.datetime:
        """When it ran (aware)."""
        return dt.datetime.fromisoformat(self.verified_at)


def write(project_dir: Path, record: Verification) -> Path:
    """Write the record under ``project_dir``; returns its path."""
    path = project_dir / RECORD
    make_folder(path.parent)  # .golive ignores itself in git
    data = asdict(record)
    data["problems"] = list(record.problems)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return path


def read(project_dir: Path) -> tuple[Verification | None, str | None]:
    """(the record or None, why it could not be read or None)."""
    path = project_dir / RECORD
    if not path.is_file():
        return None, None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        data["problems"] = tuple(data.get("problems") or ())
        record = Verification(**data)
        record.verified  # noqa: B018 - validates the date
    except (OSError, ValueError, TypeError) as exc:
        return None, f"{RECORD}: unreadable ({exc}): run golive verify-backup again"
    return record, None
