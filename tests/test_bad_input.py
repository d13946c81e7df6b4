"""Bad input through the real command line: settings that raise, hang, fail to import or
do not parse; a missing module; a directory that is not a Django project; an unreadable
file; broken configuration. Each gives one line on stderr with the cause and the fix, a
partial report where one is possible, the documented exit status, and never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import GOOD_ENV, build_project

from golive.model import Status

PROD = "site_conf/settings/production.py"


def golive(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``golive audit ARGS`` in a subprocess with the test environment; never hangs the suite."""
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", "audit", "--no-history", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **GOOD_ENV, **(env or {})},
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


def stderr_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    lines = proc.stderr.splitlines()
    assert all(line.startswith("golive: ") for line in lines), proc.stderr  # one line per message
    return lines


def usage_error(proc: subprocess.CompletedProcess[str]) -> str:
    """The one line of a usage error (exit 2, nothing audited, nothing on stdout)."""
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    [line] = stderr_lines(proc)
    return line


def findings(report: Path) -> dict[str, dict[str, Any]]:
    data = json.loads(report.read_text(encoding="utf-8"))
    return {f["id"]: f for f in data["findings"]}


KEY_ERROR = 'X_FRAME_OPTIONS = "DENY"\nSECRET_KEY = os.environ["GOLIVE_TEST_MISSING_KEY"]\n'
KEY_ERROR_LINE = (
    "golive: runtime: settings raised KeyError: 'GOLIVE_TEST_MISSING_KEY'"
    " (site_conf/settings/production.py:3): set it in the environment or pass --env-file"
)


def test_settings_raise_keyerror_for_a_missing_variable(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj", KEY_ERROR)
    report = tmp_path / "report.json"
    proc = golive(str(project), "-o", str(report))
    assert proc.returncode == 3, proc.stdout + proc.stderr  # incomplete, nothing failing
    assert KEY_ERROR_LINE in stderr_lines(proc)
    assert "INCOMPLETE" in proc.stdout
    by_id = findings(report)
    reason = KEY_ERROR_LINE.removeprefix("golive: runtime: ")
    for cid in ("GL105", "GL201", "GL301", "GL402", "GL504"):  # checks that need the runtime
        assert (by_id[cid]["status"], by_id[cid]["reason"]) == ("skipped", f"runtime: {reason}"), cid
    for cid in ("GL101", "GL102", "GL110", "GL601"):  # source and project checks still ran
        assert by_id[cid]["status"] == Status.PASS.value, cid
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["incomplete"] is True and data["exit_status"] == 3
    runtime = next(c for c in data["collectors"] if c["name"] == "runtime")
    assert (runtime["status"], runtime["reason"]) == ("error", reason)
    assert data["django_version"]  # what the probe still knew


def test_a_failing_finding_takes_precedence_over_an_incomplete_audit(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj", KEY_ERROR + "DEBUG = True\n")
    report = tmp_path / "report.json"
    proc = golive(str(project), "-o", str(report))
    assert proc.returncode == 1
    assert KEY_ERROR_LINE in stderr_lines(proc)
    gl110 = findings(report)["GL110"]
    assert (gl110["status"], gl110["location"]) == ("fail", {"path": PROD, "line": 4})


def test_settings_that_hang_are_stopped_by_the_timeout(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj", "import time\ntime.sleep(600)\n")
    proc = golive(str(project), "--timeout", "3")  # the helper's own timeout guards the suite
    assert proc.returncode == 3
    assert (
        "golive: runtime: settings did not load within 3 s (the settings module or django.setup() hangs):"
        " fix it or raise --timeout"
    ) in stderr_lines(proc)


@pytest.mark.parametrize(
    ("production", "start", "end"),
    [
        pytest.param(
            "import no_such_package_xyz\n",
            "golive: runtime: settings raised ModuleNotFoundError: No module named 'no_such_package_xyz'",
            f" ({PROD}:2): install no_such_package_xyz in that interpreter or pass --python",
            id="ModuleNotFoundError",
        ),
        pytest.param(
            "from shop import no_such_name\n",
            "golive: runtime: settings raised ImportError: cannot import name 'no_such_name' from 'shop' (",
            f"shop/__init__.py) ({PROD}:2)",
            id="ImportError",
        ),
    ],
)
def test_settings_that_fail_to_import(tmp_path: Path, production: str, start: str, end: str) -> None:
    project = build_project(tmp_path / "proj", production)
    proc = golive(str(project))
    assert proc.returncode == 3
    assert [x for x in stderr_lines(proc) if x.startswith(start) and x.endswith(end)], proc.stderr


def test_settings_with_a_syntax_error(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj", "DEBUG = (\n")
    report = tmp_path / "report.json"
    proc = golive(str(project), "-o", str(report))
    assert proc.returncode == 3
    lines = stderr_lines(proc)
    assert (
        f"golive: runtime: settings raised SyntaxError: '(' was never closed ({PROD}:2): fix the syntax error"
    ) in lines
    assert (
        f"golive: source: cannot read {PROD}: SyntaxError at line 2: '(' was never closed: fix the file"
        in lines
    )
    by_id = findings(report)
    assert by_id["GL101"]["status"] == "skipped"  # never a pass on source nobody could read
    assert by_id["GL601"]["status"] == "pass"  # the project's files were still audited


def test_a_settings_module_that_does_not_exist(tmp_path: Path) -> None:
    # issue 14: a typo is a usage error (exit 2), never an audit stored with a grade
    project = build_project(tmp_path / "proj")
    report = tmp_path / "report.json"
    proc = golive(str(project), "--settings", "site_conf.settings.nope", "-o", str(report))
    assert proc.returncode == 2
    assert stderr_lines(proc) == [
        "golive: error: --settings: no module site_conf.settings.nope in the project directory"
        " (neither site_conf/settings/nope.py nor site_conf/settings/nope/__init__.py):"
        " check the name, or pass --django-root"
    ]
    assert not report.exists() and not (project / ".golive").exists()


def test_a_configured_settings_module_that_does_not_exist(tmp_path: Path) -> None:
    project = build_project(
        tmp_path / "proj", files={"pyproject.toml": '[tool.golive]\nsettings = "nope.mod"\n'}
    )
    proc = golive(str(project))
    assert proc.returncode == 2
    assert stderr_lines(proc) == [
        "golive: error: [tool.golive] settings in pyproject.toml: no module nope.mod in the project"
        " directory (neither nope/mod.py nor nope/mod/__init__.py): check the name, or pass --django-root"
    ]
    assert not (project / ".golive").exists()


def test_settings_file_with_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj")
    (project / PROD).write_bytes(b"from .base import *  # noqa\nSITE_NAME = '\xff\xfe caf\xe9'\n")
    proc = golive(str(project))
    assert proc.returncode == 3
    lines = stderr_lines(proc)
    assert [x for x in lines if x.startswith("golive: runtime: settings raised SyntaxError: ")], lines
    assert (
        f"golive: source: cannot read {PROD}: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff"
        " in position 41: invalid start byte: fix the file"
    ) in lines


def test_settings_path_that_is_a_directory(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj")
    (project / PROD).unlink()
    (project / PROD).mkdir()
    proc = golive(str(project), "--settings", "site_conf.settings.production")
    assert proc.returncode == 2  # no module file: nothing to audit (issue 14)
    assert stderr_lines(proc)[0].startswith(
        "golive: error: --settings: no module site_conf.settings.production in the project directory"
    )


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root reads a chmod 000 file anyway (see the UTF-8 and directory cases)"
)
def test_settings_file_without_read_permission(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj")
    (project / PROD).chmod(0)
    try:
        proc = golive(str(project))
    finally:
        (project / PROD).chmod(0o644)
    assert proc.returncode == 3
    lines = stderr_lines(proc)
    assert [x for x in lines if x.startswith("golive: runtime: settings raised PermissionError: ")], lines
    assert [x for x in lines if x.startswith(f"golive: source: cannot read {PROD}: PermissionError: ")], lines


def test_a_directory_that_is_not_a_django_project(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("hello\n")
    line = usage_error(golive(str(tmp_path)))
    assert line == (
        f"golive: error: {tmp_path} does not look like a Django project (no manage.py, no settings):"
        " pass the project directory or --settings"
    )


def test_a_directory_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert usage_error(golive(str(missing))) == f"golive: error: {missing}: no such directory"


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        pytest.param(
            '[tool.golive]\nsettings = ["a"\n', "pyproject.toml: cannot read it: ", id="invalid TOML"
        ),
        pytest.param(
            "[tool.golive]\ntimeout = -1\n",
            "pyproject.toml: [tool.golive] timeout must be a positive number",
            id="bad value",
        ),
        pytest.param(
            '[tool.golive.attest.GL222]\nby = "Jane"\non = "last week"\n',
            "pyproject.toml: [tool.golive.attest.GL222] on must be a date (YYYY-MM-DD)",
            id="bad attestation",
        ),
    ],
)
def test_broken_golive_configuration(tmp_path: Path, pyproject: str, message: str) -> None:
    project = build_project(tmp_path / "proj", files={"pyproject.toml": pyproject})
    assert usage_error(golive(str(project))).startswith(f"golive: error: {message}")


def test_a_missing_env_file(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj")
    missing = tmp_path / "prod.env"
    assert usage_error(golive(str(project), "--env-file", str(missing))) == (
        f"golive: error: --env-file {missing}: no such file"
    )


def test_an_output_with_an_unknown_extension(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj")
    line = usage_error(golive(str(project), "-o", str(tmp_path / "report.docx")))  # .pdf is a format
    assert line.startswith(
        f"golive: error: {tmp_path / 'report.docx'}: cannot tell the format from the extension"
    )
    assert not (tmp_path / "report.docx").exists()


def test_a_python_that_does_not_exist(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj")
    report = tmp_path / "report.json"
    proc = golive(str(project), "--python", "/no/such/python", "-o", str(report))
    assert proc.returncode == 3
    assert "golive: runtime: --python /no/such/python: no such interpreter" in stderr_lines(proc)
    assert findings(report)["GL101"]["status"] == "pass"  # the source was still read


def test_an_env_file_makes_the_settings_load(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj", KEY_ERROR)
    env_file = tmp_path / "audit.env"
    env_file.write_text("GOLIVE_TEST_MISSING_KEY=" + GOOD_ENV["APP_SECRET_KEY"].replace("$", "") + "\n")
    proc = golive(str(project), "--env-file", str(env_file))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""
