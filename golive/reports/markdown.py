"""The Markdown report: Django's deployment checklist itself, ticked, then the findings.

Layout: a header table (date, author, commit, settings module, versions, verdict), the
checklist (``- [x]`` / ``- [ ]`` per item, failing ids after an unticked item), the
findings that need action with evidence and a fenced remediation snippet, a compact
table of the rest, attestations, screenshots and Django's own check output.

The checklist items are the ones of Django's deployment checklist
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/) plus golive's
server, live-site and operations sections; :data:`golive.checklist.CHECKLIST` is the one table
that maps each item to the findings it covers (see :func:`golive.checklist.checklist`).

Escaping (CommonMark / GitHub Flavored Markdown, https://spec.commonmark.org/ and
https://github.github.com/gfm/): text has HTML's ``& < >`` turned into entities and
Markdown punctuation backslash-escaped, so a scanned ``<script>`` renders inert; ``|``
is escaped and newlines become ``<br>`` so table rows keep their cells; inline code
uses a backtick fence longer than any run inside; snippets use a fenced block whose
fence is longer than any backtick run in the snippet. In all of them control characters
(ECMA-48's C0 and C1, bidirectional controls) are written as visible escapes
(:func:`golive.reports.controls.visible`): a file name holding ``ESC [ 2 J`` cannot
clear the screen of whoever reads the ``.md`` file in a terminal; text and snippets keep
their newlines and tabs, a code span keeps nothing (its newline is shown as ``\\n``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from golive.checklist import OPEN, ItemState, checklist
from golive.history.grade import grade_line
from golive.model import Audit, Finding, Section, Status
from golive.provenance import note as placeholder_note
from golive.reports import marks
from golive.reports.controls import visible
from golive.verdict import how_to_sign

# --- escaping -------------------------------------------------------------------------

_MD_PUNCT = re.compile(r"([\\`*_\[\]{}|~!#])")


def text(value: object) -> str:
    """Inline Markdown text: HTML-escaped, Markdown punctuation escaped, newlines as ``<br>``.

    Safe inside table cells (``|`` is escaped) and list items. Other control characters
    are written as visible escapes (``\\x1b``), tabs kept.
    """
    s = visible(str(value).replace("\r\n", "\n").replace("\r", "\n"), keep="\n\t")
    s = _MD_PUNCT.sub(r"\\\1", s)
    s = html.escape(s, quote=False)
    return s.replace("\n", "<br>")


def code(value: object) -> str:
    """An inline code span whose backtick fence is longer than any run in ``value``.

    Control characters, newlines included, are written as visible escapes (``\\n``,
    ``\\x1b``) and ``|`` is escaped, so that the span stays on one line and can sit in a
    table cell (GFM reads ``\\|`` inside a table's code span as ``|``).
    """
    s = visible(str(value)).replace("|", "\\|")
    if not s:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ")) else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def fenced(snippet: str, lang: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run in ``snippet``.

    Newlines and tabs are kept; other control characters are written as visible escapes.
    """
    body = visible(snippet.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n"), keep="\n\t")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def link(label: str, url: str) -> str:
    """``[label](url)`` for an http(s) URL (percent-encoded); escaped text otherwise."""
    if not re.match(r"^https?://", url):
        return text(url or label)
    safe = quote(url, safe=":/?#@!$&'*+,;=%-._~")
    return f"[{text(label)}]({safe})"


# --- rendering ------------------------------------------------------------------------


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _checkbox(state: ItemState) -> str:
    item = state.item
    kind = marks.row_kind(state)
    head = f"- [{'x' if state.done else ' '}] {marks.MARK[kind]} **{item.label}**" + (
        f": {text(item.text)}" if item.text else ""
    )
    notes = []
    by_status = {
        s: _unique(f.id for f in state.findings if f.status is s and f.accepted is None) for s in Status
    }
    accepted = {f.id: f.accepted.expires for f in state.findings if f.accepted is not None}
    if accepted:
        notes.append("accepted " + ", ".join(f"{code(i)} (until {d})" for i, d in accepted.items()))
    failing = _unique(f.id for f in state.findings if marks.kind_of(f) == marks.FAILING)
    if failing:
        notes.append("failing " + ", ".join(code(i) for i in failing))
    informational = [i for i in by_status[Status.FAIL] if i not in failing]
    if informational:  # a failing info finding is a note, never drawn as a failure
        notes.append("note " + ", ".join(code(i) for i in informational))
    if by_status[Status.ERROR]:
        notes.append("errored " + ", ".join(code(i) for i in by_status[Status.ERROR]))
    if by_status[Status.MANUAL]:
        notes.append("needs sign-off " + ", ".join(code(i) for i in by_status[Status.MANUAL]))
    attested = [f for f in state.findings if f.status is Status.PASS and f.attestation]
    for f in attested:
        a = f.attestation
        assert a is not None
        notes.append(f"{code(f.id)} attested by {text(a.by)} on {text(a.on)}")
    if not state.findings:
        notes.append("not checked in this audit")
    elif state.not_audited is not None:
        notes.append(f"**not audited**: {text(state.not_audited)}")
    elif not state.done and not state.open_ids:
        notes.append("skipped " + ", ".join(code(i) for i in by_status[Status.SKIPPED]))
    return head + (" — " + "; ".join(notes) if notes else "")


def _header(audit: Audit) -> list[str]:
    commit = code(audit.git_commit) if audit.git_commit else "not a git repository"
    if audit.git_dirty:
        commit += " (uncommitted changes)"
    rows = [
        ("Date", text(audit.started_at)),
        ("Author", text(audit.author)),
        ("Commit", commit),
        ("Project", f"{text(audit.project_name)} ({code(audit.project_path)})"),
        (
            "Settings",
            (code(audit.settings_module) if audit.settings_module else "unknown")
            + (f": {text(audit.settings_reason)}" if audit.settings_reason else ""),
        ),
        *(
            [("Django root", code(audit.django_root) + f": {text(audit.django_root_reason)}")]
            if audit.django_root_reason or audit.django_root != "."
            else []
        ),
        ("Django / Python", f"{text(audit.django_version or '?')} / {text(audit.python_version or '?')}"),
        ("golive", text(audit.golive_version)),
    ]
    environment = audit.inputs.get("environment")
    if isinstance(environment, dict) and environment.get("sources"):  # golive.provenance
        rows.insert(5, ("Environment", text(" + ".join(str(x) for x in environment["sources"]))))
    out = [f"# Deployment checklist: {text(audit.project_name)}", ""]
    out += _verdict(audit)
    if placeholder_note(audit):  # what was audited versus what runs (issue 14)
        out += [f"> **{text(placeholder_note(audit))}**", ""]
    out += ["| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in rows]
    out.append("")
    counts = audit.counts()
    failing = audit.failing_by_severity()
    out.append("Findings: " + ", ".join(f"{n} {s}" for s, n in counts.items()) + ".")
    if audit.accepted():
        out.append(f"Accepted in the baseline (not failing): {len(audit.accepted())}.")
    out.append(
        "Failing by severity: " + (", ".join(f"{n} {s}" for s, n in failing.items() if n) or "none") + "."
    )
    out.append("")
    out.append(
        "Collectors: "
        + "; ".join(
            _collector(c.name, c.status, c.reason, c.details.get("notes", ()), c.details.get("scanned", ""))
            for c in audit.collectors
        )
        + "."
    )
    out.append("")
    return out


def _verdict(audit: Audit) -> list[str]:
    """The verdict word, its reason and exit status, what could not be audited, the
    inputs not audited, the conditions (:attr:`Audit.decision`), and the grade line."""
    v = audit.decision
    out = [
        f"## Verdict: {v.word.value}",
        "",
        f"**{v.word.value}**: {text(v.reason)} (exit status {v.exit_status}).",
        "",
    ]
    if v.incomplete:
        out += ["Could not be audited (the audit is incomplete):", ""]
        out += [f"- {text(line)}" for line in v.incomplete] + [""]
    if v.not_audited:
        out += ["Not audited (not given):", ""]
        out += [f"- {text(line)}" for line in v.not_audited] + [""]
    if v.conditions:
        out += ["Conditions:", ""]
        out += [f"- {text(line)}" for line in v.conditions] + [""]
    if audit.history is not None:
        out += [text(grade_line(audit.history)[:1].upper() + grade_line(audit.history)[1:]) + "."]
        formula = audit.history.get("grade_formula")
        out += ["", f"*{text(formula)}*", ""] if formula else [""]
    return out


def _collector(name: str, status: str, reason: str, notes: Sequence[str] = (), scanned: str = "") -> str:
    said = [reason] if reason else []
    said += [f"scanned {scanned}"] if scanned else []
    said += [f"scanned in part: {note}" for note in notes]
    return f"{text(name)} {text(status)}" + (f" ({text('; '.join(said))})" if said else "")


def _finding(f: Finding, on: str = "YYYY-MM-DD") -> list[str]:
    """One finding needing action: its mark (:mod:`golive.reports.marks`), details, fix and,
    for a manual one, the table that signs it (``on``: the date to write)."""
    sure = f" ({f.confidence.value})" if f.confidence is not None else ""
    kind = marks.kind_of(f)
    out = [f"#### {marks.MARK[kind]} {text(f.id)} · {f.severity.label}{sure} · {text(f.title)}", ""]
    out.append(f"- **Status**: {f.status.value} ({marks.LABEL[kind]})")
    if f.subjects:
        out.append("- **Subjects**: " + ", ".join(code(s) for s in f.subjects))
    if f.location:
        out.append("- **Where**: " + ", ".join(code(str(loc)) for loc in f.locations))
    if f.evidence:
        out.append("- **Evidence**:")
        out += [f"  - {text(line)}" for line in f.evidence]
    if f.reason:
        out.append(f"- **Reason**: {text(f.reason)}")
    if f.attestation:
        a = f.attestation
        signed = f"{text(a.by)} on {text(a.on)}" + (f", expired {text(a.expires)}" if a.expired else "")
        out.append(f"- **Signed**: {signed}" + (f": {text(a.note)}" if a.note else ""))
    if f.reference:
        out.append(f"- **Reference**: {link(f.reference, f.reference)}")
    out.append("")
    if f.remediation and f.status is not Status.PASS:
        out += ["**Fix:**", "", fenced(f.remediation), ""]
    if kind == marks.SIGN_OFF and "[tool.golive.attest." not in f.remediation:
        out += [
            "**Sign off** (in `pyproject.toml` or `golive.toml`):",
            "",
            fenced(how_to_sign(f, on), "toml"),
            "",
        ]
    return out


def _findings(audit: Audit) -> list[str]:
    out = ["## Findings", ""]
    quiet: list[Finding] = []
    for section in Section:
        items = [f for f in audit.findings if f.section is section]
        loud = [f for f in items if f.status in OPEN]
        quiet += [f for f in items if f.status not in OPEN]
        if not loud:
            continue
        out += [f"### {text(section.heading)}", ""]
        for f in loud:
            out += _finding(f, audit.started_at[:10])
    if quiet:
        out += [
            "## Passed and skipped",
            "",
            "| id | status | severity | title | note |",
            "|---|---|---|---|---|",
        ]
        for f in quiet:
            note = f.reason or (", ".join(f.subjects) if f.subjects else "")
            out.append(
                f"| {code(f.id)} | {f.status.value} | {f.severity.label} | {text(f.title)} | {text(note)} |"
            )
        out.append("")
    return out


def _deployment_files(audit: Audit) -> list[str]:
    """The deployment files found, left-out ones first, with their role and why."""
    if not audit.deployment_files:
        return []
    out = [
        "## Deployment files",
        "",
        "Only production files (and files that say nothing either way) are audited.",
        "",
        "| file | kind | role | audited | why |",
        "|---|---|---|---|---|",
    ]
    for f in sorted(audit.deployment_files, key=lambda f: (f.audited, f.path)):
        audited = "yes" if f.audited else "**left out**"
        out.append(f"| {code(f.path)} | {text(f.kind)} | {text(f.role)} | {audited} | {text(f.reason)} |")
    out.append("")
    return out


def _extras(audit: Audit) -> list[str]:
    out: list[str] = []
    if audit.attestations:
        out += ["## Attestations", "", "| check | signed by | on | expires | note |", "|---|---|---|---|---|"]
        for a in audit.attestations:
            expires = text(a.expires or "never") + (" (**expired**)" if a.expired else "")
            out.append(f"| {code(a.check_id)} | {text(a.by)} | {text(a.on)} | {expires} | {text(a.note)} |")
        out.append("")
    if audit.screenshots:
        out += ["## Screenshots", ""]
        for shot in audit.screenshots:
            caption = shot.caption or shot.name
            out += [
                f"![{text(caption)}](<{_image_path(shot.path)}>)",
                "",
                f"*{text(caption)}* ({text(shot.url)})"
                + (f" · {text(shot.requests_note)}" if shot.requests_note else ""),
                "",
            ]
    if audit.django_check_output:
        out += ["## `manage.py check --deploy`", "", fenced(audit.django_check_output, "text"), ""]
    return out


def _image_path(path: str) -> str:
    return quote(path.replace("\\", "/"), safe="/:._-~")


def render(audit: Audit) -> str:
    """The Markdown report text (GitHub Flavored Markdown, UTF-8)."""
    out = _header(audit)
    out += ["## Checklist", ""]
    current: Section | None = None
    for state in checklist(audit.findings):
        section = state.item.section
        if section is not current:
            out += (
                [f"### {text(section.heading)}", ""]
                if current is None
                else ["", f"### {text(section.heading)}", ""]
            )
            current = section
        out.append(_checkbox(state))
    out.append("")
    out += _findings(audit)
    out += _deployment_files(audit)
    out += _extras(audit)
    from golive.reports.signoff_md import render_lines as signoff_lines

    out += signoff_lines(audit)
    return "\n".join(out).rstrip("\n") + "\n"
