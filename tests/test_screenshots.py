"""Screenshots with real headless chromium (Debian's, driven by Playwright) of real pages
on loopback: what is captured, that the browser reaches nothing but the target, that a
DEBUG page seen only with a bogus Host is rendered from the captured answer, and that a
missing browser is a skip with its reason, never a crash.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "live"))

import live_deploy
import live_servers

from golive.collectors.live.screenshots import chromium_path

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="no chromium (apt install chromium)")

TECH_500 = (
    b"<!DOCTYPE html><html><head><title>DisallowedHost at /</title></head><body>"
    b'<header id="summary"><h1>DisallowedHost at /</h1><table class="meta"><tr><th>Django Version:</th>'
    b"<td>5.2</td></tr><tr><th>Exception Value:</th><td>Invalid HTTP_HOST header</td></tr>"
    b"<tr><th>Python Executable:</th><td>/usr/bin/python3</td></tr></table></header>"
    b'<div id="traceback"><h2>Traceback</h2></div><div id="requestinfo"><h2>Request information</h2>'
    b'<h3 id="settings-info">Settings</h3></div><footer id="explanation"><p>You\xe2\x80\x99re seeing this'
    b" error because you have <code>DEBUG = True</code> in your Django settings file.</p></footer>"
    b"</body></html>"
)


@pytest.fixture(scope="module")
def leaky() -> Iterator[live_servers.Server]:
    """A home page that pulls an image from another host, and a DEBUG page for bogus Hosts."""
    page = b'<html><body><h1>Leaky shop</h1><img src="http://tracker.example/pixel.gif"></body></html>'
    html = [("Content-Type", "text/html; charset=utf-8")]
    server = live_servers.scenario_server(
        {"/": (200, html, page)}, host="leaky.test", bogus=(400, html, TECH_500)
    )
    yield server
    server.stop()


def test_debug_page_behind_a_bogus_host_is_captured_and_nothing_else_is_reached(
    leaky: live_servers.Server, tmp_path: Path
) -> None:
    url = f"http://leaky.test:{leaky.port}/"
    (a,) = live_deploy.probe([url], resolve=(f"leaky.test:{leaky.port}:127.0.0.1",), screenshot_dir=tmp_path)
    assert [s.name for s in a.screenshots] == ["home", "404", "debug"]
    assert a.screenshots[0].url == url and a.screenshots[2].url == url
    debug = a.screenshots[2]
    assert debug.caption.startswith("Django's DEBUG page, answered to Host: golive-")
    assert debug.caption.endswith(".invalid (400)")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "leaky.test-404.png",
        "leaky.test-debug.png",
        "leaky.test-home.png",
    ]
    for shot in a.screenshots:
        assert Path(shot.path).read_bytes()[:4] == b"\x89PNG"
    assert [f.id for f in a.findings if f.id == "GL831" and f.status.value == "fail"] == ["GL831"]


def test_the_browser_requests_only_the_target_origin(tmp_path: Path) -> None:
    """A page referencing a second local server: chromium never reaches it."""
    hits: list[str] = []

    class Other(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    other = ThreadingHTTPServer(("127.0.0.1", 0), Other)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    page = f'<html><body><img src="http://127.0.0.1:{other.server_address[1]}/x.png"></body></html>'.encode()
    site = live_servers.scenario_server(
        {"/": (200, [("Content-Type", "text/html")], page)}, host="target.test"
    )
    try:
        url = f"http://target.test:{site.port}/"
        (a,) = live_deploy.probe(
            [url], resolve=(f"target.test:{site.port}:127.0.0.1",), screenshot_dir=tmp_path
        )
    finally:
        site.stop()
        other.shutdown()
        other.server_close()
    assert [s.name for s in a.screenshots] == ["home", "404"]
    assert hits == []


def test_no_browser_means_no_screenshots_with_the_reason(
    leaky: live_servers.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one fault that cannot be produced for real here (chromium is installed): point
    golive at a browser path that does not exist."""
    monkeypatch.setenv("GOLIVE_CHROMIUM", str(tmp_path / "no-such-chromium"))
    from golive.collectors.live import gather, probe_options

    opts = probe_options(resolve=(f"leaky.test:{leaky.port}:127.0.0.1",), cacert=None, insecure=False,
                         timeout=5, admin_path=None)  # fmt: skip
    ((site, shots, note),) = gather(
        [f"http://leaky.test:{leaky.port}/"], opts, screenshots=True, screenshot_dir=tmp_path
    )
    assert site.error is None
    assert shots == ()
    assert note == f"no browser: {tmp_path / 'no-such-chromium'} is not an executable (GOLIVE_CHROMIUM)"
    assert list(tmp_path.iterdir()) == []
