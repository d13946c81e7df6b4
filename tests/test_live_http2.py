"""HTTP/2 in the live probes (RFC 9113), on real nginx on loopback (``listen ... ssl http2``).

- The careless deployment offering HTTP/2 gives the findings it gives over HTTP/1.1: the same
  ids, statuses, subjects and evidence, but for the protocol named in an answer's line.
- The probes ride one connection once it speaks HTTP/2, a bounded number of streams at once;
  the Host-header probes keep HTTP/1.1 connections of their own; only GET, HEAD and OPTIONS.
- Answers longer than their cap: files that are large when served (a database dump) ride
  HTTP/1.1; an HTTP/2 answer cut at its cap is read to its end (httpx cannot reset one
  stream: the server would go on sending it up to its flow-control window, 16 MiB).
- A stream the server resets without an answer (nginx's ``return 444`` over HTTP/2) is read as
  the connection closed without one over HTTP/1.1, and leaves the other streams alone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "live"))

import live_deploy

from golive.collectors.live import gather, probe_options
from golive.collectors.live.client import HTTP2_STREAMS
from golive.facts.live import Probe, SiteFacts

pytestmark = pytest.mark.slow

HOST = "site.test"
LOG = "log_format probes '$server_port $connection $server_protocol $request_method $request_uri';"
STATIC = """
    {log}
    server {{
        listen 127.0.0.1:{h2_port} ssl http2;
        listen 127.0.0.1:{h1_port} ssl;
        server_name _;
        root {root};
        access_log {tmp}/access.log probes;
        location = /.env {{ return 444; }}
        location / {{ {where} }}
    }}
"""


@pytest.fixture(scope="module")
def careless(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, live_deploy.Deployment]]:
    both = {}
    try:
        for name, http2 in (("h1", False), ("h2", True)):
            both[name] = live_deploy.start("careless", tmp_path_factory.mktemp(name), http2=http2)
        yield both
    finally:
        for deployment in both.values():
            deployment.stop()


def normalised(audit: Any, deployment: live_deploy.Deployment) -> list[tuple[Any, ...]]:
    """Each finding's id, status, subjects and evidence, with what differs between two runs of
    the same deployment (ports, the probe's random token, cookie expiry dates) and the
    protocol of the answers written alike."""

    def norm(text: str) -> str:
        text = text.replace(f":{deployment.https_port}", ":HTTPS")
        text = text.replace(f":{deployment.http_port}", ":HTTP")
        text = re.sub(r"golive-[0-9a-f]{8}", "golive-TOKEN", text)
        text = re.sub(r"expires=[^;]*GMT", "expires=DATE", text)
        return text.replace("→ HTTP/2 ", "→ HTTP/1.1 ")

    return [
        (f.id, f.status, tuple(map(norm, f.subjects)), tuple(map(norm, f.evidence))) for f in audit.findings
    ]


def test_careless_deployment_same_findings_over_http2(careless: dict[str, live_deploy.Deployment]) -> None:
    found = {}
    for name, deployment in careless.items():
        (found[name],) = live_deploy.probe(
            [deployment.https_url], resolve=deployment.resolve, cacert=deployment.cert
        )
    assert normalised(found["h2"], careless["h2"]) == normalised(found["h1"], careless["h1"])
    evidence = [line for f in found["h2"].findings for line in f.evidence]
    assert any(line.startswith("→ HTTP/2 200") for line in evidence)
    assert not any(line.startswith("→ HTTP/2 ") for f in found["h1"].findings for line in f.evidence)


class Slow(BaseHTTPRequestHandler):
    """An upstream answering every GET after ``delay`` seconds, counting requests in flight."""

    delay = 0.3
    lock = threading.Lock()
    now = 0
    most = 0

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.now += 1
            cls.most = max(cls.most, cls.now)
        time.sleep(cls.delay)
        with cls.lock:
            cls.now -= 1
        body = b"<!doctype html><title>Shop</title><h1>Shop</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def nginx(tmp_path: Path) -> Iterator[Any]:
    """nginx with an HTTP/2 and an HTTP/1.1 https port, started per test: ``start(where)``
    with the main location's body (``where``); logs each request's connection and protocol."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(where: str, files: dict[str, bytes] | None = None) -> tuple[int, int, Path, Path]:
        root = tmp_path / "www"
        root.mkdir()
        (root / "index.html").write_text("<!doctype html><title>Shop</title><h1>Shop</h1>", encoding="utf-8")
        for name, data in (files or {}).items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        h2_port, h1_port = live_deploy.free_port(), live_deploy.free_port()
        cert, key = live_deploy.make_cert(tmp_path / "tls", host=HOST)
        ports = {"h2_port": h2_port, "h1_port": h1_port}
        servers = STATIC.format(log=LOG, root=root, tmp=tmp_path, where=where, **ports)
        user = "user root;" if os.geteuid() == 0 else ""
        conf = live_deploy.NGINX_HEAD.format(user=user, tmp=tmp_path, cert=cert, key=key, servers=servers)
        (tmp_path / "nginx.conf").write_text(conf.replace("access_log off;", ""), encoding="utf-8")
        proc = subprocess.Popen(
            [live_deploy.NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
             "-e", str(tmp_path / "e.log"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        procs.append(proc)
        live_deploy.wait_port(h2_port, proc)
        live_deploy.wait_port(h1_port, proc)
        return h2_port, h1_port, cert, tmp_path / "access.log"

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def probe(port: int, cert: Path, concurrency: int = 16) -> SiteFacts:
    opts = probe_options(
        resolve=(f"{HOST}:{port}:127.0.0.1",), cacert=cert, insecure=False, timeout=10.0, admin_path=None,
        concurrency=concurrency,
    )  # fmt: skip
    results = gather([f"https://{HOST}:{port}/"], opts, screenshots=False, screenshot_dir=None)
    return results[0][0]


def access_log(path: Path, port: int) -> list[tuple[str, str, str, str]]:
    """(connection, protocol, method, URI) of each request nginx logged on ``port``."""
    for _ in range(50):  # nginx writes its log as each request ends
        if path.exists() and path.read_text(encoding="utf-8").strip():
            break
        time.sleep(0.1)
    lines = [line.split(" ", 4) for line in path.read_text(encoding="utf-8").splitlines()]
    return [(c, protocol, method, uri) for p, c, protocol, method, uri in lines if p == str(port)]


def test_probes_ride_one_http2_connection(nginx: Any) -> None:
    h2_port, _h1_port, cert, log = nginx("try_files $uri $uri/ =404;")
    site = probe(h2_port, cert)
    versions = {name: {ex.http_version for ex in chain if ex.answered} for name, chain in site.chains.items()}
    assert versions[Probe.HOME] == {"HTTP/2"}
    assert versions[Probe.SECURITY_TXT] == {"HTTP/2"}
    assert versions[Probe.BOGUS_HOST] == {"HTTP/1.1"}  # a Host of its own: never a stream of the shared one
    requests = access_log(log, h2_port)
    assert {method for _c, _p, method, _u in requests} <= {"GET", "HEAD", "OPTIONS"}
    streams = [c for c, protocol, _m, _u in requests if protocol == "HTTP/2.0"]
    assert len(set(streams)) == 1 and len(streams) > len(requests) // 2
    # the first requests, made before the protocol was known, rode HTTP/1.1 connections (at
    # most the per-host limit, as a browser's), then none
    assert len({c for c, protocol, _m, _u in requests if protocol == "HTTP/1.1"}) <= 6


def test_at_most_a_bounded_number_of_streams_at_once(nginx: Any) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        h2_port, _h1_port, cert, _log = nginx(f"proxy_pass http://127.0.0.1:{server.server_port};")
        Slow.most = 0
        site = probe(h2_port, cert, concurrency=64)
    finally:
        server.shutdown()
        server.server_close()
    assert site.error is None and site.requests > HTTP2_STREAMS
    # HTTP2_STREAMS streams, plus the per-host limit's HTTP/1.1 requests made before the
    # protocol was known: more than six at once (one round, not rounds of six), never more
    assert 6 < Slow.most <= HTTP2_STREAMS + 6


def test_stream_reset_reads_as_closed_without_answer(nginx: Any) -> None:
    h2_port, h1_port, cert, log = nginx("try_files $uri $uri/ =404;")
    over = {"h2": probe(h2_port, cert), "h1": probe(h1_port, cert)}
    assert [protocol for _c, protocol, _m, uri in access_log(log, h2_port) if uri == "/.env"] == ["HTTP/2.0"]
    for name, site in over.items():
        (env,) = site.chains[Probe.file("/.env")]
        assert env.closed and env.error is None and env.status is None, name
        assert site.chains[Probe.HOME][-1].status == 200, name
    assert over["h2"].chains[Probe.HOME][-1].http_version == "HTTP/2"
    assert over["h2"].chains[Probe.SECURITY_TXT][-1].status == 404  # the other streams go on


def test_answers_longer_than_their_cap_leave_the_other_streams_alone(nginx: Any) -> None:
    page = b"<!doctype html><title>Shop</title><link rel=stylesheet href=/static/site.css><h1>Shop</h1>"
    files = {
        "index.html": page,
        "db.sql": b"-- dump\n" * (6 << 20),  # 48 MiB: more than a stream's window (16 MiB)
        "settings.py": b"# settings\n" * (256 << 10),  # 3 MiB, past the cap and what is drained
        "static/site.css": b"body { color: #333 }\n" * 16_000,  # 336 kB, past the 64 kB cap
    }
    h2_port, _h1_port, cert, log = nginx("try_files $uri $uri/ =404;", files)
    site = probe(h2_port, cert)
    assert site.error is None
    for name, chain in site.chains.items():
        assert chain[-1].error is None and (chain[-1].answered or chain[-1].closed), name
    (dump,) = site.chains[Probe.file("/db.sql")]
    assert (dump.status, dump.truncated, dump.http_version) == (200, True, "HTTP/1.1")
    (asset,) = site.chains[Probe.ASSET]
    assert (asset.status, asset.truncated, asset.http_version) == (200, True, "HTTP/2")
    (settings,) = site.chains[Probe.file("/settings.py")]
    assert settings.truncated and settings.status == 200
    sent = {uri: protocol for _c, protocol, _m, uri in access_log(log, h2_port)}
    assert sent["/db.sql"] == "HTTP/1.1" and sent["/static/site.css"] == "HTTP/2.0"


def test_first_connections_carry_what_never_rides_http2(nginx: Any) -> None:
    # Before the protocol is known, the requests that ride HTTP/1.1 whatever it is (a Host of
    # their own, database dumps) and the admin's first hop go out on the first connections;
    # the rest wait to be streams instead of the dumps waiting for a free connection (issue 15).
    h2_port, _h1_port, cert, log = nginx("try_files $uri $uri/ =404;")
    probe(h2_port, cert)
    requests = access_log(log, h2_port)
    first: dict[str, str] = {}
    for connection, protocol, _method, uri in requests:
        if protocol == "HTTP/1.1":
            first.setdefault(connection, uri)
    assert {"/db.sqlite3", "/dump.sql", "/admin/"} <= set(first.values())
    assert [p for _c, p, method, _u in requests if method == "OPTIONS"] == ["HTTP/2.0"]


class Recording(Slow):
    """:class:`Slow`, noting when each path arrived (``time.monotonic()``)."""

    delay = 0.2
    arrived: ClassVar[dict[str, float]] = {}

    def do_GET(self) -> None:
        type(self).arrived.setdefault(self.path, time.monotonic())
        super().do_GET()


def test_over_http2_the_other_probes_start_once_the_home_page_is_back(nginx: Any) -> None:
    # httpcore reads an HTTP/2 connection's answers one task at a time: the home page's answer,
    # come in while a dozen streams waited on the socket for theirs, waited for them too (a
    # round trip at 50 ms RTT, benchmarks/bench_probe.py), and the pages that depend on it
    # after it (issue 15). The streams now start once it is back.
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recording)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        h2_port, _h1_port, cert, log = nginx(f"proxy_pass http://127.0.0.1:{server.server_port};")
        Recording.arrived = {}
        site = probe(h2_port, cert)
    finally:
        server.shutdown()
        server.server_close()
    assert site.error is None and site.chains[Probe.HOME][-1].http_version == "HTTP/2"
    home_back = Recording.arrived["/"] + Recording.delay
    streams = [uri for _c, protocol, method, uri in access_log(log, h2_port) if protocol == "HTTP/2.0"]
    assert "/.git/HEAD" in streams and "/.well-known/security.txt" in streams
    for path in ("/.git/HEAD", "/.well-known/security.txt"):
        assert Recording.arrived[path] >= home_back - 0.01, path
