"""An audit reads with a parser only the inputs it has (issue 15): without a live site,
systemd units or a supervisord file, golive does not import ``html.parser`` (the pages'
HTML), ``http.cookies`` (``Set-Cookie`` headers) or ``configparser`` (systemd units,
supervisord), about 6 ms of an audit's start-up; each is imported where its input is read,
with the same answers.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from golive.collectors.appservers.launch import supervisord
from golive.collectors.project import collect as collect_project
from golive.context import AuditOptions, resolve
from golive.facts import live_pages as pages
from golive.facts.live import parse_set_cookie

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


def test_a_set_cookie_header_is_still_read() -> None:
    cookie = parse_set_cookie(
        "sessionid=abc123; Path=/; Secure; HttpOnly; SameSite=Lax", "https://example.com/"
    )
    assert cookie is not None
    assert (cookie.name, cookie.value_length, cookie.secure, cookie.httponly, cookie.samesite) == (
        "sessionid",
        6,
        True,
        True,
        "Lax",
    )
    assert cookie.header == "sessionid=<6 chars redacted>; Path=/; Secure; HttpOnly; SameSite=Lax"
    assert parse_set_cookie('bad"name=1', "https://example.com/") is None


def test_systemd_units_and_supervisord_programs_are_still_read(tmp_path: Path) -> None:
    (tmp_path / "manage.py").write_text("")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "settings.py").write_text("DEBUG = False\n")
    unit = tmp_path / "deploy" / "site.service"
    unit.parent.mkdir()
    unit.write_text("[Service]\nUser=www\nExecStart=/srv/venv/bin/gunicorn site.wsgi -w 3\n")
    conf = tmp_path / "supervisord.conf"
    conf.write_text("[program:web]\ncommand=gunicorn site.wsgi --bind 127.0.0.1:8000\n")
    facts = collect_project(
        resolve(AuditOptions(project_dir=tmp_path, settings="site.settings", no_git=True))
    )
    assert [(c.origin, c.command, c.user) for c in facts.commands if c.origin.startswith("systemd")] == [
        ("systemd ExecStart", "/srv/venv/bin/gunicorn site.wsgi -w 3", "www")
    ]
    assert [(c.origin, c.command) for c in supervisord(conf, "supervisord.conf")] == [
        ("supervisord command", "gunicorn site.wsgi --bind 127.0.0.1:8000")
    ]
