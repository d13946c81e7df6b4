"""The baseline: accepted until expiry, failing after, stable against line shifts."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import GOOD_ENV, audit_project, failing

from golive import baseline as bl
from golive.cli import app
from golive.model import Acceptance, Status
from golive.reports import json_report

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

WILDCARD = 'ALLOWED_HOSTS = ["*"]\n'
TODAY = dt.date.today()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GOOD_ENV.items():
        monkeypatch.setenv(key, value)


def entry(expires: dt.date, **kw: object) -> bl.Entry:
    fields: dict[str, object] = {
        "id": "GL201",
        "subjects": ("ALLOWED_HOSTS",),
        "path": "site_conf/settings/production.py",
        "title": "ALLOWED_HOSTS accepts any host",
        "reason": "health checks from the load balancer, ticket OPS-7",
        "by": "Jane Ops",
        "on": dt.date(2026, 11, 1),
        "expires": expires,
    }
    fields.update(kw)
    return bl.Entry(**fields)  # type: ignore[arg-type]


def write_baseline(project: Path, *entries: bl.Entry) -> Path:
    path = project / bl.DEFAULT_NAME
    path.write_text(bl.dumps(entries), encoding="utf-8")
    return path


def test_baseline_command_writes_a_reviewable_file_and_later_audits_accept(
    make_project, cli_env: None
) -> None:
    project = make_project(WILDCARD)
    result = CliRunner().invoke(
        app,
        [
            "baseline",
            str(project),
            "--reason",
            "LB health checks",
            "--expires",
            "2099-03-01",
            "--by",
            "Jane Ops",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 added, 0 kept, accepted until 2099-03-01" in result.output
    text = (project / "golive-baseline.toml").read_text()
    assert text.startswith("# golive baseline: failing findings reviewed and accepted")
    assert tomllib.loads(text) == {
        "accepted": [
            {
                "id": "GL201",
                "subjects": ["ALLOWED_HOSTS"],
                "path": "site_conf/settings/production.py",
                "title": "ALLOWED_HOSTS accepts any host",
                "reason": "LB health checks",
                "by": "Jane Ops",
                "on": TODAY,
                "expires": dt.date(2099, 3, 1),
            }
        ]
    }

    audit = audit_project(project)
    [gl201] = failing(audit, "GL201")
    assert gl201.status is Status.FAIL
    assert gl201.accepted == Acceptance(
        by="Jane Ops",
        on=TODAY.isoformat(),
        expires="2099-03-01",
        reason="LB health checks",
        file="golive-baseline.toml",
    )
    assert gl201.reason == "accepted until 2099-03-01 by Jane Ops: LB health checks"
    assert not gl201.failing
    assert "GL201" not in [f.id for f in audit.blocking()]
    assert audit.failing_by_severity()["high"] == sum(
        1 for f in audit.findings if f.failing and f.severity.label == "high"
    )
    [run] = [c for c in audit.collectors if c.name == "baseline"]
    assert (run.status, dict(run.details)) == (
        "ok",
        {"path": "golive-baseline.toml", "entries": 1, "accepted": 1, "expired": 0, "unmatched": 0},
    )

    # a second run keeps the reviewed entry as it is
    again = CliRunner().invoke(app, ["baseline", str(project), "--reason", "other", "--days", "5"])
    assert again.exit_code == 0, again.output
    assert "0 added, 1 kept" in again.output
    assert tomllib.loads((project / "golive-baseline.toml").read_text())["accepted"][0]["reason"] == (
        "LB health checks"
    )


def test_expired_entry_fails_again_and_says_so(make_project) -> None:
    project = make_project(WILDCARD)
    write_baseline(project, entry(TODAY - dt.timedelta(days=1)))
    audit = audit_project(project)
    [gl201] = failing(audit, "GL201")
    assert gl201.accepted is None and gl201.failing
    expired = TODAY - dt.timedelta(days=1)
    assert gl201.reason == (
        f"baseline entry expired on {expired} (accepted by Jane Ops: health checks from the load balancer,"
        " ticket OPS-7)"
    )
    assert "GL201" in [f.id for f in audit.blocking()] and audit.exit_status == 1


def test_entry_is_accepted_on_its_expiry_day(make_project) -> None:
    project = make_project(WILDCARD)
    write_baseline(project, entry(TODAY))
    [gl201] = failing(audit_project(project), "GL201")
    assert gl201.accepted is not None and gl201.accepted.expires == TODAY.isoformat()


def test_matching_is_stable_against_line_shifts(make_project) -> None:
    project = make_project(WILDCARD)
    write_baseline(project, entry(dt.date(2099, 1, 1)))
    before = failing(audit_project(project), "GL201")
    shifted = "# a comment\nimport os  # noqa\n\n\n" + WILDCARD
    (project / "site_conf/settings/production.py").write_text("from .base import *  # noqa\n" + shifted)
    after = failing(audit_project(project), "GL201")
    assert [f.location.line for f in before if f.location] == [2]
    assert [f.location.line for f in after if f.location] == [6]
    assert [f.accepted is not None for f in before + after] == [True, True]


def test_entry_for_another_file_or_subject_does_not_match(make_project) -> None:
    project = make_project(WILDCARD)
    write_baseline(
        project,
        entry(dt.date(2099, 1, 1), path="site_conf/settings/base.py"),
        entry(dt.date(2099, 1, 1), subjects=("CSRF_TRUSTED_ORIGINS",)),
    )
    audit = audit_project(project)
    assert [f.accepted for f in failing(audit, "GL201")] == [None]
    [run] = [c for c in audit.collectors if c.name == "baseline"]
    assert run.details["unmatched"] == 2


def test_broken_baseline_accepts_nothing_and_marks_the_audit_incomplete(make_project) -> None:
    project = make_project(WILDCARD)
    (project / "golive-baseline.toml").write_text('[[accepted]]\nid = "GL201"\nreason = "x"\n')
    audit = audit_project(project)
    [run] = [c for c in audit.collectors if c.name == "baseline"]
    assert (run.status, run.reason) == (
        "error",
        "golive-baseline.toml: [[accepted]] entry 1 (GL201) needs expires = YYYY-MM-DD",
    )
    assert [f.accepted for f in failing(audit, "GL201")] == [None]
    assert audit.incomplete and audit.exit_status == 1


def test_explicit_baseline_path_and_missing_file(make_project, tmp_path: Path) -> None:
    project = make_project(WILDCARD)
    elsewhere = tmp_path / "reviewed.toml"
    elsewhere.write_text(bl.dumps([entry(dt.date(2099, 1, 1))]))
    audit = audit_project(project, baseline=elsewhere)
    assert [f.accepted.file for f in failing(audit, "GL201") if f.accepted] == [str(elsewhere)]
    missing = audit_project(project, baseline=tmp_path / "nope.toml")
    [run] = [c for c in missing.collectors if c.name == "baseline"]
    assert run.status == "error" and "nope.toml: cannot read it: No such file or directory" in run.reason


def test_accepted_findings_survive_the_json_report(make_project) -> None:
    project = make_project(WILDCARD)
    write_baseline(project, entry(dt.date(2099, 1, 1)))
    audit = audit_project(project)
    data = json.loads(json_report.render(audit))
    jsonschema.Draft202012Validator(json_report.schema()).validate(data)
    [gl201] = [f for f in data["findings"] if f["id"] == "GL201"]
    assert gl201["status"] == "fail"
    assert gl201["accepted"] == {
        "by": "Jane Ops",
        "on": "2026-11-01",
        "expires": "2099-01-01",
        "reason": "health checks from the load balancer, ticket OPS-7",
        "file": "golive-baseline.toml",
    }
    assert data["failing_by_severity"]["high"] == len(
        [
            f
            for f in data["findings"]
            if f["status"] == "fail" and not f["accepted"] and f["severity"] == "high"
        ]
    )
    assert json_report.from_dict(data).findings == audit.findings


def test_old_reports_without_the_new_fields_still_load(make_project) -> None:
    data = json.loads(json_report.render(audit_project(make_project())))
    del data["history"]
    for f in data["findings"]:
        del f["accepted"]
    jsonschema.Draft202012Validator(json_report.schema()).validate(data)
    audit = json_report.from_dict(data)
    assert audit.history is None and all(f.accepted is None for f in audit.findings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("accepted = 3", "accepted must be an array of tables"),
        ("[[accepted]]\nreason = 'x'\nexpires = 2030-01-01", 'entry 1 needs id = "GLnnn"'),
        ("[[accepted]]\nid = 'GL101'\nexpires = 2030-01-01", "entry 1 (GL101) needs reason"),
        ("[[accepted]]\nid = 'GL101'\nreason = 'r'\nexpires = 'soon'", "needs expires = YYYY-MM-DD"),
        (
            "[[accepted]]\nid = 'GL101'\nreason = 'r'\nexpires = 2030-01-01\nsubjects = 'X'",
            "subjects must be",
        ),
        ("[[accepted]\n", "not valid TOML"),
    ],
)
def test_bad_files_give_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "b.toml"
    path.write_text(text)
    with pytest.raises(bl.BaselineError) as err:
        bl.load(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_baseline_command_refuses_bad_expiry(make_project) -> None:
    project = make_project()
    for args, message in (
        (["--expires", "2000-01-01"], "--expires 2000-01-01 is in the past"),
        (["--expires", "2099-01-01", "--days", "3"], "give --expires or --days, not both"),
    ):
        result = CliRunner().invoke(app, ["baseline", str(project), "--reason", "r", *args])
        assert result.exit_code == 2
        assert result.stderr.strip() == f"golive: error: {message}"
