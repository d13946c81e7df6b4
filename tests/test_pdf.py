"""The PDF report (issue 14): the example's audit printed by Chromium on A4 fits in 10 pages
with every failing finding and every manual item in full, a footer with the page number,
the audit id, its date and SHA-256 on every page, the sign-off block on a page of its own;
without a browser the HTML is written next to it and golive says so."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

from golive.collectors.live.screenshots import chromium_path
from golive.reports.pdf import page_count

needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="no chromium to print with")
#: The page budget of the example's printed report (issue 14).
MAX_PAGES = 10


def golive(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def pdf_text(path: Path, page: int | None = None) -> str:
    """The text of a PDF (pdftotext from poppler-utils), one page or all."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def bookshop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The careless example, audited twice into its history (audit #2, with the trend chart and
    what changed since #1, is the longer report) with the JSON report of the second."""
    project = tmp_path_factory.mktemp("pdf") / "bookshop"
    shutil.copytree(
        EXAMPLES / "bookshop", project, ignore=shutil.ignore_patterns("db.sqlite3", ".golive", "__pycache__")
    )
    for _ in range(2):
        proc = golive(project, "audit", ".", "--author", "Pat Preparer", "-q", "-o", "audit.json")
        assert proc.returncode == 1, proc.stderr
    return project


@needs_chromium
def test_the_examples_pdf_fits_in_ten_a4_pages_with_every_open_finding(bookshop: Path) -> None:
    proc = golive(bookshop, "report", "2", "-o", "report.pdf")
    assert proc.returncode == 0, proc.stderr
    data = (bookshop / "report.pdf").read_bytes()
    assert data.startswith(b"%PDF-")
    pages = page_count(data)
    assert pages <= MAX_PAGES
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(bookshop / "report.pdf")], capture_output=True, text=True
        ).stdout
        assert re.search(rf"^Pages:\s+{pages}$", info, re.M)
        assert "(A4)" in info
    if not shutil.which("pdftotext"):
        return
    report = json.loads((bookshop / "audit.json").read_text(encoding="utf-8"))
    text = pdf_text(bookshop / "report.pdf")
    flat = " ".join(text.split())
    for f in report["findings"]:
        if f["status"] in ("fail", "manual"):  # in full: id, title, first line of the fix
            assert f["id"] in flat and " ".join(f["title"].split()) in flat, f["id"]
    assert "hover a point" not in flat
    assert "failing findings unchanged since #1: each is in full below" in flat
    sha = report["audit_sha256"]
    for n in range(1, pages + 1):  # the footer of every page
        page = " ".join(pdf_text(bookshop / "report.pdf", n).split())
        assert f"SHA-256 {sha}" in page and f"page {n} of {pages}" in page and "audit #2" in page
    last = " ".join(pdf_text(bookshop / "report.pdf", pages).split())
    assert last.startswith("Sign-off")  # its own page
    assert "Prepared by Pat Preparer" in last and sha in last


def test_without_a_browser_the_html_is_written_and_golive_says_so(bookshop: Path) -> None:
    proc = golive(
        bookshop, "report", "1", "-o", "nobrowser.pdf", env={"GOLIVE_CHROMIUM": "/nonexistent/chromium"}
    )
    assert proc.returncode == 0, proc.stderr
    assert "nobrowser.pdf: not written (no browser: /nonexistent/chromium is not an executable" in proc.stderr
    assert not (bookshop / "nobrowser.pdf").exists()
    assert "Sign-off" in (bookshop / "nobrowser.html").read_text(encoding="utf-8")


def test_page_count_reads_a_page_tree() -> None:
    tree = b"%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >> endobj\n"
    assert page_count(tree) == 2
    with pytest.raises(ValueError):
        page_count(b"not a pdf")
