"""The marks every report format draws, one meaning each (issue 14).

Three marks a reader must never confuse: **failing** (✗, a problem was found), **needs
sign-off** (✎, a person must attest it: the report shows the ``[tool.golive.attest]``
table that signs it), **passed or attested** (✓); and **not audited** (–, the input was
not given). Two more say what the three do not: **errored** (!, a check or its input
crashed: the audit is incomplete) and **note** (i, an informational finding: failing
at severity ``info`` is never drawn as a failure), and **accepted** (≈, failing but
accepted in the baseline). A finding is drawn by :func:`kind_of`, a checklist row by
:func:`row_kind`; the terminal, Markdown and HTML reports take the mark and the label
from :data:`MARK` and :data:`LABEL`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from golive.model import Finding, Severity, Status

if TYPE_CHECKING:
    from golive.checklist import ItemState

FAILING = "failing"
SIGN_OFF = "sign-off"
PASSED = "passed"
NOT_AUDITED = "not-audited"
ERRORED = "errored"
NOTE = "note"
ACCEPTED = "accepted"
SKIPPED = "skipped"

#: Kind → the mark drawn.
MARK = {
    FAILING: "✗",
    SIGN_OFF: "✎",
    PASSED: "✓",
    NOT_AUDITED: "–",
    ERRORED: "!",
    NOTE: "i",
    ACCEPTED: "≈",
    SKIPPED: "–",
}
#: Kind → the words shown beside or instead of the mark.
LABEL = {
    FAILING: "failing",
    SIGN_OFF: "needs sign-off",
    PASSED: "passed",
    NOT_AUDITED: "not audited",
    ERRORED: "errored",
    NOTE: "note",
    ACCEPTED: "accepted",
    SKIPPED: "skipped",
}


def kind_of(f: Finding) -> str:
    """What ``f`` is, as drawn: ``failing``, ``note`` (failing at ``info``), ``accepted``,
    ``sign-off`` (manual, unsigned or expired), ``passed`` (attested included),
    ``errored`` or ``skipped``."""
    if f.status is Status.FAIL:
        if f.accepted is not None:
            return ACCEPTED
        return NOTE if f.severity is Severity.INFO else FAILING
    return {
        Status.MANUAL: SIGN_OFF,
        Status.PASS: PASSED,
        Status.ERROR: ERRORED,
        Status.SKIPPED: SKIPPED,
    }[f.status]


def row_kind(state: ItemState) -> str:
    """What a checklist row is, as drawn: ``failing`` when one of its findings fails (not at
    ``info``, not accepted), else ``errored`` when one crashed, else ``sign-off`` when a
    manual item waits, else ``passed`` when the row is done, else ``not-audited`` (its
    input was not given, or nothing maps to it), else ``note`` (only informational
    findings open) or ``skipped``."""
    kinds = {kind_of(f) for f in state.findings}
    for kind in (FAILING, ERRORED, SIGN_OFF):
        if kind in kinds:
            return kind
    if state.done:
        return PASSED
    if not state.findings or state.not_audited is not None:
        return NOT_AUDITED
    return NOTE if NOTE in kinds else SKIPPED


__all__ = ["LABEL", "MARK", "kind_of", "row_kind"]
