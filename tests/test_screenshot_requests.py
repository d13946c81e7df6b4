"""The live probe's contract holds for the browser too (issue 9, item 5): GET and HEAD to
the probed origin only, a cap of its own on each page's assets, and the report says how
many requests the browser made and how many golive blocked.

A real local site records every request it receives (method, path, User-Agent); its home
page's JavaScript sends POST and PUT with ``fetch``, a beacon (POST), a cross-origin
``fetch`` to a second recording server, opens a WebSocket and registers a service worker;
real headless chromium (Debian's, driven by Playwright) renders it. The site is reached
as ``localhost``, a secure context, so the service worker API is really there.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "live"))

import live_deploy

from golive.collectors.live.screenshots import chromium_path
from golive.reports import render

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="no chromium (apt install chromium)")


@dataclass
class Recording:
    """A server on 127.0.0.1 that answers ``pages`` (path → HTML; anything else 404) to
    every method and records ``(method, path, user agent)`` of each request."""

    pages: dict[str, bytes] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    not_found: bytes = b"<h1>Nothing here</h1>"
    seen: list[tuple[str, str, str]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.server_address[1])

    def browser(self) -> list[tuple[str, str]]:
        """``(method, path)`` of what chromium sent (golive's own probe says ``golive/``)."""
        return [(m, p) for m, p, agent in self.seen if not agent.startswith("golive/")]


@pytest.fixture
def recording() -> Iterator[Recording]:
    rec = Recording()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def parse_request(self) -> bool:
            ok = super().parse_request()
            if ok:
                rec.seen.append((self.command, self.path, self.headers.get("User-Agent", "")))
            return ok

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            target = rec.redirects.get(self.path)
            if self.path.startswith("/loop/"):  # a redirect that never ends
                target = f"/loop/{int(self.path.split('/')[2]) + 1}"
            if target is not None:
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = rec.pages.get(self.path)
            status = 200 if body is not None else 404
            body = body if body is not None else rec.not_found
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_HEAD = do_OPTIONS = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    rec.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.server.daemon_threads = True
    threading.Thread(target=rec.server.serve_forever, daemon=True).start()
    yield rec
    rec.server.shutdown()
    rec.server.server_close()


other = recording  # a second, independent recording server


def test_the_pages_javascript_cannot_make_golive_send_anything_but_get_and_head(
    recording: Recording, other: Recording, tmp_path: Path
) -> None:
    port = recording.port
    recording.pages["/"] = f"""<!DOCTYPE html><html><head><title>Busy shop</title></head><body>
        <h1>Busy shop</h1><img src="/logo.png" alt="">
        <script>
        fetch("/x", {{method: "POST", body: "order"}}).catch(() => {{}});
        fetch("/y", {{method: "PUT", body: "cart"}}).catch(() => {{}});
        fetch("http://127.0.0.1:{other.port}/leak").catch(() => {{}});
        try {{ new WebSocket("ws://localhost:{port}/ws"); }} catch (e) {{}}
        navigator.sendBeacon("/beacon", "seen");
        if (navigator.serviceWorker) navigator.serviceWorker.register("/sw.js").catch(() => {{}});
        </script></body></html>""".encode()
    recording.pages["/sw.js"] = b"self.addEventListener('fetch', () => {});"
    recording.pages["/logo.png"] = b""

    (audit,) = live_deploy.probe([f"http://localhost:{port}/"], screenshot_dir=tmp_path)

    browser = recording.browser()
    assert {method for method, _ in browser} <= {"GET", "HEAD"}, browser
    assert [path for _, path in browser if path in ("/x", "/y", "/beacon", "/ws", "/sw.js")] == []
    assert other.seen == []
    home, not_found = audit.screenshots
    assert (home.name, home.requests_loaded, home.requests_blocked) == ("home", 2, 5)
    assert (not_found.name, not_found.requests_loaded, not_found.requests_blocked) == ("404", 1, 0)
    assert "browser requests: 2 loaded, 5 blocked" in render(audit, "markdown")
    assert "browser requests: 2 loaded, 5 blocked" in render(audit, "html")


def test_a_page_with_many_assets_loads_at_most_the_per_page_cap(recording: Recording, tmp_path: Path) -> None:
    """60 images: the document and 39 of them are loaded (the cap is 40 requests a page),
    the other 21 are blocked and counted."""
    images = "".join(f'<img src="/img/{i}.png" alt="">' for i in range(60))
    recording.pages["/"] = f"<!DOCTYPE html><title>Gallery</title><h1>Gallery</h1>{images}".encode()

    (audit,) = live_deploy.probe([f"http://localhost:{recording.port}/"], screenshot_dir=tmp_path)

    home_requests = [p for m, p in recording.browser() if p == "/" or p.startswith("/img/")]
    assert len(home_requests) == 40
    home = audit.screenshots[0]
    assert (home.name, home.requests_loaded, home.requests_blocked) == ("home", 40, 21)


def probe_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "golive.cli", "probe", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=cwd,
    )


def test_golive_probe_leaves_no_screenshots_loose_in_the_directory_it_runs_in(
    recording: Recording, tmp_path: Path
) -> None:
    """Run in a git work tree, ``golive probe`` writes its screenshots under ``.golive/``
    (which ignores itself) or beside the report, and ``git status`` stays clean."""
    recording.pages["/"] = b"<!DOCTYPE html><title>Shop</title><h1>Shop</h1>"
    project = tmp_path / "project"
    project.mkdir()
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    url = f"http://localhost:{recording.port}/"

    bare = probe_cli(url, cwd=project)
    assert bare.returncode in (0, 1), bare.stderr
    shots = sorted(p.relative_to(project) for p in project.rglob("*.png"))
    assert shots and all(p.parts[0] == ".golive" for p in shots), shots
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert status.stdout == ""

    reported = probe_cli(url, "-o", str(tmp_path / "out" / "report.md"), cwd=project)
    assert reported.returncode in (0, 1), reported.stderr
    beside = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*.png"))
    assert [p.name for p in beside] == ["404.png", "home.png"]
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert all(str(tmp_path / "out" / p) in markdown for p in beside)
    assert sorted(p.relative_to(project) for p in project.rglob("*.png")) == shots


def test_redirects_cannot_take_the_browser_past_the_cap(recording: Recording, tmp_path: Path) -> None:
    """Playwright's interception never sees a redirect's next hop, so it cannot hold one
    back: ten images caught in endless redirects must still stop at the page's cap (the
    document and 39 hops), and the counts say so (the ten redirects not followed are
    blocked)."""
    loops = "".join(f'<img src="/loop/{i * 1000}" alt="">' for i in range(10))
    recording.pages["/"] = f"<!DOCTYPE html><title>Loops</title>{loops}".encode()

    (audit,) = live_deploy.probe([f"http://localhost:{recording.port}/"], screenshot_dir=tmp_path)

    home = audit.screenshots[0]
    assert home.name == "home"
    sent = [p for m, p in recording.browser() if p == "/" or p.startswith("/loop/")]
    assert len(sent) == 40
    assert (home.requests_loaded, home.requests_blocked) == (40, 10)


def test_a_redirect_cannot_take_the_browser_to_another_origin(
    recording: Recording, other: Recording, tmp_path: Path
) -> None:
    """The 404 page's script navigates to /go, which the site redirects to another origin
    (an address, which no host-resolver rule can stop): nothing reaches it."""
    recording.pages["/"] = b"<!DOCTYPE html><title>Shop</title><h1>Shop</h1>"
    recording.not_found = b'<!DOCTYPE html><title>Lost</title><script>location.href = "/go";</script>'
    recording.redirects["/go"] = f"http://127.0.0.1:{other.port}/landed"

    (audit,) = live_deploy.probe([f"http://localhost:{recording.port}/"], screenshot_dir=tmp_path)

    assert [s.name for s in audit.screenshots][:1] == ["home"]
    assert ("GET", "/go") in recording.browser()
    assert other.seen == []
