"""Backups: evidence, not trust (checklist section 9, ids GL940–GL959).

Django's checklist: "If you haven't set up backups for your database, do it right now!"
and, for MEDIA_ROOT, "Now is a good time to check your backup strategy for these files"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/). GL222 (database
backups exist, off-site, restore tested) and GL252 (media backups) stay the items a
person attests; these checks add the machine's evidence where ``[tool.golive.backups]``
or django-dbbackup's settings say where backups land, and GL945 the restore test that
``golive verify-backup`` performed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from golive.facts.backups import BackupFacts, BackupSet
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check

CHECKLIST = "https://docs.djangoproject.com/en/stable/howto/deployment/checklist/"
CONFIG_FIX = """
    [tool.golive.backups]
    database = "/var/backups/shop/*.dump"
    media = "/var/backups/shop-media/"
    max_age_hours = 26
"""


def _age_line(path: str, modified: dt.datetime, age: float, limit: float) -> str:
    when = modified.isoformat(timespec="minutes")
    return f"newest {path}: written {when}, {age:.1f} h ago (limit {limit:g} h)"


def _configured(backups: BackupFacts, which: BackupSet | None, role: str) -> BackupSet | str:
    """The set to judge, or why the check does not apply (a skip reason)."""
    if which is not None:
        return which
    if backups.remote_storage:
        return (
            f"django-dbbackup stores backups with {backups.remote_storage}: golive cannot list them from here"
        )
    return f"[tool.golive.backups] names no {role} location: the manual item stays"


@check(
    "GL940",
    title="no database backup found where backups should land",
    severity=Severity.HIGH,
    needs=(BackupFacts,),
    reference=CHECKLIST + "#databases",
    remediation="Schedule a dump there, e.g. daily from cron:\n\n"
    "    pg_dump -Fc -f /var/backups/shop/shop-$(date +%F).dump shop\n" + CONFIG_FIX,
)
def no_database_backup(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "If you haven't set up backups for your database, do it right now!" The location
    named in ``[tool.golive.backups] database`` (or django-dbbackup's storage) holds no file.
    """
    backups = facts[BackupFacts]
    which = _configured(backups, backups.database, "database")
    if isinstance(which, str):
        yield spec.skipped(which)
        return
    if which.scan.newest is None:
        yield spec.fail(
            subjects=["database"],
            evidence=[
                f"no file matches {which.scan.pattern} ({which.origin})",
                *([which.scan.error] if which.scan.error else []),
            ],
        )
    else:
        yield spec.passed(evidence=[f"{which.scan.files} file(s) match {which.scan.pattern}"])


def _newest_age(facts: Facts, spec: CheckSpec, role: str, *, limit: str, missing: str) -> Iterator[Finding]:
    """The age rule shared by GL941 (database) and GL944 (media): the newest backup of
    ``role`` against its ``limit`` setting; skipped when unconfigured or none exists."""
    backups = facts[BackupFacts]
    which = _configured(backups, backups.database if role == "database" else backups.media, role)
    if isinstance(which, str):
        yield spec.skipped(which)
        return
    newest = which.scan.newest
    if newest is None:
        yield spec.skipped(f"no {role} backup found ({missing})")
        return
    age = newest.age_hours(backups.now)
    line = _age_line(newest.path, newest.modified, age, which.max_age_hours)
    if age > which.max_age_hours:
        yield spec.fail(subjects=[limit], evidence=[line])
    else:
        yield spec.passed(evidence=[line])


@check(
    "GL941",
    title="the newest database backup is older than allowed",
    severity=Severity.HIGH,
    needs=(BackupFacts,),
    reference=CHECKLIST + "#databases",
    remediation="Check the backup job (cron, systemd timer) and its logs; then re-run the audit."
    + "\nThe limit is [tool.golive.backups] max_age_hours (default 26).",
)
def database_backup_age(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A backup job that silently stopped is the classic way to have no backup on the day
    you need one ("backups: your insurance"). The newest file's modification time is
    compared with ``max_age_hours`` (default 26: a daily job with some slack).
    """
    yield from _newest_age(facts, spec, "database", limit="max_age_hours", missing="GL940")


@check(
    "GL942",
    title="the newest database backup is smaller than the minimum size",
    severity=Severity.MEDIUM,
    needs=(BackupFacts,),
    reference=CHECKLIST + "#databases",
    remediation="Open the dump (pg_restore --list FILE) and check the job's errors: an empty or"
    " truncated dump restores nothing.\nThe limit is [tool.golive.backups] min_size_bytes.",
)
def database_backup_size(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """An empty or truncated file (a dump that failed after it was opened, a full disk) looks
    like a backup in a directory listing. "Evidence, not trust": the newest dump must be at
    least ``min_size_bytes`` (default 1: not empty).
    """
    backups = facts[BackupFacts]
    which = _configured(backups, backups.database, "database")
    if isinstance(which, str):
        yield spec.skipped(which)
        return
    newest = which.scan.newest
    if newest is None:
        yield spec.skipped("no database backup found (GL940)")
        return
    line = f"newest {newest.path}: {newest.size} bytes (minimum {which.min_size_bytes})"
    if newest.size < which.min_size_bytes:
        yield spec.fail(subjects=["min_size_bytes"], evidence=[line])
    else:
        yield spec.passed(evidence=[line])


@check(
    "GL943",
    title="MEDIA_ROOT holds files but no media backup was found",
    severity=Severity.MEDIUM,
    needs=(BackupFacts,),
    reference=CHECKLIST + "#media-root-and-media-url",
    remediation="Copy MEDIA_ROOT off the machine on a schedule (rsync, restic, dbbackup's mediabackup)"
    " and name the location:\n" + CONFIG_FIX,
)
def media_backup_missing(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """User uploads exist nowhere else: "Now is a good time to check your backup strategy
    for these files." Judged only when MEDIA_ROOT holds files.
    """
    backups = facts[BackupFacts]
    if backups.settings_error and backups.media_root is None:
        yield spec.skipped(f"MEDIA_ROOT unknown: {backups.settings_error}")
        return
    if not backups.media_files:
        yield spec.passed(evidence=[f"MEDIA_ROOT {backups.media_root or '(not set)'} holds no file"])
        return
    held = f"MEDIA_ROOT {backups.media_root} holds {backups.media_files} file(s)"
    media = backups.media
    if media is None:
        if backups.remote_storage:
            yield spec.skipped(
                f"django-dbbackup stores backups with {backups.remote_storage}: not listed here"
            )
            return
        yield spec.fail(
            subjects=["MEDIA_ROOT"], evidence=[held, "[tool.golive.backups] names no media location"]
        )
    elif media.scan.newest is None:
        yield spec.fail(
            subjects=["MEDIA_ROOT"],
            evidence=[held, f"no file matches {media.scan.pattern} ({media.origin})"],
        )
    else:
        yield spec.passed(evidence=[held, f"{media.scan.files} media backup file(s) in {media.scan.pattern}"])


@check(
    "GL944",
    title="the newest media backup is older than allowed",
    severity=Severity.MEDIUM,
    needs=(BackupFacts,),
    reference=CHECKLIST + "#media-root-and-media-url",
    remediation="Check the media backup job; the limit is [tool.golive.backups] media_max_age_hours.",
)
def media_backup_age(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Uploads made since the newest media backup would be lost ("backup strategy for these
    files", Django's checklist). Compared with ``media_max_age_hours`` (default:
    ``max_age_hours``).
    """
    yield from _newest_age(facts, spec, "media", limit="media_max_age_hours", missing="GL943")


@check(
    "GL945",
    title="the newest database backup was restored and checked (golive verify-backup)",
    severity=Severity.HIGH,
    needs=(BackupFacts,),
    reference=CHECKLIST + "#databases",
    remediation="""
    Restore the newest dump into a scratch database and compare it with the live one:

        PGPASSWORD=... golive verify-backup --dsn "host=db.internal user=postgres dbname=shop"

    or sign it after a restore test of your own:

        [tool.golive.attest.GL945]
        by = "Jane Ops"
        on = 2026-11-22
        note = "restored last night's dump on staging"
    """,
    manual=True,
    validity_days=90,
)
def restore_verified(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A backup nobody restored is a hope, not a backup. ``golive verify-backup`` restores
    the newest PostgreSQL dump into a scratch database, compares each table's row count
    with the live database and drops the scratch database; its record
    (``.golive/backup-verified.json``) counts for ``restore_valid_days`` (default 90), as a
    person's signature would. "If you haven't set up backups for your database, do it
    right now!"
    """
    backups = facts[BackupFacts]
    record = backups.verification
    if backups.verification_error:
        yield spec.ask(evidence=[backups.verification_error])
        return
    if record is None:
        yield spec.ask(evidence=["no golive verify-backup record in .golive/"])
        return
    age_days = (backups.now - record.verified).total_seconds() / 86400
    summary = (
        f"{record.dump} ({record.dump_format}, {record.dump_size} bytes) restored into"
        f" {record.scratch_database} on {record.server}, {len(record.tables)} table(s) compared with"
        f" {record.live_database}"
    )
    when = f"verified {record.verified_at} ({age_days:.0f} days ago, valid {backups.restore_valid_days} days)"
    if not record.ok:
        yield spec.fail(
            subjects=["database"],
            evidence=[f"golive verify-backup failed: {when}", summary, *record.problems],
        )
    elif age_days > backups.restore_valid_days:
        yield spec.ask(evidence=[f"the last restore test expired: {when}", summary])
    else:
        yield spec.passed(evidence=[when, summary])
