"""Severities that mean something (issue 13): docs/severity.md, followed by every check.

- A check's listed severity (``golive checks``, the ``@check`` spec) is the highest it can
  report: the failing fixtures of the nginx rules, a careless project and real TLS servers
  are audited and no finding exceeds its check's listed severity.
- gixy-ng's severities are calibrated in golive's table, with the reason beside each.
- GL760's title, evidence and remediation describe the same thing (the part of gixy-ng's
  weak_ssl_tls that fired); GL776 for a resolver used only for OCSP stapling is low.
- The TLS checks follow Mozilla's server-side TLS guidelines, "intermediate" profile by
  default (``tls_profile`` in ``[tool.golive]``): a kRSA fallback for old clients is low,
  no forward secrecy with a modern client medium; each finding names the profile.
- A world-readable file matters in proportion to what it holds (GL920).
- Django's warnings about build artefacts absent from a source checkout are low.
"""

from __future__ import annotations

import os
import ssl
import sys
from pathlib import Path

import pytest
from conftest import REPO, audit_project, build_project, failing

from golive.checks import gixy as gixy_checks
from golive.checks import registry
from golive.checks.gixy import GIXY_PLUGINS
from golive.collectors.nginx import NginxFacts, collect_files
from golive.model import Audit, Finding, Severity, Status
from golive.registry import Facts
from golive.runner import run_check

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "live"))

import live_deploy
import live_servers

NGINX = Path(__file__).resolve().parent / "fixtures" / "nginx"
SEVERITY = NGINX / "severity"
CARELESS = """
DEBUG = True
ALLOWED_HOSTS = ["*"]
SECRET_KEY = "django-insecure-abc"
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
EMAIL_HOST_PASSWORD = "k7Qm2vX9pL4rT8wZ-smtp"
"""


def over_listed(findings: list[Finding] | tuple[Finding, ...]) -> list[tuple[str, str, str]]:
    """(id, reported, listed) for every finding reported above its check's listed severity."""
    out = []
    for f in findings:
        spec = registry().get(f.id)
        if spec is not None and f.severity > spec.severity:
            out.append((f.id, f.severity.label, spec.severity.label))
    return out


def nginx_run(check_id: str, conf: Path) -> list[Finding]:
    spec = registry().get(check_id)
    assert spec is not None
    facts = collect_files([(conf, "given")], None, NGINX)
    return [f for f in run_check(spec, Facts({NginxFacts: facts}), {}) if f.failing]


@pytest.fixture(scope="module")
def careless(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    project = build_project(tmp_path_factory.mktemp("careless") / "proj", production=CARELESS)
    fires = tuple(sorted(NGINX.glob("GL7*/fires.conf"))) + tuple(sorted(SEVERITY.glob("*.conf")))
    return audit_project(project, nginx=fires)


def test_no_finding_exceeds_its_checks_listed_severity(careless: Audit) -> None:
    assert {f.id[:3] for f in failing(careless)} >= {"GL1", "GL7"}
    assert over_listed(careless.findings) == []


def test_every_gixy_plugin_has_golive_severity_with_its_reason() -> None:
    for plugin, (check_id, _gixy) in GIXY_PLUGINS.items():
        spec = registry().get(check_id)
        assert spec is not None
        reason = gixy_checks.GIXY_REASON[plugin]
        assert len(reason) > 40, plugin
        assert spec.rationale.count(reason) == 1, plugin


def test_severity_policy_page_is_linked_and_gives_an_example_per_level() -> None:
    page = (REPO / "docs" / "severity.md").read_text()
    for level in ("critical", "high", "medium", "low", "info"):
        assert f"## {level}" in page.lower(), level
    assert "(docs/severity.md)" in (REPO / "README.md").read_text()
    for plugin, (check_id, _gixy) in GIXY_PLUGINS.items():
        assert f"| {check_id} | `{plugin}` |" in page, plugin


def test_gl760_prefer_server_ciphers_is_low_and_says_so() -> None:
    [weak] = nginx_run("GL760", SEVERITY / "prefer_server_ciphers.conf")
    assert weak.severity is Severity.LOW
    assert weak.title == "ssl_prefer_server_ciphers on: the server's cipher order overrides the client's"
    assert weak.subjects == ("ssl_prefer_server_ciphers",)
    assert weak.evidence[0].startswith("Server cipher preference enabled unnecessarily: ssl_prefer_server")
    assert weak.remediation.startswith("ssl_prefer_server_ciphers off;")
    assert "Mozilla server-side TLS, intermediate profile" in weak.remediation


def test_gl760_old_protocols_are_medium_with_the_protocol_fix() -> None:
    [weak] = nginx_run("GL760", NGINX / "GL760" / "fires.conf")
    assert weak.severity is Severity.MEDIUM
    assert weak.title == "TLS protocols older than TLSv1.2 are enabled"
    assert weak.remediation.startswith("ssl_protocols TLSv1.2 TLSv1.3;")
    assert "ssl_prefer_server_ciphers" not in weak.remediation


def test_gl776_resolver_used_only_for_ocsp_stapling_is_low() -> None:
    [ext] = nginx_run("GL776", SEVERITY / "resolver_stapling.conf")
    assert ext.severity is Severity.LOW
    assert ext.evidence[-1] == (
        "nginx resolves no proxy target at run time here (no variable in a *_pass, no upstream server"
        " with resolve): the resolver serves OCSP stapling, whose answers the CA signs, so a spoofed"
        " answer can only make stapling fail"
    )


def test_gl776_resolver_for_a_proxy_target_is_medium() -> None:
    [ext] = nginx_run("GL776", SEVERITY / "resolver_upstream.conf")
    assert ext.severity is Severity.MEDIUM


# --- TLS: Mozilla's server-side TLS guidelines ------------------------------------------------


def _gl816(urls: list[str], resolve: tuple[str, ...], cacert: Path) -> Finding:
    (audit,) = live_deploy.probe(urls, resolve=resolve, cacert=cacert)
    [found] = [f for f in audit.findings if f.id == "GL816"]
    assert over_listed(audit.findings) == []
    return found


def test_gl816_krsa_fallback_for_old_clients_is_low(tmp_path: Path) -> None:
    cert = live_servers.make_cert(tmp_path, "fs.test")
    server = live_servers.scenario_server({"/": (200, [], b"ok")}, host="fs.test", cert=cert)
    try:
        url = f"https://fs.test:{server.port}/"
        found = _gl816([url], (f"fs.test:{server.port}:127.0.0.1",), cert[0])
    finally:
        server.stop()
    assert found.status is Status.FAIL
    assert found.severity is Severity.LOW
    assert found.evidence[-1] == (
        "Mozilla server-side TLS, intermediate profile: RSA key exchange is not in the profile; a modern"
        " client negotiated forward secrecy, so only clients that offer nothing better fall back to it"
    )


def test_gl816_no_forward_secrecy_with_a_modern_client_is_medium(tmp_path: Path) -> None:
    cert = live_servers.make_cert(tmp_path, "nofs.test")
    server = live_servers.scenario_server(
        {"/": (200, [], b"ok")},
        host="nofs.test",
        cert=cert,
        tls_max=ssl.TLSVersion.TLSv1_2,
        ciphers="AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
        server_order=True,
    )
    try:
        url = f"https://nofs.test:{server.port}/"
        found = _gl816([url], (f"nofs.test:{server.port}:127.0.0.1",), cert[0])
    finally:
        server.stop()
    assert found.status is Status.FAIL
    assert found.severity is Severity.MEDIUM
    assert found.evidence[-1].startswith(
        "Mozilla server-side TLS, intermediate profile: a modern client got no forward secrecy"
    )


def test_gl816_old_profile_accepts_the_krsa_fallback(tmp_path: Path) -> None:
    cert = live_servers.make_cert(tmp_path / "certs", "old.test")
    server = live_servers.scenario_server({"/": (200, [], b"ok")}, host="old.test", cert=cert)
    project = build_project(
        tmp_path / "proj", files={"pyproject.toml": '[tool.golive]\ntls_profile = "old"\n'}
    )
    try:
        audit = audit_project(
            project,
            urls=(f"https://old.test:{server.port}/",),
            resolve=(f"old.test:{server.port}:127.0.0.1",),
            cacert=cert[0],
            screenshots=False,
        )
    finally:
        server.stop()
    [found] = [f for f in audit.findings if f.id == "GL816"]
    assert found.status is Status.PASS
    assert found.evidence[-1].startswith("Mozilla server-side TLS, old profile: RSA key exchange is allowed")


# --- the host: permissions in proportion to what a file holds --------------------------------


@pytest.mark.skipif(os.geteuid() != 0, reason="chmod/chown of other users' files needs root")
def test_gl920_a_world_readable_settings_module_matters_when_it_holds_a_secret(tmp_path: Path) -> None:
    project = build_project(tmp_path / "proj", production='EMAIL_HOST_PASSWORD = "k7Qm2vX9pL4rT8wZ-smtp"\n')
    for path in (project / "site_conf" / "settings").glob("*.py"):
        path.chmod(0o644)
    audit = audit_project(project, host=True)
    found = {f.subjects[0]: f for f in failing(audit, "GL920")}
    assert set(found) == {"site_conf/settings/production.py"}
    prod = found["site_conf/settings/production.py"]
    assert prod.severity is Severity.HIGH
    assert (
        prod.evidence[-1] == "it holds EMAIL_HOST_PASSWORD as a literal (site_conf/settings/production.py:2)"
    )


# --- Django's warnings about build artefacts absent from a source checkout -------------------

ARTEFACTS = {
    "widgets/__init__.py": "",
    "widgets/apps.py": """
        from django.apps import AppConfig
        from django.core import checks

        class WidgetsConfig(AppConfig):
            name = "widgets"

            def ready(self):
                checks.register(bundle_check)

        def bundle_check(app_configs, **kwargs):
            return [checks.Warning(
                "The directory '/srv/shop/frontend/dist' does not exist.", id="widgets.W004"
            )]
    """,
}


def test_warnings_about_absent_build_artefacts_are_low(tmp_path: Path) -> None:
    project = build_project(
        tmp_path / "proj",
        production='STATICFILES_DIRS = [BASE_DIR / "frontend" / "dist"]\nINSTALLED_APPS += ["widgets"]\n',
        files=ARTEFACTS,
    )
    audit = audit_project(project)
    for cid in ("staticfiles.W004", "widgets.W004"):
        [found] = [f for f in audit.findings if f.id == cid]
        assert found.status is Status.FAIL, cid
        assert found.severity is Severity.LOW, cid
        assert found.evidence[-1] == (
            "a build artefact absent from a source checkout: built at image build time? then run"
            " the audit on the built tree (the image, or the directory the build writes)"
        ), cid


def test_the_nginx_tls_findings_name_the_profile_they_refer_to() -> None:
    [weak] = nginx_run("GL760", NGINX / "GL760" / "fires.conf")
    assert (
        weak.evidence[-1]
        == "judged by Mozilla server-side TLS, intermediate profile (tls_profile in [tool.golive])"
    )
    missing = nginx_run("GL713", NGINX / "GL713" / "fires.conf")
    assert missing
    assert {f.evidence[-1] for f in missing} == {
        "judged by Mozilla server-side TLS, intermediate profile (tls_profile in [tool.golive])"
    }


def test_an_unknown_tls_profile_is_a_configuration_error(tmp_path: Path) -> None:
    from golive.config import ConfigError, load_config

    (tmp_path / "pyproject.toml").write_text('[tool.golive]\ntls_profile = "strict"\n')
    with pytest.raises(ConfigError) as exc:
        load_config(tmp_path)
    assert str(exc.value) == (
        "pyproject.toml: [tool.golive] tls_profile must be modern, intermediate or old"
        " (Mozilla's server-side TLS profiles)"
    )
