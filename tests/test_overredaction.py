"""Only secrets are redacted, and a redacted value is unknown, never data (issue 9, item 3).

Every value under a secret-named dict (``SECRETS = {...}``) was recorded as a secret and
then replaced wherever it appeared in the snapshot: a cache ``LOCATION`` of
``redis://127.0.0.1:6379/1`` became ``***`` and GL211 judged ``***`` a remote host reached
without a password; Django's own messages were mangled (``'django-***-'``). The probe now
replaces, outside the secret's own place, only values that look like secrets (not a host,
an address, a URL, a path or a plain word), and the checks that read hosts from settings
(GL211 caches, GL232 SMTP) treat a redacted value as unknown. DESIGN.md, "Conventions":
unknown is not pass, not fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from conftest import GOOD_ENV, audit_project

from golive.checks import registry
from golive.collectors.runtime import RuntimeFacts, facts_from_probe, run_probe
from golive.context import AuditOptions, resolve
from golive.model import Status
from golive.registry import Facts
from golive.runner import run_check

REDIS = "django.core.cache.backends.redis.RedisCache"


def test_values_under_a_secret_named_dict_are_redacted_there_only(make_project: Callable[..., Path]) -> None:
    token = f"sk-{secrets.token_urlsafe(24)}"
    project = make_project(
        production=f"""
            SECRETS = {{"cache": "redis://127.0.0.1:6379/1", "mode": "insecure", "region": "10.0.0.7",
                        "stripe": "{token}"}}
            CACHES = {{"default": {{"BACKEND": "{REDIS}", "LOCATION": SECRETS["cache"]}}}}
            REGION_HOST = SECRETS["region"]
            STRIPE_LIVE = SECRETS["stripe"]
            SECRET_KEY = "django-insecure-" + "x" * 10
        """
    )
    audit = audit_project(project)

    runtime = next(c for c in audit.collectors if c.name == "runtime")
    assert runtime.status == "ok", runtime.reason
    gl211 = [f for f in audit.findings if f.id == "GL211"]
    assert [f.status for f in gl211] == [Status.PASS], [f.evidence for f in gl211]
    w009 = [f for f in audit.findings if f.id == "security.W009"]
    assert [f.status for f in w009] == [Status.FAIL]
    text = " ".join([w009[0].title, *w009[0].evidence])
    assert "django-***" not in text
    assert token not in repr(audit)


def test_the_snapshot_keeps_ordinary_values_and_hides_secret_looking_copies(
    make_project: Callable[..., Path],
) -> None:
    token = f"sk-{secrets.token_urlsafe(24)}"
    project = make_project(
        production=f"""
            SECRETS = {{"cache": "redis://127.0.0.1:6379/1", "region": "10.0.0.7", "stripe": "{token}"}}
            CACHES = {{"default": {{"BACKEND": "{REDIS}", "LOCATION": SECRETS["cache"]}}}}
            REGION_HOST = SECRETS["region"]
            STRIPE_LIVE = SECRETS["stripe"]
        """
    )
    saved = dict(os.environ)
    os.environ.update(GOOD_ENV)
    try:
        data = run_probe(resolve(AuditOptions(project_dir=project)))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    settings = data["settings"]
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert settings["REGION_HOST"] == "10.0.0.7"
    assert settings["STRIPE_LIVE"] == "***"
    assert set(settings["SECRETS"]["stripe"]) == {"__secret__"}
    assert set(settings["SECRETS"]["cache"]) == {"__secret__"}


def facts_with(settings: dict[str, object]) -> Facts:
    return Facts({RuntimeFacts: facts_from_probe({"settings": settings})})


def run(check_id: str, facts: Facts) -> list[tuple[Status, str]]:
    spec = registry().get(check_id)
    assert spec is not None
    return [(f.status, f.reason) for f in run_check(spec, facts, {})]


def test_a_redacted_cache_location_is_unknown_not_a_remote_host() -> None:
    facts = facts_with({"CACHES": {"default": {"BACKEND": REDIS, "LOCATION": "***"}}})
    assert run("GL211", facts) == [
        (
            Status.SKIPPED,
            "CACHES['default'] LOCATION is redacted (it holds a secret): its host is unknown;"
            " check that the cache server asks for a password",
        )
    ]
    secret = {"__secret__": {"length": 24, "fingerprint": "0a1b2c3d"}}
    facts = facts_with({"CACHES": {"default": {"BACKEND": REDIS, "LOCATION": secret}}})
    assert [s for s, _ in run("GL211", facts)] == [Status.SKIPPED]


def test_a_redacted_smtp_host_is_unknown() -> None:
    facts = facts_with(
        {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "***",
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
        }
    )
    assert [s for s, _ in run("GL232", facts)] == [Status.SKIPPED]


def test_what_the_probe_replaces_outside_a_secrets_own_place() -> None:
    from golive.collectors.runtime.settings_loader import looks_secret

    for plain in (
        "insecure",
        "127.0.0.1",
        "[::1]:6379",
        "redis://127.0.0.1:6379/1",
        "db.internal.example.com",
    ):
        assert not looks_secret(plain), plain
    for plain in ("/run/secrets/key", "django.core.cache.backends.redis.RedisCache", "short1"):
        assert not looks_secret(plain), plain
    secrets_ = (
        "hunter22",
        "sk-4eC39HqLyjWDarjtT1zdp7dc",
        "django-insecure-abcdefghij",
        "correcthorsebatterystaple",
    )
    for secret in secrets_:
        assert looks_secret(secret), secret
