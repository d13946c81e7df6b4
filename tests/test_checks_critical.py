"""Critical settings (GL1xx) on real projects audited for real: SECRET_KEY and DEBUG.

One project carries most of the section's mistakes at once (the assertions stay per
check: id, subjects, file:line, evidence); the hardened baseline is the passing case.
"""

from __future__ import annotations

import secrets
import string
from pathlib import Path

import pytest
from conftest import GOOD_KEY, audit_project, build_project, failing, outcome

from golive.model import Audit, Confidence, Location, Severity, Status

PROD = "site_conf/settings/production.py"
#: 60 characters, 5 distinct: Django's W009 is quiet (>= 50 long, >= 5 distinct), entropy ~139 bits.
WEAK_KEY = "abcde" * 12
OLD_KEY = "old-rotated-key-7Hq2Lx9Vw4Bz8Nc3Rt6Yp1Mk5Dj0Fg-Zs8Qa2We4Rt6"
#: A live-mode Stripe key of the published shape, random (Stripe's documented example keys are
#: placeholders), assembled at run time so that no file holds one.
STRIPE = "sk_" + "live_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(24))
CACHE_PW = "cache-pw-literal-9f8e"
SMTP_DEFAULT = "smtp-default-pw-31c7"
DEV_KEY = "dev-only-key-Jq8#Lw2!Zr5$Xn1^Vb7&Mc4*Kd9(Hf3)Gs6-Tp0_Ya+Ue"

MISTAKES = f"""\
SECRET_KEY = "{WEAK_KEY}"
SECRET_KEY_FALLBACKS = ["{WEAK_KEY}", "{OLD_KEY}", "{OLD_KEY}"]
DEBUG = os.environ.get("DJANGO_DEBUG", "True") == "True"
TEMPLATES[0]["OPTIONS"]["debug"] = True
STRIPE_SECRET_KEY = "{STRIPE}"
CACHES["default"]["LOCATION"] = "redis://:{CACHE_PW}@127.0.0.1:6379/0"
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "{SMTP_DEFAULT}")
"""
STAGING = "from .production import *  # noqa\nALLOWED_HOSTS = ['staging.example.com']\n"


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    root = tmp_path_factory.mktemp("critical") / "proj"
    build_project(root, MISTAKES, files={"site_conf/settings/staging.py": STAGING})
    return audit_project(root)


def no_secret_in(audit: Audit) -> None:
    text = repr(audit.findings)
    for secret in (WEAK_KEY, OLD_KEY, STRIPE, CACHE_PW, SMTP_DEFAULT, DEV_KEY, GOOD_KEY):
        assert secret not in text


@pytest.mark.covers("GL101", "fail")
def test_gl101_literal_key_in_production_source(broken: Audit) -> None:
    [f] = failing(broken, "GL101")
    assert f.subjects == ("SECRET_KEY",)
    assert f.location == Location(path=PROD, line=2)
    assert f.evidence[0].startswith(f"SECRET_KEY at {PROD}:2: literal, 60 chars, 5 distinct")
    assert "fingerprint" in f.evidence[0]
    no_secret_in(broken)


@pytest.mark.covers("GL102", "fail")
def test_gl102_secret_with_literal_environment_default(broken: Audit) -> None:
    [f] = failing(broken, "GL102")
    assert f.subjects == ("EMAIL_HOST_PASSWORD",)
    assert f.location == Location(path=PROD, line=8)
    assert (
        f.evidence[0] == f"EMAIL_HOST_PASSWORD = os.environ.get('EMAIL_HOST_PASSWORD', <default>) at {PROD}:8"
    )
    assert f.evidence[1].startswith("default: 20 chars")


@pytest.mark.covers("GL103", "pass")
def test_gl103_a_module_star_importing_production_is_not_another_key(broken: Audit) -> None:
    # staging.py does `from .production import *`: the literal it inherits is production's
    # own line (GL101's business), not a second copy of the key.
    assert outcome(broken, "GL103") == [Status.PASS]


@pytest.mark.covers("GL104", "fail")
def test_gl104_fallbacks_hold_the_current_key_and_a_duplicate(broken: Audit) -> None:
    found = failing(broken, "GL104")
    assert [f.subjects for f in found] == [("SECRET_KEY_FALLBACKS",)] * 2
    assert {f.location for f in found} == {Location(path=PROD, line=3)}
    assert found[0].evidence[0].startswith("SECRET_KEY_FALLBACKS[0] equals SECRET_KEY (fingerprint ")
    assert found[1].evidence == ("SECRET_KEY_FALLBACKS[2] duplicates SECRET_KEY_FALLBACKS[1]",)


@pytest.mark.covers("GL105", "fail")
def test_gl105_low_entropy_key_that_w009_lets_through(broken: Audit) -> None:
    [f] = failing(broken, "GL105")
    assert f.subjects == ("SECRET_KEY",)
    assert f.location == Location(path=PROD, line=2)
    assert f.evidence[0].startswith("SECRET_KEY: 60 chars, 5 distinct, ~139 bits, fingerprint ")
    assert f.evidence[0].endswith("(< 160 bits)")
    assert outcome(broken, "security.W009") == [Status.PASS]


@pytest.mark.covers("GL110", "fail")
def test_gl110_debug_defaults_to_true(broken: Audit) -> None:
    [f] = failing(broken, "GL110")
    assert f.subjects == ("DEBUG",)
    assert f.location == Location(path=PROD, line=4)
    assert "True when DJANGO_DEBUG is unset" in f.evidence[0]
    # DJANGO_DEBUG is unset in the audit's environment, so Django's own W018 fires too,
    # under Django's id, pointing at the same line.
    [w018] = failing(broken, "security.W018")
    assert w018.subjects == ("DEBUG",)
    assert w018.location == Location(path=PROD, line=4)


@pytest.mark.covers("GL111", "fail")
def test_gl111_template_debug_option(broken: Audit) -> None:
    [f] = failing(broken, "GL111")
    assert f.subjects == ("TEMPLATES",)
    assert f.location == Location(path=PROD, line=5)
    assert f.evidence == (
        "TEMPLATES[0]['OPTIONS']['debug'] = True (django.template.backends.django.DjangoTemplates)",
    )


@pytest.mark.covers("GL112", "fail")
def test_gl112_literal_secrets_and_url_credentials(broken: Audit) -> None:
    found = {f.subjects: f for f in failing(broken, "GL112")}
    assert set(found) == {("STRIPE_SECRET_KEY",), ("CACHES",)}
    stripe, cache = found[("STRIPE_SECRET_KEY",)], found[("CACHES",)]
    assert stripe.location == Location(path=PROD, line=6)
    assert stripe.evidence[0].startswith(f"STRIPE_SECRET_KEY at {PROD}:6: literal, 32 chars")
    assert cache.location == Location(path=PROD, line=7)
    assert cache.evidence[0].startswith(f"CACHES.default.LOCATION at {PROD}:7: URL credentials, 21 chars")
    # Each fix names its own setting and links its own doc section (issue 11, item 7).
    assert stripe.remediation.endswith('STRIPE_SECRET_KEY = os.environ["STRIPE_SECRET_KEY"]')
    assert cache.remediation.endswith('"LOCATION": os.environ["CACHES_LOCATION"],   # in CACHES')
    assert cache.reference == "https://docs.djangoproject.com/en/stable/ref/settings/#caches"
    assert (stripe.confidence, stripe.severity) == (Confidence.CONFIRMED, Severity.HIGH)
    no_secret_in(broken)


@pytest.mark.covers("GL101", "pass")
@pytest.mark.covers("GL102", "pass")
@pytest.mark.covers("GL104", "pass")
@pytest.mark.covers("GL105", "pass")
@pytest.mark.covers("GL110", "pass")
@pytest.mark.covers("GL111", "pass")
@pytest.mark.covers("GL112", "pass")
def test_hardened_project_passes_the_critical_section(hardened_audit: Audit) -> None:
    for cid in ("GL101", "GL102", "GL103", "GL104", "GL105", "GL110", "GL111", "GL112"):
        assert outcome(hardened_audit, cid) == [Status.PASS], cid
    assert outcome(hardened_audit, "GL106") == [Status.MANUAL]
    assert outcome(hardened_audit, "security.W009") == [Status.PASS]
    assert outcome(hardened_audit, "security.W018") == [Status.PASS]


DEV = f'from .base import *  # noqa\nSECRET_KEY = "{DEV_KEY}"\nDEBUG = True\n'


@pytest.fixture(scope="module")
def with_dev_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gl103") / "proj"
    return build_project(root, files={"site_conf/settings/dev.py": DEV})


@pytest.mark.covers("GL103", "fail")
def test_gl103_production_key_equals_the_dev_literal(with_dev_module: Path) -> None:
    result = audit_project(with_dev_module, env={"APP_SECRET_KEY": DEV_KEY})
    [f] = failing(result, "GL103")
    assert f.subjects == ("SECRET_KEY",)
    assert f.location == Location(path="site_conf/settings/dev.py", line=2)
    assert f.evidence[0].startswith("the SECRET_KEY Django loaded (fingerprint ")
    assert f.evidence[0].endswith(
        "equals SECRET_KEY in site_conf.settings.dev at site_conf/settings/dev.py:2"
    )
    # production reads the key from the environment: not a literal in production's source
    assert outcome(result, "GL101") == [Status.PASS]
    no_secret_in(result)


@pytest.mark.covers("GL103", "pass")
def test_gl103_dev_only_literal_is_not_a_production_problem(with_dev_module: Path) -> None:
    result = audit_project(with_dev_module)
    assert outcome(result, "GL103") == [Status.PASS]
    assert outcome(result, "GL101") == [Status.PASS]
    assert [f.id for f in failing(result)] == []
