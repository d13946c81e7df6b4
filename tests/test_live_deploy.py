"""The live checks end to end on real deployments: Django under gunicorn behind nginx with
a self-signed certificate (openssl), on loopback, careless and hardened (see
tests/fixtures/live/live_deploy.py). Each deployment is started once for this module.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "live"))

import live_deploy
from conftest import failing, outcome

from golive.context import AuditOptions, resolve
from golive.model import Severity, Status
from golive.runner import run_audit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def careless(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live_deploy.Deployment]:
    deployment = live_deploy.start("careless", tmp_path_factory.mktemp("careless"))
    yield deployment
    deployment.stop()


@pytest.fixture(scope="module")
def hardened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[live_deploy.Deployment]:
    deployment = live_deploy.start("hardened", tmp_path_factory.mktemp("hardened"))
    yield deployment
    deployment.stop()


@pytest.fixture(scope="module")
def careless_audit(careless: live_deploy.Deployment, tmp_path_factory: pytest.TempPathFactory) -> Any:
    shots = tmp_path_factory.mktemp("careless-shots")
    (audit,) = live_deploy.probe(
        [careless.http_url, careless.https_url],
        resolve=careless.resolve,
        cacert=careless.cert,
        screenshot_dir=shots,
    )
    return audit


@pytest.fixture(scope="module")
def hardened_audit(hardened: live_deploy.Deployment) -> Any:
    (audit,) = live_deploy.probe(
        [hardened.http_url], resolve=hardened.resolve, cacert=hardened.cert, admin_path="/backstage-7f3a/"
    )
    return audit


def only(audit: Any, check_id: str) -> Any:
    (finding,) = [f for f in audit.findings if f.id == check_id]
    return finding


CARELESS_FAILING = [
    "GL801",
    "GL803",
    "GL814",
    "GL816",
    "GL820",
    "GL821",
    "GL830",
    "GL831",
    "GL840",
    "GL841",
    "GL850",
    "GL855",
    "GL858",
    "GL862",
    "GL865",
    "GL866",
    "GL867",
    "GL868",
    "GL870",
]


@pytest.mark.covers(*CARELESS_FAILING, "fail")
def test_careless_deployment_every_problem_is_found(
    careless: live_deploy.Deployment, careless_audit: Any
) -> None:
    a = careless_audit
    assert sorted({f.id for f in failing(a)}) == CARELESS_FAILING
    assert a.exit_status == 1
    http, https = careless.http_url, careless.https_url

    gl801 = only(a, "GL801")
    assert gl801.subjects == ("SECURE_SSL_REDIRECT", "return")
    assert gl801.evidence[:2] == (f"GET {http}", "→ HTTP/1.1 200 OK")

    gl831 = only(a, "GL831")
    assert gl831.severity is Severity.CRITICAL and gl831.subjects == ("DEBUG",)
    assert gl831.evidence[0].startswith(f"GET {https}golive-") and gl831.evidence[0].endswith("-not-found/")
    assert "  recognised as Django's technical 404 page" in gl831.evidence

    hosts = sorted(f.location.path for f in failing(a, "GL830"))
    assert hosts == sorted([http, https])
    assert all(f.subjects == ("ALLOWED_HOSTS", "default_server") for f in failing(a, "GL830"))
    assert any(
        line.endswith(".invalid)") and "(Host: golive-" in line for line in failing(a, "GL830")[0].evidence
    )

    gl814 = only(a, "GL814")
    assert gl814.subjects == ("ssl_protocols",)
    target = f"TLS handshake with bookshop.test:{careless.https_port} via 127.0.0.1"
    assert [line.rsplit(": ", 1)[0] for line in gl814.evidence] == [
        f"{target} pinned to TLSv1: accepted",
        f"{target} pinned to TLSv1.1: accepted",
        "Mozilla server-side TLS, intermediate profile",
    ]
    assert gl814.evidence[-1].endswith(": only TLSv1.2 and TLSv1.3")

    gl816 = only(a, "GL816")
    assert gl816.subjects == ("ssl_ciphers",)
    assert gl816.severity is Severity.LOW  # a fallback: browsers get forward secrecy (issue 13)
    line, profile = gl816.evidence
    assert profile.startswith("Mozilla server-side TLS, intermediate profile: RSA key exchange is not")
    assert line.startswith(
        f"TLS 1.2 handshake with bookshop.test:{careless.https_port} via 127.0.0.1 offering"
    )
    assert re.search(r": accepted: (AES|CAMELLIA|ARIA)[\w-]+$", line), line  # an RSA key exchange suite

    gl865 = only(a, "GL865")
    assert gl865.subjects == ("autoindex", "MEDIA_URL")
    assert gl865.evidence[:2] == (f"GET {https}media/", "→ HTTP/1.1 200 OK")

    css = f"GET {https}static/catalog/site.css (Accept-Encoding: gzip)"
    gl866, gl867 = only(a, "GL866"), only(a, "GL867")
    assert gl866.evidence[0] == css and "  Content-Encoding: (absent)" in gl866.evidence
    assert "  1556 bytes sent uncompressed" in gl866.evidence
    assert gl867.evidence[0] == css
    assert gl867.evidence[2:] == ("  Cache-Control: (absent)", "  Expires: (absent)")

    gl868 = only(a, "GL868")
    assert gl868.evidence[0] == f"GET {https}.well-known/security.txt"
    assert gl868.evidence[-1] == "  answered 404 text/html: no security.txt"
    assert only(a, "GL858").evidence[-1] == "  Permissions-Policy: (absent)"

    gl862 = only(a, "GL862")
    assert gl862.subjects == ("alias", "location")
    assert gl862.evidence[0] == f"GET {https}static../manage.py"
    assert "  content: manage.py" in gl862.evidence

    gl850 = only(a, "GL850")
    assert gl850.subjects == ("server_tokens", "Server")
    assert "  Server: nginx/1.22.1" in gl850.evidence or any(
        line.startswith("  Server: nginx/") for line in gl850.evidence
    )

    gl841 = only(a, "GL841")
    assert gl841.evidence[:2] == (f"GET {http}admin/login/", "→ HTTP/1.1 200 OK")
    assert only(a, "GL840").location.path == f"{https}admin/login/?next=/admin/"
    assert only(a, "GL803").evidence[-1] == "  Strict-Transport-Security: (absent)"
    assert "  recognised as Django's technical 404 DEBUG page" in only(a, "GL870").evidence


@pytest.mark.covers("GL820", "GL821", "fail")
def test_careless_cookies_are_named_by_their_settings_and_redacted(careless_audit: Any) -> None:
    gl820 = only(careless_audit, "GL820")
    assert gl820.subjects == ("SESSION_COOKIE_SECURE", "Set-Cookie")
    set_cookie = next(line for line in gl820.evidence if "Set-Cookie" in line)
    assert set_cookie.startswith("  Set-Cookie: sessionid=<32 chars redacted>; ")
    gl821 = only(careless_audit, "GL821")
    assert gl821.subjects == ("CSRF_COOKIE_SECURE", "Set-Cookie")
    assert any(line.startswith("  Set-Cookie: csrftoken=<32 chars redacted>;") for line in gl821.evidence)
    # No cookie value anywhere in the report's evidence.
    text = "\n".join(line for f in careless_audit.findings for line in f.evidence)
    assert "csrftoken=<" in text and re.search(r"(sessionid|csrftoken)=[^<]", text) is None


CARELESS_PASSING = ("GL805", "GL817", "GL822", "GL823", "GL824", "GL825", "GL826", "GL832", "GL857",
                    "GL860", "GL861", "GL863", "GL864", "GL872")  # fmt: skip


@pytest.mark.covers(*CARELESS_PASSING, "pass")
def test_careless_deployment_passes_what_it_gets_right(careless_audit: Any) -> None:
    for cid in (*CARELESS_PASSING, "GL851"):
        assert outcome(careless_audit, cid) == [Status.PASS], cid
    assert only(careless_audit, "GL817").evidence[0].endswith(": negotiated TLSv1.3 (TLS_AES_256_GCM_SHA384)")
    assert only(careless_audit, "GL872").evidence[1] == "→ HTTP/1.1 404 Not Found"


def test_careless_screenshots_home_404_and_admin(
    careless: live_deploy.Deployment, careless_audit: Any
) -> None:
    shots = careless_audit.screenshots
    assert [s.name for s in shots] == ["home", "404", "admin-login"]
    for shot in shots:
        path = Path(shot.path)
        assert path.is_absolute() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shots[0].url == careless.https_url
    assert shots[1].caption == "404 page (404): Django's technical 404 DEBUG page"
    assert shots[2].url == f"{careless.https_url}admin/login/?next=/admin/"


HARDENED_PASSING = [
    "GL801",
    "GL802",
    "GL803",
    "GL804",
    "GL810",
    "GL811",
    "GL812",
    "GL813",
    "GL805",
    "GL814",
    "GL815",
    "GL816",
    "GL817",
    "GL820",
    "GL821",
    "GL822",
    "GL823",
    "GL825",
    "GL826",
    "GL830",
    "GL831",
    "GL840",
    "GL841",
    "GL850",
    "GL851",
    "GL852",
    "GL853",
    "GL854",
    "GL857",
    "GL858",
    "GL860",
    "GL861",
    "GL862",
    "GL863",
    "GL864",
    "GL865",
    "GL866",
    "GL867",
    "GL868",
    "GL870",
    "GL872",
]


@pytest.mark.covers(*HARDENED_PASSING, "pass")
def test_hardened_deployment_nothing_failing_at_medium_or_above(hardened_audit: Any) -> None:
    a = hardened_audit
    assert [f.id for f in failing(a) if f.severity >= Severity.MEDIUM] == []
    assert [f.id for f in failing(a)] == ["GL855"]  # no Content-Security-Policy (low)
    for cid in HARDENED_PASSING:
        assert outcome(a, cid) == [Status.PASS], cid
    assert a.exit_status == 0
    assert outcome(a, "GL871") == [Status.SKIPPED]
    assert only(a, "GL871").reason.endswith(
        "no 400 answer seen (a bogus Host got no answer or another status)"
    )


def test_audit_with_project_and_url_cross_checks_the_settings(
    careless: live_deploy.Deployment, tmp_path: Path
) -> None:
    """``golive audit PROJECT --url``: the live collector runs next to the runtime one."""
    ctx = resolve(
        AuditOptions(
            project_dir=careless.project,
            settings="live_settings",
            python=sys.executable,
            urls=(careless.https_url,),
            resolve=careless.resolve,
            cacert=careless.cert,
            screenshot_dir=tmp_path / "shots",
            no_git=True,
            no_history=True,
        )
    )
    a = run_audit(ctx)
    runs = {c.name: c.status for c in a.collectors}
    assert runs["live"] == "ok" and runs["runtime"] == "ok"
    assert {"GL831", "GL830", "GL862", "GL820"} <= {f.id for f in failing(a)}
    assert only(a, "GL820").location.path == careless.https_url
    # The runner gathers the live collector's screenshots into the audit.
    assert [(s.name, Path(s.path).parent) for s in a.screenshots] == [
        ("home", tmp_path / "shots"),
        ("404", tmp_path / "shots"),
        ("admin-login", tmp_path / "shots"),
    ]


def test_probe_command_many_sites_writes_per_site_reports_and_combined_json(
    careless: live_deploy.Deployment, tmp_path: Path
) -> None:
    """Two host names on the careless server (it has no default server, so it serves any
    Host): one audit per site, a summary table, per-site reports and a combined JSON."""
    port = careless.https_port
    resolve_args = [x for h in ("a.test", "b.test") for x in ("--resolve", f"{h}:{port}:127.0.0.1")]
    proc = subprocess.run(
        [sys.executable, "-m", "golive.cli", "probe", f"https://a.test:{port}/", f"https://b.test:{port}/",
         *resolve_args, "--insecure", "--no-screenshots", "--timeout", "5", "-o", "out/report.json",
         "-o", "out/report.md"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=dict(os.environ, COLUMNS="200"),
        check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "golive probe: 2 sites" in proc.stdout
    assert f"https://a.test:{port}/" in proc.stdout and f"https://b.test:{port}/" in proc.stdout
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        f"report-a.test-{port}.json",
        f"report-a.test-{port}.md",
        "report-all.json",
        f"report-b.test-{port}.json",
        f"report-b.test-{port}.md",
    ]
    combined = json.loads((tmp_path / "out" / "report-all.json").read_text())
    assert [s["url"] for s in combined["sites"]] == [f"https://a.test:{port}/", f"https://b.test:{port}/"]
    one = json.loads((tmp_path / "out" / f"report-a.test-{port}.json").read_text())
    assert one["project"] == {"name": f"https://a.test:{port}/", "path": f"https://a.test:{port}/"}
    ids = {f["id"] for f in one["findings"] if f["status"] == "fail"}
    assert {"GL810", "GL811", "GL831"} <= ids  # self-signed for bookshop.test, asked as a.test


@pytest.mark.covers("GL810", "GL811", "fail")
def test_insecure_still_reports_the_certificate(careless: live_deploy.Deployment) -> None:
    port = careless.https_port
    (a,) = live_deploy.probe(
        [f"https://other.test:{port}/"], resolve=(f"other.test:{port}:127.0.0.1",), insecure=True
    )
    gl810, gl811 = only(a, "GL810"), only(a, "GL811")
    assert gl810.status is Status.FAIL and gl810.subjects == ("ssl_certificate",)
    assert any("self-signed" in line for line in gl810.evidence)
    assert gl811.status is Status.FAIL and gl811.evidence[-1] == "  asked for other.test"
    assert "  subjectAltName bookshop.test, 127.0.0.1" in gl811.evidence
    assert outcome(a, "GL831") == [Status.FAIL]  # --insecure: the other probes went on


def test_untrusted_certificate_without_insecure_skips_https_probes(careless: live_deploy.Deployment) -> None:
    port = careless.https_port
    (a,) = live_deploy.probe([f"https://bookshop.test:{port}/"], resolve=(f"bookshop.test:{port}:127.0.0.1",))
    assert outcome(a, "GL810") == [Status.FAIL]
    gl831 = only(a, "GL831")
    assert gl831.status is Status.SKIPPED
    assert "not trusted" in gl831.reason and "--insecure" in gl831.reason


def test_audit_with_project_probes_where_the_urlconf_mounts_the_admin(
    hardened: live_deploy.Deployment, tmp_path: Path
) -> None:
    """The live collector uses the runtime settings: the admin is not at /admin/ but the
    URLconf says where, so it is probed there (no --admin-path needed)."""
    ctx = resolve(
        AuditOptions(
            project_dir=hardened.project,
            settings="live_settings",
            env_file=hardened.project / "deploy" / "audit.env",
            python=sys.executable,
            urls=(hardened.http_url,),
            resolve=hardened.resolve,
            cacert=hardened.cert,
            screenshot_dir=tmp_path,
            no_git=True,
            no_history=True,
        )
    )
    a = run_audit(ctx)
    assert {c.name: c.status for c in a.collectors}["live"] == "ok"
    assert outcome(a, "GL841") == [Status.PASS] and outcome(a, "GL840") == [Status.PASS]
    admin = [s for s in a.screenshots if s.name == "admin-login"]
    assert [s.url for s in admin] == [f"{hardened.https_url}backstage-7f3a/login/?next=/backstage-7f3a/"]
    assert [f.id for f in failing(a) if f.id.startswith("GL8")] == ["GL855"]
