"""The backup facts: the backups found (database and media sets, their age, where they are) and the
restore records, as the backups collector (:mod:`golive.collectors.backups`) saw them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from msgspec import Struct
from msgspec.structs import force_setattr

from golive.redact import redact_text
from golive.registry import FactsBase

if TYPE_CHECKING:  # annotations only: importing the collector package here would be a cycle
    from golive.collectors.backups import record as records
    from golive.collectors.backups.scan import Scan


class BackupSet(Struct, frozen=True, kw_only=True):
    """One kind of backup (``database`` or ``media``): where it is said to land
    (``origin``: the config key or setting), what the scan found, and the limits."""

    role: str
    origin: str
    scan: Scan
    max_age_hours: float
    min_size_bytes: int

    def __post_init__(self) -> None:
        """Redact ``origin`` when the fact is made: a location URL's password never enters it."""
        force_setattr(self, "origin", redact_text(self.origin))


class BackupFacts(FactsBase, frozen=True, kw_only=True):
    """Backups of the project (see the module docstring). ``now`` is the audit's time."""

    collector: ClassVar[str] = "backups"
    configured_in: str
    database: BackupSet | None
    media: BackupSet | None
    media_root: str | None
    media_files: int
    media_error: str | None
    remote_storage: str | None
    verification: records.Verification | None
    verification_error: str | None
    restore_valid_days: int
    settings_error: str | None
    now: dt.datetime
