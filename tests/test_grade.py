"""The grade cannot be gamed (issue 14): coverage counts.

Through the real command line, with the history: a project whose settings failed to load
and whose nginx file did not parse gets no grade ("–, incomplete"), never one above the same
project audited completely; the hardened example, with an unsigned high manual item
(backups), is capped at B; an audit stored in the older format keeps the grade it was
stored with.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, GOOD_ENV, build_project
from msgspec.structs import replace
from test_reports import hostile_audit

from golive.history.grade import GRADE_HELP, grade
from golive.history.store import History
from golive.model import Attestation, Severity, Status
from golive.reports import json_report


def golive(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **GOOD_ENV, "COLUMNS": "200", **(env or {})},
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def history_of(report: Path) -> dict:  # type: ignore[type-arg]
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["history"] is not None
    return data["history"]  # type: ignore[no-any-return]


BROKEN_NGINX = "server {\n    listen 80;\n    bogus_directive on;\n}\n"
GOOD_NGINX = """
server {
    listen 80 default_server;
    server_name _;
    return 444;
}
"""


def test_an_incomplete_audit_never_scores_above_the_complete_one(tmp_path: Path) -> None:
    project = build_project(
        tmp_path / "proj", 'SECRET_KEY = os.environ["GOLIVE_GRADE_KEY"]\nALLOWED_HOSTS = ["*"]\n'
    )
    database = tmp_path / "h.sqlite"
    nginx = tmp_path / "site.conf"
    nginx.write_text(BROKEN_NGINX, encoding="utf-8")
    first = tmp_path / "first.json"
    proc = golive("audit", str(project), "--history", str(database), "--nginx", str(nginx), "-o", str(first))
    data = json.loads(first.read_text(encoding="utf-8"))
    assert (proc.returncode, data["verdict"]) == (3, "INCOMPLETE")
    assert [c["name"] for c in data["collectors"] if c["status"] == "error"] == ["runtime", "nginx"]
    h = history_of(first)
    assert (h["grade"], h["score"], h["incomplete"], h["grade_note"]) == (None, None, True, "incomplete")
    assert "grade –, incomplete" in proc.stdout

    nginx.write_text(GOOD_NGINX, encoding="utf-8")
    env_file = tmp_path / "audit.env"
    env_file.write_text(f"GOLIVE_GRADE_KEY={secrets.token_urlsafe(50)}\n", encoding="utf-8")
    second = tmp_path / "second.json"
    proc = golive(
        "audit",
        str(project),
        "--history",
        str(database),
        "--nginx",
        str(nginx),
        "--env-file",
        str(env_file),
        "-o",
        str(second),
    )
    data = json.loads(second.read_text(encoding="utf-8"))
    assert data["verdict_details"]["incomplete"] == [], data["verdict_reason"]
    h = history_of(second)
    assert h["grade"] in ("A", "B", "C", "D", "F") and isinstance(h["score"], int)
    assert h["coverage"]["ran"] > history_of(first)["coverage"]["ran"]
    # the trend holds no score for the incomplete audit: it cannot rank above this one
    assert (h["trend"][0]["grade"], h["trend"][0]["score"]) == (None, None)
    listing = golive("history", str(project), "--history", str(database))
    rows = [" ".join(line.split()) for line in listing.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert " – incomplete" in rows[0] and f" {h['grade']} {h['score']}" in rows[1], listing.stdout


@pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import psycopg"], capture_output=True).returncode != 0,
    reason="the hardened example's settings need psycopg (its requirements.txt) to load",
)
def test_the_hardened_example_with_unsigned_backups_is_capped_at_b(tmp_path: Path) -> None:
    project = tmp_path / "bookshop-hardened"
    shutil.copytree(
        EXAMPLES / "bookshop-hardened",
        project,
        ignore=shutil.ignore_patterns("db.sqlite3", ".golive", "__pycache__"),
    )
    env_file = tmp_path / "audit.env"
    subprocess.run([sys.executable, str(project / "deploy" / "make_audit_env.py"), str(env_file)], check=True)
    report = tmp_path / "report.json"
    proc = golive("audit", str(project), "--env-file", str(env_file), "--no-git", "-o", str(report))
    data = json.loads(report.read_text(encoding="utf-8"))
    assert (proc.returncode, data["verdict"]) == (0, "GO WITH CONDITIONS")
    assert ("GL222", "high") in [
        (f["id"], f["severity"]) for f in data["findings"] if f["status"] == "manual"
    ]
    h = history_of(report)
    assert (h["grade"], h["score"]) == ("B", 80)
    assert h["grade_note"].startswith("at most 80 until GL222")
    assert h["grade_formula"] == GRADE_HELP
    # the formula is in the report itself, one line
    page = tmp_path / "report.html"
    golive("report", "latest", "--project", str(project), "-o", str(page))
    assert f'<p class="note grade-formula">{GRADE_HELP}</p>' in page.read_text(encoding="utf-8")


def test_the_cap_and_no_grade_as_units() -> None:
    audit = hostile_audit()
    assert grade(audit).letter is None  # an nginx error and a crashed check: no grade
    complete = replace(
        audit,
        collectors=tuple(replace(c, status="ok", reason="") for c in audit.collectors),
        findings=tuple(f for f in audit.findings if f.status is not Status.ERROR and f.id != "GL101"),
    )
    g = grade(complete)  # a medium and two lows failing (91), GL222 (high) unsigned: at most 80
    assert (g.score, g.letter, g.note) == (80, "B", "at most 80 until GL222 is signed")
    att = Attestation(check_id="GL222", by="Ops", on="2026-01-02")
    signed = replace(
        complete,
        findings=tuple(
            replace(f, status=Status.PASS, attestation=att) if f.id == "GL222" else f
            for f in complete.findings
        ),
    )
    assert (grade(signed).score, grade(signed).letter) == (91, "A")
    low_manual = replace(
        complete,
        findings=tuple(
            replace(f, severity=Severity.MEDIUM) if f.id == "GL222" else f for f in complete.findings
        ),
    )
    assert grade(low_manual).score == 91  # only high and critical manual items cap it
    no_settings = replace(
        signed,
        collectors=tuple(
            replace(c, status="skipped", reason="switched off with --no-runtime")
            if c.name == "runtime"
            else c
            for c in signed.collectors
        ),
    )
    assert (grade(no_settings).letter, str(grade(no_settings))) == (None, "–, settings not audited")


def test_an_audit_stored_in_the_older_format_keeps_its_grade(tmp_path: Path) -> None:
    database = tmp_path / "h.sqlite"
    with History(database):
        pass
    old = json.loads(json_report.render(hostile_audit()))
    for key in ("verdict", "verdict_reason", "verdict_details"):
        del old[key]
    for f in old["findings"]:
        del f["locations"]
    old["schema_version"] = 1
    old["history"] = {
        "id": 1,
        "database": str(database),
        "previous_id": None,
        "previous_started_at": None,
        "new": [],
        "fixed": [],
        "unchanged": [],
        "unverified": [],
        "trend": [
            {
                "id": 1,
                "started_at": old["started_at"],
                "failing": 4,
                "score": 95,
                "grade": "A",
                "incomplete": True,
            }
        ],
        "score": 95,
        "grade": "A",
        "incomplete": True,
    }
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO audits (started_at, project_name, project_path, settings_module, author, git_commit,"
            " git_dirty, failing_by_severity, failing, score, grade, incomplete, report)"
            " VALUES (?, 'p', '/p', 's', 'a', NULL, NULL, '{}', 4, 95, 'A', 1, ?)",
            (old["started_at"], json.dumps(old)),
        )
    listing = golive("history", str(tmp_path), "--history", str(database))
    assert "A 95 incomplete" in " ".join(listing.stdout.split())
    out = tmp_path / "old.md"
    proc = golive("report", "1", "--project", str(tmp_path), "--history", str(database), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")
    assert "## Verdict: NO-GO" in text  # decided again: the old report had no verdict
    assert "Grade A (95/100), incomplete." in text  # the grade it was stored with


def test_a_settings_module_that_does_not_exist_stores_nothing(tmp_path: Path) -> None:
    # issue 14: `--settings nope.mod` stored an audit graded C; it is a usage error now
    project = build_project(tmp_path / "proj")
    proc = golive("audit", str(project), "--settings", "nope.mod")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("golive: error: --settings: no module nope.mod in the project directory")
    assert not (project / ".golive").exists()
