"""``golive probe``: usage errors (exit status 2, one line, nothing probed), its help, and how it
writes the reports of many sites."""

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


def test_the_combined_report_is_the_json_of_every_site_report() -> None:
    """combined_json builds report-all.json from each site's JSON report (UTF-8) instead of
    encoding every report again: the same text json.dumps(indent=2) and json_text give,
    control and bidirectional characters escaped."""
    import datetime as dt
    import json

    from golive.commands.probe import build_audit
    from golive.commands.probe_output import combined_json
    from golive.facts.live import Exchange, LiveFacts, SiteFacts
    from golive.reports import render
    from golive.reports.controls import json_text
    from golive.reports.json_report import to_dict

    started = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.timezone.utc)
    home = Exchange(
        method="GET",
        url="https://a.test/",
        status=200,
        http_version="HTTP/1.1",
        headers=(("Content-Type", "text/html"),),
        body=b"<title>Shop</title>",
    )
    sites = [
        SiteFacts(url="https://a.test/", host="a.test", chains={"home": (home,)}),
        SiteFacts(url="https://b.test/\u202e\u0085", host="b.test", error="connection refused"),
    ]
    audits = [
        build_audit(s.url, LiveFacts(sites=(s,)), fail_on="high", author="me", started=started) for s in sites
    ]
    expected = {
        "sites": [{"url": a.project_name, "exit_status": a.exit_status, "report": to_dict(a)} for a in audits]
    }
    text = json_text(json.dumps(expected, indent=2, ensure_ascii=False)) + "\n"
    assert "\\u202e" in text and "\\u0085" in text
    assert combined_json(audits, [None, None]) == text.encode("utf-8")
    assert combined_json(audits, [render(audits[0], "json").encode("utf-8"), None]) == text.encode("utf-8")


def test_sites_share_the_global_limit_with_at_least_two_connections_each() -> None:
    from golive.collectors.live.sites import site_connections
    from golive.collectors.live.targets import ProbeOptions

    assert site_connections(ProbeOptions(concurrency=16), 1) == 6  # one site: a browser's six
    assert site_connections(ProbeOptions(concurrency=16), 5) == 3
    assert site_connections(ProbeOptions(concurrency=64), 1000) == 2
    assert site_connections(ProbeOptions(concurrency=1), 3) == 2
    assert site_connections(ProbeOptions(concurrency=64, per_host=1), 1000) == 1


def test_the_default_global_limit_lets_one_sites_probes_go_in_one_round() -> None:
    """One site offering HTTP/2: six HTTP/1.1 requests before the protocol is known, then
    up to HTTP2_STREAMS streams; the default global limit must not cut that into two rounds
    (each a round trip at real latency), and the command's default is the library's."""
    from click.testing import CliRunner

    from golive.cli import app
    from golive.collectors.live.client import HTTP2_STREAMS
    from golive.collectors.live.targets import DEFAULT_CONCURRENCY, ProbeOptions

    assert ProbeOptions().concurrency == DEFAULT_CONCURRENCY >= ProbeOptions().per_host + HTTP2_STREAMS
    out = CliRunner().invoke(app, ["probe", "--help"], terminal_width=200).output
    assert f"[default: {DEFAULT_CONCURRENCY}]" in out


def test_the_probe_console_shows_emoji_codes_as_they_are(capsys: pytest.CaptureFixture[str]) -> None:
    """A site's text holding ``:name:`` (a title, a path) is printed as it is, not as an emoji."""
    from golive.commands.probe import _console

    _console().print("title :smile: /a:thumbs_up:b")
    assert "title :smile: /a:thumbs_up:b" in capsys.readouterr().out
