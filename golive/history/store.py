"""Past audits: stored, compared, graded.

Every audit run from the command line is stored in an SQLite database (the standard
library's :mod:`sqlite3`), by default ``.golive/history.sqlite`` in the project; ``--history
PATH`` (or ``[tool.golive] history``) moves it and ``--no-history`` skips it. A stored
audit is its JSON report (:mod:`golive.reports.json_report`), so any past audit can be
re-rendered in every format (``golive report AUDIT_ID``).

When an audit is stored it is compared with the previous stored audit of the same
project and settings module (:func:`golive.history.compare.compare`): findings are matched by
:attr:`golive.model.Finding.key` (check id + subjects + location path, no line numbers,
never the message text). The result, a trend of past audits and the grade
(:func:`golive.history.grade.grade`) are attached to the audit as :attr:`golive.model.Audit.history`, which
every report format can show.

The grade and its formula are in :mod:`golive.history.grade`; the comparison and the
:attr:`golive.model.Audit.history` summary (:class:`golive.model.HistorySummary`) in
:mod:`golive.history.compare`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from golive.history import DEFAULT_PATH as DEFAULT_PATH  # re-exported: where it was
from golive.history import history_path as history_path
from golive.history.compare import TREND_POINTS, failing_count, summary
from golive.history.grade import NO_GRADE, grade
from golive.model import Audit, HistorySummary, Signoff, TrendPoint
from golive.own_files import make_folder

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    project_name TEXT NOT NULL,
    project_path TEXT NOT NULL,
    settings_module TEXT,
    author TEXT NOT NULL,
    git_commit TEXT,
    git_dirty INTEGER,
    failing_by_severity TEXT NOT NULL,
    failing INTEGER NOT NULL,
    score INTEGER NOT NULL,
    grade TEXT NOT NULL,
    incomplete INTEGER NOT NULL,
    report TEXT NOT NULL
)
"""

#: Approvals recorded with ``golive signoff`` (:mod:`golive.signoff`), by audit id.
_SIGNOFF_SCHEMA = """
CREATE TABLE IF NOT EXISTS signoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    audit_id INTEGER NOT NULL,
    audit_sha256 TEXT NOT NULL,
    by TEXT NOT NULL,
    role TEXT NOT NULL,
    decision TEXT NOT NULL,
    on_date TEXT NOT NULL,
    note TEXT NOT NULL
)
"""


class HistoryError(Exception):
    """The history database cannot be used (damaged, unwritable) or an audit id is unknown.

    The message is one line and says what to do.
    """


class Entry(Struct, frozen=True, kw_only=True):
    """One stored audit as ``golive history`` lists it (``started_at`` ISO 8601)."""

    id: int
    started_at: str
    project_name: str
    settings_module: str | None
    author: str
    git_commit: str | None
    git_dirty: bool | None
    failing_by_severity: Mapping[str, int]
    failing: int
    score: int | None
    grade: str | None
    incomplete: bool

    def trend_point(self) -> TrendPoint:
        """This entry as a point of :attr:`Audit.history` ``trend``."""
        return {
            "id": self.id,
            "started_at": self.started_at,
            "failing": self.failing,
            "score": self.score,
            "grade": self.grade,
            "incomplete": self.incomplete,
        }


class History:
    """An open history database. Use as a context manager; every method may raise
    :class:`HistoryError` (damaged file, unwritable directory, unknown id).
    """

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        if not create and not path.is_file():
            raise HistoryError(f"no history at {path}: run `golive audit` first, or pass --history PATH")
        try:
            if create:  # a .golive folder ignores itself in git (golive.own_files)
                make_folder(path.parent)
            self._db = sqlite3.connect(str(path), timeout=10)
            with self._db:
                self._db.execute(_SCHEMA)
                self._db.execute(_SIGNOFF_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise self._error(exc) from None

    def _error(self, exc: BaseException) -> HistoryError:
        why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return HistoryError(
            f"history {self.path} cannot be used ({why}):"
            " move it away, or pass --history PATH or --no-history"
        )

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            with closing(self._db.execute(sql, params)) as cur:
                return list(cur.fetchall())
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def entries(
        self, *, project_name: str | None = None, settings_module: str | None = None, limit: int | None = None
    ) -> list[Entry]:
        """Stored audits, oldest first; only the last ``limit`` when given, filtered when asked."""
        where, params = [], []
        if project_name is not None:
            where.append("project_name = ?")
            params.append(project_name)
        if settings_module is not None:
            where.append("settings_module IS ?")
            params.append(settings_module)
        sql = (
            "SELECT id, started_at, project_name, settings_module, author, git_commit, git_dirty,"
            " failing_by_severity, failing, score, grade, incomplete FROM audits"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY id DESC"
            + (f" LIMIT {int(limit)}" if limit else "")
        )
        out = []
        for row in reversed(self._rows(sql, tuple(params))):
            try:
                counts = json.loads(row[7])
            except ValueError:
                counts = {}
            out.append(
                Entry(
                    id=row[0],
                    started_at=row[1],
                    project_name=row[2],
                    settings_module=row[3],
                    author=row[4],
                    git_commit=row[5],
                    git_dirty=None if row[6] is None else bool(row[6]),
                    failing_by_severity=counts,
                    failing=row[8],
                    score=None if row[10] == NO_GRADE else row[9],
                    grade=None if row[10] == NO_GRADE else row[10],
                    incomplete=bool(row[11]),
                )
            )
        return out

    def resolve(self, ref: str) -> int:
        """The id named by ``ref``: a number, ``latest`` or ``previous`` (the one before latest)."""
        text = ref.strip().lower()
        if text in ("latest", "previous"):
            ids = [row[0] for row in self._rows("SELECT id FROM audits ORDER BY id DESC LIMIT 2")]
            index = 0 if text == "latest" else 1
            if len(ids) <= index:
                raise HistoryError(f"no {text} audit in {self.path} (it holds {len(ids)})")
            return int(ids[index])
        try:
            audit_id = int(text.lstrip("#"))
        except ValueError:
            raise HistoryError(f"{ref!r} is not an audit id (a number, latest or previous)") from None
        if not self._rows("SELECT 1 FROM audits WHERE id = ?", (audit_id,)):
            raise HistoryError(f"no audit #{audit_id} in {self.path} (see `golive history`)")
        return audit_id

    def load(self, ref: str | int) -> Audit:
        """The stored audit ``ref`` (see :meth:`resolve`), read back from its JSON report."""
        from golive.reports.json_report import from_dict

        audit_id = self.resolve(str(ref))
        (text,) = self._rows("SELECT report FROM audits WHERE id = ?", (audit_id,))[0]
        try:
            audit = from_dict(json.loads(text))
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise HistoryError(f"audit #{audit_id} in {self.path} is unreadable: {exc}") from None
        from golive.signoff import attach

        return attach(audit, self.signoffs(audit_id), ())

    def digest(self, audit_id: int) -> str | None:
        """The SHA-256 of stored audit ``audit_id`` (:func:`golive.signoff.digest_of_dict`),
        None when its JSON is unreadable."""
        from golive.signoff import digest_of_dict

        rows = self._rows("SELECT report FROM audits WHERE id = ?", (audit_id,))
        try:
            return digest_of_dict(json.loads(rows[0][0])) if rows else None
        except (ValueError, TypeError, AttributeError):
            return None

    def add_signoff(self, audit_id: int, signoff: Signoff) -> None:
        """Record ``signoff`` on stored audit ``audit_id``."""
        try:
            with self._db:
                self._db.execute(
                    "INSERT INTO signoffs (audit_id, audit_sha256, by, role, decision, on_date, note)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        audit_id,
                        signoff.audit_sha256,
                        signoff.by,
                        signoff.role,
                        signoff.decision,
                        signoff.on,
                        signoff.note,
                    ),
                )
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def signoffs(self, audit_id: int) -> list[Signoff]:
        """The sign-offs recorded on ``audit_id`` in this history, oldest first."""
        rows = self._rows(
            "SELECT audit_sha256, by, role, decision, on_date, note FROM signoffs"
            " WHERE audit_id = ? ORDER BY id",
            (audit_id,),
        )
        return [
            Signoff(
                audit_sha256=r[0],
                by=r[1],
                role=r[2],
                decision=r[3],
                on=r[4],
                note=r[5],
                audit_id=audit_id,
                source="history",
            )
            for r in rows
        ]

    def latest_for(self, audit: Audit) -> tuple[int, Audit] | None:
        """The last stored audit of the same project name and settings module, if any."""
        found = self.entries(project_name=audit.project_name, settings_module=audit.settings_module, limit=1)
        return (found[0].id, self.load(found[0].id)) if found else None

    def store(self, audit: Audit, history: HistorySummary) -> Audit:
        """Store ``audit`` with ``history`` attached (its ``id`` filled in); returns the stored audit.

        The audit returned is read back from the stored JSON, so a report rendered from it
        equals a report rendered later from the history.
        """
        from golive.reports.json_report import from_dict, to_dict

        g = grade(audit)
        try:
            with self._db:
                cur = self._db.execute(
                    "INSERT INTO audits (started_at, project_name, project_path, settings_module, author,"
                    " git_commit, git_dirty, failing_by_severity, failing, score, grade, incomplete, report)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')",
                    (
                        audit.started_at,
                        audit.project_name,
                        audit.project_path,
                        audit.settings_module,
                        audit.author,
                        audit.git_commit,
                        None if audit.git_dirty is None else int(audit.git_dirty),
                        json.dumps(audit.failing_by_severity()),
                        failing_count(audit),
                        0 if g.score is None else g.score,  # the columns are NOT NULL
                        g.letter or NO_GRADE,
                        int(g.incomplete),
                    ),
                )
                audit_id = int(cur.lastrowid or 0)
                history = {**history, "id": audit_id}  # the caller's summary stays as it was
                for point in history["trend"]:
                    if point["id"] is None:
                        point["id"] = audit_id
                text = json.dumps(to_dict(_with_history(audit, history)), ensure_ascii=False)
                self._db.execute("UPDATE audits SET report = ? WHERE id = ?", (text, audit_id))
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return from_dict(json.loads(text))


def _with_history(audit: Audit, history: HistorySummary) -> Audit:
    return replace(audit, history=history)


def record(audit: Audit, database: Path) -> Audit:
    """Compare ``audit`` with the last stored one, attach the result, store it; the stored audit.

    Raises :class:`HistoryError` when the database cannot be used.
    """
    with History(database) as db:
        previous = db.latest_for(audit)
        past = db.entries(
            project_name=audit.project_name, settings_module=audit.settings_module, limit=TREND_POINTS - 1
        )
        return db.store(audit, summary(audit, previous, past, database))


def record_audit(ctx: Any, audit: Audit) -> tuple[Audit, str | None]:
    """The CLI's step after a run: store ``audit`` unless ``--no-history``.

    Returns the audit to report (with :attr:`Audit.history` when stored) and a one-line
    warning when the history could not be used (the audit is then reported as it is).
    """
    options = ctx.options
    if options.no_history:
        return audit, None
    path = history_path(ctx.project_dir, options.history, ctx.config.raw.get("history"))
    try:
        return record(audit, path), None
    except HistoryError as exc:
        return audit, f"{exc}; this audit was not stored"
    except Exception as exc:  # a history that cannot be used never costs the audit
        return (
            audit,
            f"{path}: the history could not be used ({type(exc).__name__}: {exc}); this audit was not stored",
        )
