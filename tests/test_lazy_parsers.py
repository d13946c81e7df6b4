"""An audit reads with a parser only the inputs it has (issue 15): without a live site,
systemd units or a supervisord file, golive does not import ``html.parser`` (the pages'
HTML), ``http.cookies`` (``Set-Cookie`` headers) or ``configparser`` (systemd units,
supervisord), about 6 ms of an audit's start-up; each is imported where its input is read,
with the same answers (the cookie reader's in ``test_live_pages.py``, the systemd and
supervisord readers' in ``test_appserver_scripts.py``, the page parser's here).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from golive.facts import live_pages as pages

REPO = Path(__file__).resolve().parent.parent
PARSERS = ("html.parser", "http.cookies", "configparser")


def test_an_audit_without_those_inputs_imports_none_of_their_parsers(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    audit = ["audit", str(REPO / "examples" / "bookshop"), "--settings", "bookshop.settings.production"]
    options = ["--no-runtime", "--no-git", "--no-history", "-q", "-o", str(report)]
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "golive.cli", *audit, *options],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr[-2000:]  # the example fails, as the README says
    imported = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", run.stderr, re.M))
    assert "golive.checks.live.headers" in imported  # the live checks are listed, as skipped
    assert [name for name in PARSERS if name in imported] == []


def test_the_html_parser_still_reads_a_page() -> None:
    page = pages.parse_html(
        '<form action="/login/"><input name="csrfmiddlewaretoken"><input name="username"></form>'
        '<a href="/about/">about</a><script src="http://cdn.example/x.js"></script>'
    )
    assert page.inputs == [{"csrfmiddlewaretoken", "username"}]
    assert page.links == ["/about/"]
    assert ("script", "http://cdn.example/x.js") in page.loads
    assert pages.mixed_content('<img src="http://cdn.example/a.png">') == [
        ("img", "http://cdn.example/a.png")
    ]
