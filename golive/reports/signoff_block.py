"""The sign-off block the reports show (issue 14): who prepared the audit, the expected approvers
with their recorded decisions (and anyone else who signed), the decision, and the manual items
with who attested them until when. Data only: :mod:`golive.reports.signoff_md` and
:mod:`golive.reports.html` render it; the SHA-256 and the approvals are :mod:`golive.signoff`'s.
"""

from __future__ import annotations

from collections.abc import Mapping

from msgspec import Struct

from golive.model import Audit, Status
from golive.signoff import digest_of


class ReviewRow(Struct, frozen=True, kw_only=True):
    """One line of the block's "Reviewed / approved by": a person, what they decided (empty:
    not yet), on which day, and their note."""

    name: str
    role: str
    decision: str = ""
    on: str = ""
    note: str = ""
    source: str = ""


class ManualRow(Struct, frozen=True, kw_only=True):
    """A manual item: its check, title, severity, and who attested it until when (``by``
    empty: not signed)."""

    id: str
    title: str
    severity: str
    by: str = ""
    on: str = ""
    until: str = ""
    expired: bool = False


class Block(Struct, frozen=True, kw_only=True):
    """Everything the sign-off block shows (:func:`block`)."""

    sha256: str
    prepared_by: str
    prepared_source: str
    prepared_on: str
    reviews: tuple[ReviewRow, ...]
    decision: str
    commit: str
    settings: str
    manual: tuple[ManualRow, ...]


def _same_person(signed_by: str, name: str) -> bool:
    """``Ann Approver <ann@x.org>`` signed for the approver ``Ann Approver`` (not ``Ann``)."""
    by, wanted = signed_by.strip().lower(), name.strip().lower()
    return by == wanted or by.startswith(wanted + " <") or wanted.startswith(by + " <")


def block(audit: Audit) -> Block:
    """The sign-off block of ``audit``: prepared by (with the source of the name), the
    expected approvers with their recorded decisions (and anyone else who signed), the
    decision recorded, the commit and settings audited, the manual items and their signatures."""
    rows: list[ReviewRow] = []
    done: set[int] = set()
    for a in audit.inputs.get("approvers") or ():
        if not isinstance(a, Mapping):
            continue
        name, role = str(a.get("name", "")), str(a.get("role", ""))
        signed = [(i, s) for i, s in enumerate(audit.signoffs) if _same_person(s.by, name) and i not in done]
        if signed:
            i, s = signed[-1]
            done.update(j for j, _ in signed)
            rows.append(ReviewRow(name=s.by, role=s.role or role, decision=s.decision, on=s.on, note=s.note))
        else:
            rows.append(ReviewRow(name=name, role=role, source=str(a.get("source", ""))))
    for i, s in enumerate(audit.signoffs):
        if i not in done:
            rows.append(ReviewRow(name=s.by, role=s.role, decision=s.decision, on=s.on, note=s.note))
    decisions = [r for r in rows if r.decision]
    if not decisions:
        decision = "none recorded yet (golive signoff AUDIT_ID --by NAME --role ROLE --decision go|no-go)"
    elif any(r.decision == "no-go" for r in decisions):
        decision = "NO-GO: " + ", ".join(f"{r.name} {r.decision}" for r in decisions)
    else:
        decision = "GO: approved by " + ", ".join(r.name for r in decisions)
    manual = []
    signed_by = {a.check_id: a for a in audit.attestations}
    for f in audit.findings:
        att = f.attestation or (signed_by.get(f.id) if f.status is Status.MANUAL else None)
        if f.status is Status.MANUAL or f.attestation is not None:
            manual.append(
                ManualRow(
                    id=f.id,
                    title=f.title,
                    severity=f.severity.label,
                    by=att.by if att and not att.expired else "",
                    on=att.on if att else "",
                    until=(att.expires or "no expiry") if att else "",
                    expired=bool(att and att.expired),
                )
            )
    commit = (audit.git_commit or "not a git repository") + (
        " (with uncommitted changes)" if audit.git_dirty else ""
    )
    return Block(
        sha256=digest_of(audit),
        prepared_by=audit.author or "unknown",
        prepared_source=str(audit.inputs.get("author_source") or ""),
        prepared_on=audit.started_at[:10],
        reviews=tuple(rows),
        decision=decision,
        commit=commit,
        settings=audit.settings_module or "unknown",
        manual=tuple(manual),
    )
