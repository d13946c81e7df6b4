"""The command line's contract: exit status 0/1/2/3 as `golive audit --help` documents it,
--fail-on, --select/--ignore by prefix, reports written. (Usage errors and incomplete
audits from bad input are in tests/test_bad_input.py.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOOD_ENV, build_project


def golive(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **GOOD_ENV},
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


def audit(project: Path, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    report = project.parent / f"{project.name}-report.json"
    proc = golive("audit", str(project), "--no-history", "-q", "-o", str(report), *args)
    assert proc.returncode != 2, proc.stderr
    return proc.returncode, json.loads(report.read_text(encoding="utf-8"))


def failing_ids(report: dict) -> list[str]:  # type: ignore[type-arg]
    return sorted(f["id"] for f in report["findings"] if f["status"] == "fail")


#: Only medium findings: HSTS for an hour (GL301) while preload asks for a year (GL302).
MEDIUM_ONLY = "SECURE_HSTS_SECONDS = 3600\n"


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cli")
    return {
        "hardened": build_project(root / "hardened"),
        "medium": build_project(root / "medium", MEDIUM_ONLY),
        "critical": build_project(root / "critical", "DEBUG = True\n"),
    }


def test_help_documents_the_exit_status() -> None:
    proc = golive("audit", "--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    for word in ("GO,", "GO WITH CONDITIONS", "NO-GO", "INCOMPLETE"):
        assert word in text
    assert "Exit status: 0 GO or GO WITH CONDITIONS;" in text
    assert "1 NO-GO (also when incomplete: failing findings take precedence);" in text
    assert "2 usage or configuration error (nothing audited);" in text
    assert "3 INCOMPLETE without failures (or a report could not be written)." in text
    assert "inputs not given (no --url, not on the server) are listed as not audited" in text


def test_exit_0_when_nothing_fails(projects: dict[str, Path]) -> None:
    code, report = audit(projects["hardened"])
    assert (code, report["exit_status"], report["incomplete"]) == (0, 0, False)
    assert failing_ids(report) == []


def test_exit_1_for_a_critical_failure(projects: dict[str, Path]) -> None:
    code, report = audit(projects["critical"])
    assert code == 1
    assert failing_ids(report) == ["GL110", "security.W018"]


def test_fail_on_medium_turns_a_medium_failure_into_exit_1(projects: dict[str, Path]) -> None:
    code, report = audit(projects["medium"])
    assert code == 0
    assert failing_ids(report) == ["GL301", "GL302"]
    assert {f["severity"] for f in report["findings"] if f["status"] == "fail"} == {"medium"}
    code, report = audit(projects["medium"], "--fail-on", "medium")
    assert (code, report["fail_on"]) == (1, "medium")


def test_fail_on_from_the_configuration(tmp_path: Path) -> None:
    project = build_project(
        tmp_path / "proj", MEDIUM_ONLY, files={"pyproject.toml": '[tool.golive]\nfail_on = "medium"\n'}
    )
    code, _ = audit(project)
    assert code == 1
    code, _ = audit(project, "--fail-on", "critical")  # the command line wins
    assert code == 0


def test_exit_2_for_a_usage_error(projects: dict[str, Path]) -> None:
    proc = golive("audit", str(projects["hardened"]), "--fail-on", "bogus")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "golive: error: --fail-on: unknown severity 'bogus' (one of: info, low, medium, high, critical)"
    )


def test_select_and_ignore_by_prefix(projects: dict[str, Path]) -> None:
    code, report = audit(projects["critical"], "--select", "GL1", "--select", "security.W01")
    ids = {f["id"] for f in report["findings"]}
    assert ids and all(i.startswith(("GL1", "security.W01")) for i in ids)
    assert code == 1
    code, report = audit(projects["critical"], "--ignore", "GL110", "--ignore", "security.")
    assert not [f for f in report["findings"] if f["id"] == "GL110" or f["id"].startswith("security.")]
    assert failing_ids(report) == []
    assert code == 0
    assert report["inputs"]["ignore"] == ["GL110", "security."]
