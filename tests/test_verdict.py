"""The verdict word (issue 14): GO, GO WITH CONDITIONS, NO-GO, INCOMPLETE.

A golden file per word (``tests/golden/verdict-*.txt``: the verdict as the terminal
summary, Markdown, HTML, JSON, JUnit and SARIF show it, with the checklist's marks), made
from the hostile audit of ``test_reports`` (regenerate with ``GOLIVE_UPDATE_GOLDEN=1``);
then real projects through the real command line: the word, the exit status and what is
listed as not audited or could not be audited.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path

import pytest
from conftest import GOOD_ENV, build_project
from msgspec.structs import replace
from rich.console import Console
from test_reports import GOLDEN, IMG, INTL, SCRIPT, UPDATE, hostile_audit, small_registry

from golive.model import Attestation, Audit, CollectorRun, Severity, Status, VerdictWord
from golive.reports import html as html_report
from golive.reports import json_report, junit, markdown, sarif
from golive.reports.terminal import summary_panel
from golive.verdict import decide


def _no_go() -> Audit:
    """The hostile audit: a critical failure, a crashed check and an nginx collector error."""
    return hostile_audit()


def _incomplete() -> Audit:
    """Nothing failing at or above high; a check crashed, nginx errored."""
    audit = hostile_audit()
    kept = tuple(f for f in audit.findings if f.id != "GL101")
    return replace(audit, findings=kept)


def _conditions() -> Audit:
    """Complete, nothing failing at or above high; GL222 waits for its sign-off."""
    audit = _incomplete()
    collectors = tuple(
        replace(c, status="ok", reason="") if c.name == "nginx" else c for c in audit.collectors
    )
    findings = tuple(
        replace(f, status=Status.PASS, reason="") if f.status is Status.ERROR else f for f in audit.findings
    )
    return replace(audit, collectors=collectors, findings=findings)


def _go() -> Audit:
    """GL222 signed: nothing open; the medium and low failures stay below --fail-on."""
    audit = _conditions()
    att = Attestation(check_id="GL222", by=f"Ops {SCRIPT} | {INTL}", on="2026-01-02", note=IMG)
    findings = tuple(
        replace(f, status=Status.PASS, attestation=att, reason=f"attested by {att.by} on {att.on}")
        if f.id == "GL222"
        else f
        for f in audit.findings
    )
    return replace(audit, findings=findings, attestations=(*audit.attestations, att))


AUDITS = {
    "go": (_go, VerdictWord.GO, 0),
    "go-with-conditions": (_conditions, VerdictWord.GO_WITH_CONDITIONS, 0),
    "no-go": (_no_go, VerdictWord.NO_GO, 1),
    "incomplete": (_incomplete, VerdictWord.INCOMPLETE, 3),
}


def verdict_views(audit: Audit) -> str:
    """The verdict as each format shows it, one block per format."""
    buffer = StringIO()
    Console(file=buffer, width=100, color_system=None).print(summary_panel(audit, []))
    md = markdown.render(audit)
    md_top = md[md.index("## Verdict") : md.index("| | |")]
    md_checklist = md[md.index("## Checklist") : md.index("## Findings")]
    page = html_report.render_to(audit, None)
    html_top = "\n".join(
        line
        for line in page.splitlines()
        if re.match(r'\s*<div class="(verdict|notice|not-audited|conditions)', line)
    )
    html_boxes = "\n".join(re.findall(r'<span class="box" title="[^"]*">[^<]*</span>', page))
    data = json.loads(json_report.render(audit))
    json_part = {
        k: data[k] for k in ("verdict", "verdict_reason", "verdict_details", "exit_status", "incomplete")
    }
    suite = ET.fromstring(junit.render(audit)).find("testsuite")
    assert suite is not None
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    junit_part = {k: props[k] for k in ("verdict", "verdict.reason", "exit-status")}
    run = json.loads(sarif.render(audit, small_registry()))["runs"][0]
    sarif_part = {k: run["properties"][k] for k in ("verdict", "verdictReason")}
    return "\n".join(
        [
            "== terminal summary ==",
            buffer.getvalue().rstrip(),
            "== markdown: top ==",
            md_top.rstrip(),
            "== markdown: checklist ==",
            md_checklist.rstrip(),
            "== html: top ==",
            html_top,
            "== html: checklist marks ==",
            html_boxes,
            "== json ==",
            json.dumps(json_part, indent=2, ensure_ascii=False),
            "== junit properties ==",
            json.dumps(junit_part, indent=2, ensure_ascii=False),
            "== sarif run properties ==",
            json.dumps(sarif_part, indent=2, ensure_ascii=False),
            "",
        ]
    )


@pytest.mark.parametrize("name", list(AUDITS))
def test_golden_verdict(name: str) -> None:
    make, word, status = AUDITS[name]
    audit = make()
    verdict = decide(audit)
    assert (verdict.word, verdict.exit_status, audit.exit_status) == (word, status, status)
    text = verdict_views(audit)
    # every format carries the same word
    assert text.count(f'"verdict": "{word.value}"') == 3  # JSON, JUnit, SARIF
    assert f"## Verdict: {word.value}" in text and f"**{word.value}**" in text
    assert f'<span class="word">{word.value}</span>' in text
    assert SCRIPT not in text.split("== markdown: top ==")[1].split("== json ==")[0]  # escaped
    path = GOLDEN / f"verdict-{name}.txt"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}: run with GOLIVE_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_the_verdict_reasons_and_lists() -> None:
    no_go = decide(_no_go())
    assert no_go.reason.startswith("1 failing at or above high; 3 failing below high; also incomplete: ")
    assert no_go.incomplete == (
        f"nginx errored: {SCRIPT}: cannot parse | line 3",
        "1 check crashed: GL701",
    )
    assert no_go.not_audited == ("live: no --url given",)
    incomplete = decide(_incomplete())
    assert (
        incomplete.reason == f"could not audit: nginx errored: {SCRIPT}: cannot parse | line 3 (and 1 more)"
    )
    conditions = decide(_conditions())
    assert (
        conditions.reason
        == "nothing failing at or above high; 3 failing below high; 1 manual item to sign off"
    )
    assert conditions.conditions == (
        "GL222 (high) needs sign-off: database backups exist, are off-site, and a restore was tested",
    )
    go = decide(_go())
    assert (go.reason, go.conditions) == (
        "nothing failing at or above high; 3 failing below high, nothing left to sign",
        (),
    )
    # --fail-on medium turns the medium failure into NO-GO
    assert decide(replace(_go(), fail_on=Severity.MEDIUM)).word is VerdictWord.NO_GO


def test_a_file_a_collector_could_not_parse_makes_the_audit_incomplete() -> None:
    run = CollectorRun(
        name="nginx",
        status="ok",
        details={
            "files": [
                {"path": "deploy/site.conf", "found": "given", "status": "error", "errors": ["x:3: bad"]}
            ]
        },
    )
    audit = replace(_go(), collectors=(*_go().collectors, run))
    verdict = decide(audit)
    assert (verdict.word, verdict.exit_status) == (VerdictWord.INCOMPLETE, 3)
    assert verdict.incomplete == ("nginx: deploy/site.conf could not be audited (x:3: bad)",)


def test_a_stored_verdict_is_read_back_and_an_old_report_decides_again() -> None:
    audit = replace(_conditions(), verdict=decide(_conditions()))
    data = json.loads(json_report.render(audit))
    again = json_report.from_dict(data)
    assert again.verdict == audit.verdict
    for key in ("verdict", "verdict_reason", "verdict_details"):
        del data[key]
    old = json_report.from_dict(data)  # a report written before the verdict
    assert old.verdict is None and old.decision == audit.verdict


# --- real projects, the real command line ----------------------------------------------


def golive(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **GOOD_ENV, "COLUMNS": "200"},
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def run_audit(project: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict]:  # type: ignore[type-arg]
    report = project.parent / f"{project.name}.json"
    proc = golive("audit", str(project), "--no-history", "-o", str(report), *args)
    return proc, json.loads(report.read_text(encoding="utf-8"))


def _manual_ids() -> list[str]:
    from golive.checks import registry

    return [spec.id for spec in registry() if spec.manual]


def test_go_when_every_manual_item_is_signed(tmp_path: Path) -> None:
    import datetime as dt

    today = dt.date.today().isoformat()
    signed = "".join(
        f'[tool.golive.attest.{cid}]\nby = "Jane Ops"\non = {today}\nnote = "checked"\n\n'
        for cid in _manual_ids()
    )
    project = build_project(tmp_path / "proj", files={"pyproject.toml": signed})
    proc, report = run_audit(project)
    assert (proc.returncode, report["verdict"], report["exit_status"]) == (0, "GO", 0)
    assert report["verdict_reason"] == "nothing failing at or above high, nothing left to sign"
    # inputs not given are listed, not held against the audit
    assert "live: no --url given: the live site was not probed" in report["verdict_details"]["not_audited"]
    assert report["verdict_details"]["incomplete"] == []
    assert "GO " in proc.stdout and "not audited" in proc.stdout


def test_go_with_conditions_lists_the_manual_items_and_how_to_sign(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj")
    proc, report = run_audit(project, "--format", "json")
    assert (proc.returncode, report["verdict"]) == (0, "GO WITH CONDITIONS")
    manual = sorted(f["id"] for f in report["findings"] if f["status"] == "manual")
    assert manual and "GL222" in manual
    assert report["verdict_details"]["counts"]["manual"] == len(manual)
    assert sorted(c.split(" ")[0] for c in report["verdict_details"]["conditions"]) == manual
    # the terminal marks a manual item as needing sign-off, with the table that signs it
    line = next(x for x in proc.stdout.splitlines() if "GL222" in x and "needs sign-off" in x)
    assert line.lstrip().startswith("✎")
    assert "[tool.golive.attest.GL222] by = " in proc.stdout
    md = tmp_path / "proj.md"
    proc2 = golive("audit", str(project), "--no-history", "-q", "-o", str(md))
    text = md.read_text(encoding="utf-8")
    assert proc2.returncode == 0 and text.startswith(
        "# Deployment checklist: proj\n\n## Verdict: GO WITH CONDITIONS\n"
    )
    backups = next(x for x in text.splitlines() if x.startswith("- [") and "**Backups**" in x)
    assert backups.startswith("- [ ] ✎ ") and "needs sign-off `GL222`" in backups
    assert "✗" not in backups


def test_no_go_for_a_failure_at_or_above_fail_on(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj", "DEBUG = True\n")
    proc, report = run_audit(project)
    assert (proc.returncode, report["verdict"], report["exit_status"]) == (1, "NO-GO", 1)
    assert report["verdict_reason"] == "2 failing at or above high"
    assert "NO-GO" in proc.stdout


def test_incomplete_when_the_settings_raise(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj", "raise RuntimeError('boom')\n")
    proc, report = run_audit(project)
    assert (proc.returncode, report["verdict"], report["exit_status"]) == (3, "INCOMPLETE", 3)
    assert report["verdict_reason"].startswith(
        "could not audit: the settings did not load: settings raised RuntimeError: boom"
    )
    assert "INCOMPLETE" in proc.stdout


def test_incomplete_when_a_given_nginx_file_does_not_parse(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj")
    broken = tmp_path / "site.conf"
    broken.write_text("server {\n    listen 80;\n    bogus_directive on;\n}\n", encoding="utf-8")
    proc, report = run_audit(project, "--nginx", str(broken))
    assert (proc.returncode, report["verdict"]) == (3, "INCOMPLETE")
    assert any(
        "nginx" in line and "bogus_directive" in line for line in report["verdict_details"]["incomplete"]
    )
    # the same with a failure at or above --fail-on: NO-GO, and the reason says incomplete too
    project = build_project(tmp_path / "debug", "DEBUG = True\n")
    proc, report = run_audit(project, "--nginx", str(broken))
    assert (proc.returncode, report["verdict"]) == (1, "NO-GO")
    assert "; also incomplete: nginx errored: " in report["verdict_reason"]


def test_an_informational_finding_is_a_note_not_a_failure() -> None:
    from golive.model import Finding, Section
    from golive.reports.terminal import render_console

    note = Finding(
        id="GL616",
        section=Section.APPLICATION_SERVER,
        status=Status.FAIL,
        severity=Severity.INFO,
        title=f"gunicorn workers {SCRIPT}",
        remediation="nothing to do",
    )
    audit = replace(_go(), findings=(*_go().findings, note))
    assert decide(audit).word is VerdictWord.GO
    md = markdown.render(audit)
    assert "#### i GL616 · info · gunicorn workers &lt;script&gt;" in md
    row = next(x for x in md.splitlines() if x.startswith("- [") and "**Application server**" in x)
    assert row.startswith("- [ ] i ") and "note `GL616`" in row and "failing" not in row
    page = html_report.render_to(audit, None)
    card = page[page.index('<article class="finding st-fail k-note">') :][:600]
    assert '<span class="badge k-note" title="fail">i note</span>' in card
    buffer = StringIO()
    render_console(audit, Console(file=buffer, width=200, color_system=None))
    line = next(x for x in buffer.getvalue().splitlines() if "GL616" in x)
    assert line.lstrip().startswith("i GL616") and line.rstrip().endswith("(note)")


def test_a_manual_item_says_how_to_sign_it_in_every_format() -> None:
    from golive.model import Finding, Section
    from golive.reports.terminal import render_console

    ask = Finding(
        id="GL212",
        section=Section.ENVIRONMENT_SETTINGS,
        status=Status.MANUAL,
        severity=Severity.MEDIUM,
        title="the cache server accepts connections only from the application servers",
        remediation="Firewall the cache server.",
    )
    audit = replace(_go(), findings=(*_go().findings, ask))
    assert decide(audit).word is VerdictWord.GO_WITH_CONDITIONS
    table = (
        '[tool.golive.attest.GL212]\nby = "Your Name"\non = 2026-01-02\nnote = "what you checked, and how"'
    )
    md = markdown.render(audit)
    assert "#### ✎ GL212 · medium" in md and "- **Status**: manual (needs sign-off)" in md
    assert "**Sign off** (in `pyproject.toml` or `golive.toml`):\n\n```toml\n" + table + "\n```" in md
    page = html_report.render_to(audit, None)
    card = page[page.index('<article class="finding st-manual k-sign-off">') :]
    card = card[: card.index("</article>")]
    assert '<span class="badge k-sign-off" title="manual">✎ needs sign-off</span>' in card
    assert "Sign off (in pyproject.toml or golive.toml)" in card and "[tool.golive.attest.GL212]" in card
    assert "k-failing" not in card
    buffer = StringIO()
    render_console(audit, Console(file=buffer, width=250, color_system=None))
    text = buffer.getvalue()
    assert next(x for x in text.splitlines() if "GL212" in x).lstrip().startswith("✎ GL212")
    assert '[tool.golive.attest.GL212] by = "Your Name" on = 2026-01-02' in text
