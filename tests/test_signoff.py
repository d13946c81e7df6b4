"""The sign-off (issue 14): a real audit stored in a history, `golive signoff` recording a
decision in the history and in golive-signoffs.toml, `golive report` showing it, the
audit's SHA-256 in every report and `--verify` checking a signed copy against the store."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOOD_ENV, build_project

from golive import signoff as so
from golive.history.store import History
from golive.reports import signoff_block
from golive.reports.json_report import from_dict, to_dict


def golive(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GOOD_ENV, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        env=env,
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hardened project in git (user Pat Preparer), audited once into its history with the
    approvers of its configuration and one --approver."""
    project = build_project(
        tmp_path_factory.mktemp("signoff") / "shop",
        files={
            "pyproject.toml": '[tool.golive]\nsettings = "site_conf.settings.production"\n'
            "[tool.golive.signoff]\n"
            'approvers = ["Ann Approver (CTO)", {name = "Otto Ops", role = "Head of Ops"}]\n'
        },
    )
    git(project, "init", "-q")
    git(project, "config", "user.name", "Pat Preparer")
    git(project, "config", "user.email", "pat@example.org")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "init")
    reports = ("-o", "audit.json", "-o", "audit.html")
    proc = golive(project, "audit", ".", "--approver", "Quinn QA (QA lead)", "-q", *reports)
    assert proc.returncode in (0, 1), proc.stderr
    return project


def test_every_report_carries_the_audits_sha256_and_the_author_source(audited: Path) -> None:
    data = json.loads((audited / "audit.json").read_text(encoding="utf-8"))
    sha = data["audit_sha256"]
    assert re.fullmatch(r"[0-9a-f]{64}", sha)
    assert sha == so.digest_of_dict(data)  # the JSON says what it covers
    with History(audited / ".golive" / "history.sqlite", create=False) as db:
        assert db.digest(1) == sha  # the stored audit hashes the same
        assert db.load(1).sha256 == sha
    page = (audited / "audit.html").read_text(encoding="utf-8")
    assert sha in page
    assert "Pat Preparer &lt;pat@example.org&gt;" in page
    assert "from git config user.name and user.email" in page
    for name in ("Ann Approver", "Otto Ops", "Quinn QA", "Head of Ops", "QA lead"):
        assert name in page
    assert "none recorded yet" in page


def test_signoff_round_trips_through_the_history_and_the_file(audited: Path) -> None:
    sign = ("--by", "Ann Approver", "--role", "CTO", "--decision", "go", "--note", "ok")
    proc = golive(audited, "signoff", "1", *sign)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((audited / "audit.json").read_text(encoding="utf-8"))
    text = (audited / "golive-signoffs.toml").read_text(encoding="utf-8")
    assert f'audit_sha256 = "{data["audit_sha256"]}"' in text
    assert 'decision = "go"' in text and 'by = "Ann Approver"' in text and "audit_id = 1" in text
    with History(audited / ".golive" / "history.sqlite", create=False) as db:
        assert [(s.by, s.role, s.decision) for s in db.signoffs(1)] == [("Ann Approver", "CTO", "go")]

    proc = golive(audited, "report", "1", "-o", "again.html", "-o", "again.md", "-o", "again.json")
    assert proc.returncode == 0, proc.stderr
    page = (audited / "again.html").read_text(encoding="utf-8")
    assert "GO: approved by Ann Approver" in page
    assert '<strong class="dec-go">GO</strong>' in page
    assert data["audit_sha256"] in page
    md = (audited / "again.md").read_text(encoding="utf-8")
    assert "## Sign-off" in md and "GO: approved by Ann Approver" in md
    again = json.loads((audited / "again.json").read_text(encoding="utf-8"))
    assert again["audit_sha256"] == data["audit_sha256"]  # the sign-off does not change the digest
    assert [s["by"] for s in again["signoffs"]] == ["Ann Approver"]

    # a colleague's clone: a fresh history with the same audit, the approval only in the file
    with History(audited / ".golive" / "history.sqlite", create=False) as db:
        stored = db.load(1)
    other = audited / "other.sqlite"
    with History(other) as db2:
        db2.store(stored, dict(stored.history or {}, trend=[]))
    proc = golive(audited, "report", "1", "--history", str(other), "-o", "theirs.html")
    assert proc.returncode == 0, proc.stderr
    assert "GO: approved by Ann Approver" in (audited / "theirs.html").read_text(encoding="utf-8")


def test_verify_checks_a_signed_copy_against_the_stored_audit(audited: Path) -> None:
    sha = json.loads((audited / "audit.json").read_text(encoding="utf-8"))["audit_sha256"]
    ok = golive(audited, "report", "1", "--verify", sha)
    assert ok.returncode == 0 and "OK: the SHA-256 is audit #1's" in ok.stdout
    assert golive(audited, "report", "1", "--verify", sha[:16].upper()).returncode == 0
    wrong = golive(audited, "report", "1", "--verify", "0" * 64)
    assert wrong.returncode == 1 and "MISMATCH" in wrong.stdout and sha in wrong.stdout
    assert golive(audited, "report", "1", "--verify", "abc").returncode == 2
    listing = golive(audited, "history")
    assert sha[:12] in listing.stdout
    assert sha[:40] in golive(audited, "report", "1").stdout  # the terminal summary too


def test_no_go_with_a_note_and_a_go_on_a_no_go_audit_is_warned(tmp_path: Path) -> None:
    project = build_project(tmp_path / "bad", "DEBUG = True\n")
    proc = golive(project, "audit", ".", "--author", "Rita Release", "-q")
    assert proc.returncode == 1
    proc = golive(project, "signoff", "latest", "--by", "Boss", "--decision", "go")
    assert proc.returncode == 0
    assert "go recorded on an audit whose verdict is NO-GO" in proc.stderr
    page = golive(project, "report", "latest", "-o", "r.html")
    html = (project / "r.html").read_text(encoding="utf-8")
    assert page.returncode == 0 and "Rita Release" in html and "from --author" in html


def test_the_digest_is_canonical_and_leaves_out_what_comes_after_the_run(audited: Path) -> None:
    with History(audited / ".golive" / "history.sqlite", create=False) as db:
        stored = db.load(1)
    data = to_dict(stored)
    assert so.digest_of_dict({**data, "history": None, "signoffs": []}) == stored.sha256
    assert so.digest_of_dict(dict(reversed(list(data.items())))) == stored.sha256  # key order
    assert so.digest_of_dict({**data, "author": "Mallory"}) != stored.sha256
    assert from_dict(json.loads(json.dumps(data))).sha256 == stored.sha256


def test_a_broken_signoff_file_is_a_one_line_error(audited: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[signoff]]\nby = "x"\n', encoding="utf-8")
    proc = golive(audited, "signoff", "1", "--by", "X", "--decision", "go", "--file", str(bad))
    assert proc.returncode == 2 and "needs audit_sha256" in proc.stderr


def test_the_block_matches_signers_to_approvers_by_whole_name(audited: Path) -> None:
    from msgspec.structs import replace

    from golive.model import Signoff

    with History(audited / ".golive" / "history.sqlite", create=False) as db:
        stored = db.load(1)
    sha = so.digest_of(stored)
    signed = (
        Signoff(
            by="Otto Ops <otto@example.org>", role="", decision="no-go", on="2026-12-07", audit_sha256=sha
        ),
        Signoff(by="Otto Opsworth", role="SRE", decision="go", on="2026-12-07", audit_sha256=sha),
    )
    b = signoff_block.block(replace(stored, signoffs=signed))
    rows = {(r.name, r.role, r.decision) for r in b.reviews}
    assert ("Otto Ops <otto@example.org>", "Head of Ops", "no-go") in rows  # the approver's role kept
    assert ("Otto Opsworth", "SRE", "go") in rows  # someone else, listed on their own line
    assert ("Ann Approver", "CTO", "") in rows  # not signed yet: a blank line to sign
    assert b.decision.startswith("NO-GO: ")
    assert b.prepared_source == "git config user.name and user.email"


def test_pdf_to_standard_output_is_a_usage_error(audited: Path) -> None:
    proc = golive(audited, "report", "1", "--format", "pdf")
    assert proc.returncode == 2 and "--format pdf writes a file: give -o report.pdf" in proc.stderr


def test_sarif_and_junit_carry_the_sha256_too(audited: Path) -> None:
    from golive.reports import junit, markdown, sarif

    with History(audited / ".golive" / "history.sqlite", create=False) as db:
        stored = db.load(1)
    sha = stored.sha256
    assert sha and json.loads(sarif.render(stored))["runs"][0]["properties"]["auditSha256"] == sha
    assert f'<property name="audit-sha256" value="{sha}" />' in junit.render(stored)
    assert f"SHA-256 of the audit's JSON: `{sha}`" in markdown.render(stored)
