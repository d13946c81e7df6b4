"""Empty sender addresses and placeholder ADMINS (issue 13, "Empty values"):
``SERVER_EMAIL = ""`` or ``DEFAULT_FROM_EMAIL = ""`` is as bad as Django's root@localhost
default (GL231); ADMINS at a domain reserved for examples is nobody's inbox (GL506)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import audit_project, failing, outcome

from golive.model import Location, Status

PROD = "site_conf/settings/production.py"


@pytest.mark.covers("GL231", "fail")
def test_empty_sender_addresses(make_project: Any) -> None:
    result = audit_project(make_project('DEFAULT_FROM_EMAIL = ""\nSERVER_EMAIL = ""\n'))
    found = failing(result, "GL231")
    assert [(f.subjects, f.location, f.evidence) for f in found] == [
        (
            ("DEFAULT_FROM_EMAIL",),
            Location(path=PROD, line=2),
            ("DEFAULT_FROM_EMAIL = '' (empty: mail from it is refused or unroutable)",),
        ),
        (
            ("SERVER_EMAIL",),
            Location(path=PROD, line=3),
            ("SERVER_EMAIL = '' (empty: mail from it is refused or unroutable)",),
        ),
    ]


@pytest.mark.covers("GL506", "fail")
def test_admins_at_an_example_domain_are_a_placeholder(make_project: Any) -> None:
    production = (
        'ALLOWED_HOSTS = ["shop.acme-books.com"]\n'
        'CSRF_TRUSTED_ORIGINS = ["https://shop.acme-books.com"]\n'
        'ADMINS = [("Ops", "ops@example.com"), ("Dev", "dev@acme-books.com"), ("You", "you@example.org")]\n'
    )
    result = audit_project(make_project(production))
    [f] = failing(result, "GL506")
    assert f.subjects == ("ADMINS",)
    assert f.location == Location(path=PROD, line=4)
    assert f.evidence == (
        "ADMINS: ops@example.com, you@example.org: example.com, example.org are reserved for"
        " documentation (RFC 2606), not the site's domain",
    )


@pytest.mark.covers("GL506", "pass")
def test_admins_at_the_sites_own_domain(hardened_audit: Any) -> None:
    # the hardened project's site is shop.example.com: ops@example.com is its own domain
    assert outcome(hardened_audit, "GL506") == [Status.PASS]


def test_admins_at_an_example_domain_are_unknown_when_allowed_hosts_is_a_wildcard(make_project: Any) -> None:
    # the base settings' site is shop.example.com, but '*' says nothing about the site's domain
    result = audit_project(make_project('ALLOWED_HOSTS = ["*"]\n'))
    [f] = [f for f in result.findings if f.id == "GL506"]
    assert (f.status, f.subjects) == (Status.SKIPPED, ("ADMINS",))
    assert f.reason == (
        "ALLOWED_HOSTS accepts any host ('*'), so whether example.com is the site's own domain is"
        " unknown: list the site's hosts in ALLOWED_HOSTS (GL201) to settle it"
    )
