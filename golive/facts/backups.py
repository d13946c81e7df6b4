"""The backup facts: the backups found (database and media sets, their age, where they are) and the
restore records, as the backups collector (:mod:`golive.backups.collector`) saw them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from golive.backups import record as records
from golive.backups.scan import Scan
from golive.redact import redact_text
from golive.registry import FactsBase


@dataclass(frozen=True, kw_only=True)
class BackupSet:
    """One kind of backup (``database`` or ``media``): where it is said to land
    (``origin``: the config key or setting), what the scan found, and the limits."""

    role: str
    origin: str
    scan: Scan
    max_age_hours: float
    min_size_bytes: int

    def __post_init__(self) -> None:
        """Redact ``origin`` when the fact is made: a location URL's password never enters it."""
        object.__setattr__(self, "origin", redact_text(self.origin))


@dataclass(frozen=True, kw_only=True)
class BackupFacts(FactsBase):
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
