"""A failing finding accepted in the baseline reads as accepted in every format:
suppressed in SARIF, skipped in JUnit, noted in the Markdown checklist, ≈ on the terminal,
and never counted as blocking."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

from msgspec.structs import replace
from rich.console import Console
from test_reports import hostile_audit, sarif_validator

from golive.model import Acceptance, Audit, Status
from golive.reports import junit, markdown, sarif
from golive.reports.terminal import render_console

ACCEPTANCE = Acceptance(
    by="Jane Ops",
    on="2026-11-01",
    expires="2027-02-01",
    reason="key rotation planned",
    file="golive-baseline.toml",
)


def accepted_audit() -> Audit:
    audit = hostile_audit()
    findings = tuple(
        replace(f, accepted=ACCEPTANCE) if f.id == "GL101" and f.status is Status.FAIL else f
        for f in audit.findings
    )
    return replace(audit, findings=findings)


def test_accepted_finding_is_not_blocking() -> None:
    audit = accepted_audit()
    assert [f.id for f in audit.accepted()] == ["GL101"]
    assert "GL101" not in [f.id for f in audit.blocking()]


def test_sarif_suppresses_accepted_results() -> None:
    log = json.loads(sarif.render(accepted_audit()))
    assert not list(sarif_validator().iter_errors(log))
    results = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    assert results["GL101"]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "accepted until 2027-02-01 by Jane Ops: key rotation planned",
            "location": {"physicalLocation": {"artifactLocation": {"uri": "golive-baseline.toml"}}},
        }
    ]
    assert all("suppressions" not in r for rid, r in results.items() if rid != "GL101")


def test_junit_reports_accepted_as_skipped() -> None:
    root = ET.fromstring(junit.render(accepted_audit()))
    case = next(c for c in root.iter("testcase") if c.get("name", "").startswith("GL101 "))
    assert case.find("failure") is None
    skipped = case.find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "accepted in the baseline until 2027-02-01: key rotation planned"


def test_markdown_and_terminal_say_accepted() -> None:
    text = markdown.render(accepted_audit())
    assert "accepted `GL101` (until 2027-02-01)" in text
    assert "Accepted in the baseline (not failing): 1." in text
    out = io.StringIO()
    render_console(accepted_audit(), Console(file=out, width=160, color_system=None))
    shown = out.getvalue()
    assert " ≈ GL101" in shown
    assert "1 failing finding(s) accepted in the baseline" in shown
