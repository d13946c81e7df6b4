"""The corpus scoring (benchmarks/corpus_score.py) on small made-up reports and tables."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import corpus_render as render
import corpus_score as cs
from corpus_services import PgTarget, pg_sql, pg_targets


def finding(
    fid: str = "GL101",
    *,
    status: str = "fail",
    severity: str = "high",
    title: str = "a title",
    subjects: tuple[str, ...] = (),
    path: str | None = None,
    line: int | None = None,
    evidence: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "id": fid,
        "section": "critical-settings",
        "status": status,
        "severity": severity,
        "title": title,
        "subjects": list(subjects),
        "location": {"path": path, "line": line} if path else None,
        "evidence": list(evidence),
        "collector": "settings",
    }


def table(*rows: dict[str, Any], **project: Any) -> dict[str, Any]:
    meta = {"name": "demo", "repo": "me/demo", "commit": "abc", **project}
    return {"project": meta, "row": list(rows)}


def row(key: str, verdict: str = "PROBLEM", **extra: Any) -> dict[str, Any]:
    return {"key": key, "item": key.upper(), "verdict": verdict, "section": "critical-settings", **extra}


def outcomes(card: cs.Scorecard) -> dict[str, str]:
    return {r.key: r.outcome for r in card.rows}


def alarms(card: cs.Scorecard) -> list[str]:
    return [a.id for a in card.false_alarms]


# -- matching criteria ----------------------------------------------------------------------------


def test_subjects_match_any_of_case_insensitively() -> None:
    crit = cs.Criteria.parse({"subjects": ["secret_key", "SECRET_KEY_FALLBACKS"]})
    assert crit is not None
    assert crit.matches(finding(subjects=("DEBUG", "SECRET_KEY")))
    assert not crit.matches(finding(subjects=("SECRET_KEY_FILE",)))  # exact subject, not a substring
    assert not crit.matches(finding())


def test_paths_match_location_tail_or_evidence() -> None:
    crit = cs.Criteria.parse({"paths": ["deploy/nginx.conf"]})
    assert crit is not None
    assert crit.matches(finding(path="deploy/nginx.conf", line=3))
    assert crit.matches(finding(path="./etc/deploy/nginx.conf"))
    assert crit.matches(finding(evidence=("server block in deploy/nginx.conf:12 has no TLS",)))
    assert not crit.matches(finding(path="deploy/nginx.conf.example"))
    assert not crit.matches(finding(path="nginx.conf"))


def test_paths_are_relative_to_the_repository_root_with_an_audited_prefix() -> None:
    crit = cs.Criteria.parse({"paths": ["src/app/settings.py"]})
    assert crit is not None
    assert not crit.matches(finding(path="app/settings.py"))
    assert crit.matches(finding(path="app/settings.py"), prefix="src")


def test_keywords_search_title_evidence_and_subjects() -> None:
    crit = cs.Criteria.parse({"keywords": ["Fallback", "default"]})
    assert crit is not None
    assert crit.matches(finding(title="SECRET_KEY has a FALLBACK literal"))
    assert crit.matches(finding(evidence=("os.environ.get('X', 'default')",)))
    assert crit.matches(finding(subjects=("DEFAULT_FROM_EMAIL",)))
    assert not crit.matches(finding(title="SECRET_KEY is short"))


def test_ids_are_prefixes() -> None:
    crit = cs.Criteria.parse({"ids": ["GL1", "security.W0"]})
    assert crit is not None
    assert crit.matches(finding("GL104"))
    assert crit.matches(finding("security.W004"))
    assert not crit.matches(finding("GL204"))


def test_every_given_criterion_must_hold() -> None:
    crit = cs.Criteria.parse({"subjects": ["SECRET_KEY"], "keywords": ["fallback"], "ids": ["GL1"]})
    assert crit is not None
    assert crit.matches(finding("GL104", subjects=("SECRET_KEY",), title="falls back: fallback literal"))
    assert not crit.matches(finding("GL204", subjects=("SECRET_KEY",), title="fallback literal"))
    assert not crit.matches(finding("GL104", subjects=("SECRET_KEY",), title="too short"))


def test_empty_or_absent_criteria_match_nothing() -> None:
    assert cs.Criteria.parse({}) is None
    assert cs.Criteria.parse(None) is None
    assert cs.Criteria.parse({"subjects": []}) is None
    assert cs.Criteria.parse({"subjects": "DEBUG"}) == cs.Criteria(subjects=("DEBUG",))


# -- scoring --------------------------------------------------------------------------------------


def test_found_partial_and_missed() -> None:
    t = table(
        row("secret-key", match={"subjects": ["SECRET_KEY"], "keywords": ["fallback"]}),
        row("debug", "RISKY DEFAULT", match={"subjects": ["DEBUG"]}),
        row("hsts", match={"subjects": ["SECURE_HSTS_SECONDS"]}, partial={"keywords": ["hsts"]}),
        row("backups", match={"keywords": ["backup"]}),
        row("static", "OK", match={"subjects": ["STATIC_ROOT"]}),
    )
    report = {
        "findings": [
            finding("GL104", subjects=("SECRET_KEY",), title="SECRET_KEY has a fallback literal"),
            finding("GL110", status="manual", subjects=("DEBUG",), title="DEBUG from the environment"),
            finding("GL301", status="skipped", severity="medium", title="HSTS not checked: no URL"),
            finding("GL900", status="pass", title="backups are configured"),
        ]
    }
    card = cs.score(report, t)
    assert outcomes(card) == {
        "secret-key": "found",
        "debug": "partial",
        "hsts": "partial",
        "backups": "missed",
    }
    assert (card.problems, card.found, card.partial, card.missed) == (4, 1, 2, 1)
    by = {r.key: r.by for r in card.rows}
    assert by["secret-key"] == ("GL104 fail high SECRET_KEY has a fallback literal",)
    assert by["backups"] == ()


def test_a_failing_partial_match_is_partial_not_found() -> None:
    t = table(row("hsts", match={"subjects": ["SECURE_HSTS_SECONDS"]}, partial={"keywords": ["hsts"]}))
    report = {"findings": [finding("GL301", title="HSTS preload missing", subjects=("SECURE_HSTS_PRELOAD",))]}
    card = cs.score(report, t)
    assert outcomes(card) == {"hsts": "partial"}
    assert alarms(card) == []  # explained by the row's partial: not a false alarm


def test_found_wins_over_partial() -> None:
    t = table(row("debug", match={"subjects": ["DEBUG"]}, partial={"subjects": ["DEBUG"]}))
    report = {
        "findings": [
            finding("GL110", status="manual", subjects=("DEBUG",)),
            finding("GL111", subjects=("DEBUG",)),
        ]
    }
    assert outcomes(cs.score(report, t)) == {"debug": "found"}


def test_a_passing_finding_never_counts() -> None:
    t = table(row("debug", match={"subjects": ["DEBUG"]}, partial={"subjects": ["DEBUG"]}))
    report = {"findings": [finding("GL110", status="pass", subjects=("DEBUG",))]}
    assert outcomes(cs.score(report, t)) == {"debug": "missed"}


def test_false_alarms_are_unexplained_failures_at_medium_or_above() -> None:
    t = table(
        row("debug", match={"subjects": ["DEBUG"]}),
        row("static", "OK", match={"subjects": ["STATIC_ROOT"]}),
        row("media", "N/A"),
    )
    report = {
        "findings": [
            finding("GL110", subjects=("DEBUG",)),
            finding("GL120", severity="medium", subjects=("STATIC_ROOT",), path="app/settings.py", line=40),
            finding("GL121", severity="critical", title="nginx serves /"),
            finding("GL122", severity="low", title="a nit"),
            finding("GL123", severity="info", title="a note"),
            finding("GL124", status="manual", severity="high", title="look at it"),
        ]
    }
    card = cs.score(report, t)
    assert alarms(card) == ["GL120", "GL121"]
    assert card.false_alarms[0] == cs.FalseAlarm(
        id="GL120", severity="medium", title="a title", where="app/settings.py:40"
    )
    assert card.false_alarms[1].where == ""


def test_a_problem_row_without_match_is_missed_and_flagged() -> None:
    t = table(row("secrets-in-repo"))
    card = cs.score({"findings": [finding("GL200", title="secret in history")]}, t)
    assert outcomes(card) == {"secrets-in-repo": "missed"}
    assert card.rows[0].note == "no match criteria"
    assert alarms(card) == ["GL200"]


def test_validate_table() -> None:
    t = table(
        row("debug", match={"subjects": ["DEBUG"], "subject": ["x"]}),
        row("debug", "MAYBE"),
        row("hsts"),
        {"verdict": "OK"},
    )
    del t["project"]["commit"]
    assert cs.validate_table(t) == [
        "[project] commit is missing",
        "debug: match has unknown criteria subject",
        "debug: key used twice",
        "debug: verdict 'MAYBE' is none of OK, PROBLEM, RISKY DEFAULT, N/A",
        "hsts: PROBLEM row without match criteria (can never be found)",
        "row 4: no key",
    ]
    assert cs.validate_table(table(row("debug", match={"subjects": ["DEBUG"]}))) == []


# -- leaks ----------------------------------------------------------------------------------------

SECRET = "Xq3v_9kLmN0pQrStUvWxYz-1234567890AbCd"


def test_leak_whole_and_slice() -> None:
    outputs = [
        ("run/golive.stdout", b"nothing here"),
        ("run/report.json", f'{{"evidence": "{SECRET}"}}'.encode()),
        ("run/report.md", f"SECRET_KEY = '{SECRET[5:17]}...'".encode()),
        ("src/.golive/history.sqlite", b"\x00\x01" + SECRET[-12:].encode() + b"\x00"),
    ]
    leaks = cs.find_leaks({"SECRET_KEY": SECRET, "EMPTY": ""}, outputs)
    assert [(x.secret, x.where, x.how) for x in leaks] == [
        ("SECRET_KEY", "run/report.json", "whole"),
        ("SECRET_KEY", "run/report.md", "12-character slice"),
        ("SECRET_KEY", "src/.golive/history.sqlite", "12-character slice"),
    ]
    assert SECRET not in repr(leaks)


def test_no_leak_for_an_11_character_slice() -> None:
    assert cs.find_leaks({"K": SECRET}, [("out", SECRET[:11].encode() + b"****")]) == []


# -- deployment files read ------------------------------------------------------------------------


def test_files_read_from_details_locations_and_evidence() -> None:
    report = {
        "collectors": [
            {"name": "gunicorn", "details": {"files": ["/cache/demo/src/deploy/gunicorn.conf.py"]}},
            {"name": "nginx", "details": {"configs": [{"path": "etc/nginx/site.conf"}]}},
        ],
        "findings": [
            finding(path="Dockerfile", line=3),
            finding(evidence=("uwsgi.ini:12: processes = 4",)),
        ],
        "inputs": {"env_file": "/cache/demo/run/audit.env"},
    }
    files = [
        "deploy/gunicorn.conf.py",
        "etc/nginx/site.conf",
        "Dockerfile",
        "uwsgi.ini",
        "docker-compose.yml",
        "deploy",
    ]
    assert cs.files_read(report, files) == {
        "deploy/gunicorn.conf.py": True,
        "etc/nginx/site.conf": True,
        "Dockerfile": True,
        "uwsgi.ini": True,
        "docker-compose.yml": False,
        "deploy": False,  # a folder name inside a path is not the file
    }


def test_files_read_with_an_audited_prefix() -> None:
    report = {"findings": [finding(path="gunicorn.conf.py")], "collectors": []}
    assert cs.files_read(report, ["src/gunicorn.conf.py"], prefix="src") == {"src/gunicorn.conf.py": True}


def test_files_seen_tells_discovered_from_read() -> None:
    report = {
        "collectors": [{"name": "nginx", "details": {"files": [{"path": "etc/nginx.conf"}]}}],
        "findings": [finding(path="uwsgi.ini", line=3)],
        "deployment_files": [
            {"path": "Dockerfile", "kind": "Dockerfile", "role": "unknown", "reason": "", "audited": True},
            {
                "path": "helm/values.yaml",
                "kind": "Helm chart",
                "role": "unknown",
                "reason": "",
                "audited": False,
            },
            {
                "path": "local.yml",
                "kind": "compose file",
                "role": "development",
                "reason": "",
                "audited": False,
            },
        ],
    }
    files = ["etc/nginx.conf", "uwsgi.ini", "Dockerfile", "helm/values.yaml", "local.yml", "Procfile"]
    assert cs.files_seen(report, files) == {
        "etc/nginx.conf": "read",  # a collector's details name it
        "uwsgi.ini": "read",  # a finding is located in it
        "Dockerfile": "read",  # listed as audited: a collector admitted it to read it
        "helm/values.yaml": "discovered",  # recognised, listed as not audited
        "local.yml": "discovered",  # seen and left out (development)
        "Procfile": "",  # the report never names it
    }


def test_files_seen_with_an_audited_prefix() -> None:
    report = {"deployment_files": [{"path": "Procfile", "audited": False}]}
    assert cs.files_seen(report, ["src/Procfile"], prefix="src") == {"src/Procfile": "discovered"}


def test_layer_counts_and_an_unknown_layer() -> None:
    tab = table(
        row("a", layer="appserver", match={"ids": ["GL6"]}),
        row("b", layer="appserver", match={"ids": ["GL61"]}, partial={"ids": ["GL6"]}),
        row("n", layer="nginx", match={"ids": ["GL7"]}),
        row("ok", verdict="OK", layer="nginx"),
        row("x", match={"ids": ["GL1"]}),
    )
    card = cs.score({"findings": [finding("GL640")]}, tab)
    assert {r.key: r.layer for r in card.rows} == {"a": "appserver", "b": "appserver", "n": "nginx", "x": ""}
    counts = cs.layer_counts(asdict(r) for r in card.rows)
    assert counts == {
        "appserver": {"found": 1, "partial": 1, "missed": 0, "total": 2},
        "nginx": {"found": 0, "partial": 0, "missed": 1, "total": 1},
    }
    assert cs.validate_table(table(row("y", layer="web", match={"ids": ["GL7"]}))) == [
        "y: layer 'web' is none of appserver, nginx"
    ]


# -- databases from the env -----------------------------------------------------------------------


def test_pg_targets_from_urls_and_db_variables() -> None:
    values = {
        "DATABASE_URL": "postgres://corpus:pw1@127.0.0.1:5432/demo",
        "OTHER_URL": "postgresql://localhost/second",
        "REMOTE": "postgres://u:p@db.example.com/remote",
        "CACHE": "redis://127.0.0.1:6379/0",
        "DB_NAME": "third",
        "DB_USER": "owner",
        "DB_PASSWORD": "pw3",
    }
    assert pg_targets(values) == [
        PgTarget("corpus", "pw1", "demo"),
        PgTarget("corpus", "", "second"),
        PgTarget("owner", "pw3", "third"),
    ]
    assert pg_targets({"DB_NAME": "db.sqlite3"}) == []


def test_pg_sql_quotes_names_and_passwords() -> None:
    sql = pg_sql(PgTarget("o'brien", "p'w", "my db"))
    assert "'o''brien'" in sql and "'p''w'" in sql and "'my db'" in sql
    assert "PASSWORD %L" in sql
    assert "PASSWORD" not in pg_sql(PgTarget("corpus", "", "demo"))


@pytest.mark.parametrize("severity", ["medium", "high", "critical"])
def test_every_severity_from_medium_is_an_alarm(severity: str) -> None:
    assert alarms(cs.score({"findings": [finding("GL1", severity=severity)]}, table())) == ["GL1"]


# -- totals and Markdown --------------------------------------------------------------------------


def _result(name: str, rows: list[str], alarms: int = 0, leaks: int = 0) -> dict[str, Any]:
    layers = {
        "appserver": {
            "found": rows.count("found"),
            "partial": 0,
            "missed": 1,
            "total": rows.count("found") + 1,
        },
        "nginx": {"found": 0, "partial": 0, "missed": 0, "total": 0},
    }
    return {
        "project": name,
        "status": "ran",
        "problems": len(rows),
        "found": rows.count("found"),
        "partial": rows.count("partial"),
        "rows": [
            {"key": f"k{i}", "item": "a | b\nc", "verdict": "PROBLEM", "outcome": o, "by": (), "note": ""}
            for i, o in enumerate(rows)
        ],
        "false_alarms": [{"id": "GL1", "severity": "high", "title": "t|x", "where": "a.py:1"}] * alarms,
        "leaks": [{"secret": "SECRET_KEY", "where": "run/report.md", "how": "whole"}] * leaks,
        "golive": {"exit": 1, "timeout": False, "wall": 10.0},
        "check_deploy": {"exit": 0, "wall": 2.0},
        "files_read": {"Dockerfile": True, "nginx.conf": False, "helm/values.yaml": False},
        "files_discovered": {"Dockerfile": True, "nginx.conf": True, "helm/values.yaml": False},
        "layers": layers,
    }


def test_totals_and_markdown() -> None:
    results = [
        _result("one", ["found", "missed", "partial"], alarms=2),
        _result("two", ["found"], leaks=1),
        {"project": "three", "status": "refused", "detail": "verdicts.toml is not committed"},
    ]
    total = render.totals(results)
    assert {k: total[k] for k in ("problems", "found", "partial", "missed", "false_alarms", "leaks")} == {
        "problems": 4,
        "found": 2,
        "partial": 1,
        "missed": 1,
        "false_alarms": 2,
        "leaks": 1,
    }
    assert (total["golive_wall"], total["check_deploy_wall"], total["ratio"]) == (20.0, 4.0, 5.0)
    md = render.render_markdown(results, total)
    assert "| one | 1/3 | 1 | 1 | 2 | 1 |  | 10.0 | 2.0 |  | 0 | 2/3 | 1/3 | 1/2 |  |" in md
    assert "| **total** | 2/4 | 1 | 1 | 2 |  |  | 20.0 | 4.0 | 5.0 | 1 | 4/6 | 2/6 | 2/4 |  |" in md
    assert "deployment files discovered: 4/6; read: 2/6" in md
    assert "app-server rows found: 2/4 (partial 0, missed 2)" in md
    assert "nginx rows found: 0/0 (partial 0, missed 0)" in md
    assert "- missed: `k1` a \\| b c (PROBLEM)" in md
    assert "- false alarm: GL1 high t\\|x (a.py:1)" in md
    assert "- LEAK: the secret of SECRET_KEY (whole) in run/report.md" in md
    assert "- note: verdicts.toml is not committed" in md
    assert "- deployment files discovered: 2/3" in md
    assert "- deployment files not discovered: helm/values.yaml" in md
    assert "- deployment files discovered, not shown read: nginx.conf" in md
