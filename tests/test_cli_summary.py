"""The closing summary shows what it names as it is: a report path holding an emoji code
(``:thumbs_up:``) is printed as those characters, not replaced by Rich with an emoji (the
summary's console has ``emoji=False``; golive writes no emoji code itself).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import GOOD_ENV, build_project


def test_a_report_path_with_an_emoji_code_is_shown_as_it_is(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj")
    report = tmp_path / ":thumbs_up:" / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", "audit", str(project), "--no-history", "-q", "-o", str(report)],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **GOOD_ENV, "COLUMNS": "400"},
        check=False,
    )
    assert proc.returncode in (0, 1, 3), proc.stderr
    assert report.is_file()
    assert f"report        {report}" in proc.stdout
    assert "\N{THUMBS UP SIGN}" not in proc.stdout
