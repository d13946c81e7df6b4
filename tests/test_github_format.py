"""``--format github``: workflow-command annotations, escaped per GitHub's rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import GOOD_ENV
from msgspec.structs import replace

from golive.cli import app
from golive.model import Acceptance, Audit, CollectorRun, Finding, Location, Section, Severity, Status
from golive.reports import github

HOSTILE = Finding(
    id="GL112",
    section=Section.CRITICAL_SETTINGS,
    status=Status.FAIL,
    severity=Severity.HIGH,
    title="a secret: literal, 100% <script>",
    subjects=("API_TOKEN",),
    location=Location(path="conf/a,b:c.py", line=7),
    evidence=("API_TOKEN at conf/a,b:c.py:7: literal, 40 chars", "second\r\nline 50%"),
    remediation="Read it from the environment:\n\n    API_TOKEN = os.environ['API_TOKEN']",
    reference="https://docs.djangoproject.com/en/stable/howto/deployment/checklist/",
)


def make_audit(
    *findings: Finding, path: str = "/repo/site", collectors: tuple[CollectorRun, ...] = ()
) -> Audit:
    return Audit(
        golive_version="0",
        started_at="2026-11-22T10:00:00+00:00",
        duration=0.0,
        author="t",
        project_name="site",
        project_path=path,
        git_commit=None,
        git_dirty=None,
        settings_module="s",
        settings_reason="",
        django_version=None,
        python_version=None,
        collectors=collectors,
        findings=findings,
    )


def test_escaping_follows_githubs_toolkit() -> None:
    assert github.escape_data("100%\r\n: ,") == "100%25%0D%0A: ,"
    assert github.escape_property("100%\r\n: ,") == "100%25%0D%0A%3A %2C"


def test_failing_finding_becomes_an_error_on_its_file_and_line() -> None:
    text = github.render(make_audit(HOSTILE, path="/repo/site"), cwd=Path("/repo"))
    lines = text.splitlines()
    assert lines[0] == (
        "::error file=site/conf/a%2Cb%3Ac.py,line=7,title=GL112 a secret%3A literal%2C 100%25 <script>::"
        "API_TOKEN at conf/a,b:c.py:7: literal, 40 chars%0Asecond%0D%0Aline 50%25%0A"
        "Fix: Read it from the environment:%0A"
        "https://docs.djangoproject.com/en/stable/howto/deployment/checklist/"
    )
    assert lines[-1] == "::notice title=golive audit::golive: 1 high failing; exit status 1"
    assert len(lines) == 2


def test_levels_accepted_errors_and_collectors() -> None:
    medium = replace(
        HOSTILE,
        id="GL302",
        severity=Severity.MEDIUM,
        location=None,
        evidence=("seen",),
        remediation="",
        reference="",
    )
    low = replace(medium, id="GL303", severity=Severity.LOW)
    accepted = replace(
        HOSTILE, id="GL201", accepted=Acceptance(by="J", on="2026-01-01", expires="2099-01-01", reason="r")
    )
    crashed = replace(medium, id="GL401", status=Status.ERROR, reason="check crashed: KeyError: 'x'")
    passed = replace(medium, id="GL402", status=Status.PASS)
    broken = CollectorRun(name="nginx", status="error", reason="nginx.conf:3: unexpected '}'")
    text = github.render(
        make_audit(medium, low, accepted, crashed, passed, collectors=(broken,), path="/elsewhere"),
        cwd=Path("/repo"),
    )
    assert text.splitlines() == [
        "::warning title=GL302 a secret%3A literal%2C 100%25 <script>::seen",
        "::notice title=GL303 a secret%3A literal%2C 100%25 <script>::seen",
        "::warning title=GL401 a secret%3A literal%2C 100%25 <script> (check crashed)::"
        "seen%0Acheck crashed: KeyError: 'x'",
        "::warning title=golive%3A nginx could not be read::nginx.conf:3: unexpected '}'",
        "::notice title=golive audit::golive: 1 medium, 1 low failing; exit status 3 (incomplete)",
    ]


def test_cli_prints_annotations_to_stdout_without_o(make_project, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GOOD_ENV.items():
        monkeypatch.setenv(key, value)
    project = make_project('ALLOWED_HOSTS = ["*"]\n')
    monkeypatch.chdir(project.parent)
    result = CliRunner().invoke(app, ["audit", "proj", "-q", "--no-history", "--format", "github"])
    assert result.exit_code == 1
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    gl201 = [line for line in annotations if "title=GL201 " in line]
    assert len(gl201) == 1
    assert gl201[0].startswith(
        "::error file=proj/site_conf/settings/production.py,line=2,"
        "title=GL201 ALLOWED_HOSTS accepts any host::ALLOWED_HOSTS = ['*']%0AFix: "
    )
    assert annotations[-1].startswith("::notice title=golive audit::golive: 1 high")
    assert annotations[-1].endswith("failing; exit status 1")
