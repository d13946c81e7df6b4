"""A silenced Django check does not silence golive's own judgement of what runs (issue 13):
with security.W009 in SILENCED_SYSTEM_CHECKS, a one-character key is still GL105, and the
finding says that Django's check is silenced."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import audit_project, failing, outcome

from golive.model import Status

PROD = "site_conf/settings/production.py"
ONE_CHAR = 'import os\nSECRET_KEY = os.environ.get("UNSET_KEY_VARIABLE", "x")\n'


@pytest.mark.covers("GL105", "fail")
def test_a_weak_key_with_w009_silenced_is_still_reported(make_project: Any) -> None:
    result = audit_project(make_project(ONE_CHAR + 'SILENCED_SYSTEM_CHECKS = ["security.W009"]\n'))
    assert outcome(result, "security.W009") == [Status.SKIPPED]
    [f] = failing(result, "GL105")
    assert f.subjects == ("SECRET_KEY",)
    assert f.evidence[0].startswith("SECRET_KEY: 1 chars, 1 distinct")
    assert f.evidence[1] == (
        "Django's security.W009 would report this key and is silenced (SILENCED_SYSTEM_CHECKS):"
        " golive judges the key that runs"
    )


def test_with_w009_not_silenced_django_reports_the_key_alone(make_project: Any) -> None:
    result = audit_project(make_project(ONE_CHAR))
    assert [f.id for f in failing(result, "security.W009")] == ["security.W009"]
    assert outcome(result, "GL105") == [Status.PASS]
