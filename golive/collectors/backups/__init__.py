"""The backups collector: where backups land, the newest one's age and size, and the last
restore test.

Configuration (``[tool.golive.backups]``)::

    [tool.golive.backups]
    database = "/var/backups/shop/*.dump"   # a directory or a glob
    media = "/var/backups/shop-media/"       # a directory or a glob
    max_age_hours = 26                      # the newest database backup may be this old
    media_max_age_hours = 26                # default: max_age_hours
    min_size_bytes = 1024                   # the newest database backup is at least this big
    restore_valid_days = 90                 # how long a `golive verify-backup` counts

django-dbbackup's settings are recognised when the table names no ``database``: a
``FileSystemStorage`` with a ``location`` (``STORAGES["dbbackup"]`` since dbbackup 4.1,
``DBBACKUP_STORAGE``/``DBBACKUP_STORAGE_OPTIONS`` before;
https://django-dbbackup.readthedocs.io/en/master/storage.html) is scanned, database dumps
apart from media archives (``.tar``). Settings come from the runtime collector's facts
(the collector declares ``uses=(RuntimeFacts,)``). Without either, the
collector is skipped and backups stay the manual items GL222 and GL252.

Backups are evidence, not trust (checklist section 9, ids GL940–GL959). Modules:
:mod:`.scan` finds the newest file of a backup location (a directory or a glob) and its age
and size; this module gathers, for an audit, the locations named in ``[tool.golive.backups]``
or by django-dbbackup's settings, what MEDIA_ROOT holds and the last ``golive verify-backup``
record; :mod:`.restore` is ``golive verify-backup``: restore the newest PostgreSQL dump into a
scratch database, compare row counts with the live database, drop the scratch database, and
write the record (:mod:`.record`).
"""

from __future__ import annotations

from typing import Any

from golive.collectors import CollectorError, CollectorSpec, Skip
from golive.collectors.backups import record as records
from golive.collectors.backups.scan import holds_files, scan
from golive.context import AuditContext
from golive.facts.backups import BackupFacts, BackupSet
from golive.facts.runtime import RuntimeFacts
from golive.registry import Facts

MEDIA_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar.gpg", ".tar.gz.gpg")
FILESYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"


def _number(config: dict[str, Any], key: str, default: float) -> float:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise CollectorError(f"[tool.golive.backups] {key} must be a positive number")
    return float(value)


def _location(config: dict[str, Any], key: str) -> str | None:
    value = config.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise CollectorError(
            f'[tool.golive.backups] {key} must be a directory or a glob, e.g. "/var/backups/*.dump"'
        )
    return value


def dbbackup_storage(settings: dict[str, Any]) -> tuple[str | None, str | None]:
    """(local folder, remote storage backend) from django-dbbackup's settings."""
    storages = settings.get("STORAGES") if isinstance(settings.get("STORAGES"), dict) else {}
    entry = storages.get("dbbackup") if isinstance(storages, dict) else None
    if isinstance(entry, dict):
        backend, options = str(entry.get("BACKEND", "")), entry.get("OPTIONS") or {}
    elif "DBBACKUP_STORAGE" in settings or "DBBACKUP_STORAGE_OPTIONS" in settings:
        backend = str(settings.get("DBBACKUP_STORAGE") or FILESYSTEM_STORAGE)
        options = settings.get("DBBACKUP_STORAGE_OPTIONS") or {}
    else:
        return None, None
    if backend.endswith("FileSystemStorage") and isinstance(options, dict) and options.get("location"):
        return str(options["location"]), None
    return None, backend or None


def _mentions_dbbackup(ctx: AuditContext) -> bool:
    from golive.collectors.host import settings_files

    for path in settings_files(ctx):
        try:
            if "dbbackup" in path.read_text(encoding="utf-8", errors="replace").lower():
                return True
        except OSError:
            continue
    return False


def collect(ctx: AuditContext, facts: Facts) -> BackupFacts:
    """Scan the configured (or django-dbbackup's) backup locations; read the restore record.

    MEDIA_ROOT and django-dbbackup's settings come from the runtime collector's ``facts``.
    """
    from golive.collectors.host import runtime_settings

    config = ctx.config.section("backups")
    verification, verification_error = records.read(ctx.project_dir)
    if not config and verification is None and verification_error is None and not _mentions_dbbackup(ctx):
        raise Skip(
            "no [tool.golive.backups] and no django-dbbackup settings:"
            " backups stay the manual items GL222 and GL252"
        )
    where = f"{ctx.config.path.name} [tool.golive.backups]" if ctx.config.path and config else ""
    max_age = _number(config, "max_age_hours", 26)
    media_age = _number(config, "media_max_age_hours", max_age)
    min_size = int(_number(config, "min_size_bytes", 1))
    valid_days = int(_number(config, "restore_valid_days", 90))
    database_at, media_at = _location(config, "database"), _location(config, "media")

    settings: dict[str, Any] = {}
    settings_error = None
    try:
        settings = runtime_settings(facts)
    except CollectorError as exc:
        settings_error = str(exc)
    local, remote = dbbackup_storage(settings)

    database = media = None
    if database_at:
        database = BackupSet(
            role="database",
            origin=f"{where} database = {database_at!r}",
            scan=scan(database_at, ctx.project_dir),
            max_age_hours=max_age,
            min_size_bytes=min_size,
        )
    elif local:
        database = BackupSet(
            role="database",
            origin=f"django-dbbackup location {local!r}",
            scan=scan(local, ctx.project_dir, exclude_suffixes=MEDIA_SUFFIXES),
            max_age_hours=max_age,
            min_size_bytes=min_size,
        )
    if media_at:
        media = BackupSet(
            role="media",
            origin=f"{where} media = {media_at!r}",
            scan=scan(media_at, ctx.project_dir),
            max_age_hours=media_age,
            min_size_bytes=1,
        )
    elif local:
        media = BackupSet(
            role="media",
            origin=f"django-dbbackup location {local!r} (*.tar)",
            scan=scan(local, ctx.project_dir, only_suffixes=MEDIA_SUFFIXES),
            max_age_hours=media_age,
            min_size_bytes=1,
        )
    media_root = str(settings.get("MEDIA_ROOT") or "") or None
    media_files, media_error = holds_files(media_root) if media_root else (0, None)
    return BackupFacts(
        configured_in=where
        or ("django-dbbackup settings" if local or remote else "golive verify-backup record"),
        database=database,
        media=media,
        media_root=media_root,
        media_files=media_files,
        media_error=media_error,
        remote_storage=remote,
        verification=verification,
        verification_error=verification_error,
        restore_valid_days=valid_days,
        settings_error=settings_error,
        now=ctx.started,
    )


SPEC = CollectorSpec(
    name="backups",
    produces=BackupFacts,
    collect=collect,
    description="database and media backups: newest file's age and size, the last restore test",
    uses=(RuntimeFacts,),
)
