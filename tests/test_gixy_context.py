"""gixy-ng's reports judged in their context (issue 12's false-alarm budget).

Each config is written here in the shape of a real site's nginx (old-URL redirects kept with a
regex capture; a favicon aliased next to the static files) and parsed for real by the nginx
collector; gixy-ng runs in-process on it.
"""

from __future__ import annotations

from pathlib import Path

from golive.checks import registry
from golive.collectors.nginx import collect_files
from golive.facts.nginx import NginxFacts
from golive.model import Finding, Severity
from golive.registry import Facts
from golive.runner import run_check

SERVER = """\
server {{
    listen 80 default_server;
    server_name _;
{body}
}}
"""


def findings(tmp_path: Path, check_id: str, body: str) -> list[Finding]:
    """The failing findings of ``check_id`` on one server block holding ``body``."""
    conf = tmp_path / "site.conf"
    conf.write_text(SERVER.format(body=body))
    spec = registry().get(check_id)
    assert spec is not None
    facts = collect_files([(conf, "given")], None, tmp_path)
    return [f for f in run_check(spec, Facts({NginxFacts: facts}), {}) if f.failing]


def test_gl751_a_capture_that_can_hold_only_a_carriage_return_is_low(tmp_path: Path) -> None:
    # `.` stops at a line feed: `^/oldjobs(.*)$` can hand a bare CR to the Location header, never CRLF
    found = findings(
        tmp_path,
        "GL751",
        "    location ~ ^/oldjobs(.*)$ {\n        return 301 https://www.example.org/jobs$1;\n    }",
    )
    assert [(f.id, f.severity) for f in found] == [("GL751", Severity.LOW)]
    assert any("bare CR" in e and "RFC 9112" in e for e in found[0].evidence), found[0].evidence


def test_gl751_a_capture_that_can_hold_a_line_feed_stays_high(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        "GL751",
        "    location ~ ^/old/([^/]*)$ {\n        return 301 https://www.example.org/$1;\n    }",
    )
    assert [(f.id, f.severity) for f in found] == [("GL751", Severity.HIGH)]


def test_gl751_uri_in_a_redirect_stays_high(tmp_path: Path) -> None:
    found = findings(
        tmp_path, "GL751", "    location /old/ {\n        return 301 https://www.example.org$uri;\n    }"
    )
    assert [(f.id, f.severity) for f in found] == [("GL751", Severity.HIGH)]


STATIC = "    location /static/ {\n        alias /app/public/;\n    }\n"


def test_gl753_a_file_alias_inside_a_folder_already_served_is_low(tmp_path: Path) -> None:
    # location /robots.txt reaches /app/public/robots.txt* only: /static/ serves all of /app/public/
    found = findings(
        tmp_path, "GL753", STATIC + "    location /robots.txt {\n        alias /app/public/robots.txt;\n    }"
    )
    assert [(f.id, f.severity) for f in found] == [("GL753", Severity.LOW)]
    assert any("location /static/" in e and "/app/public/" in e for e in found[0].evidence), found[0].evidence


def test_gl753_a_file_alias_outside_what_is_served_keeps_its_severity(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        "GL753",
        STATIC + "    location /robots.txt {\n        alias /app/private/robots.txt;\n    }",
    )
    assert [(f.id, f.severity) for f in found] == [("GL753", Severity.MEDIUM)]


def test_gl753_the_classic_traversal_stays_high(tmp_path: Path) -> None:
    # /media../settings.py → /app/public/media/../settings.py: a real traversal, even next to /static/
    found = findings(
        tmp_path, "GL753", STATIC + "    location /media {\n        alias /app/public/media/;\n    }"
    )
    assert [(f.id, f.severity) for f in found] == [("GL753", Severity.HIGH)]
