"""Traefik, Caddy and Fly.io in front of the application (GL790, GL791, GL792), on real files
written the way teams write them: Compose labels and flags, traefik.yml/toml with a file
provider, Caddyfiles adapted by the real ``caddy adapt`` (Debian's package), fly.toml.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest
from conftest import audit_project, build_project, failing

from golive.model import Audit, Severity, Status

needs_caddy = pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy (Debian package) not installed")

TRAEFIK_PLAIN = """
services:
  traefik:
    image: traefik:v3.1
    command:
      - --providers.docker=true
      - --entrypoints.web.address=:80
      - --entrypoints.websecure.address=:443
      - --api.insecure=true
    ports:
      - "80:80"
      - "443:443"
      - "8080:8080"
  web:
    build: .
    command: gunicorn site_conf.wsgi --bind 0.0.0.0:8000 --workers 3
    labels:
      - traefik.enable=true
      - traefik.http.routers.shop.rule=Host(`shop.example.com`)
      - traefik.http.routers.shop.entrypoints=web
      - traefik.http.routers.shop-secure.rule=Host(`shop.example.com`)
      - traefik.http.routers.shop-secure.entrypoints=websecure
      - traefik.http.routers.shop-secure.tls.certresolver=le
"""

TRAEFIK_GOOD = """
services:
  traefik:
    image: traefik:v3.1
    command:
      - --providers.docker=true
      - --providers.docker.exposedbydefault=false
      - --entrypoints.web.address=:80
      - --entrypoints.web.http.redirections.entrypoint.to=websecure
      - --entrypoints.web.http.redirections.entrypoint.scheme=https
      - --entrypoints.websecure.address=:443
    ports:
      - "80:80"
      - "443:443"
  web:
    build: .
    command: gunicorn site_conf.wsgi --bind 0.0.0.0:8000 --workers 3
    labels:
      traefik.enable: "true"
      traefik.http.routers.shop.rule: Host(`shop.example.com`)
      traefik.http.routers.shop.tls.certresolver: le
      traefik.http.routers.shop.middlewares: hsts@docker
      traefik.http.middlewares.hsts.headers.stsSeconds: "31536000"
  grafana:
    image: grafana/grafana:11.0.0
    labels:
      # no traefik.enable=true: with exposedbydefault=false Traefik ignores these
      traefik.http.routers.grafana.rule: Host(`grafana.example.com`)
      traefik.http.routers.grafana.entrypoints: web
"""

NO_HSTS = "SECURE_HSTS_SECONDS = 0\n"


def _project(tmp: pytest.TempPathFactory, name: str, files: Mapping[str, str], production: str = "") -> Path:
    written: dict[str, str | None] = dict(files)
    return build_project(tmp.mktemp(name) / "proj", production=production, files=written)


def _audit(root: Path) -> Audit:
    return audit_project(root, select=("GL79", "GL623"))


def _of(audit: Audit, check_id: str) -> list:
    return [f for f in audit.findings if f.id == check_id]


@pytest.fixture(scope="module")
def traefik_plain(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    files = {"docker-compose.prod.yml": TRAEFIK_PLAIN}
    return _audit(_project(tmp_path_factory, "tp", files, NO_HSTS))


@pytest.fixture(scope="module")
def traefik_good(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    return _audit(_project(tmp_path_factory, "tg", {"docker-compose.prod.yml": TRAEFIK_GOOD}, NO_HSTS))


@pytest.mark.covers("GL790", "fail")
def test_gl790_traefik_router_on_port_80_without_redirect(traefik_plain: Audit) -> None:
    found = failing(traefik_plain, "GL790")
    assert [(f.subjects, str(f.location), f.severity) for f in found] == [
        (("shop", "redirectScheme"), "docker-compose.prod.yml:18", Severity.MEDIUM)
    ]
    assert found[0].evidence == (
        "Traefik router shop (docker-compose.prod.yml:18, docker-compose.prod.yml service web) answers plain"
        " http for shop.example.com and redirects nothing to https",
    )


@pytest.mark.covers("GL790", "pass")
def test_gl790_traefik_entrypoint_redirection_and_tls_router(traefik_good: Audit) -> None:
    (found,) = _of(traefik_good, "GL790")
    assert found.status is Status.PASS
    assert found.evidence == ("Traefik router shop: TLS only (docker-compose.prod.yml:19)",)


@pytest.mark.covers("GL791", "fail")
def test_gl791_tls_router_without_hsts_and_django_without_it(traefik_plain: Audit) -> None:
    found = failing(traefik_plain, "GL791")
    assert [(f.subjects, str(f.location), f.severity) for f in found] == [
        (("Strict-Transport-Security", "shop-secure"), "docker-compose.prod.yml:20", Severity.LOW)
    ]
    assert found[0].evidence[1] == "SECURE_HSTS_SECONDS is not set (0) in the audited settings"


@pytest.mark.covers("GL791", "pass")
def test_gl791_headers_middleware_sts_seconds(traefik_good: Audit) -> None:
    (found,) = _of(traefik_good, "GL791")
    assert found.status is Status.PASS
    assert found.evidence == (
        "Traefik router shop: middleware hsts (docker-compose.prod.yml service web):"
        " headers.stsSeconds=31536000",
    )


@pytest.mark.covers("GL792", "fail")
def test_gl792_api_insecure_published(traefik_plain: Audit) -> None:
    (found,) = failing(traefik_plain, "GL792")
    assert found.subjects == ("api.insecure",)
    assert found.severity is Severity.MEDIUM
    assert found.location is not None and found.location.path == "docker-compose.prod.yml"
    assert found.evidence == (
        "docker-compose.prod.yml service traefik command: api.insecure=true",
        "the entrypoint traefik (8080) is published on every interface: ports 8080:8080",
    )


@pytest.mark.covers("GL792", "pass")
def test_gl792_no_insecure_api(traefik_good: Audit) -> None:
    assert [f.status for f in _of(traefik_good, "GL792")] == [Status.PASS]


TRAEFIK_STATIC = """
entryPoints:
  web:
    address: ":80"
    http:
      redirections:
        entryPoint:
          to: websecure
          scheme: https
  websecure:
    address: ":443"
providers:
  file:
    filename: /etc/traefik/dynamic.yml
"""

TRAEFIK_DYNAMIC = """
http:
  routers:
    app:
      rule: "Host(`shop.example.com`)"
      entryPoints: [web, websecure]
      service: app
  middlewares:
    hsts:
      headers:
        stsSeconds: 63072000
  services:
    app:
      loadBalancer:
        servers:
          - url: "http://127.0.0.1:8000"
"""

TRAEFIK_TOML = """
[entryPoints.web]
  address = ":80"
[entryPoints.websecure]
  address = ":443"
  [entryPoints.websecure.http]
    middlewares = ["hsts@file"]
    [entryPoints.websecure.http.tls]
"""

TRAEFIK_TOML_DYNAMIC = """
[http.routers.app]
  rule = "Host(`shop.example.com`)"
  service = "app"
[http.middlewares.hsts.headers]
  stsSeconds = 31536000
"""


def test_traefik_files_static_and_dynamic(tmp_path_factory: pytest.TempPathFactory) -> None:
    """YAML: the entrypoint redirection covers the router on web; no HSTS middleware on it, but
    Django sends HSTS (the hardened settings): GL791 passes on Django's header."""
    files = {"deploy/traefik/traefik.yml": TRAEFIK_STATIC, "deploy/traefik/dynamic.yml": TRAEFIK_DYNAMIC}
    audit = _audit(_project(tmp_path_factory, "tf", files))
    (gl790,) = _of(audit, "GL790")
    assert gl790.status is Status.PASS
    assert gl790.evidence == (
        "Traefik router app: entrypoint web (deploy/traefik/traefik.yml): address=:80,"
        " http.redirections.entryPoint.to=websecure",
    )
    (gl791,) = _of(audit, "GL791")
    assert gl791.status is Status.PASS
    assert (
        gl791.evidence[-1] == "Django sends it: SECURE_HSTS_SECONDS = 31536000 (passed through by the proxy)"
    )


def test_traefik_toml_router_on_every_entrypoint_serves_port_80(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """TOML: a router without entryPoints is on all of them, the plain :80 one included;
    the websecure entrypoint's TLS and middlewares count for HSTS."""
    files = {"traefik.toml": TRAEFIK_TOML, "conf/dynamic.toml": TRAEFIK_TOML_DYNAMIC}
    audit = _audit(_project(tmp_path_factory, "tt", files, NO_HSTS))
    (gl790,) = failing(audit, "GL790")
    assert (gl790.subjects, str(gl790.location)) == (("app", "redirectScheme"), "conf/dynamic.toml:1")
    (gl791,) = _of(audit, "GL791")
    assert gl791.status is Status.PASS
    assert gl791.evidence == (
        "Traefik router app: middleware hsts (conf/dynamic.toml): headers.stsSeconds=31536000",
    )


CADDY_PLAIN = """
http://shop.example.com {
\treverse_proxy web:8000
}
"""

CADDY_GOOD = """
shop.example.com {
\theader Strict-Transport-Security "max-age=31536000; includeSubDomains"
\treverse_proxy web:8000
}
"""

CADDY_OFF = """
{
\tauto_https off
}

shop.example.com {
\treverse_proxy web:8000
}
"""


@needs_caddy
def test_caddy_http_site_serves_plain_http(tmp_path_factory: pytest.TempPathFactory) -> None:
    audit = _audit(_project(tmp_path_factory, "cp", {"Caddyfile": CADDY_PLAIN}, NO_HSTS))
    (gl790,) = failing(audit, "GL790")
    assert (gl790.subjects, str(gl790.location), gl790.severity) == (
        ("shop.example.com", "site address"),
        "Caddyfile:1",
        Severity.MEDIUM,
    )
    assert "answers plain http for shop.example.com" in gl790.evidence[0]
    assert [f.status for f in _of(audit, "GL791")] == [Status.SKIPPED]  # no https site
    assert [f.status for f in _of(audit, "GL792")] == [Status.SKIPPED]  # no Traefik


@needs_caddy
def test_caddy_automatic_https_and_hsts_header(tmp_path_factory: pytest.TempPathFactory) -> None:
    audit = _audit(_project(tmp_path_factory, "cg", {"Caddyfile": CADDY_GOOD}, NO_HSTS))
    (gl790,) = _of(audit, "GL790")
    assert gl790.status is Status.PASS
    assert gl790.evidence == (
        "Caddy site shop.example.com: Caddyfile: site shop.example.com on :443 (Caddy's automatic HTTPS"
        " redirects http to https for a site with a host name)",
    )
    (gl791,) = _of(audit, "GL791")
    assert gl791.status is Status.PASS
    assert gl791.evidence == (
        'Caddy site shop.example.com: Caddyfile: header Strict-Transport-Security "max-age=31536000;'
        ' includeSubDomains"',
    )
    details = next(c for c in audit.collectors if c.name == "front proxy").details
    assert details["files"][0].startswith("Caddyfile (Caddyfile, read with caddy adapt ")


@needs_caddy
def test_caddy_auto_https_off_is_low(tmp_path_factory: pytest.TempPathFactory) -> None:
    audit = _audit(_project(tmp_path_factory, "co", {"Caddyfile": CADDY_OFF}))
    (gl790,) = failing(audit, "GL790")
    assert (gl790.subjects, gl790.severity) == (("shop.example.com", "auto_https"), Severity.LOW)
    assert gl790.evidence[0].startswith("Caddyfile: auto_https off")


def test_caddyfile_without_caddy_is_listed_not_audited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from golive.collectors.proxies import caddy

    (tmp_path / "Caddyfile").write_text(CADDY_GOOD, encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(caddy.CaddyUnavailable, match="Debian's package caddy"):
        caddy.adapt(tmp_path / "Caddyfile")


FLY_PLAIN = """
app = "shop"
[http_service]
  internal_port = 8000
  force_https = false
"""

FLY_GOOD = """
app = "shop"
[[services]]
  internal_port = 8000
  [[services.ports]]
    handlers = ["http"]
    port = 80
    force_https = true
  [[services.ports]]
    handlers = ["tls", "http"]
    port = 443
"""


def test_fly_http_service_without_force_https(tmp_path_factory: pytest.TempPathFactory) -> None:
    audit = _audit(_project(tmp_path_factory, "fp", {"fly.toml": FLY_PLAIN}))
    (gl790,) = failing(audit, "GL790")
    assert (gl790.subjects, str(gl790.location)) == (("shop [http_service]", "force_https"), "fly.toml:2")


def test_fly_services_port_80_force_https(tmp_path_factory: pytest.TempPathFactory) -> None:
    audit = _audit(_project(tmp_path_factory, "fg", {"fly.toml": FLY_GOOD}))
    (gl790,) = _of(audit, "GL790")
    assert gl790.status is Status.PASS
    assert gl790.evidence == (
        "Fly.io site shop [[services]] #1 (internal_port 8000):"
        " fly.toml: [[services.ports]] port 80 force_https = true",
    )


def test_django_w008_and_w004_settled_by_traefik_without_nginx(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Traefik routes straight to gunicorn (no nginx): its entrypoint redirection and its HSTS
    middleware settle Django's W008 and W004 (the finding keeps Django's id, passes, says why)."""
    production = "SECURE_SSL_REDIRECT = False\nSECURE_HSTS_SECONDS = 0\n"
    root = _project(tmp_path_factory, "dj", {"docker-compose.prod.yml": TRAEFIK_GOOD}, production)
    audit = audit_project(root, select=("security.W008", "security.W004", "GL79"))
    w008 = next(f for f in audit.findings if f.id == "security.W008")
    assert w008.status is Status.PASS
    assert w008.reason == (
        "satisfied at the proxy: Traefik redirects plain http to https before it reaches Django"
        " (docker-compose.prod.yml:19)"
    )
    assert w008.evidence[1:] == ("Traefik router shop (docker-compose.prod.yml:19) answers https only",)
    w004 = next(f for f in audit.findings if f.id == "security.W004")
    assert w004.status is Status.PASS
    assert w004.evidence[1:] == (
        "Traefik router shop: middleware hsts (docker-compose.prod.yml service web):"
        " headers.stsSeconds=31536000",
    )


def test_django_w008_kept_when_a_traefik_router_answers_plain_http(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    production = "SECURE_SSL_REDIRECT = False\n"
    root = _project(tmp_path_factory, "w8", {"docker-compose.prod.yml": TRAEFIK_PLAIN}, production)
    audit = audit_project(root, select=("security.W008", "GL790"))
    w008 = next(f for f in audit.findings if f.id == "security.W008")
    assert w008.status is Status.FAIL
    assert (
        "not settled by Traefik router shop (docker-compose.prod.yml:18): it answers plain http"
        in w008.evidence
    )
