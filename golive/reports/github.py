"""GitHub Actions workflow commands: one annotation per failing finding (``--format github``).

Each failing finding becomes ``::error file=PATH,line=N,title=ID TITLE::MESSAGE`` (critical
and high), ``::warning`` (medium) or ``::notice`` (low, info); an ``error`` outcome and a
collector that errored become warnings, and an expired baseline acceptance keeps its
finding failing. Findings the baseline accepts are not annotated. The summary line is a
notice. Escaping follows GitHub's toolkit (``@actions/core`` ``command.ts``): in the
message ``%``, ``\\r`` and ``\\n`` become ``%25``, ``%0D`` and ``%0A``; in properties ``:``
and ``,`` also become ``%3A`` and ``%2C``. Reference:
https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands

The runner reads every line whose first non-blank characters are ``::`` as a command
(``ActionCommand.TryParseV2`` in github.com/actions/runner), so no string from the
project may start a line: with newlines percent-encoded, each annotation is one line, and
the other control characters (``ESC`` and the rest of ECMA-48's C0 and C1 sets, which
the log viewer would interpret) are written as visible escapes (``\\x1b``) before the
percent-encoding (:func:`golive.reports.controls.visible`).

File paths are relative to the repository root, which GitHub needs to place an
annotation: a finding's path (relative to the project) is prefixed with the project's
path relative to the working directory when the project lies inside it (in a workflow
the working directory is the checkout).
"""

from __future__ import annotations

import os
from pathlib import Path

from golive.model import Audit, Finding, Severity, Status
from golive.reports.controls import visible

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    """Escape a command's message (GitHub's ``escapeData``): ``%``, ``\\r``, ``\\n`` →
    ``%25``, ``%0D``, ``%0A``; other control characters made visible (``\\x1b``) first.
    The result holds no line break."""
    text = visible(text, keep="\r\n")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (GitHub's ``escapeProperty``): :func:`escape_data`, then
    ``:`` and ``,`` → ``%3A`` and ``%2C``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: str | int | None) -> str:
    """One workflow command line: ``::level k=v,...::message`` (None properties left out)."""
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v not in (None, ""))
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def _prefix(audit: Audit, cwd: Path | None) -> str:
    base = cwd or Path(os.getcwd())
    try:
        rel = Path(audit.project_path).resolve().relative_to(base.resolve())
    except (ValueError, OSError):
        return ""
    return "" if str(rel) == "." else rel.as_posix() + "/"


def _message(f: Finding) -> str:
    lines = list(f.evidence) or [f.title]
    if f.reason:
        lines.append(f.reason)
    if f.remediation:
        lines.append("Fix: " + f.remediation.strip().splitlines()[0])
    if f.reference:
        lines.append(f.reference)
    return "\n".join(lines)


def render(audit: Audit, *, cwd: Path | None = None) -> str:
    """The annotations for ``audit``, one command per line (``cwd``: the repository root)."""
    prefix = _prefix(audit, cwd)
    out = []
    for f in audit.findings:
        if f.status is Status.FAIL and f.accepted is None:
            level = LEVELS[f.severity]
        elif f.status is Status.ERROR:
            level = "warning"
        else:
            continue
        title = f"{f.id} {f.title}" + (" (check crashed)" if f.status is Status.ERROR else "")
        out.append(
            command(
                level,
                _message(f),
                file=prefix + f.location.path if f.location else None,
                line=f.location.line if f.location else None,
                title=title,
            )
        )
    for run in audit.collectors:
        if run.status == "error":
            out.append(command("warning", run.reason, title=f"golive: {run.name} could not be read"))
    failing = audit.failing_by_severity()
    counts = ", ".join(f"{n} {s}" for s, n in failing.items() if n) or "nothing"
    verdict = f"golive: {counts} failing; exit status {audit.exit_status}"
    if audit.incomplete:
        verdict += " (incomplete)"
    out.append(command("notice", verdict, title="golive audit"))
    return "\n".join(out) + "\n"
