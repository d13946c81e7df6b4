"""``if SENTRY_ENABLED: sentry_sdk.init(...)`` with the flag off at runtime is not error
monitoring: the runtime decides (is a Sentry client active after django.setup()), not the
presence of the call (issue 13, "Guarded initialisation").

The project carries a small ``sentry_sdk`` package of its own (golive's virtualenv has no
sentry-sdk): ``init()`` binds a client that is active when given a DSN, and
``get_client().is_active()`` says so, as sentry-sdk 2 does.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import audit_project, failing, outcome

from golive.model import Status

PRODUCTION = "site_conf/settings/production.py"
SENTRY_STUB = """
class _Client:
    def __init__(self, dsn):
        self.dsn = dsn

    def is_active(self):
        return bool(self.dsn)


_client = _Client(None)


def init(dsn=None, **options):
    global _client
    _client = _Client(dsn)


def get_client():
    return _client
"""
GUARDED = """
import os
import sentry_sdk
SENTRY_ENABLED = os.environ.get("SENTRY_ENABLED", "") == "1"
if SENTRY_ENABLED:
    sentry_sdk.init(dsn=os.environ.get("SENTRY_DSN"))
"""
FILES = {
    "sentry_sdk/__init__.py": SENTRY_STUB,
    "requirements.txt": "Django>=5.2\ngunicorn==23.0.0\nsentry-sdk>=2\n",
}
DSN = {"SENTRY_DSN": "https://0123456789abcdef@o1.ingest.sentry.io/1"}


@pytest.mark.covers("GL521", "fail")
def test_an_init_guarded_by_a_flag_that_is_off_is_not_monitoring(make_project: Any) -> None:
    result = audit_project(make_project(GUARDED, files=FILES), env=DSN)
    [f] = failing(result, "GL521")
    assert f.subjects == ("sentry-sdk",)
    assert f.evidence == (
        "sentry-sdk declared at requirements.txt:3",
        f"sentry_sdk.init() at {PRODUCTION}:7 runs only if SENTRY_ENABLED"
        " (SENTRY_ENABLED = False at runtime): no Sentry client is active after django.setup()",
    )
    [monitoring] = [f.evidence[0] for f in result.findings if f.id == "GL539"]
    assert "sentry_sdk.init()" not in monitoring


@pytest.mark.covers("GL521", "pass")
def test_an_init_guarded_by_a_flag_that_is_on_is_monitoring(make_project: Any) -> None:
    result = audit_project(make_project(GUARDED, files=FILES), env={**DSN, "SENTRY_ENABLED": "1"})
    assert outcome(result, "GL521") == [Status.PASS]
    assert [f.evidence[0] for f in result.findings if f.id == "GL539"] == [
        f"error monitoring: sentry_sdk.init() at {PRODUCTION}:7 (dsn: env)"
    ]
