"""History: stored audits, "since last audit", grades, the trend, re-rendering, a damaged file."""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import GOOD_ENV, audit_project
from msgspec.structs import replace

from golive.cli import app
from golive.history.compare import compare
from golive.history.grade import grade
from golive.history.store import History, HistoryError, record
from golive.model import Audit, Finding, Location, Section, Severity, Status
from golive.reports import json_report

V1 = """
ALLOWED_HOSTS = ["*"]
SECURE_HSTS_SECONDS = 0
"""
# GL201 fixed; the HSTS line moved down (same finding); SESSION_COOKIE_SECURE newly off.
V2 = """
ALLOWED_HOSTS = ["shop.example.com"]


SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
"""


def keys(items: list[dict[str, object]]) -> list[object]:
    return [item["key"] for item in items]


def test_two_audits_show_new_fixed_and_unchanged(make_project, tmp_path: Path) -> None:
    project = make_project(V1)
    database = tmp_path / "h.sqlite"
    first = record(audit_project(project), database)
    assert first.history is not None
    assert first.history["id"] == 1 and first.history["previous_id"] is None
    assert first.history["new"] == [] and first.history["fixed"] == []

    (project / "site_conf/settings/production.py").write_text("from .base import *  # noqa\n" + V2)
    second = record(audit_project(project), database)
    h = second.history
    assert h is not None
    assert (h["id"], h["previous_id"], h["previous_started_at"]) == (2, 1, first.started_at)
    assert keys(h["new"]) == ["security.W012|SESSION_COOKIE_SECURE|site_conf/settings/production.py"]
    assert keys(h["fixed"]) == ["GL201|ALLOWED_HOSTS|site_conf/settings/production.py"]
    # failing both times: the HSTS findings (and whatever else both versions fail, unchanged too)
    failing_keys = [{f.key for f in a.findings if f.status is Status.FAIL} for a in (first, second)]
    assert set(keys(h["unchanged"])) == failing_keys[0] & failing_keys[1]
    assert {
        "GL302|SECURE_HSTS_PRELOAD,SECURE_HSTS_INCLUDE_SUBDOMAINS|site_conf/settings/base.py",
        "security.W004|SECURE_HSTS_SECONDS|site_conf/settings/production.py",
    } <= set(keys(h["unchanged"]))
    assert h["fixed"][0]["title"] == "ALLOWED_HOSTS accepts any host"
    assert h["fixed"][0]["severity"] == "high"
    # the line moved (4 → 6) but the finding is the same one
    assert [f.location for f in first.findings if f.id == "security.W004"] == [
        Location(path="site_conf/settings/production.py", line=4)
    ]
    assert [f.location for f in second.findings if f.id == "security.W004"] == [
        Location(path="site_conf/settings/production.py", line=6)
    ]
    assert [p["id"] for p in h["trend"]] == [1, 2]
    assert [p["failing"] for p in h["trend"]] == [
        sum(a.failing_by_severity().values()) for a in (first, second)
    ]
    assert (h["score"], h["grade"]) == (grade(second).score, grade(second).letter)

    with History(database) as db:
        assert [e.id for e in db.entries()] == [1, 2]
        assert db.resolve("latest") == 2 and db.resolve("previous") == 1
        assert db.load("latest") == second
        with pytest.raises(HistoryError, match="no audit #7"):
            db.resolve("7")


def test_unchanged_is_sorted_by_severity_then_key(make_project, tmp_path: Path) -> None:
    project = make_project(V1)
    database = tmp_path / "h.sqlite"
    record(audit_project(project), database)
    second = record(audit_project(project), database)
    assert second.history is not None
    unchanged = second.history["unchanged"]
    rank = {s.label: int(s) for s in Severity}
    assert unchanged == sorted(unchanged, key=lambda u: (-rank[u["severity"]], u["key"]))
    mine = [(u["severity"], u["id"]) for u in unchanged if u["id"] in ("GL201", "GL302", "security.W004")]
    assert mine == [("high", "GL201"), ("medium", "GL302"), ("medium", "security.W004")]
    assert second.history["new"] == [] and second.history["fixed"] == []


def _finding(cid: str, status: Status, subject: str = "DEBUG", line: int = 1) -> Finding:
    return Finding(
        id=cid,
        section=Section.CRITICAL_SETTINGS,
        status=status,
        severity=Severity.HIGH,
        title=f"{cid} title",
        subjects=(subject,),
        location=Location(path="settings.py", line=line),
    )


def _audit(*findings: Finding) -> Audit:
    return Audit(
        golive_version="0",
        started_at="2026-11-22T10:00:00+00:00",
        duration=0.0,
        author="t",
        project_name="p",
        project_path="/p",
        git_commit=None,
        git_dirty=None,
        settings_module="s",
        settings_reason="",
        django_version=None,
        python_version=None,
        collectors=(),
        findings=findings,
    )


def test_compare_matches_by_key_not_line_or_message() -> None:
    before = _audit(
        _finding("GL110", Status.FAIL, line=3),
        _finding("GL201", Status.FAIL, "ALLOWED_HOSTS"),
        _finding("GL301", Status.FAIL, "SECURE_SSL_REDIRECT"),
    )
    after = _audit(
        replace(_finding("GL110", Status.FAIL, line=30), title="other words", evidence=("changed",)),
        _finding("GL201", Status.PASS, ""),
        _finding("GL301", Status.SKIPPED, ""),
        _finding("GL112", Status.FAIL, "API_TOKEN"),
    )
    diff = compare(before, after)
    assert [f.key for f in diff.unchanged] == ["GL110|DEBUG|settings.py"]
    assert [f.key for f in diff.fixed] == ["GL201|ALLOWED_HOSTS|settings.py"]
    assert [f.key for f in diff.unverified] == ["GL301|SECURE_SSL_REDIRECT|settings.py"]
    assert [f.key for f in diff.new] == ["GL112|API_TOKEN|settings.py"]


@pytest.mark.parametrize(
    ("severities", "score", "letter"),
    [
        ((), 100, "A"),
        ((Severity.LOW, Severity.INFO), 98, "A"),
        ((Severity.HIGH,), 85, "B"),
        ((Severity.HIGH, Severity.HIGH), 70, "C"),
        ((Severity.CRITICAL,), 50, "D"),
        ((Severity.CRITICAL, Severity.MEDIUM), 45, "F"),
        ((Severity.CRITICAL,) * 3, 0, "F"),
    ],
)
def test_grade_formula(severities: tuple[Severity, ...], score: int, letter: str) -> None:
    findings = [replace(_finding(f"GL1{i:02d}", Status.FAIL), severity=s) for i, s in enumerate(severities)]
    g = grade(_audit(*findings, _finding("GL150", Status.PASS)))
    assert (g.score, g.letter, g.incomplete) == (score, letter, False)


def test_an_incomplete_audit_gets_no_grade() -> None:
    # issue 14: what an audit could not look at cannot raise its score
    g = grade(_audit(_finding("GL110", Status.ERROR)))
    assert (g.score, g.letter, g.incomplete, str(g)) == (None, None, True, "–, incomplete")


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GOOD_ENV.items():
        monkeypatch.setenv(key, value)


def _formats() -> list[str]:
    return [
        ext
        for ext, module in (
            (".json", "json_report"),
            (".md", "markdown"),
            (".html", "html"),
            (".sarif", "sarif"),
        )
        if importlib.util.find_spec(f"golive.reports.{module}") is not None
    ]


def test_rerender_from_history_equals_the_original(make_project, tmp_path: Path, cli_env: None) -> None:
    project = make_project(V1)
    runner = CliRunner()
    originals = [tmp_path / f"a{ext}" for ext in _formats()]
    args = ["audit", str(project), "-q", *(x for p in originals for x in ("-o", str(p)))]
    assert runner.invoke(app, args).exit_code == 1
    assert runner.invoke(app, args).exit_code == 1
    again = [tmp_path / f"b{ext}" for ext in _formats()]
    rerender = ["report", "latest", "--project", str(project), *(x for p in again for x in ("-o", str(p)))]
    result = runner.invoke(app, rerender)
    assert result.exit_code == 0, result.output
    for old, new in zip(originals, again, strict=True):
        assert old.read_bytes() == new.read_bytes(), new.name
    data = json.loads(originals[0].read_text())
    assert (data["history"]["id"], data["history"]["previous_id"]) == (2, 1)
    jsonschema.Draft202012Validator(json_report.schema()).validate(data)

    listing = runner.invoke(app, ["history", str(project)], env={"COLUMNS": "200"})
    assert listing.exit_code == 0, listing.output
    rows = [line.split() for line in listing.output.splitlines() if line.strip()[:1].isdigit()]
    # id, date, time, author (unknown (set --author)), commit, settings, crit, high, med, low, grade,
    # score, sha256
    sev = data["failing_by_severity"]
    counts = [str(sev[s]) for s in ("critical", "high", "medium", "low")]
    row = ["site_conf.settings.production", *counts, data["history"]["grade"], str(data["history"]["score"])]
    assert [(r[0], *r[-8:-1]) for r in rows] == [("1", *row), ("2", *row)]
    assert rows[-1][-1] == data["audit_sha256"][:12]  # the digest a signed copy is checked against
    assert sev["high"] == 1 and sev["medium"] >= 2  # GL201; GL302, security.W004
    n = sum(sev.values())
    assert f"failing ██  {n} → {n}" in listing.output


def test_damaged_history_warns_and_the_audit_still_runs(make_project, tmp_path: Path, cli_env: None) -> None:
    project = make_project(V1)
    damaged = project / ".golive" / "history.sqlite"
    damaged.parent.mkdir()
    damaged.write_bytes(b"this is not an SQLite database, it was truncated by a full disk" * 20)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["audit", str(project), "-q", "-o", str(out)])
    assert result.exit_code == 1  # GL201 is high: the audit ran and graded as usual
    warning = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warning == [
        f"golive: warning: history {damaged} cannot be used (file is not a database): move it away, or pass"
        " --history PATH or --no-history; this audit was not stored"
    ]
    data = json.loads(out.read_text())
    assert data["history"] is None
    assert [f["id"] for f in data["findings"] if f["status"] == "fail"] == [
        "GL201",
        "GL302",
        "security.W004",
    ]

    listing = CliRunner().invoke(app, ["history", str(project)])
    assert listing.exit_code == 2
    assert "cannot be used (file is not a database)" in listing.stderr


def test_no_history_stores_nothing_and_history_moves_it(make_project, tmp_path: Path, cli_env: None) -> None:
    project = make_project()
    runner = CliRunner()
    assert runner.invoke(app, ["audit", str(project), "-q", "--no-history"]).exit_code != 2
    assert not (project / ".golive").exists()
    elsewhere = tmp_path / "audits" / "h.sqlite"
    assert runner.invoke(app, ["audit", str(project), "-q", "--history", str(elsewhere)]).exit_code != 2
    assert not (project / ".golive").exists()
    with History(elsewhere) as db:
        stored = db.load("latest")
        g = grade(stored)
        assert [(e.id, e.grade, e.score, e.failing) for e in db.entries()] == [
            (1, g.letter, g.score, sum(stored.failing_by_severity().values()))
        ]
    missing = runner.invoke(app, ["report", "latest", "--project", str(project)])
    assert missing.exit_code == 2
    assert "no history at" in missing.stderr


def test_a_table_of_another_shape_is_a_clear_error(tmp_path: Path) -> None:
    database = tmp_path / "h.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE audits (id INTEGER PRIMARY KEY, other TEXT)")
    with History(database) as h, pytest.raises(HistoryError, match=r"cannot be used .*no such column"):
        h.entries()


def test_html_report_shows_since_last_audit_and_the_trend(tmp_path: Path) -> None:
    from golive.reports import html

    hostile = "<script>alert(1)</script>"
    database = tmp_path / "h.sqlite"
    record(_audit(_finding("GL201", Status.FAIL, "ALLOWED_HOSTS"), _finding("GL110", Status.FAIL)), database)
    second = record(
        _audit(
            _finding("GL201", Status.PASS, ""),
            _finding("GL110", Status.FAIL, line=9),
            replace(_finding("GL112", Status.FAIL, hostile), title=hostile),
        ),
        database,
    )
    page = html.render(second)
    section = page[page.index('<section id="since-last-audit">') : page.index('<h2 id="checklist">')]
    assert (
        "<strong>Grade C (70/100) · 3 of 3 checks ran</strong> · audit #2, compared with #1 of"
        " 2026-11-22T10:00:00+00:00." in section
    )
    rows = [
        (cells[0], cells[1])
        for cells in (
            [c.split(">", 1)[-1] for c in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr[^>]*><td>.*?</tr>", section)
        )
    ]
    assert rows == [("new", "GL112</code>"), ("fixed", "GL201</code>"), ("unchanged", "GL110</code>")]
    # on screen the unchanged rows are listed; printed, they are one line (804fce0)
    assert '<tr class="screen-only"><td>unchanged</td>' in section
    assert "1 failing findings unchanged since #1: each is in full below." in section
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert section.count("<svg ") == 1 and section.count("<circle ") == 2
    assert "http://" not in section.replace('xmlns="http://www.w3.org/2000/svg"', "")

    first_page = html.render(record(_audit(), tmp_path / "other.sqlite"))
    assert "the first one stored, nothing to compare with yet" in first_page


def test_terminal_line_since_last_audit(tmp_path: Path) -> None:
    from golive.history.compare import since_line

    database = tmp_path / "h.sqlite"
    first = record(_audit(_finding("GL201", Status.FAIL, "ALLOWED_HOSTS")), database)
    assert first.history is not None
    assert since_line(first.history) == "audit #1 stored · grade B (85/100) · 1 of 1 checks ran"
    second = record(_audit(_finding("GL201", Status.PASS, ""), _finding("GL301", Status.ERROR)), database)
    assert second.history is not None
    assert since_line(second.history) == (
        "audit #2 stored · since #1 (2026-11-22): 0 new, 1 fixed, 0 unchanged · grade –, incomplete"
        " · 1 of 2 checks ran"
    )
