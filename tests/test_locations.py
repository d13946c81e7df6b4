"""Findings that repeat per listener or per file are one finding with every location (issue 13).

The IPv4 and IPv6 ``listen`` of one server, the same rule on several files, the same finding
repeated on one path:line: one finding, ``location`` the first place, ``locations`` all of
them (JSON schema version 2), every location in SARIF, the identity (``key``) taken from the
first. Stored audits of schema version 1 and baselines written before still load: their
repeats are merged on load and an old baseline's per-location entries still accept.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
from conftest import audit_project, build_project, failing

from golive import baseline as bl
from golive.model import Audit, Finding, Location, Section, Severity, Status
from golive.reports import json_report, markdown, sarif


def merge_repeats(findings: list[Finding]) -> list[Finding]:
    """golive.repeats.merge_repeats (imported here: the module is new with this test)."""
    from golive.repeats import merge_repeats as merge

    return merge(findings)


CONF = Path(__file__).resolve().parent / "fixtures" / "nginx" / "locations" / "dual_stack.conf"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("locations") / "proj")


@pytest.fixture(scope="module")
def dual(project: Path) -> Audit:
    return audit_project(project, nginx=(CONF,))


def test_ipv4_and_ipv6_listen_of_one_server_are_one_finding(dual: Audit) -> None:
    [gl701] = failing(dual, "GL701")
    assert gl701.location == Location(path=str(CONF), line=2)
    assert gl701.locations == (Location(path=str(CONF), line=2), Location(path=str(CONF), line=3))
    assert [line.split(": the default server", 1)[0] for line in gl701.evidence] == [
        "listen *:80",
        "listen [::]:80",
    ]
    assert gl701.key == f"GL701|default_server,listen|{CONF}"


def test_json_carries_every_location_and_validates(dual: Audit) -> None:
    data = json_report.to_dict(dual)
    assert data["schema_version"] == 2
    jsonschema.Draft202012Validator(json_report.schema()).validate(data)
    [gl701] = [f for f in data["findings"] if f["id"] == "GL701"]
    assert gl701["location"] == {"path": str(CONF), "line": 2}
    assert gl701["locations"] == [{"path": str(CONF), "line": 2}, {"path": str(CONF), "line": 3}]
    again = json_report.from_dict(json.loads(json_report.render(dual)))
    assert [f for f in again.findings if f.id == "GL701"] == failing(dual, "GL701")


def test_sarif_result_has_every_location(dual: Audit) -> None:
    log = json.loads(sarif.render(dual))
    [result] = [r for r in log["runs"][0]["results"] if r["ruleId"] == "GL701"]
    lines = [loc["physicalLocation"]["region"]["startLine"] for loc in result["locations"]]
    assert lines == [2, 3]


def test_markdown_lists_every_location(dual: Audit) -> None:
    text = markdown.render(dual)
    assert f"`{CONF}:2`, `{CONF}:3`" in text


def finding(line: int | None, path: str = "settings/prod.py", evidence: str = "seen") -> Finding:
    return Finding(
        id="GL121",
        section=Section.CRITICAL_SETTINGS,
        status=Status.FAIL,
        severity=Severity.HIGH,
        title="a credential is committed",
        subjects=("EMAIL_HOST_PASSWORD",),
        location=Location(path=path, line=line) if line else None,
        evidence=(evidence,),
    )


def test_the_same_finding_on_one_path_line_is_one_location() -> None:
    merged = merge_repeats([finding(4, "README.md")] * 4)
    assert merged == [finding(4, "README.md")]
    assert merged[0].locations == (Location(path="README.md", line=4),)


def test_the_same_rule_on_several_files_is_one_finding_and_other_statuses_stay() -> None:
    files = [finding(2, f"settings/{name}.py", f"{name}.py:2 EMAIL_HOST_PASSWORD = '...'") for name in "abc"]
    other = Finding(
        id="GL121", section=Section.CRITICAL_SETTINGS, status=Status.PASS, severity=Severity.HIGH, title="ok"
    )
    [merged, passed] = merge_repeats([*files, other])
    assert passed == other
    assert merged.locations == tuple(f.location for f in files if f.location)
    assert merged.evidence == tuple(f.evidence[0] for f in files)
    assert merged.key == files[0].key


def test_a_stored_schema_1_audit_loads_merged_and_re_renders(dual: Audit) -> None:
    data = json_report.to_dict(dual)
    data["schema_version"] = 1
    old_findings = []
    for f in data["findings"]:
        locations = f.pop("locations")
        if len(locations) > 1:  # as golive wrote it before: one finding per location
            for loc, line in zip(locations, f["evidence"], strict=True):
                old_findings.append({**f, "location": loc, "evidence": [line]})
        else:
            old_findings.append(f)
    data["findings"] = old_findings
    assert len([f for f in old_findings if f["id"] == "GL701"]) == 2
    loaded = json_report.from_dict(data)
    assert [f for f in loaded.findings if f.id == "GL701"] == failing(dual, "GL701")
    assert "GL701" in markdown.render(loaded)


def entry(path: str, expires: dt.date) -> bl.Entry:
    return bl.Entry(
        id="GL121",
        subjects=("EMAIL_HOST_PASSWORD",),
        path=path,
        title="a credential is committed",
        reason="rotated, ticket OPS-9",
        by="Jane Ops",
        on=dt.date(2026, 11, 1),
        expires=expires,
    )


def test_an_old_baseline_with_an_entry_per_file_still_accepts_the_merged_finding() -> None:
    today = dt.date(2026, 12, 1)
    later = today + dt.timedelta(days=30)
    [merged] = merge_repeats([finding(2, "settings/a.py"), finding(2, "settings/b.py")])
    both = [entry("settings/a.py", later), entry("settings/b.py", later)]
    [accepted], counts = bl.apply([merged], both, today, "golive-baseline.toml")
    assert accepted.accepted is not None and not accepted.failing
    assert counts["unmatched"] == 0
    # an entry for one file only does not accept the other file's occurrence
    [open_], _ = bl.apply([merged], [entry("settings/b.py", later)], today, "golive-baseline.toml")
    assert open_.failing
    # a baseline written now has one entry, keyed on the first location
    [new] = bl.entries_for([merged], by="Jane Ops", reason="rotated", on=today, expires=later)
    assert new.key == merged.key
    [again], _ = bl.apply([merged], [new], today, "golive-baseline.toml")
    assert again.accepted is not None
