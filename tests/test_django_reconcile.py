"""Django's security.W008 (SECURE_SSL_REDIRECT) and security.W004 (HSTS) reconciled with the
layers in front of Django (issue 13): real nginx files, real settings subprocesses, a live
site on loopback.

When nginx proves the redirect on every plain-http server, or HSTS of at least a year on
every https response (``add_header`` inheritance minded), or the live site answers so,
Django's warning keeps its id and text and passes with that evidence and the reason. When
the proxy was not seen, or does not prove it, the warning stays and says what would settle
it. The cookie warnings (W012, W016) are settled by the settings only.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import audit_project, build_project

from golive.model import Audit, Finding, Location, Status

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "live"))

import live_servers

NGINX = Path(__file__).resolve().parent / "fixtures" / "nginx"
FIXTURES = NGINX / "reconcile"
#: TLS and HSTS left to the proxy, as teams that silence W004/W008 by hand do; cookies insecure.
PROXY_SETTINGS = """
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
"""


def conf(name: str) -> Path:
    return FIXTURES / f"{name}.conf"


def only(audit: Audit, check_id: str) -> Finding:
    [finding] = [f for f in audit.findings if f.id == check_id]
    return finding


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("reconcile") / "proj", production=PROXY_SETTINGS)


@pytest.fixture(scope="module")
def proven(project: Path) -> Audit:
    return audit_project(project, nginx=(conf("proven"),))


def test_w008_passes_when_every_plain_http_server_redirects(proven: Audit) -> None:
    w008 = only(proven, "security.W008")
    assert w008.status is Status.PASS
    assert w008.title == "SECURE_SSL_REDIRECT is not True"
    assert w008.location == Location(path=str(conf("proven")), line=5)
    assert w008.evidence[0].startswith("security.W008: Your SECURE_SSL_REDIRECT setting is not set to True.")
    assert w008.evidence[1:] == (
        f"server shop.example.com at {conf('proven')}:1 (*:80, [::]:80):"
        f" return 301 https://$host$request_uri; at {conf('proven')}:5",
    )
    assert w008.reason == (
        "satisfied at the proxy: nginx redirects every plain-http request to https before it reaches"
        f" Django (1 plain-http server, first at {conf('proven')}:5)"
    )


def test_w004_passes_when_every_https_response_carries_a_year_of_hsts(proven: Audit) -> None:
    w004 = only(proven, "security.W004")
    assert w004.status is Status.PASS
    assert w004.location == Location(path=str(conf("proven")), line=12)
    assert w004.evidence[0].startswith("security.W004: You have not set a value for the SECURE_HSTS_SECONDS")
    assert w004.evidence[1:] == (
        f"server shop.example.com at {conf('proven')}:7 (*:443, [::]:443):"
        f" add_header Strict-Transport-Security 'max-age=31536000; includeSubDomains' always;"
        f" at {conf('proven')}:12, in force in every location",
    )
    assert w004.reason == (
        "satisfied at the proxy: nginx sends Strict-Transport-Security with max-age of at least"
        f" 31536000 on every https response (1 https server, first at {conf('proven')}:12)"
    )


def test_cookie_warnings_are_never_settled_by_the_proxy(proven: Audit) -> None:
    w012 = only(proven, "security.W012")
    assert w012.status is Status.FAIL
    assert w012.severity.label == "high"


def test_a_location_with_its_own_add_header_drops_the_servers_hsts(project: Path) -> None:
    audit = audit_project(project, nginx=(conf("dropped"),))
    assert only(audit, "security.W008").status is Status.PASS  # return 301 inside location /
    w004 = only(audit, "security.W004")
    assert w004.status is Status.FAIL
    assert w004.evidence[1:] == (
        f"not settled by nginx: location /static/ at {conf('dropped')}:18 has add_header lines of its own"
        f" (add_header Cache-Control 'public, max-age=86400'; at {conf('dropped')}:20), so the server's"
        f" add_header Strict-Transport-Security max-age=31536000 always; at {conf('dropped')}:12 is not"
        " inherited there (nginx inherits add_header only into a level that has none)",
    )


def test_a_plain_http_server_serving_the_app_keeps_w008_and_a_short_hsts_keeps_w004(project: Path) -> None:
    audit = audit_project(project, nginx=(conf("plain_app"),))
    w008 = only(audit, "security.W008")
    assert w008.status is Status.FAIL
    assert w008.evidence[1:] == (
        f"not settled by nginx: server shop.example.com at {conf('plain_app')}:1 listens on *:80"
        f" without ssl and does not redirect to https: proxy_pass http://127.0.0.1:8000; at"
        f" {conf('plain_app')}:7",
    )
    w004 = only(audit, "security.W004")
    assert w004.status is Status.FAIL
    assert w004.evidence[1:] == (
        f"not settled by nginx: server shop.example.com at {conf('plain_app')}:11 sends"
        f" add_header Strict-Transport-Security max-age=3600; at {conf('plain_app')}:15:"
        " max-age=3600 is under 31536000 (one year)",
    )


def test_without_the_proxy_layer_the_warning_says_what_would_settle_it(project: Path) -> None:
    audit = audit_project(project)
    w008 = only(audit, "security.W008")
    assert w008.status is Status.FAIL
    assert w008.evidence[-1] == (
        "not settled by another layer: no web server configuration was audited and no live site"
        " was probed; --nginx FILE whose plain-http servers all redirect to https, or --url"
        " http://HOST/ answering with a redirect to https, would settle it"
    )
    w004 = only(audit, "security.W004")
    assert w004.status is Status.FAIL
    assert w004.evidence[-1] == (
        "not settled by another layer: no web server configuration was audited and no live site"
        " was probed; --nginx FILE whose https servers all send Strict-Transport-Security with"
        " max-age of at least 31536000, or --url https://HOST/ answering with that header, would"
        " settle it"
    )


@pytest.fixture(scope="module")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int, Path]]:
    cert = live_servers.make_cert(tmp_path_factory.mktemp("certs"), "shop.test")
    html = [("Content-Type", "text/html; charset=utf-8")]
    hsts = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    tls = live_servers.scenario_server(
        {"/": (200, [*html, hsts], b"<h1>Shop</h1>")}, host="shop.test", cert=cert
    )
    plain = live_servers.scenario_server(
        {"/": (301, [("Location", f"https://shop.test:{tls.port}/")], b"")}, host="shop.test"
    )
    yield plain.port, tls.port, cert[0]
    plain.stop()
    tls.stop()


def test_the_live_site_settles_both_warnings(project: Path, live_site: tuple[int, int, Path]) -> None:
    plain, tls, cacert = live_site
    audit = audit_project(
        project,
        urls=(f"http://shop.test:{plain}/", f"https://shop.test:{tls}/"),
        resolve=(f"shop.test:{plain}:127.0.0.1", f"shop.test:{tls}:127.0.0.1"),
        cacert=cacert,
        screenshots=False,
    )
    w008 = only(audit, "security.W008")
    assert w008.status is Status.PASS, w008
    assert w008.location == Location(path=f"http://shop.test:{plain}/")
    assert f"GET http://shop.test:{plain}/" in w008.evidence
    assert f"  Location: https://shop.test:{tls}/" in w008.evidence
    assert w008.reason == (
        "satisfied at the proxy: the live site redirects plain http to https"
        f" (the response of http://shop.test:{plain}/)"
    )
    w004 = only(audit, "security.W004")
    assert w004.status is Status.PASS, w004
    assert "  Strict-Transport-Security: max-age=63072000; includeSubDomains" in w004.evidence
    assert w004.reason == (
        "satisfied at the proxy: the live site sends Strict-Transport-Security with max-age of at"
        f" least 31536000 (the response of https://shop.test:{tls}/)"
    )


# --- Traefik in front of nginx (Compose labels and command) ----------------------------------

TRAEFIK = Path(__file__).resolve().parent / "fixtures" / "nginx" / "layouts" / "traefik"
HSTS_LABELS = """      - traefik.http.routers.shop.tls.certresolver=le
      - traefik.http.routers.shop.middlewares=hsts@docker
      - traefik.http.middlewares.hsts.headers.stsSeconds=31536000
      - traefik.http.middlewares.hsts.headers.stsIncludeSubdomains=true
"""


def traefik_project(root: Path, hsts: bool) -> Path:
    project = build_project(root, production=PROXY_SETTINGS)
    shutil.copytree(TRAEFIK, project, dirs_exist_ok=True)
    if hsts:
        compose = project / "docker-compose.prod.yml"
        text = compose.read_text()
        compose.write_text(
            text.replace("      - traefik.http.routers.shop.tls.certresolver=le\n", HSTS_LABELS)
        )
    return project


def test_traefik_in_front_of_nginx_settles_the_redirect_from_its_command(tmp_path: Path) -> None:
    audit = audit_project(traefik_project(tmp_path / "proj", hsts=False))
    w008 = only(audit, "security.W008")
    assert w008.status is Status.PASS
    assert w008.evidence[1:] == (
        "docker-compose.prod.yml service traefik: --entrypoints.web.address=:80"
        " --entrypoints.web.http.redirections.entrypoint.to=websecure (every request on :80 is"
        " redirected to the entrypoint websecure)",
    )
    assert w008.reason == (
        "satisfied at the proxy: Traefik redirects plain http to https before it reaches Django"
        " (docker-compose.prod.yml)"
    )
    w004 = only(audit, "security.W004")
    assert w004.status is Status.FAIL
    assert w004.evidence[1:] == (
        "not settled by Traefik: the router shop (docker-compose.prod.yml service nginx) uses no"
        " headers middleware with stsSeconds",
        "--nginx FILE whose https servers all send Strict-Transport-Security with max-age of at least"
        " 31536000, or --url https://HOST/ answering with that header, would settle it",
    )


def test_traefik_hsts_middleware_on_the_router_settles_w004(tmp_path: Path) -> None:
    audit = audit_project(traefik_project(tmp_path / "proj", hsts=True))
    w004 = only(audit, "security.W004")
    assert w004.status is Status.PASS
    assert w004.evidence[1:] == (
        "docker-compose.prod.yml service nginx: router shop uses middleware hsts:"
        " traefik.http.middlewares.hsts.headers.stsSeconds=31536000",
    )
    assert w004.reason == (
        "satisfied at the proxy: Traefik sends Strict-Transport-Security with max-age of at least"
        " 31536000 on every router to Django (docker-compose.prod.yml)"
    )


def test_a_plain_http_server_that_refuses_every_request_settles_w008(project: Path) -> None:
    refuses = NGINX / "GL760" / "quiet.conf"  # listen 80 default_server; return 444; + a TLS server
    audit = audit_project(project, nginx=(refuses,))
    w008 = only(audit, "security.W008")
    assert w008.status is Status.PASS
    assert w008.evidence[1:] == (
        f"server _ at {refuses}:1 (*:80): return 444; at {refuses}:4 (plain http is refused: it never"
        " reaches Django)",
    )
