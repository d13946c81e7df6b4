"""The terminal report (Rich): grouped by checklist section, in the checklist's order.

Failing, erroring and manual findings are shown with their evidence, location and fix;
passes and skips are counted per section (listed with ``--verbose``). A closing summary
gives counts, the exit status and the report paths, and says when the audit is incomplete.

Every string from the audit passes through :func:`clean`, which makes control characters
visible (:mod:`golive.reports.controls`), so a file name holding ``ESC [ 2 J`` or a
newline cannot clear the screen or start a line. Lines that carry such strings are
printed without Rich's word wrapping (the terminal wraps them): a line of output then
begins only where golive begins one, which keeps the GitHub runner, which reads a line
whose first non-blank characters are ``::`` as a workflow command, from being handed one
by a wrapped file name (``--format github`` prints this report and the annotations to
the same stdout).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from golive.model import Audit, Finding, Section, Severity, Status, VerdictWord
from golive.provenance import note as placeholder_note
from golive.reports import marks
from golive.reports.controls import visible
from golive.signoff import digest_of
from golive.verdict import how_to_sign

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
VERDICT_STYLE = {
    VerdictWord.GO: "bold white on green",
    VerdictWord.GO_WITH_CONDITIONS: "bold white on blue",
    VerdictWord.NO_GO: "bold white on red",
    VerdictWord.INCOMPLETE: "bold white on magenta",
}


def clean(value: object) -> str:
    """``value`` as one line of terminal text: control characters (newlines included, tabs
    kept) written as visible escapes (:func:`golive.reports.controls.visible`)."""
    return visible(str(value), keep="\t")


def _m(value: object) -> str:
    """``value`` for Rich markup: :func:`clean`, then markup-escaped."""
    return escape(clean(value))


def _header(audit: Audit) -> Panel:
    commit = (audit.git_commit or "no git")[:12] + (" (dirty)" if audit.git_dirty else "")
    lines = [
        f"[bold]{_m(audit.project_name)}[/]  {_m(audit.project_path)}",
        f"settings [bold]{_m(audit.settings_module or '?')}[/] ({_m(audit.settings_reason)})",
        *(
            [f"Django root [bold]{_m(audit.django_root)}[/] ({_m(audit.django_root_reason)})"]
            if audit.django_root_reason or audit.django_root != "."
            else []
        ),
        f"Django {_m(audit.django_version or '?')} · Python {_m(audit.python_version or '?')}"
        f" · commit {_m(commit)}",
        f"{_m(audit.started_at)} · by {_m(audit.author)} · golive {_m(audit.golive_version)}",
    ]
    return Panel("\n".join(lines), title=Text("golive audit"), expand=False)


#: Mark kind (:mod:`golive.reports.marks`) → style.
KIND_STYLE = {
    marks.FAILING: "red",
    marks.ERRORED: "bold magenta",
    marks.SIGN_OFF: "blue",
    marks.PASSED: "green",
    marks.SKIPPED: "dim",
    marks.NOT_AUDITED: "dim",
    marks.NOTE: "cyan",
    marks.ACCEPTED: "yellow",
}


#: Lines of evidence a finding shows without ``--verbose`` (a gixy server block is longer).
EVIDENCE_LINES = 3


def _finding(f: Finding, on: str = "", *, verbose: bool = False) -> Group:
    """One finding: its mark (:func:`golive.reports.marks.kind_of`), id, severity and title,
    then its details; a manual one ends with the table that signs it (``on``: its date).
    Evidence is cut at :data:`EVIDENCE_LINES` lines unless ``verbose``."""
    kind = marks.kind_of(f)
    mark, style = marks.MARK[kind], KIND_STYLE[kind]
    head = Text.assemble(
        (f" {mark} ", style),
        (f"{f.id:<14}", "bold"),
        (f"{f.severity.label:<9}", SEVERITY_STYLE[f.severity] if kind == marks.FAILING else "dim"),
        (clean(f.title), ""),
        *([(f"  ({marks.LABEL[kind]})", style)] if kind in (marks.SIGN_OFF, marks.NOTE) else []),
    )
    parts: list[Text] = [head]
    detail = []
    if f.confidence is not None:
        detail.append(("sure", f.confidence.value))
    if f.subjects:
        detail.append(("subjects", ", ".join(f.subjects)))
    if f.location:
        detail.append(("where", ", ".join(str(loc) for loc in f.locations)))
    seen = [part for line in f.evidence for part in (line.splitlines() or [""])]
    for line in seen if verbose else seen[:EVIDENCE_LINES]:
        detail.append(("seen", line))
    if not verbose and len(seen) > EVIDENCE_LINES:
        detail.append(("", f"… {len(seen) - EVIDENCE_LINES} more lines of evidence (-v shows them)"))
    if f.reason:
        detail.append(("reason", f.reason))
    if f.attestation:
        a = f.attestation
        detail.append(("signed", f"{a.by} on {a.on}" + (f" (expired {a.expires})" if a.expired else "")))
    if f.status in (Status.FAIL, Status.MANUAL) and f.remediation:
        first = f.remediation.strip().splitlines()
        detail.append(("fix", first[0] + (" …" if len(first) > 1 else "")))
    if kind == marks.SIGN_OFF:  # the table that signs it, on one line
        table = " ".join(how_to_sign(f, on or "YYYY-MM-DD").splitlines())
        detail.append(("sign", f"{table}  (in pyproject.toml, or golive.toml)"))
    for label, value in detail:
        parts.append(Text.assemble((f"{'':>18}{label:>8}  ", "dim"), (clean(value), "")))
    return Group(*parts)


def _inputs(details: Mapping[str, Any]) -> list[str]:
    """The files a collector read and how each was found (nginx ``files``, gunicorn ``servers``),
    and what it could not read (``notes``: the git history scanned in part), said once here,
    after what it covered (``scanned``: commits and refs of the git history)."""
    out = [f"scanned {clean(str(details['scanned']))}"] if details.get("scanned") else []
    out += [f"scanned in part: {clean(str(note))}" for note in details.get("notes", ())]
    for entry in [*details.get("files", ()), *details.get("servers", ())]:
        if isinstance(entry, dict) and entry.get("found"):
            status = entry.get("status")
            out.append(clean(entry["found"]) + (f" ({clean(status)})" if status and status != "ok" else ""))
    return out


def render_console(
    audit: Audit, console: Console, *, verbose: bool = False, paths: Sequence[Path] = ()
) -> None:
    """Print the audit to ``console``."""
    console.print(_header(audit))
    for run in audit.collectors:
        if run.status != "ok":
            style = "bold magenta" if run.status == "error" else "dim"
            head = f"  {clean(run.name)} {clean(run.status)}: "
            console.print(Text.assemble((head, style), (clean(run.reason), "")), soft_wrap=True)
        for line in _inputs(run.details):
            console.print(Text.assemble((f"  {clean(run.name)}: ", "dim"), (line, "")), soft_wrap=True)
    for entry in audit.deployment_files:
        if not entry.audited:
            line = f"{clean(entry.path)} ({clean(entry.kind)}, {clean(entry.role)}): {clean(entry.reason)}"
            console.print(Text.assemble(("  left out: ", "dim"), (line, "")), soft_wrap=True)
    from golive.checklist import checklist  # the full view only: -q shows the summary panel alone

    unaudited: dict[Section, list[str]] = {}
    for state in checklist(audit.findings):
        if state.not_audited is not None:
            label = clean(state.item.label.replace("`", ""))
            unaudited.setdefault(state.item.section, []).append(f"{label}: {clean(state.not_audited)}")
    by_section: dict[Section, list[Finding]] = {}
    for f in audit.findings:
        by_section.setdefault(f.section, []).append(f)
    for section in Section:
        items = by_section.get(section)
        if not items:
            continue
        counts = {s: sum(1 for f in items if f.status is s) for s in Status}
        tally = "  ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])
        console.rule(Text.assemble((section.heading, "bold"), ("  " + tally, "dim")), align="left")
        for line in unaudited.get(section, ()):
            console.print(Text.assemble(("  not audited  ", "bold yellow"), (line, "")), soft_wrap=True)
        for f in items:
            if verbose or f.status in (Status.FAIL, Status.ERROR, Status.MANUAL):
                console.print(_finding(f, audit.started_at[:10], verbose=verbose), soft_wrap=True)
    console.print(summary_panel(audit, paths))


def summary_panel(audit: Audit, paths: Sequence[Path]) -> Panel:
    """The closing panel: the verdict word and its reason first (:attr:`Audit.decision`),
    what could not be audited, what was not audited, what waits for a sign-off, then the
    counts behind them."""
    table = Table.grid(padding=(0, 2))
    verdict = audit.decision
    word = Text(f" {verdict.word.value} ", style=VERDICT_STYLE[verdict.word])
    table.add_row(
        "verdict", Text.assemble(word, "  ", (clean(verdict.reason), ""), f" (exit {verdict.exit_status})")
    )
    if placeholder_note(audit):  # what was audited versus what runs (issue 14)
        table.add_row("placeholders", Text(clean(placeholder_note(audit)), style="yellow"))
    said = verdict.word is VerdictWord.INCOMPLETE and len(verdict.incomplete) == 1  # the reason names it
    for line in () if said else verdict.incomplete:
        table.add_row("could not audit", Text(clean(line), style="magenta"))
    for line in verdict.not_audited:
        table.add_row("not audited", Text(clean(line), style="dim"))
    to_sign = [f.id for f in audit.findings if f.status is Status.MANUAL]
    if to_sign:
        table.add_row(
            "to sign off",
            Text(", ".join(dict.fromkeys(to_sign)) + "  (each in [tool.golive.attest.ID], pyproject.toml)"),
        )
    counts = audit.counts()
    table.add_row("findings", "  ".join(f"{n} {s}" for s, n in counts.items()))
    failing = audit.failing_by_severity()
    table.add_row("failing", "  ".join(f"{n} {s}" for s, n in failing.items() if n) or "none")
    if audit.accepted():
        table.add_row("accepted", f"{len(audit.accepted())} failing finding(s) accepted in the baseline")
    for path in paths:
        table.add_row("report", _m(path))
    table.add_row("duration", f"{audit.duration:.1f} s")
    table.add_row("sha256", Text(digest_of(audit), style="dim", overflow="fold"))  # what a signature covers
    return Panel(table, title=Text("summary"), expand=False)  # a Text: no markup, no emoji to look for
