"""What changed since the previous stored audit: findings matched by key, and the terminal's line.

Findings are matched by :attr:`golive.model.Finding.key` (check id + subjects + location path,
no line numbers, never the message text): new, fixed, unchanged, or not checked this time
(:class:`Comparison`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct

from golive.history.grade import GRADE_HELP, grade, grade_line
from golive.model import Audit, Finding, HistoryFinding, HistorySummary, Status, TrendPoint

if TYPE_CHECKING:  # annotations only: golive.history.store imports this module
    from golive.history.store import Entry


class Comparison(Struct, frozen=True, kw_only=True):
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


def finding_summary(f: Finding) -> HistoryFinding:
    """The JSON object a comparison list holds for one finding (schema ``history_finding``)."""
    return {
        "key": f.key,
        "id": f.id,
        "title": f.title,
        "severity": f.severity.label,
        "subjects": list(f.subjects),
        "path": f.location.path if f.location else None,
    }


def since_line(history: HistorySummary) -> str:
    """One line for the terminal, from :attr:`Audit.history`.

    ``audit #4 stored · since #3 (2026-11-22): 1 new, 2 fixed, 5 unchanged · grade B (85/100)``
    """
    head = f"audit #{history.get('id')} stored"
    if history.get("previous_id") is not None:
        counts = ", ".join(
            f"{len(found or [])} {label}"
            for found, label in (
                (history.get("new"), "new"),
                (history.get("fixed"), "fixed"),
                (history.get("unchanged"), "unchanged"),
                (history.get("unverified"), "not checked"),
            )
            if found or label != "not checked"
        )
        day = str(history.get("previous_started_at") or "")[:10]
        head += f" · since #{history['previous_id']} ({day}): {counts}"
    return f"{head} · {grade_line(history)}"


#: How many audits (the current one included) the trend shows.
TREND_POINTS = 30


def failing_count(audit: Audit) -> int:
    return sum(1 for f in audit.findings if f.failing)


def summary(
    audit: Audit, previous: tuple[int, Audit] | None, past: list[Entry], database: Path
) -> HistorySummary:
    """The :attr:`Audit.history` summary for ``audit`` (``id`` None until stored).

    With no ``previous`` audit every comparison list is empty and ``previous_id`` is None.
    """
    g = grade(audit)
    diff = (
        compare(previous[1], audit) if previous else Comparison(new=(), fixed=(), unchanged=(), unverified=())
    )
    current: TrendPoint = {
        "id": None,
        "started_at": audit.started_at,
        "failing": failing_count(audit),
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
