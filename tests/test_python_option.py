"""``--python`` names a file the way every command-line path does: relative to the current
directory (issue 9, item 10a). The README's ``golive audit PROJECT --python
.venv/bin/python`` works from the directory holding ``.venv``, wherever the project is;
``[tool.golive] python`` in the project's configuration stays relative to the project.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import GOOD_ENV, build_project


def interpreter(path: Path) -> Path:
    """A real interpreter at ``path``: a script that execs the test's (Django installed)."""
    path.parent.mkdir(parents=True)
    path.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n', encoding="utf-8")
    path.chmod(0o755)
    return path


def audit(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict]:  # type: ignore[type-arg]
    report = cwd / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", "audit", "--no-history", "-q", "-o", str(report), *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        env={**os.environ, **GOOD_ENV},
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc, json.loads(report.read_text(encoding="utf-8"))


def runtime(report: dict) -> dict:  # type: ignore[type-arg]
    return next(c for c in report["collectors"] if c["name"] == "runtime")


def test_a_relative_python_is_found_from_the_current_directory(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj")
    work = tmp_path / "work"
    interpreter(work / ".venv" / "bin" / "python")
    proc, report = audit(work, "../proj", "--python", ".venv/bin/python")
    assert runtime(report)["status"] == "ok", proc.stderr
    assert report["django_version"]
    assert "no such interpreter" not in proc.stderr
    assert not (project / ".venv").exists()


def test_a_relative_python_missing_from_the_current_directory_is_not_taken_from_the_project(
    tmp_path: Path,
) -> None:
    project = build_project(tmp_path / "proj")
    interpreter(project / "venv" / "bin" / "python")
    work = tmp_path / "work"
    work.mkdir()
    proc, report = audit(work, "../proj", "--python", "venv/bin/python")
    assert runtime(report)["status"] == "error"
    assert f"golive: runtime: --python {work / 'venv/bin/python'}: no such interpreter" in proc.stderr


def test_the_configured_python_stays_relative_to_the_project(tmp_path: Path) -> None:
    project = build_project(
        tmp_path / "proj", files={"pyproject.toml": '[tool.golive]\npython = "venv/bin/python"\n'}
    )
    interpreter(project / "venv" / "bin" / "python")
    work = tmp_path / "work"
    work.mkdir()
    proc, report = audit(work, "../proj")
    assert runtime(report)["status"] == "ok", proc.stderr
