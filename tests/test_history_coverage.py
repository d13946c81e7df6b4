"""What the history scan covered (issue 11, item 9; GL127).

A real repository with two branches and a tag, and real clones of it: a full clone
scans every commit of every ref and says which; a CI-style shallow clone
(``git clone --depth 1 file://...``) cannot see the commit that added and removed a
password, so the history checks say "skipped" with the fix (``fetch-depth: 0``), never
pass, and GL127 says how much was scanned.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import audit_project, failing, outcome
from rich.console import Console
from test_git_secrets import GIT_ENV, commit, git, rand, start_repo

from golive.model import Audit, Severity, Status
from golive.reports import html, markdown
from golive.reports.terminal import render_console

DB_PW = "db-" + rand(20)


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = start_repo(tmp_path_factory.mktemp("coverage") / "shop")
    commit(root, "Start", "2024-01-01T10:00:00+00:00", {})
    commit(
        root,
        "Database password for the demo",
        "2024-01-02T10:00:00+00:00",
        {"deploy/demo.env": f"DB_PASSWORD={DB_PW}\n"},
    )
    commit(root, "Remove the demo env", "2024-01-03T10:00:00+00:00", {"deploy/demo.env": None})
    git(root, "tag", "v1.0")
    git(root, "checkout", "-q", "-b", "feature")
    commit(root, "A feature", "2024-01-04T10:00:00+00:00", {"shop/feature.py": "X = 1\n"})
    git(root, "checkout", "-q", "main")
    return root


def _audit(root: Path) -> Audit:
    return audit_project(root, no_runtime=True, no_history=True)


def _clone(origin: Path, dest: Path, *args: str) -> Path:
    subprocess.run(
        ["git", "clone", "-q", *args, f"file://{origin}", str(dest)],
        env={**os.environ, **GIT_ENV},
        check=True,
    )
    return dest


@pytest.mark.covers("GL127", "pass")
def test_a_full_repository_says_which_commits_and_refs_were_scanned(origin: Path) -> None:
    audit = _audit(origin)
    [f] = [f for f in audit.findings if f.id == "GL127"]
    assert f.status is Status.PASS
    assert f.evidence == ("scanned 4 commit(s) on all refs: 2 branch(es) (feature, main), 1 tag(s) (v1.0)",)
    assert [g.subjects for g in failing(audit, "GL122")] == [("DB_PASSWORD",)]


@pytest.mark.covers("GL127", "fail")
def test_a_shallow_clone_says_what_it_missed_and_how_to_fix_it(origin: Path, tmp_path: Path) -> None:
    clone = _clone(origin, tmp_path / "ci", "--depth", "1")
    audit = _audit(clone)
    [f] = [f for f in audit.findings if f.id == "GL127"]
    assert f.status is Status.FAIL
    assert f.evidence[0] == (
        "scanned 1 commit(s) on all refs (shallow clone):"
        " 1 branch(es) (main), 2 remote branch(es) (origin/HEAD, origin/main), 1 tag(s) (v1.0)"
    )
    assert f.evidence[1].startswith("shallow clone: the history before ")
    assert "fetch-depth: 0" in f.evidence[1]
    assert "git fetch --unshallow" in f.evidence[1]
    # The password was added and removed before the boundary: never a silent pass.
    assert outcome(audit, "GL122") == [Status.SKIPPED]
    [gl122] = [g for g in audit.findings if g.id == "GL122"]
    assert "fetch-depth: 0" in gl122.reason


def test_every_report_says_what_the_history_scan_covered(origin: Path) -> None:
    audit = _audit(origin)
    scanned = "scanned 4 commit(s) on all refs: 2 branch(es) (feature, main), 1 tag(s) (v1.0)"
    [git_run] = [c for c in audit.collectors if c.name == "git"]
    assert "scanned " + str(git_run.details["scanned"]) == scanned
    assert scanned in markdown.render(audit)
    assert scanned in html.render(audit)
    console = Console(record=True, width=400)
    render_console(audit, console)
    assert f"git: {scanned}" in console.export_text()


@pytest.mark.covers("GL127", "fail")
def test_a_clone_missing_a_few_old_objects_is_a_low_coverage_note(origin: Path, tmp_path: Path) -> None:
    # a snapshot or partial clone: the old demo.env blob is gone, the rest is scanned. That
    # is a statement about the audit's coverage, not a deployment problem: low, with its fix
    clone = tmp_path / "snapshot"
    subprocess.run(
        ["git", "clone", "-q", "--no-hardlinks", str(origin), str(clone)],
        env={**os.environ, **GIT_ENV},
        check=True,
    )
    blob = git(clone, "rev-parse", "v1.0~1:deploy/demo.env").strip()
    (clone / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    audit = _audit(clone)
    [f] = [f for f in audit.findings if f.id == "GL127"]
    assert (f.status, f.severity, f.subjects) == (Status.FAIL, Severity.LOW, ("git history",))
    assert f.evidence[0].startswith("scanned 4 commit(s) on all refs: ")
    # the commit that added the blob and the one that removed it both need it
    assert f.evidence[1].startswith(
        "2 commit(s) could not be read completely (objects missing from this clone: "
    )
    assert f.evidence[1].endswith("); the rest was scanned")
    assert "fetch-depth" not in f.remediation
    assert "git fetch --refetch" in f.remediation
