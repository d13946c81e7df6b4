"""nginx against Django's settings, on real projects audited for real (runtime probe included).

GL704, GL705, GL709 and GL714 compare the parsed nginx configuration with the settings as
Django loads them (the hardened baseline of ``conftest.py``: SECURE_PROXY_SSL_HEADER on
X-Forwarded-Proto, STATIC_ROOT ``/srv/shop/static``, one year of HSTS). Also: discovery in
a project tree (includes followed, Apache and uWSGI files named as not audited), and a
broken nginx file leaving the rest of the audit intact.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import audit_project, build_project, failing, outcome

from golive.model import Audit, Location, Status

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "nginx"
DJANGO_RULES = ("GL704", "GL705", "GL709", "GL714")


def fixture(check_id: str, case: str) -> Path:
    return FIXTURES / check_id / f"{case}.conf"


def setting_at(project: Path, name: str) -> str:
    """``site_conf/settings/base.py:N``: where the baseline assigns ``name``."""
    lines = (project / "site_conf/settings/base.py").read_text().splitlines()
    return (
        f"site_conf/settings/base.py:{next(i for i, ln in enumerate(lines, 1) if ln.startswith(name + ' '))}"
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("nginx-django") / "proj")


@pytest.fixture(scope="module")
def fires(project: Path) -> Audit:
    return audit_project(project, nginx=tuple(fixture(cid, "fires") for cid in DJANGO_RULES))


@pytest.fixture(scope="module")
def quiet(project: Path) -> Audit:
    return audit_project(project, nginx=tuple(fixture(cid, "quiet") for cid in DJANGO_RULES))


@pytest.mark.covers("GL704", "fail")
def test_gl704_django_trusts_the_header_nginx_lets_through(fires: Audit, project: Path) -> None:
    found = failing(fires, "GL704")
    where = [(str(f.location), f.subjects) for f in found]
    assert (f"{fixture('GL704', 'fires')}:11", ("proxy_set_header", "X-Forwarded-Proto")) in where
    first = next(f for f in found if f.location == Location(path=str(fixture("GL704", "fires")), line=11))
    # GL705's fixture makes the same mistake: one finding with both places (issue 13)
    assert Location(path=str(fixture("GL705", "fires")), line=16) in first.locations
    assert first.evidence[:2] == (
        f"proxy_pass http://127.0.0.1:8000; at {fixture('GL704', 'fires')}:11:"
        " no header X-Forwarded-Proto is set,"
        " so a client's own X-Forwarded-Proto: https passes through",
        f"Django trusts it: SECURE_PROXY_SSL_HEADER ({setting_at(project, 'SECURE_PROXY_SSL_HEADER')})",
    )


@pytest.mark.covers("GL705", "fail")
def test_gl705_nginx_sets_another_scheme_header_than_django_trusts(fires: Audit, project: Path) -> None:
    [finding] = failing(fires, "GL705")
    assert finding.subjects == ("SECURE_PROXY_SSL_HEADER", "proxy_set_header")
    assert finding.location == Location(path=str(fixture("GL705", "fires")), line=16)
    assert finding.evidence == (
        f"proxy_set_header X-Forwarded-Ssl on; at {fixture('GL705', 'fires')}:18 sets X-Forwarded-Ssl,"
        " but Django trusts X-Forwarded-Proto",
        f"SECURE_PROXY_SSL_HEADER ({setting_at(project, 'SECURE_PROXY_SSL_HEADER')})"
        " = ('HTTP_X_FORWARDED_PROTO', 'https')",
    )


@pytest.mark.covers("GL709", "fail")
def test_gl709_static_location_serves_another_directory(fires: Audit, project: Path) -> None:
    [finding] = failing(fires, "GL709")
    assert finding.subjects == ("alias", "STATIC_ROOT")
    assert finding.location == Location(path=str(fixture("GL709", "fires")), line=11)
    assert finding.evidence == (
        f"alias /srv/other/static/; at {fixture('GL709', 'fires')}:11 serves /static/ from /srv/other/static",
        f"STATIC_ROOT ({setting_at(project, 'STATIC_ROOT')}) = '/srv/shop/static'",
    )


@pytest.mark.covers("GL714", "fail")
def test_gl714_nginx_and_django_send_different_hsts(fires: Audit, project: Path) -> None:
    [finding] = failing(fires, "GL714")
    assert finding.subjects == ("add_header", "Strict-Transport-Security", "SECURE_HSTS_SECONDS")
    hsts = fixture("GL714", "fires")
    assert finding.location == Location(path=str(hsts), line=14)
    assert finding.evidence == (
        f"add_header Strict-Transport-Security max-age=3600 always; at {hsts}:14"
        " applies to proxy_pass http://127.0.0.1:8000;",
        "Django sends max-age=31536000, includeSubDomains=True, preload=True"
        f" (SECURE_HSTS_SECONDS ({setting_at(project, 'SECURE_HSTS_SECONDS')}) = 31536000)",
    )


@pytest.mark.covers(*DJANGO_RULES, "pass")
def test_django_aware_rules_are_quiet_when_nginx_and_settings_agree(quiet: Audit) -> None:
    assert {cid: outcome(quiet, cid) for cid in DJANGO_RULES} == {cid: [Status.PASS] for cid in DJANGO_RULES}
    nginx = next(c for c in quiet.collectors if c.name == "nginx")
    assert [f["found"] for f in nginx.details["files"]] == [
        f"given with --nginx {fixture(cid, 'quiet')}" for cid in DJANGO_RULES
    ]


@pytest.fixture(scope="module")
def discovered(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    root = build_project(
        tmp_path_factory.mktemp("nginx-discovery") / "proj",
        files={
            "deploy/apache/site.conf": "<VirtualHost *:80>\n WSGIScriptAlias / /w.py\n</VirtualHost>\n",
            "deploy/uwsgi.ini": "[uwsgi]\nmodule = site_conf.wsgi\nhttp = :8000\n",
            "deploy/supervisor/shop.conf": "[program:shop]\ncommand = gunicorn site_conf.wsgi\n",
        },
    )
    shutil.copytree(FIXTURES / "includes", root / "deploy" / "nginx")
    return audit_project(root)


def test_discovery_audits_the_main_file_through_its_includes(discovered: Audit) -> None:
    nginx = next(c for c in discovered.collectors if c.name == "nginx")
    assert nginx.status == "ok"
    assert [(f["path"], f["found"], f["kind"], f["included"]) for f in nginx.details["files"]] == [
        (
            "deploy/nginx/nginx.conf",
            "discovered deploy/nginx/nginx.conf",
            "config",
            [
                "deploy/nginx/snippets/tls.conf",
                "deploy/nginx/sites/shop.conf",
                "deploy/nginx/snippets/proxy.conf",
            ],
        )
    ]
    [autoindex] = failing(discovered, "GL710")
    assert autoindex.location == Location(path="deploy/nginx/sites/shop.conf", line=14)


def test_apache_files_are_named_as_not_audited_and_uwsgi_is_audited(discovered: Audit) -> None:
    run = next(c for c in discovered.collectors if c.name == "unaudited servers")
    assert (run.status, run.reason) == ("skipped", "deploy/apache/site.conf (Apache): not audited yet")
    uwsgi = next(c for c in discovered.collectors if c.name == "uwsgi")
    assert (uwsgi.status, uwsgi.details["instances"]) == (
        "ok",
        [{"found": "discovered deploy/uwsgi.ini", "files": ["deploy/uwsgi.ini"], "unread": []}],
    )


def test_broken_nginx_leaves_the_rest_of_the_audit_intact(project: Path) -> None:
    bad = FIXTURES / "bad" / "unbalanced.conf"
    result = audit_project(project, nginx=(bad,))
    runs = {c.name: (c.status, c.reason) for c in result.collectors}
    reason = f'{bad}:8: unexpected end of file, expecting "}}" (the nginx checks need every file to parse)'
    assert runs["nginx"] == ("error", reason)
    assert runs["runtime"] == ("ok", "") and runs["gunicorn"] == ("ok", "")
    skipped = next(f for f in result.findings if f.id == "GL701")
    assert (skipped.status, skipped.reason) == (Status.SKIPPED, f"nginx: {reason}")
    assert outcome(result, "security.W004") == [Status.PASS]
    assert outcome(result, "GL612") == [Status.PASS]
    assert result.incomplete and result.exit_status == 3
