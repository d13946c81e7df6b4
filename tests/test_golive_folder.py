"""golive's own files stay out of git and out of its findings (issue 9, item 10d).

The ``.golive/`` folder golive creates in the project (the history database, the backup
verification record, screenshots) ignores itself: it holds a ``.gitignore`` of ``*``, so
a plain ``git add -A`` leaves it out. A history database committed anyway (before this
rule, or with ``git add -f``), or kept elsewhere with ``--history``, is golive's own file:
the committed-database check (GL126) never reports it. On real git repositories, through
the real CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import GOOD_ENV, build_project
from test_git_secrets import git

from golive.collectors.backups import record


def golive(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", "audit", "--no-runtime", "--no-host", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **GOOD_ENV},
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def repo(root: Path) -> Path:
    build_project(root)
    git(root, "-c", "init.defaultBranch=main", "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


def test_the_history_folder_ignores_itself(tmp_path: Path) -> None:
    project = repo(tmp_path / "proj")
    proc = golive(str(project), "-q")
    assert proc.returncode in (0, 1), proc.stderr
    assert (project / ".golive" / "history.sqlite").is_file()
    assert (project / ".golive" / ".gitignore").read_text(encoding="utf-8") == "*\n"
    git(project, "add", "-A")
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(project, "ls-files", ".golive") == ""


def test_the_backup_record_folder_ignores_itself(tmp_path: Path) -> None:
    project = repo(tmp_path / "proj")
    verification = record.Verification(
        verified_at="2026-11-22T10:00:00+00:00",
        ok=True,
        dump="/var/backups/shop.dump",
        dump_size=1,
        dump_sha256="0" * 64,
        dump_modified="2026-11-22T09:00:00+00:00",
        dump_format="custom",
        server="127.0.0.1:5432",
        live_database="shop",
        scratch_database="golive_restore_check",
    )
    path = record.write(project, verification)
    assert path == project / ".golive" / "backup-verified.json"
    assert (project / ".golive" / ".gitignore").read_text(encoding="utf-8") == "*\n"
    assert git(project, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_committed_history_database_is_not_reported(tmp_path: Path) -> None:
    project = repo(tmp_path / "proj")
    assert golive(str(project), "-q").returncode in (0, 1)
    assert golive(str(project), "-q", "--history", str(project / "audits" / "golive.sqlite")).returncode in (
        0,
        1,
    )
    git(project, "add", "-f", ".golive/history.sqlite", "audits/golive.sqlite")
    git(project, "commit", "-q", "-m", "history, committed by mistake")
    report = tmp_path / "report.json"
    proc = golive(
        str(project), "-q", "--history", str(project / "audits" / "golive.sqlite"), "-o", str(report)
    )
    assert proc.returncode in (0, 1), proc.stderr
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    gl126 = [f for f in findings if f["id"] == "GL126"]
    assert [f["status"] for f in gl126] == ["pass"], gl126
    mentioned = [
        f["id"] for f in findings if any("golive.sqlite" in e or ".golive" in e for e in f["evidence"])
    ]
    assert mentioned == []
