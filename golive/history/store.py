"""Past audits: stored, compared, graded.

Every audit run from the command line is stored in an SQLite database (the standard
library's :mod:`sqlite3`), by default ``.golive/history.sqlite`` in the project; ``--history
PATH`` (or ``[tool.golive] history``) moves it and ``--no-history`` skips it. A stored
audit is its JSON report (:mod:`golive.reports.json_report`), so any past audit can be
re-rendered in every format (``golive report AUDIT_ID``).

When an audit is stored it is compared with the previous stored audit of the same
project and settings module (:func:`compare`): findings are matched by
:attr:`golive.model.Finding.key` (check id + subjects + location path, no line numbers,
never the message text). The result, a trend of past audits and the grade
(:func:`grade`) are attached to the audit as :attr:`golive.model.Audit.history`, which
every report format can show.

Grade formula (:data:`DEDUCTIONS`, :data:`GRADES`, :data:`SIGN_OFF_CAP`; issue 14: a
grade that cannot be gamed): the score starts at 100 and loses, for every failing finding
not accepted by the baseline, 50 points if it is critical, 15 if high, 5 if medium, 2 if
low and 0 if informational; it never goes below 0. While a manual item at high or above
waits for its sign-off, the score is at most 80 (grade B). The letter is A from 90, B
from 80, C from 65, D from 50, F below. Coverage counts: an audit that could not audit an
input it found or was asked for (INCOMPLETE, or NO-GO and incomplete: a collector or a
check errored, the settings did not load, a file did not parse) gets **no grade** (shown
"–, incomplete"), nor does an audit whose settings were not loaded at all
(``--no-runtime``): its errored and skipped checks cannot raise a score, and no such audit
can rank above a complete one. Inputs simply not given (no ``--url``, not on the server)
neither lower nor raise it: the grade is for what was audited, and the share of checks that
ran (:attr:`Grade.coverage`) is shown beside it. Audits stored before this formula keep the
grade they were stored with.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from golive.model import Audit, Finding, Severity, Signoff, Status
from golive.own_files import make_folder

DEFAULT_PATH = Path(".golive") / "history.sqlite"
#: Points deducted per failing (not accepted) finding, by severity.
DEDUCTIONS = {Severity.CRITICAL: 50, Severity.HIGH: 15, Severity.MEDIUM: 5, Severity.LOW: 2, Severity.INFO: 0}
#: Lowest score of each letter, best first.
GRADES = (("A", 90), ("B", 80), ("C", 65), ("D", 50), ("F", 0))
#: How many audits (the current one included) the trend shows.
TREND_POINTS = 30
#: The highest score while a manual item at high or above is not signed (grade B).
SIGN_OFF_CAP = 80
#: What is shown for an audit that gets no grade.
NO_GRADE = "–"
GRADE_HELP = (
    "Grade: 100 minus 50 per failing critical finding, 15 per high, 5 per medium, 2 per low"
    " (accepted ones do not count), never below 0; at most 80 while a high or critical manual"
    " item is unsigned; A from 90, B from 80, C from 65, D from 50, F below; no grade for an"
    " incomplete audit or one without the settings."
)
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


@dataclass(frozen=True)
class Grade:
    """``score`` 0-100 and its ``letter`` A-F, both None when the audit gets no grade;
    ``incomplete`` flags an audit that could not audit an input it found or was asked for;
    ``note`` says why the score is capped or missing; ``coverage`` is (checks that ran,
    checks in the audit)."""

    score: int | None
    letter: str | None
    incomplete: bool = False
    note: str = ""
    coverage: tuple[int, int] = (0, 0)

    def __str__(self) -> str:
        if self.letter is None:
            return f"{NO_GRADE}, {self.note or 'no grade'}"
        return f"{self.letter} ({self.score}/100)" + (f", {self.note}" if self.note else "")


def coverage(audit: Audit) -> tuple[int, int]:
    """(checks that ran: passed, failed or asked a person, checks in the audit), each check
    id counted once."""
    ids = {f.id for f in audit.findings}
    ran = {f.id for f in audit.findings if f.status in (Status.PASS, Status.FAIL, Status.MANUAL)}
    return len(ran), len(ids)


def grade(audit: Audit) -> Grade:
    """The grade of ``audit`` (formula in the module docstring and :data:`GRADE_HELP`).

    No grade (``score`` and ``letter`` None) when the audit is incomplete or its settings
    were not loaded; else 100 minus :data:`DEDUCTIONS`, at most :data:`SIGN_OFF_CAP` while a
    manual item at high or above is unsigned."""
    covered = coverage(audit)
    if audit.incomplete:
        return Grade(None, None, True, "incomplete", covered)
    runtime = next((c for c in audit.collectors if c.name == "runtime"), None)
    if runtime is not None and runtime.status != "ok":
        return Grade(None, None, False, "settings not audited", covered)
    lost = sum(DEDUCTIONS[f.severity] for f in audit.findings if f.failing)
    score = max(0, 100 - lost)
    note = ""
    unsigned = [f.id for f in audit.findings if f.status is Status.MANUAL and f.severity >= Severity.HIGH]
    if unsigned and score > SIGN_OFF_CAP:
        score = SIGN_OFF_CAP
        note = f"at most {SIGN_OFF_CAP} until {', '.join(dict.fromkeys(unsigned))} is signed"
    letter = next(letter for letter, low in GRADES if score >= low)
    return Grade(score, letter, False, note, covered)


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """What changed between two audits, each list sorted by severity (highest first), then key.

    ``new``: failing now, not before. ``fixed``: failing before, and the check ran this time
    without that failure. ``unchanged``: failing in both. ``unverified``: failing before,
    but the check did not run this time (skipped, errored, silenced or not selected), or its
    file was left out this time (a development or test file: ``Audit.deployment_files``),
    so nobody knows. Failing includes findings the baseline accepts (accepting is not fixing).
    """

    new: tuple[Finding, ...]
    fixed: tuple[Finding, ...]
    unchanged: tuple[Finding, ...]
    unverified: tuple[Finding, ...]


def _by_key(findings: Iterable[Finding]) -> dict[str, Finding]:
    out: dict[str, Finding] = {}
    for f in findings:
        if f.status is Status.FAIL:
            out.setdefault(f.key, f)
    return out


def _sorted(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (-int(f.severity), f.key)))


def compare(previous: Audit, current: Audit) -> Comparison:
    """Match failing findings of two audits by :attr:`Finding.key` (see :class:`Comparison`)."""
    before, now = _by_key(previous.findings), _by_key(current.findings)
    ran = {f.id for f in current.findings if f.status in (Status.FAIL, Status.PASS, Status.MANUAL)}
    # a finding in a file this audit left out (development, test: issue 12) was not looked at
    left_out = {d.path for d in current.deployment_files if not d.audited}
    gone = [f for k, f in before.items() if k not in now]

    def checked(f: Finding) -> bool:
        return f.id in ran and not (f.location is not None and f.location.path in left_out)

    return Comparison(
        new=_sorted(f for k, f in now.items() if k not in before),
        fixed=_sorted(f for f in gone if checked(f)),
        unchanged=_sorted(f for k, f in now.items() if k in before),
        unverified=_sorted(f for f in gone if not checked(f)),
    )


def finding_summary(f: Finding) -> dict[str, Any]:
    """The JSON object a comparison list holds for one finding (schema ``history_finding``)."""
    return {
        "key": f.key,
        "id": f.id,
        "title": f.title,
        "severity": f.severity.label,
        "subjects": list(f.subjects),
        "path": f.location.path if f.location else None,
    }


@dataclass(frozen=True, kw_only=True)
class Entry:
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

    def trend_point(self) -> dict[str, Any]:
        """This entry as a point of :attr:`Audit.history` ``trend``."""
        return {
            "id": self.id,
            "started_at": self.started_at,
            "failing": self.failing,
            "score": self.score,
            "grade": self.grade,
            "incomplete": self.incomplete,
        }


def _failing_count(audit: Audit) -> int:
    return sum(1 for f in audit.findings if f.failing)


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

    def store(self, audit: Audit, history: dict[str, Any]) -> Audit:
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
                        _failing_count(audit),
                        0 if g.score is None else g.score,  # the columns are NOT NULL
                        g.letter or NO_GRADE,
                        int(g.incomplete),
                    ),
                )
                audit_id = int(cur.lastrowid or 0)
                history = {**history, "id": audit_id}
                for point in history["trend"]:
                    if point["id"] is None:
                        point["id"] = audit_id
                text = json.dumps(to_dict(_with_history(audit, history)), ensure_ascii=False)
                self._db.execute("UPDATE audits SET report = ? WHERE id = ?", (text, audit_id))
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        return from_dict(json.loads(text))


def _with_history(audit: Audit, history: Mapping[str, Any]) -> Audit:
    from dataclasses import replace

    return replace(audit, history=dict(history))


def summary(
    audit: Audit, previous: tuple[int, Audit] | None, past: list[Entry], database: Path
) -> dict[str, Any]:
    """The :attr:`Audit.history` mapping for ``audit`` (``id`` None until stored).

    With no ``previous`` audit every comparison list is empty and ``previous_id`` is None.
    """
    g = grade(audit)
    diff = (
        compare(previous[1], audit) if previous else Comparison(new=(), fixed=(), unchanged=(), unverified=())
    )
    current = {
        "id": None,
        "started_at": audit.started_at,
        "failing": _failing_count(audit),
        "score": g.score,
        "grade": g.letter,
        "incomplete": g.incomplete,
    }
    ran, checks = g.coverage
    return {
        "id": None,
        "database": str(database),
        "previous_id": previous[0] if previous else None,
        "previous_started_at": previous[1].started_at if previous else None,
        "new": [finding_summary(f) for f in diff.new],
        "fixed": [finding_summary(f) for f in diff.fixed],
        "unchanged": [finding_summary(f) for f in diff.unchanged],
        "unverified": [finding_summary(f) for f in diff.unverified],
        "trend": [e.trend_point() for e in past[-(TREND_POINTS - 1) :]] + [current],
        "score": g.score,
        "grade": g.letter,
        "incomplete": g.incomplete,
        "grade_note": g.note,
        "coverage": {"ran": ran, "checks": checks},
        "grade_formula": GRADE_HELP,
    }


def history_path(project_dir: Path, explicit: Path | None = None, configured: object = None) -> Path:
    """Where the history lives: ``explicit`` (``--history``), else ``[tool.golive] history``
    (relative to the project), else ``PROJECT/.golive/history.sqlite``.
    """
    if explicit is not None:
        return explicit.expanduser()
    if isinstance(configured, str) and configured:
        return project_dir / Path(configured).expanduser()
    return project_dir / DEFAULT_PATH


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


def since_line(history: Mapping[str, Any]) -> str:
    """One line for the terminal, from :attr:`Audit.history`.

    ``audit #4 stored · since #3 (2026-11-22): 1 new, 2 fixed, 5 unchanged · grade B (85/100)``
    """
    head = f"audit #{history.get('id')} stored"
    if history.get("previous_id") is not None:
        counts = ", ".join(
            f"{len(history.get(k) or [])} {label}"
            for k, label in (
                ("new", "new"),
                ("fixed", "fixed"),
                ("unchanged", "unchanged"),
                ("unverified", "not checked"),
            )
            if history.get(k) or k != "unverified"
        )
        day = str(history.get("previous_started_at") or "")[:10]
        head += f" · since #{history['previous_id']} ({day}): {counts}"
    return f"{head} · {grade_line(history)}"


def grade_line(history: Mapping[str, Any]) -> str:
    """The grade as the reports show it, from :attr:`Audit.history`: ``grade B (80/100, at
    most 80 until GL222 is signed) · 135 of 222 checks ran``, or ``grade –, incomplete``.
    An audit stored before issue 14 shows the grade it was stored with."""
    note = str(history.get("grade_note") or "")
    if history.get("grade") is None:
        text = f"grade {NO_GRADE}, {note or ('incomplete' if history.get('incomplete') else 'no grade')}"
    else:
        text = f"grade {history.get('grade')} ({history.get('score')}/100" + (f", {note})" if note else ")")
        if history.get("incomplete"):
            text += ", incomplete"
    cover = history.get("coverage")
    if isinstance(cover, Mapping) and cover.get("checks"):
        text += f" · {cover.get('ran')} of {cover.get('checks')} checks ran"
    return text
