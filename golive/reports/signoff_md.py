"""The sign-off block of the Markdown report (:func:`golive.reports.signoff_block.block`): who prepared
the audit, who reviewed it, the decision recorded, the commit and settings audited, the
audit's SHA-256 and the manual items with their signatures. Escaped like the rest of the
Markdown report (:func:`golive.reports.markdown.text`, :func:`~golive.reports.markdown.code`).
"""

from __future__ import annotations

from golive.model import Audit
from golive.reports.markdown import code, text
from golive.reports.signoff_block import block


def render_lines(audit: Audit) -> list[str]:
    """The ``## Sign-off`` section as Markdown lines (a table of signers with an empty
    signature column, then the manual items)."""
    b = block(audit)
    number = (audit.history.get("id") if audit.history else None) or "AUDIT_ID"
    out = [
        "## Sign-off",
        "",
        f"- Commit audited: {code(b.commit)}",
        f"- Settings audited: {code(b.settings)}",
        f"- SHA-256 of the audit's JSON: {code(b.sha256)}"
        f" (check a copy: {code(f'golive report {number} --verify SHA256')})",
        f"- Decision recorded: {text(b.decision)}",
        "",
        "| | name | decision | date | signature |",
        "|---|---|---|---|---|",
        f"| Prepared by | {text(b.prepared_by)}"
        + (f" (from {text(b.prepared_source)})" if b.prepared_source else "")
        + f" | audit {text(audit.decision.word.value)} | {text(b.prepared_on)} | |",
    ]
    for r in b.reviews:
        who = text(r.name) + (f" ({text(r.role)})" if r.role else "")
        if r.note:
            who += f": {text(r.note)}"
        out.append(
            f"| Reviewed / approved by | {who} | {text(r.decision.upper() or 'GO / NO-GO')}"
            f" | {text(r.on)} | |"
        )
    if not b.reviews:
        out.append("| Reviewed / approved by | | GO / NO-GO | | |")
    if b.manual:
        out += [
            "",
            "Manual items:",
            "",
            "| check | item | severity | attested by | until |",
            "|---|---|---|---|---|",
        ]
        for m in b.manual:
            by = f"{text(m.by)} ({text(m.on)})" if m.by else ("expired" if m.expired else "**not signed**")
            out.append(f"| {code(m.id)} | {text(m.title)} | {m.severity} | {by} | {text(m.until or '–')} |")
    out.append("")
    return out
