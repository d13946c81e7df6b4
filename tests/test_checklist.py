"""The checklist rows (:mod:`golive.checklist`) held against the check registry.

A check that belongs to no row would be in no report's checklist; a row id that is no
check would tick, or leave "not audited", a row on nothing. Both fail here (issue 16).
"""

from __future__ import annotations

from golive.checklist import CHECKLIST, Item, checklist
from golive.checks import registry
from golive.model import Section


def _ids() -> set[str]:
    return {spec.id for spec in registry()}


def test_every_check_belongs_to_a_row() -> None:
    findings = [spec.passed() for spec in registry()]
    placed = {f.id for state in checklist(findings) for f in state.findings}
    assert sorted({f.id for f in findings} - placed) == []


def test_every_row_id_is_a_check() -> None:
    ids = _ids()
    named = {prefix for item in CHECKLIST for prefix in (*item.ids, *item.audited_by)}
    assert sorted(p for p in named if not any(i.startswith(p) for i in ids)) == []


def test_a_check_in_no_row_fails() -> None:
    """The mapping leaves out a finding no row claims (here: a section with no row)."""
    rows = (Item(label="Critical", text="", section=Section.CRITICAL_SETTINGS, ids=("GL1",)),)
    orphan = next(spec for spec in registry() if spec.id.startswith("GL2")).passed()
    placed = {f.id for state in checklist([orphan], rows) for f in state.findings}
    assert orphan.id not in placed
