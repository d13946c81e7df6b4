"""The grade of an audit: a score from 100 down, its letter, and the line the reports show.

Formula (:data:`DEDUCTIONS`, :data:`GRADES`, :data:`SIGN_OFF_CAP`; issue 14: a
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

from collections.abc import Mapping

from msgspec import Struct

from golive.model import Audit, HistorySummary, Severity, Status

#: Points deducted per failing (not accepted) finding, by severity.
DEDUCTIONS = {Severity.CRITICAL: 50, Severity.HIGH: 15, Severity.MEDIUM: 5, Severity.LOW: 2, Severity.INFO: 0}


#: Lowest score of each letter, best first.
GRADES = (("A", 90), ("B", 80), ("C", 65), ("D", 50), ("F", 0))


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


class Grade(Struct, frozen=True):
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


def grade_line(history: HistorySummary) -> str:
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
