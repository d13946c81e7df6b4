"""GL201 (ALLOWED_HOSTS accepts any host) with the project's own Host validation.

Django's checklist: "If you use a wildcard, you must perform your own validation of the Host
HTTP header". A self-hosted product serving events on custom domains sets ``ALLOWED_HOSTS =
["*"]`` and checks the Host in a middleware that raises DisallowedHost for names it does not
know: that is the validation the docs ask for; golive cannot tell which requests it covers, so
low with where it is. The project is written here in that shape and audited for real.
"""

from __future__ import annotations

from pathlib import Path

from conftest import audit_project, build_project, failing

from golive.model import Severity

MIDDLEWARE_MODULE = """\
from django.core.exceptions import DisallowedHost

KNOWN = {"shop.example.com", "events.example.org"}


class KnownHostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host = request.get_host().split(":")[0]
        if host not in KNOWN:
            raise DisallowedHost(f"Unknown host: {host}")
        return self.get_response(request)
"""
WILDCARD = 'ALLOWED_HOSTS = ["*"]\n'


def test_gl201_a_wildcard_with_a_middleware_raising_disallowed_host_is_low(tmp_path: Path) -> None:
    project = build_project(
        tmp_path / "proj",
        production=WILDCARD + 'MIDDLEWARE = ["site_conf.hosts.KnownHostMiddleware", *MIDDLEWARE]\n',
        files={"site_conf/hosts.py": MIDDLEWARE_MODULE},
    )
    [f] = failing(audit_project(project), "GL201")
    assert f.severity is Severity.LOW
    assert any(
        "site_conf.hosts.KnownHostMiddleware" in e and "site_conf/hosts.py:13" in e for e in f.evidence
    ), f.evidence


def test_gl201_a_middleware_package_re_exporting_the_class_counts(tmp_path: Path) -> None:
    # MIDDLEWARE names the package; the class lives in a submodule the package re-exports
    project = build_project(
        tmp_path / "proj",
        production=WILDCARD + 'MIDDLEWARE = ["site_conf.middleware.KnownHostMiddleware", *MIDDLEWARE]\n',
        files={
            "site_conf/middleware/__init__.py": "from .hosts import KnownHostMiddleware  # noqa: F401\n",
            "site_conf/middleware/hosts.py": MIDDLEWARE_MODULE,
        },
    )
    [f] = failing(audit_project(project), "GL201")
    assert f.severity is Severity.LOW
    assert any("site_conf/middleware/hosts.py:13" in e for e in f.evidence), f.evidence


def test_gl201_the_same_module_outside_middleware_validates_nothing(tmp_path: Path) -> None:
    project = build_project(
        tmp_path / "proj", production=WILDCARD, files={"site_conf/hosts.py": MIDDLEWARE_MODULE}
    )
    [f] = failing(audit_project(project), "GL201")
    assert f.severity is Severity.HIGH
