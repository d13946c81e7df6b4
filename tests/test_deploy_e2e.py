"""End to end on a real deployment on loopback: gunicorn on a unix socket behind nginx with TLS.

The test starts gunicorn (serving a real Django project, whose one view answers
``secure=<request.is_secure()>``) on a unix socket, and two nginx instances in front of
it on 127.0.0.1 high ports, with a self-signed certificate made by openssl: one that does
not overwrite ``X-Forwarded-Proto`` and one that does (``proxy_set_header
X-Forwarded-Proto $scheme``). Django trusts no header itself (SECURE_PROXY_SSL_HEADER is
None): gunicorn, which trusts any peer on a unix socket, turns the header into
``wsgi.url_scheme``. A plain-HTTP request carrying ``X-Forwarded-Proto: https`` is secure
to Django behind the first nginx and not behind the second; golive reports the first
configuration (GL631) and not the second. Everything is stopped by the test.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import GOOD_ENV, audit_project, build_project, failing, outcome

from golive.collectors.nginx.binary import nginx_binary
from golive.model import Audit, Location, Status

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed"),
]
HOST = "shop.example.com"
URLS = """
from django.http import HttpResponse
from django.urls import path


def scheme(request):
    return HttpResponse(f"secure={request.is_secure()}")


urlpatterns = [path("scheme/", scheme)]
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: object, what: str, deadline: float = 30.0) -> None:
    """Poll ``check()`` until it is true; fail the test after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    pytest.fail(f"{what} did not come up")


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    """A short directory for the sockets (unix socket paths are limited to 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="gl-e2e-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def certificate(workdir: Path) -> Path:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={HOST}",
            "-addext",
            f"subjectAltName=IP:127.0.0.1,DNS:{HOST}",
            "-keyout",
            str(workdir / "key.pem"),
            "-out",
            str(workdir / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return workdir / "cert.pem"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, workdir: Path) -> Path:
    sock = workdir / "gunicorn.sock"
    return build_project(
        tmp_path_factory.mktemp("e2e") / "proj",
        production="SECURE_PROXY_SSL_HEADER = None\nSECURE_SSL_REDIRECT = False\n",
        files={
            "site_conf/urls.py": URLS,
            "Procfile": "web: gunicorn site_conf.wsgi -c deploy/gunicorn.conf.py\n",
            "deploy/gunicorn.conf.py": (
                f'bind = "unix:{sock}"\numask = 0o007\nworkers = 2\ntimeout = 30\n'
                'accesslog = "-"\nmax_requests = 1000\n'
            ),
        },
    )


@pytest.fixture(scope="module")
def app_server(project: Path, workdir: Path) -> Iterator[Path]:
    """Real gunicorn serving the project on its unix socket."""
    env = {**os.environ, **GOOD_ENV, "DJANGO_SETTINGS_MODULE": "site_conf.settings.production"}
    env.pop("PORT", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "site_conf.wsgi", "-c", "deploy/gunicorn.conf.py"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    sock = workdir / "gunicorn.sock"
    try:
        wait_for(sock.exists, "gunicorn")
        yield sock
    finally:
        stop(proc)


def nginx_conf(prefix: Path, sock: Path, certificate: Path, *, overwrite: bool) -> tuple[Path, int, int]:
    """A main nginx.conf for this test: (file, plain-HTTP port, HTTPS port)."""
    http, https = free_port(), free_port()
    xfp = "            proxy_set_header X-Forwarded-Proto $scheme;\n" if overwrite else ""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the 0770 socket
    temp = "".join(
        f"    {kind}_temp_path {prefix}/{kind};\n" for kind in ("proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"{user}daemon off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
        "events {\n    worker_connections 64;\n}\n"
        "http {\n"
        f"    access_log {prefix}/access.log;\n    client_body_temp_path {prefix}/body;\n{temp}"
        "    server_tokens off;\n"
        "    server {\n"
        f"        listen 127.0.0.1:{http} default_server;\n"
        f"        listen 127.0.0.1:{https} ssl default_server;\n"
        f"        server_name {HOST};\n"
        f"        ssl_certificate {certificate};\n"
        f"        ssl_certificate_key {certificate.with_name('key.pem')};\n"
        "        ssl_protocols TLSv1.2 TLSv1.3;\n"
        "        location / {\n"
        f"            proxy_pass http://unix:{sock};\n"
        "            proxy_set_header Host $host;\n"
        f"{xfp}"
        "        }\n"
        "    }\n"
        "}\n",
        encoding="utf-8",
    )
    return conf, http, https


def start_nginx(
    prefix: Path, sock: Path, certificate: Path, *, overwrite: bool
) -> Iterator[tuple[Path, int, int]]:
    conf, http, https = nginx_conf(prefix, sock, certificate, overwrite=overwrite)
    proc = subprocess.Popen(
        [nginx_binary() or "nginx", "-c", str(conf), "-p", f"{prefix}/"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(lambda: accepts(http) and accepts(https), "nginx")
        yield conf, http, https
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def leaky(
    tmp_path_factory: pytest.TempPathFactory, app_server: Path, certificate: Path
) -> Iterator[tuple[Path, int, int]]:
    """nginx that passes the client's X-Forwarded-Proto through."""
    yield from start_nginx(tmp_path_factory.mktemp("nginx-leaky"), app_server, certificate, overwrite=False)


@pytest.fixture(scope="module")
def safe(
    tmp_path_factory: pytest.TempPathFactory, app_server: Path, certificate: Path
) -> Iterator[tuple[Path, int, int]]:
    """nginx that overwrites X-Forwarded-Proto with $scheme."""
    yield from start_nginx(tmp_path_factory.mktemp("nginx-safe"), app_server, certificate, overwrite=True)


def scheme_seen(port: int, *, tls: bool = False, certificate: Path | None = None, claim: bool = False) -> str:
    """What Django answers to GET /scheme/ through nginx (``secure=True`` or ``secure=False``)."""
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}/scheme/"
    headers = {"Host": HOST, **({"X-Forwarded-Proto": "https"} if claim else {})}
    verify = ssl.create_default_context(cafile=str(certificate)) if certificate else True
    response = httpx.get(url, headers=headers, verify=verify, timeout=15)
    assert response.status_code == 200, response.text[:300]
    return response.text


def test_plain_http_claiming_https_reaches_django_as_secure_through_the_leaky_nginx(
    leaky: tuple[Path, int, int], certificate: Path
) -> None:
    _, http, https = leaky
    assert scheme_seen(http) == "secure=False"
    assert scheme_seen(http, claim=True) == "secure=True"
    assert scheme_seen(https, tls=True, certificate=certificate) == "secure=False"  # no header from nginx


def test_nginx_that_overwrites_the_header_keeps_plain_http_plain(
    safe: tuple[Path, int, int], certificate: Path
) -> None:
    _, http, https = safe
    assert scheme_seen(http, claim=True) == "secure=False"
    assert scheme_seen(https, tls=True, certificate=certificate) == "secure=True"


@pytest.fixture(scope="module")
def audit_leaky(project: Path, leaky: tuple[Path, int, int]) -> Audit:
    return audit_project(project, nginx=(leaky[0],))


@pytest.fixture(scope="module")
def audit_safe(project: Path, safe: tuple[Path, int, int]) -> Audit:
    return audit_project(project, nginx=(safe[0],))


@pytest.mark.covers("GL631", "fail")
def test_golive_reports_the_leaky_configuration(
    audit_leaky: Audit, leaky: tuple[Path, int, int], app_server: Path
) -> None:
    conf = leaky[0]
    line = next(i for i, ln in enumerate(conf.read_text().splitlines(), 1) if "proxy_pass" in ln)
    [finding] = failing(audit_leaky, "GL631")
    assert finding.location == Location(path=str(conf), line=line)
    assert finding.subjects == ("proxy_set_header", "X-Forwarded-Proto", "forwarded_allow_ips")
    assert finding.evidence[0] == (
        f"proxy_pass http://unix:{app_server}; at {conf}:{line} reaches gunicorn (Procfile:1);"
        f" gunicorn trusts any peer on its unix socket unix:{app_server}"
    )
    # Django itself trusts no header: the hole is gunicorn's, GL704 (Django's) stays quiet.
    assert outcome(audit_leaky, "GL704") == [Status.PASS]
    assert outcome(audit_leaky, "GL630") == [Status.PASS]


@pytest.mark.covers("GL631", "pass")
def test_golive_does_not_report_the_safe_configuration(audit_safe: Audit) -> None:
    assert outcome(audit_safe, "GL631") == [Status.PASS]
    assert outcome(audit_safe, "GL630") == [Status.PASS]
    nginx = next(c for c in audit_safe.collectors if c.name == "nginx")
    assert (nginx.status, nginx.details["files"][0]["nginx -t"]) == ("ok", "ok")
