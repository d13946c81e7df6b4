"""Backups: evidence, not trust (checklist section 9, ids GL940–GL959).

* :mod:`golive.backups.scan` finds the newest file of a backup location (a directory or
  a glob) and its age and size;
* :mod:`golive.backups.collector` gathers, for an audit, the locations named in
  ``[tool.golive.backups]`` or by django-dbbackup's settings, what MEDIA_ROOT holds and
  the last ``golive verify-backup`` record;
* :mod:`golive.backups.restore` is ``golive verify-backup``: restore the newest
  PostgreSQL dump into a scratch database, compare row counts with the live database,
  drop the scratch database, and write the record (:mod:`golive.backups.record`).
"""
