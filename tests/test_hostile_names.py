"""Strings from the project cannot hijack golive's output (issue 9, item 4).

A committed file whose name holds an ECMA-48 control sequence (``ESC [ 2 J`` clears the
screen), a C1 CSI, a newline followed by ``::error::`` (a forged GitHub workflow
command) or `` ::warning::`` after a space (where a wrapped line would begin) is reported
by GL126. Every report shows the name with its control characters made visible
(``\\x1b``, ``\\n``), and under ``--format github`` no line of stdout begins with ``::``
but golive's own annotations. The JSON report stays the faithful record: it holds the
name as it is. All through the real CLI on a real git repository.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import GOOD_ENV, build_project
from test_git_secrets import commit, git

FORGED = "evil\x1b[2J\n::error::X.sqlite3"
WRAPPED = "notes ::warning::Y.sqlite3"
C1 = "c1\x9b31m\u202ebidi.sqlite3"
#: How each name reads once its control characters are made visible.
SHOWN = {
    FORGED: "evil\\x1b[2J\\n::error::X.sqlite3",
    WRAPPED: WRAPPED,
    C1: "c1\\x9b31m\\u202ebidi.sqlite3",
}
#: C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: golive's own annotation: ``::level props::`` with a title (properties percent-encode ``:``).
ANNOTATION = re.compile(r"^::(error|warning|notice) [^:]*title=[^:]*::")


def golive(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="strict",
        timeout=180,
        cwd=cwd,
        env={**os.environ, **GOOD_ENV, **env},
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = build_project(tmp_path_factory.mktemp("hostile") / "proj")
    git(root, "-c", "init.defaultBranch=main", "init", "-q")
    git(root, "add", "-A")
    commit(root, "start", "2026-01-01T10:00:00+00:00", {name: b"x" for name in SHOWN})
    return root


def forged_lines(stdout: str) -> list[str]:
    """Lines GitHub's runner would read as workflow commands (it trims leading blanks
    first) that golive did not write as annotations."""
    lines = stdout.splitlines()
    return [line for line in lines if line.lstrip().startswith("::") and not ANNOTATION.match(line)]


@pytest.mark.parametrize("columns", ["80", "60", "200"])
def test_github_format_stdout_holds_only_golives_own_commands(project: Path, columns: str) -> None:
    proc = golive(
        "audit", ".", "--no-runtime", "--no-history", "-v", "--format", "github", cwd=project, COLUMNS=columns
    )
    assert proc.returncode == 0, proc.stderr  # GL126 is medium
    assert forged_lines(proc.stdout) == []
    assert RAW_CONTROL.search(proc.stdout) is None
    gl126 = [line for line in proc.stdout.splitlines() if "title=GL126 " in line]
    assert len(gl126) == len(SHOWN)
    forged = next(line for line in gl126 if "X.sqlite3" in line)
    assert forged.startswith(
        "::warning file=evil\\x1b[2J%0A%3A%3Aerror%3A%3AX.sqlite3,title=GL126 a database dump"
    )
    assert "committed at HEAD" in forged and ": evil\\x1b[2J%0A::error::X.sqlite3 (SQLite" in forged


def test_terminal_shows_control_characters_escaped(project: Path) -> None:
    proc = golive("audit", ".", "--no-runtime", "--no-history", "-v", cwd=project, COLUMNS="200")
    assert proc.returncode == 0, proc.stderr  # GL126 is medium
    assert RAW_CONTROL.search(proc.stdout + proc.stderr) is None
    assert forged_lines(proc.stdout) == []
    for shown in SHOWN.values():
        assert re.search(r"subjects\s+" + re.escape(shown) + "$", proc.stdout, re.M), shown
        assert re.search(r"where\s+" + re.escape(shown) + "$", proc.stdout, re.M), shown


def test_reports_carry_no_raw_control_characters(project: Path, tmp_path: Path) -> None:
    out = {ext: tmp_path / f"report.{ext}" for ext in ("md", "html", "xml", "sarif", "json")}
    args = [arg for path in out.values() for arg in ("-o", str(path))]
    proc = golive("audit", ".", "--no-runtime", "--no-history", "-q", *args, cwd=project)
    assert proc.returncode == 0, proc.stderr  # GL126 is medium
    text = {ext: path.read_text(encoding="utf-8") for ext, path in out.items()}
    for ext in ("md", "html", "xml"):
        assert RAW_CONTROL.search(text[ext]) is None, ext
        assert "\r" not in text[ext], ext
    # Markdown: the location is a code span, the evidence escaped text.
    for name, shown in SHOWN.items():
        assert f"- **Where**: `{shown}`" in text["md"], name
        assert shown.replace("\\n", "\n") in text["html"], name  # HTML keeps newlines
    ET.fromstring(text["xml"].encode("utf-8"))  # well-formed XML 1.0
    assert not [line for line in text["md"].splitlines() if line.lstrip().startswith("::")]
    # JSON and SARIF escape controls as JSON does; JSON keeps the name as it is.
    report = json.loads(text["json"])
    paths = sorted(
        f["location"]["path"] for f in report["findings"] if f["id"] == "GL126" and f["status"] == "fail"
    )
    assert paths == sorted(SHOWN)
    sarif = json.loads(text["sarif"])
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for result in sarif["runs"][0]["results"]
        if result["ruleId"] == "GL126"
        for loc in result["locations"]
    }
    assert "evil%1B%5B2J%0A%3A%3Aerror%3A%3AX.sqlite3" in uris


def test_a_collector_error_naming_a_hostile_file_is_escaped_on_stdout_and_stderr(
    project: Path, tmp_path: Path
) -> None:
    conf = tmp_path / "n\x1b[2J\n::error::N.conf"
    conf.write_text("server {\n    listen 80;\n", encoding="utf-8")  # unterminated block
    proc = golive(
        "audit", ".", "--no-runtime", "--no-history", "--nginx", str(conf), "--format", "github", cwd=project
    )
    assert RAW_CONTROL.search(proc.stdout + proc.stderr) is None
    assert forged_lines(proc.stdout) == []
    assert forged_lines(proc.stderr) == []
    shown = r"n\\x1b\[2J(\\n| )::error::N\.conf:\d+: "  # the newline escaped, or a space already
    assert re.search(r"^golive: nginx: .*" + shown, proc.stderr, re.M), proc.stderr
    assert re.search(r"^  nginx error: .*" + shown, proc.stdout, re.M), proc.stdout


def test_golive_history_shows_a_hostile_author_escaped(tmp_path: Path) -> None:
    root = build_project(tmp_path / "proj")
    git(root, "-c", "init.defaultBranch=main", "init", "-q")
    git(root, "config", "user.name", "Eve\x1b]0;pwned\x07 [bold]x[/bold]")
    git(root, "add", "-A")
    commit(root, "start", "2026-01-01T10:00:00+00:00", {})
    assert golive("audit", ".", "--no-runtime", "-q", cwd=root).returncode in (0, 1)
    proc = golive("history", cwd=root, COLUMNS="200")
    assert proc.returncode == 0, proc.stderr
    assert RAW_CONTROL.search(proc.stdout) is None
    assert "Eve\\x1b]0;pwned\\x07 [bold]x[/bold]" in proc.stdout
