"""Faults and misconfigurations for real, on loopback: nothing listening, a server that
never answers, a redirect loop, a gigabyte body, expired/expiring/weak/mismatched
certificates, and a site that makes every header, cookie and file mistake the nginx and
Django deployments of test_live_deploy.py do not. Servers: tests/fixtures/live/live_servers.py.
"""

from __future__ import annotations

import ssl
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "live"))

import live_deploy
import live_servers
from conftest import failing, outcome

from golive.model import Severity, Status

HTML = [("Content-Type", "text/html; charset=utf-8")]
NGINX_404 = (
    b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
DJANGO_400 = (
    b'\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n<body>\n'
    b"  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n"
)


def only(audit: Any, check_id: str) -> Any:
    (finding,) = [f for f in audit.findings if f.id == check_id]
    return finding


def resolve(host: str, *ports: int) -> tuple[str, ...]:
    return tuple(f"{host}:{port}:127.0.0.1" for port in ports)


# -- a site that answers nothing --------------------------------------------------------


def test_nothing_listening_is_an_incomplete_audit_with_the_reason() -> None:
    port = live_deploy.free_port()
    (a,) = live_deploy.probe([f"http://down.test:{port}/"], resolve=resolve("down.test", port))
    (run,) = a.collectors
    assert (run.name, run.status) == ("live", "error")
    assert (
        run.reason
        == f"http://down.test:{port}/: GET http://down.test:{port}/: connection refused (nothing listening)"
    )
    assert {f.status for f in a.findings} == {Status.SKIPPED}
    assert only(a, "GL831").reason == f"live: {run.reason}"
    assert a.exit_status == 3


@pytest.fixture(scope="module")
def silent() -> Iterator[live_servers.Server]:
    server = live_servers.silent_server()
    yield server
    server.stop()


def test_a_server_that_never_answers_times_out(silent: live_servers.Server) -> None:
    url = f"http://mute.test:{silent.port}/"
    (a,) = live_deploy.probe([url], resolve=resolve("mute.test", silent.port), timeout=1)
    (run,) = a.collectors
    assert run.status == "error"
    assert run.reason == f"{url}: GET {url}: no answer within 1 s (timed out)"
    assert a.exit_status == 3


@pytest.fixture(scope="module")
def loop() -> Iterator[live_servers.Server]:
    routes = {"/": (302, [("Location", "/a")], b""), "/a": (302, [("Location", "/")], b"")}
    server = live_servers.scenario_server(routes, host="loop.test")
    yield server
    server.stop()


def test_a_redirect_loop_is_an_error_outcome_and_the_other_probes_go_on(loop: live_servers.Server) -> None:
    url = f"http://loop.test:{loop.port}/"
    (a,) = live_deploy.probe([url], resolve=resolve("loop.test", loop.port))
    assert {c.name: c.status for c in a.collectors} == {"live": "ok"}
    gl851 = only(a, "GL851")
    assert gl851.status is Status.ERROR
    assert gl851.reason == f"GET {url}: redirect loop: / → /a → /"
    assert outcome(a, "GL860") == [Status.PASS]  # the file probes went on
    assert a.incomplete and outcome(a, "GL801") == [Status.FAIL]  # failing takes precedence: exit 1


@pytest.fixture(scope="module")
def endless() -> Iterator[live_servers.Server]:
    server = live_servers.endless_server()
    yield server
    server.stop()


def test_a_gigabyte_body_is_read_up_to_the_cap_only(endless: live_servers.Server) -> None:
    url = f"http://big.test:{endless.port}/"
    (a,) = live_deploy.probe([url], resolve=resolve("big.test", endless.port))
    assert {c.name: c.status for c in a.collectors} == {"live": "ok"}
    gl855 = only(a, "GL855")
    assert gl855.status is Status.FAIL
    assert gl855.evidence[:2] == (
        f"GET {url}",
        "→ HTTP/1.1 200 OK (body cut at the probe's byte cap)",
    )


# -- certificates ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("certs")


def tls_site(cert: tuple[Path, Path], host: str) -> live_servers.Server:
    return live_servers.scenario_server({"/": (200, HTML, b"<h1>Hello</h1>")}, host=host, cert=cert)


@pytest.mark.covers("GL812", "fail")
@pytest.mark.covers("GL810", "pass")
def test_expired_certificate(certs: Path) -> None:
    cert = live_servers.make_cert(certs, "old.test", not_before_days=-400, not_after_days=-3)
    server = tls_site(cert, "old.test")
    try:
        url = f"https://old.test:{server.port}/"
        (a,) = live_deploy.probe([url], resolve=resolve("old.test", server.port), cacert=cert[0])
        (b,) = live_deploy.probe([url], resolve=resolve("old.test", server.port), insecure=True)
    finally:
        server.stop()
    gl812 = only(a, "GL812")
    assert gl812.status is Status.FAIL and gl812.subjects == ("ssl_certificate",)
    assert gl812.evidence[1] == "  verification failed: certificate has expired (X509 error 10)"
    assert gl812.evidence[-1] == "  expired 3 days ago"
    assert outcome(a, "GL810") == [Status.PASS]  # the chain is fine, only the dates are not
    assert only(a, "GL803").status is Status.SKIPPED
    assert "--insecure" in only(a, "GL803").reason
    # --insecure: the certificate is still reported, the other probes go on.
    assert outcome(b, "GL812") == [Status.FAIL]
    assert outcome(b, "GL803") == [Status.FAIL]


@pytest.mark.covers("GL813", "fail")
def test_certificate_expiring_within_21_days(certs: Path) -> None:
    cert = live_servers.make_cert(certs, "soon.test", not_after_days=10.5)
    server = tls_site(cert, "soon.test")
    try:
        (a,) = live_deploy.probe(
            [f"https://soon.test:{server.port}/"], resolve=resolve("soon.test", server.port), cacert=cert[0]
        )
    finally:
        server.stop()
    gl813 = only(a, "GL813")
    assert gl813.status is Status.FAIL and gl813.severity is Severity.MEDIUM
    assert gl813.evidence[-1].startswith("  10.") and gl813.evidence[-1].endswith(" days left")
    assert outcome(a, "GL810") == [Status.PASS] and outcome(a, "GL812") == [Status.PASS]


@pytest.mark.covers("GL815", "fail")
def test_weak_key(certs: Path) -> None:
    cert = live_servers.make_cert(certs, "weak.test", bits=1024)
    server = tls_site(cert, "weak.test")
    try:
        (a,) = live_deploy.probe(
            [f"https://weak.test:{server.port}/"], resolve=resolve("weak.test", server.port), cacert=cert[0]
        )
    finally:
        server.stop()
    gl815 = only(a, "GL815")
    assert gl815.status is Status.FAIL and gl815.subjects == ("ssl_certificate_key",)
    assert gl815.evidence[-1] == "  RSA key of 1024 bits (< 2048)"


# -- a site with every header, cookie and file mistake -----------------------------------

TRACEBACK = (
    b"<html><body><pre>Traceback (most recent call last):\n"
    b"  File \"/srv/app/views.py\", line 12, in index\nKeyError: 'basket'</pre></body></html>"
)
MISTAKES = {
    "/": (
        200,
        [
            *HTML,
            ("Set-Cookie", "sessionid=s3ss10nvalue; Path=/; secure; SameSite=None"),
            ("Set-Cookie", "tracker=abc; Path=/"),
            ("Strict-Transport-Security", "max-age=3600; preload"),
            ("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'"),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Credentials", "true"),
            ("X-Powered-By", "PHP/8.1.2"),
        ],
        b"<html><body><h1>Shop</h1></body></html>",
    ),
    "/admin/": (500, HTML, TRACEBACK),
    "/.git/HEAD": (200, [("Content-Type", "text/plain")], b"ref: refs/heads/main\n"),
    "/.env": (
        200,
        [("Content-Type", "text/plain")],
        b"SECRET_KEY=abcdefghijklmnop\nDATABASE_URL=postgres://u:p@db/x\n",
    ),
    "/settings.py": (
        200,
        [("Content-Type", "text/x-python")],
        b'SECRET_KEY = "abcdefghijklmnop"\nDEBUG = False\nALLOWED_HOSTS = ["x"]\nINSTALLED_APPS = []\n',
    ),
    "/db.sqlite3": (
        200,
        [("Content-Type", "application/octet-stream")],
        b"SQLite format 3\x00" + b"\x00" * 100,
    ),
}


@pytest.fixture(scope="module")
def mistakes(certs: Path) -> Iterator[Any]:
    cert = live_servers.make_cert(certs, "mistakes.test")
    https = live_servers.scenario_server(
        MISTAKES,
        host="mistakes.test",
        bogus=(400, HTML, DJANGO_400),
        default=(404, HTML, NGINX_404),
        cert=cert,
    )
    http = live_servers.scenario_server(
        {}, host="mistakes.test", default=(302, [("Location", f"https://mistakes.test:{https.port}/")], b"")
    )
    try:
        (audit,) = live_deploy.probe(
            [f"http://mistakes.test:{http.port}/", f"https://mistakes.test:{https.port}/"],
            resolve=resolve("mistakes.test", http.port, https.port),
            cacert=cert[0],
        )
        yield audit, https.port
    finally:
        http.stop()
        https.stop()


MISTAKES_FAILING = [
    "GL802",
    "GL804",
    "GL816",
    "GL822",
    "GL823",
    "GL824",
    "GL832",
    "GL850",
    "GL851",
    "GL852",
    "GL853",
    "GL854",
    "GL856",
    "GL857",
    "GL858",
    "GL860",
    "GL861",
    "GL863",
    "GL864",
    "GL868",
    "GL870",
    "GL871",
]


@pytest.mark.covers(*MISTAKES_FAILING, "fail")
@pytest.mark.covers("GL855", "pass")
def test_every_header_cookie_and_file_mistake_is_found(mistakes: Any) -> None:
    a, port = mistakes
    site = f"https://mistakes.test:{port}/"
    assert sorted({f.id for f in failing(a)}) == MISTAKES_FAILING
    assert outcome(a, "GL801") == [Status.PASS] and outcome(a, "GL855") == [Status.PASS]

    assert only(a, "GL802").evidence[-1] == "status 302 is temporary (use 301 or 308)"
    assert only(a, "GL804").evidence[-2:] == (
        "max-age=3600 is under 31536000 (one year)",
        "preload without includeSubDomains",
    )
    gl822 = only(a, "GL822")
    assert gl822.subjects == ("SESSION_COOKIE_HTTPONLY", "Set-Cookie")
    assert gl822.evidence[1] == "  Set-Cookie: sessionid=<12 chars redacted>; Path=/; secure; SameSite=None"
    assert only(a, "GL823").subjects == ("SESSION_COOKIE_SAMESITE",)
    assert only(a, "GL824").subjects == ("Set-Cookie", "tracker")
    assert only(a, "GL832").evidence[-1] == "  the page shows a Python traceback"
    assert only(a, "GL850").subjects == ("server_tokens", "Server", "X-Powered-By")  # BaseHTTP/0.6 Python/3
    assert (
        only(a, "GL856").evidence[-1]
        == "  Content-Security-Policy: default-src 'self'; script-src 'self' 'unsafe-inline'"
    )
    assert only(a, "GL857").evidence[-2:] == (
        "  Access-Control-Allow-Origin: *",
        "  Access-Control-Allow-Credentials: true",
    )
    assert only(a, "GL860").evidence[0] == f"GET {site}.git/HEAD"
    gl861 = only(a, "GL861")
    assert gl861.evidence[-1] == "  content: 2 NAME=value lines (SECRET_KEY, DATABASE_URL; values not shown)"
    assert not any("abcdefghijklmnop" in line for f in a.findings for line in f.evidence)
    assert only(a, "GL863").location.path == f"{site}settings.py"
    assert only(a, "GL864").evidence[-1] == "  content: SQLite database"
    assert only(a, "GL870").evidence[-1] == "  recognised as nginx's built-in error page"
    assert only(a, "GL871").evidence[-1] == "  recognised as Django's built-in error page"
    assert (
        only(a, "GL871").evidence[0]
        == f"GET {site} (Host: " + only(a, "GL871").evidence[0].split("(Host: ")[1]
    )


CACHED_HOME = (
    b'<!doctype html><title>Shop</title><link rel="stylesheet" href="http://cdn.cached.test/site.css">'
    b'<script src="/static/app.js"></script><img src="http://img.cached.test/logo.png">'
    b'<form method="post" action="http://cached.test/search/"><input name="q"></form>'
)


@pytest.mark.covers("GL805", "GL817", "GL825", "GL826", "GL868", "GL872", "fail")
def test_cacheable_cookies_mixed_content_tls12_and_a_stale_security_txt(certs: Path) -> None:
    """A site on a TLS 1.2-only server whose home page sets a Domain-wide session cookie
    in a response a shared cache may keep, loads a stylesheet over http, answers 200 for
    everything, and publishes an expired security.txt."""
    cert = live_servers.make_cert(certs, "cached.test")
    home_headers = [
        *HTML,
        ("Cache-Control", "public, max-age=600"),
        ("Set-Cookie", "sessionid=abcdefabcdef; Domain=.cached.test; Path=/; Secure; HttpOnly; SameSite=Lax"),
    ]
    txt = b"Contact: mailto:security@cached.test\nExpires: 2021-12-31T23:59:59Z\n"
    server = live_servers.scenario_server(
        {
            "/": (200, home_headers, CACHED_HOME),
            "/.well-known/security.txt": (200, [("Content-Type", "text/plain; charset=utf-8")], txt),
        },
        host="cached.test",
        default=(200, HTML, b"<h1>Sorry, nothing here</h1>"),
        cert=cert,
        tls_max=ssl.TLSVersion.TLSv1_2,
    )
    try:
        site = f"https://cached.test:{server.port}/"
        (a,) = live_deploy.probe([site], resolve=resolve("cached.test", server.port), cacert=cert[0])
    finally:
        server.stop()
    assert {"GL805", "GL817", "GL825", "GL826", "GL868", "GL872"} <= {f.id for f in failing(a)}

    gl805 = only(a, "GL805")
    assert gl805.subjects == ("form action", "stylesheet")  # the image is upgraded by browsers
    assert gl805.evidence[-2:] == (
        "  stylesheet: http://cdn.cached.test/site.css",
        "  form action: http://cached.test/search/",
    )
    assert (
        only(a, "GL817")
        .evidence[0]
        .startswith(f"TLS handshake with cached.test:{server.port} via 127.0.0.1:")
    )
    assert ": negotiated TLSv1.2 (" in only(a, "GL817").evidence[0]
    gl825 = only(a, "GL825")
    assert gl825.subjects == ("SESSION_COOKIE_DOMAIN",)
    assert gl825.evidence[-1] == "  Domain=.cached.test: sent to every host under cached.test"
    gl826 = only(a, "GL826")
    assert gl826.subjects == ("Cache-Control", "sessionid")
    assert "  Cache-Control: public, max-age=600" in gl826.evidence
    assert (
        gl826.evidence[-1]
        == "  Cache-Control: public: a shared cache may store this response with its cookie"
    )
    assert not any("abcdefabcdef" in line for f in a.findings for line in f.evidence)
    assert only(a, "GL868").evidence[-1] == "  Expires 2021-12-31T23:59:59Z has passed: the file is stale"
    gl872 = only(a, "GL872")
    assert gl872.evidence[1] == "→ HTTP/1.1 200 OK" and gl872.evidence[0].endswith("-not-found/")
    # The script is on this site: fetched as the asset, a small file (skipped, not judged).
    assert only(a, "GL866").status is Status.SKIPPED


@pytest.mark.covers("GL856", "GL871", "GL832", "GL824", "pass")
def test_a_tidy_plain_site_passes_those_checks() -> None:
    headers = [*HTML, ("Set-Cookie", "theme=dark; Path=/; Secure")]
    server = live_servers.scenario_server(
        {"/": (200, headers, b"<h1>Tidy</h1>")},
        host="tidy.test",
        bogus=(400, HTML, b"<!doctype html><title>Oops</title><h1>That is not us</h1>"),
    )
    try:
        (a,) = live_deploy.probe(
            [f"http://tidy.test:{server.port}/"], resolve=resolve("tidy.test", server.port)
        )
    finally:
        server.stop()
    for cid in ("GL856", "GL871", "GL832", "GL824"):
        assert outcome(a, cid) == [Status.PASS], cid


def test_a_redirect_to_another_host_is_not_followed() -> None:
    server = live_servers.scenario_server(
        {"/": (301, [("Location", "https://elsewhere.test/")], b"")}, host="moved.test"
    )
    try:
        url = f"http://moved.test:{server.port}/"
        (a,) = live_deploy.probe([url], resolve=resolve("moved.test", server.port))
    finally:
        server.stop()
    gl802 = only(a, "GL802")
    assert gl802.status is Status.FAIL
    assert gl802.evidence == (
        f"GET {url}",
        "→ HTTP/1.1 301 Moved Permanently",
        "  Location: https://elsewhere.test/",
        "it goes to another host (elsewhere.test)",
    )
    assert outcome(a, "GL801") == [Status.PASS]  # it does go to https, on another host
    # Nothing was asked of elsewhere.test: its TLS was never inspected.
    assert outcome(a, "GL810") == [Status.SKIPPED]
