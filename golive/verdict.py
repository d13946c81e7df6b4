"""The verdict: the one word every report opens with, and the exit status it implies.

:func:`decide` is pure: it reads an :class:`~golive.model.Audit` (its findings, its
collector runs and the files each collector read) and returns a
:class:`~golive.model.Verdict`. The runner calls it once, when the audit is made
(:func:`golive.runner.run_audit`); the JSON report stores it and reads it back; no
renderer decides anything (``DESIGN.md``, "Verdict" and "Exit status").

The rules, in order (``DESIGN.md``; issue 14):

- **NO-GO**: a failing finding at or above ``--fail-on`` (not accepted by the baseline).
  Exit 1, also when the audit is incomplete (failing findings take precedence; the
  reason says it is incomplete too).
- **INCOMPLETE**: an input that was found or asked for could not be audited: a collector
  errored (the settings did not load, a collector overran its budget, the baseline
  file could not be read), a file a collector found or was given did not parse (an nginx
  file, a gunicorn configuration), or a check crashed. Exit 3.
- **GO WITH CONDITIONS**: nothing failing at or above ``--fail-on``, but manual items
  wait for a person's sign-off or failing findings are accepted in the baseline. Exit 0.
- **GO**: none of the above. Exit 0.

Inputs that were simply not given (no ``--url``, not on the server, ``--no-runtime``,
collectors not needed by ``--select``) never make an audit incomplete: they are listed as
:attr:`~golive.model.Verdict.not_audited`, so GO reads "GO for what was audited".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from golive.model import Audit, CollectorRun, Finding, Status, Verdict, VerdictWord

#: Exit status of each verdict word (``DESIGN.md``, "Exit status").
EXIT_STATUS = {
    VerdictWord.GO: 0,
    VerdictWord.GO_WITH_CONDITIONS: 0,
    VerdictWord.NO_GO: 1,
    VerdictWord.INCOMPLETE: 3,
}


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _files_not_read(run: CollectorRun) -> Iterator[str]:
    """The files ``run`` found or was given and could not read or parse (its ``files`` and
    ``servers`` details with ``status: error``), one line each."""
    for key in ("files", "servers"):
        entries = run.details.get(key) or ()
        for entry in entries if isinstance(entries, (list, tuple)) else ():
            if not isinstance(entry, Mapping) or entry.get("status") != "error":
                continue
            name = str(entry.get("path") or entry.get("found") or "a file")
            errors = entry.get("errors") or ([entry["message"]] if entry.get("message") else [])
            first = str(errors[0]) if isinstance(errors, (list, tuple)) and errors else ""
            yield f"{run.name}: {name} could not be audited" + (f" ({first})" if first else "")


def incomplete_inputs(audit: Audit) -> list[str]:
    """What was found or asked for and could not be audited, one line each: collectors that
    errored (``runtime`` is named as the settings), files that did not parse, checks that
    crashed. Empty for a complete audit."""
    out: list[str] = []
    for run in audit.collectors:
        if run.status == "error":
            what = "the settings did not load" if run.name == "runtime" else f"{run.name} errored"
            out.append(f"{what}: {run.reason}" if run.reason else what)
        else:
            out.extend(_files_not_read(run))
    crashed = [f.id for f in audit.findings if f.status is Status.ERROR]
    if crashed:
        ids = ", ".join(dict.fromkeys(crashed))
        out.append(f"{_plural(len(crashed), 'check')} crashed: {ids}")
    return out


def not_audited_inputs(audit: Audit) -> list[str]:
    """Inputs not given (collectors skipped, with their reason), one line each."""
    return [
        f"{run.name}: {run.reason}" if run.reason else run.name
        for run in audit.collectors
        if run.status == "skipped"
    ]


def _conditions(manual: list[Finding], accepted: list[Finding]) -> list[str]:
    out = [f"{f.id} ({f.severity.label}) needs sign-off: {f.title}" for f in manual]
    for f in accepted:
        a = f.accepted
        assert a is not None
        out.append(f"{f.id} ({f.severity.label}) failing, accepted by {a.by} until {a.expires}: {f.title}")
    return out


def decide(audit: Audit) -> Verdict:
    """The verdict of ``audit`` (rules in the module docstring). Pure; never raises on an
    audit the runner or :func:`golive.reports.json_report.from_dict` made."""
    findings = audit.findings
    blocking = [f for f in findings if f.failing and f.severity >= audit.fail_on]
    failing = [f for f in findings if f.failing]
    manual = [f for f in findings if f.status is Status.MANUAL]
    accepted = [f for f in findings if f.status is Status.FAIL and f.accepted is not None]
    incomplete = incomplete_inputs(audit)
    level = audit.fail_on.label
    counts: dict[str, Any] = {
        "blocking": len(blocking),
        "failing": len(failing),
        "manual": len(manual),
        "accepted": len(accepted),
        "errored": sum(1 for f in findings if f.status is Status.ERROR),
        "passed": sum(1 for f in findings if f.status is Status.PASS),
        "skipped": sum(1 for f in findings if f.status is Status.SKIPPED),
    }
    below = len(failing) - len(blocking)
    below_text = f"; {below} failing below {level}" if below else ""
    if blocking:
        word = VerdictWord.NO_GO
        reason = f"{len(blocking)} failing at or above {level}{below_text}"
        if incomplete:
            reason += f"; also incomplete: {incomplete[0]}" + (
                f" (and {len(incomplete) - 1} more)" if len(incomplete) > 1 else ""
            )
    elif incomplete:
        word = VerdictWord.INCOMPLETE
        reason = f"could not audit: {incomplete[0]}" + (
            f" (and {len(incomplete) - 1} more)" if len(incomplete) > 1 else ""
        )
    elif manual or accepted:
        word = VerdictWord.GO_WITH_CONDITIONS
        said = []
        if manual:
            said.append(_plural(len(manual), "manual item") + " to sign off")
        if accepted:
            said.append(_plural(len(accepted), "failing finding") + " accepted in the baseline")
        reason = f"nothing failing at or above {level}{below_text}; " + ", ".join(said)
    else:
        word = VerdictWord.GO
        reason = f"nothing failing at or above {level}{below_text}, nothing left to sign"
    return Verdict(
        word=word,
        reason=reason,
        exit_status=EXIT_STATUS[word],
        counts=counts,
        incomplete=tuple(incomplete),
        not_audited=tuple(not_audited_inputs(audit)),
        conditions=tuple(_conditions(manual, accepted)),
    )


def how_to_sign(f: Finding, on: str) -> str:
    """The ``[tool.golive.attest.GLxxx]`` table that signs manual finding ``f`` (``on``: the
    date to write, ``YYYY-MM-DD``), for ``pyproject.toml`` or ``golive.toml``
    (:mod:`golive.config`)."""
    return f'[tool.golive.attest.{f.id}]\nby = "Your Name"\non = {on}\nnote = "what you checked, and how"'


__all__ = ["EXIT_STATUS", "decide", "how_to_sign", "incomplete_inputs", "not_audited_inputs"]
