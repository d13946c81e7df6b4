"""A report that cannot be written whole leaves the previous one untouched (issue 9, item 10c).

The faults are real: the file-size limit of the golive process (``RLIMIT_FSIZE``, with
``SIGXFSZ`` ignored so that a write past it fails with ``EFBIG`` as a full disk fails
with ``ENOSPC``), and a full 64 KiB tmpfs (only where this test may mount one, as root).
Each time ``golive audit -o report.html`` reports that it could not write the file, and
the directory holds the complete report of the run before, nothing truncated, no
temporary file left behind.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import GOOD_ENV, build_project

GOLIVE = (sys.executable, "-m", "golive.cli", "audit", "--no-history", "--no-runtime", "--no-host", "-q")


def audit_to(
    project: Path, report: Path, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [*GOLIVE, str(project), "-o", str(report)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **GOOD_ENV},
        preexec_fn=preexec,
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def complete_html(text: str) -> bool:
    return text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return build_project(tmp_path / "proj")


def test_a_write_past_the_file_size_limit_keeps_the_previous_report(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    report = out / "report.html"
    first = audit_to(project, report)
    assert first.returncode in (0, 1), first.stderr
    before = report.read_text(encoding="utf-8")
    assert complete_html(before)
    limit = len(before.encode("utf-8")) // 2

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    second = audit_to(project, report, small_files)
    assert second.returncode == 3 or second.returncode == first.returncode, second.stderr
    assert f"golive: error: cannot write {report}: File too large" in second.stderr
    assert report.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    try:
        proc = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
            capture_output=True,
            timeout=20,
            check=False,
        )
    except OSError:
        pytest.skip("mount is not available")
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True, timeout=20, check=False)


def test_a_full_disk_keeps_the_previous_report(project: Path, tiny_tmpfs: Path) -> None:
    report = tiny_tmpfs / "report.md"
    first = audit_to(project, report)
    assert first.returncode in (0, 1), first.stderr
    before = report.read_text(encoding="utf-8")
    with (project / "site_conf/settings/production.py").open("a", encoding="utf-8") as settings:
        settings.write('DEBUG = True\nALLOWED_HOSTS = ["*"]\nSECRET_KEY = "short"\n')  # a longer report
    filler = tiny_tmpfs / "filler"
    with filler.open("wb", buffering=0) as handle:  # fill the disk
        try:
            while True:
                handle.write(b"\0" * 1024)
        except OSError:
            pass
    second = audit_to(project, report)
    assert second.returncode == 1, second.stderr
    assert f"golive: error: cannot write {report}: No space left on device" in second.stderr
    assert report.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tiny_tmpfs.iterdir()) == ["filler", "report.md"]
