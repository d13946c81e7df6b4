"""``golive probe`` usage errors (exit status 2, one line, nothing probed) and its help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def golive(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "golive.cli", "probe", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "golive: error: give at least one URL (or --urls-file FILE)"),
        (
            ("ftp://shop.test/",),
            "golive: error: ftp://shop.test/: only http:// and https:// URLs can be probed",
        ),
        (
            ("https://shop.test/", "--cacert", "ca.pem", "--insecure"),
            "golive: error: --cacert and --insecure exclude each other",
        ),
        (
            ("https://shop.test/", "--resolve", "shop.test:127.0.0.1"),
            "golive: error: --resolve 'shop.test:127.0.0.1': expected HOST:PORT:ADDR",
        ),
        (
            ("https://shop.test/", "--cacert", "missing.pem"),
            "golive: error: --cacert missing.pem: no such file",
        ),
        (
            ("https://shop.test/", "-o", "report.docx"),
            "golive: error: report.docx: cannot tell the format from the extension",
        ),
        (("--urls-file", "nowhere.txt"), "golive: error: --urls-file nowhere.txt: No such file or directory"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    proc = golive(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().startswith(message)
    assert len(proc.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_help_documents_report_naming_and_exit_status() -> None:
    proc = golive("--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    packed = "".join(proc.stdout.split())  # Click wraps the epilog at hyphens
    assert "out/report-HOST.html" in packed and "out/report-all.json" in packed
    assert "Exit status: 0" in text and "3 some audit is incomplete" in text
    assert "GET, HEAD and OPTIONS only, at most 48 requests" in text
