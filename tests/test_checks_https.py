"""HTTPS and cookies (GL3xx), Django's own security ids under their own names,
SILENCED_SYSTEM_CHECKS for both, and --select / --ignore by prefix.
"""

from __future__ import annotations

import pytest
from conftest import BASE_SETTINGS, audit_project, build_project, failing, outcome

from golive.model import Audit, Location, Section, Severity, Status

PROD = "site_conf/settings/production.py"
BASE = "site_conf/settings/base.py"


def base_line(snippet: str) -> int:
    """The line of base.py (as conftest writes it) holding ``snippet``; exactly one."""
    lines = BASE_SETTINGS.lstrip("\n").splitlines()
    hits = [i for i, line in enumerate(lines, 1) if snippet in line]
    assert len(hits) == 1, snippet
    return hits[0]


H1 = """\
SECURE_HSTS_SECONDS = 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_PROXY_SSL_HEADER = None
CSRF_TRUSTED_ORIGINS = ["https://shop.example.com", "http://shop.example.com"]
SESSION_COOKIE_SECURE = False
SECURE_CONTENT_TYPE_NOSNIFF = False
"""


@pytest.fixture(scope="module")
def h1(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    return audit_project(build_project(tmp_path_factory.mktemp("h1") / "proj", H1))


@pytest.mark.covers("GL301", "fail")
def test_gl301_hsts_under_a_year(h1: Audit) -> None:
    [f] = failing(h1, "GL301")
    assert f.subjects == ("SECURE_HSTS_SECONDS",)
    assert f.location == Location(path=PROD, line=2)
    assert f.evidence == ("SECURE_HSTS_SECONDS = 3600 (0.042 days)",)


@pytest.mark.covers("GL302", "fail")
def test_gl302_preload_without_its_requirements(h1: Audit) -> None:
    [f] = failing(h1, "GL302")
    assert f.subjects == ("SECURE_HSTS_PRELOAD", "SECURE_HSTS_INCLUDE_SUBDOMAINS")
    assert f.location == Location(path=BASE, line=base_line("SECURE_HSTS_PRELOAD = True"))
    assert f.evidence == (
        "SECURE_HSTS_PRELOAD = True but SECURE_HSTS_INCLUDE_SUBDOMAINS is not True;"
        " SECURE_HSTS_SECONDS = 3600 (< 31536000)",
    )


@pytest.mark.covers("GL303", "fail")
def test_gl303_ssl_redirect_without_proxy_header(h1: Audit) -> None:
    [f] = failing(h1, "GL303")
    assert f.subjects == ("SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER")
    assert f.location == Location(path=PROD, line=4)
    assert f.evidence == ("SECURE_SSL_REDIRECT = True, SECURE_PROXY_SSL_HEADER = None",)


@pytest.mark.covers("GL304", "fail")
def test_gl304_plain_http_trusted_origin(h1: Audit) -> None:
    [f] = failing(h1, "GL304")
    assert f.subjects == ("CSRF_TRUSTED_ORIGINS",)
    assert f.location == Location(path=PROD, line=5)
    assert f.evidence == ("CSRF_TRUSTED_ORIGINS has 'http://shop.example.com'",)


@pytest.mark.covers("security.W005", "fail")
@pytest.mark.covers("security.W006", "fail")
@pytest.mark.covers("security.W012", "fail")
def test_djangos_own_ids_with_subjects_and_source_location(h1: Audit) -> None:
    found = {f.id: f for f in failing(h1) if f.collector == "django"}
    assert sorted(found) == ["security.W005", "security.W006", "security.W012"]
    w012 = found["security.W012"]
    assert w012.subjects == ("SESSION_COOKIE_SECURE",)
    assert w012.location == Location(path=PROD, line=6)
    assert w012.section is Section.HTTPS and w012.severity is Severity.HIGH
    assert w012.evidence[0].startswith("security.W012: SESSION_COOKIE_SECURE is not set to True.")
    assert w012.reference == "https://docs.djangoproject.com/en/stable/ref/checks/#security"
    assert found["security.W006"].subjects == ("SECURE_CONTENT_TYPE_NOSNIFF",)
    assert found["security.W006"].location == Location(path=PROD, line=7)
    assert found["security.W005"].location == Location(path=PROD, line=3)
    # Django's ids are never re-implemented: no GL finding says what W012 said.
    assert not [f for f in failing(h1) if f.id.startswith("GL") and "SESSION_COOKIE_SECURE" in f.subjects]


@pytest.mark.covers("GL301", "GL302", "GL303", "GL304", "pass")
def test_hardened_project_passes_https(hardened_audit: Audit) -> None:
    https = [f for f in hardened_audit.findings if f.section is Section.HTTPS]
    assert {f.id: f.status for f in https} == {f.id: Status.PASS for f in https}
    assert {"GL301", "GL302", "GL303", "GL304", "security.W004", "security.W008", "security.W012"} <= {
        f.id for f in https
    }


@pytest.mark.covers("security.W004", "fail")
def test_w004_reported_with_the_line_that_sets_it(make_project) -> None:  # type: ignore[no-untyped-def]
    result = audit_project(make_project("SECURE_HSTS_SECONDS = 0\n"))
    [f] = failing(result, "security.W004")
    assert f.subjects == ("SECURE_HSTS_SECONDS",)
    assert f.location == Location(path=PROD, line=2)
    assert f.collector == "django"
    assert f.remediation.startswith("SECURE_HSTS_SECONDS = 31536000")
    # 0 is "not set": W004's business, not GL301's (set but short)
    assert outcome(result, "GL301") == [Status.PASS]


@pytest.mark.parametrize(
    ("production", "silenced_id"),
    [
        pytest.param("SECURE_HSTS_SECONDS = 0\n", "security.W004", id="django-id"),
        pytest.param("SECURE_HSTS_SECONDS = 3600\n", "GL301", id="golive-id"),
    ],
)
def test_silenced_system_checks_skips_django_and_golive_ids(
    make_project,
    production: str,
    silenced_id: str,  # type: ignore[no-untyped-def]
) -> None:
    project = make_project(production + 'SILENCED_SYSTEM_CHECKS = ["security.W004", "GL301"]\n')
    result = audit_project(project)
    [f] = [f for f in result.findings if f.id == silenced_id]
    assert f.status is Status.SKIPPED
    assert f.reason == "silenced by SILENCED_SYSTEM_CHECKS"
    # preload stays on from base.py: GL302 still says the max-age is too short for it
    assert [f.id for f in failing(result)] == ["GL302"]


def test_select_and_ignore_by_prefix(h1: Audit, tmp_path_factory: pytest.TempPathFactory) -> None:
    project = build_project(tmp_path_factory.mktemp("select") / "proj", H1)
    selected = audit_project(project, select=("GL3",))
    assert sorted({f.id for f in selected.findings}) == ["GL301", "GL302", "GL303", "GL304", "GL305"]
    ignored = audit_project(project, ignore=("security.", "GL1"))
    ids = {f.id for f in ignored.findings}
    assert not [i for i in ids if i.startswith(("security.", "GL1"))]
    assert {"GL301", "GL201", "GL501"} <= ids
    # the full audit of the same project has both
    assert {"security.W012", "GL101"} <= {f.id for f in h1.findings}
    only_django = audit_project(project, select=("security.W01",))
    assert sorted(f.id for f in failing(only_django)) == ["security.W012"]
