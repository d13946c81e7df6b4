"""Patterned placeholders (issue 10-13, case C): a value made of hex words (``deadbeef``,
``cafebabe``), one short unit repeated, or a run (``1234…``, ``abcdef…``) is written by a
person to fill a slot, not drawn at random. As a committed value it is no leak; as the
default of a third-party API key read from the environment it fails loudly (the service
refuses it), so GL102 reports it low; GL100 reports it only when production loads it, as a
weak value.

The settings line is shaped like a real project's partner-API integration, written anew.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import audit_project, build_project, failing

from golive.facts.secrets.evidence import judge
from golive.facts.secrets.rules import placeholder_reason
from golive.model import Audit, Location, Severity

PATTERNED = "deadbeef-dead-beef-dead-beefdeadbeef"
PRODUCTION = "site_conf/settings/production.py"


@pytest.mark.parametrize(
    "value",
    [
        PATTERNED,
        "cafebabecafebabecafebabe",
        "0000-1111-0000-1111",  # (all zeros is "one repeated character" already)
        "00000000-0000-0000-0000-000000000000",
        "1234567890123456",
        "abcdefabcdefabcdefabcdef",
        "abcdef0123456789",
        "a1b2a1b2a1b2a1b2",
    ],
)
def test_patterned_values_are_placeholders(value: str) -> None:
    assert placeholder_reason(value).startswith("a pattern, not a random value")


@pytest.mark.parametrize(
    "value",
    [
        "9f86d081884c7d659a2feaa0c55ad015",  # a random-looking hex digest
        "sk3J9xQ2vLm8RtY4wPz7",
        "d41d8cd98f00b204e9800998ecf8427e",
        "Xr7!kQ9#mW2$pL5^",
    ],
)
def test_random_values_are_not_patterned(value: str) -> None:
    assert placeholder_reason(value) == ""


def test_judge_still_describes_the_value() -> None:
    # the placeholder rule sits beside the judgement: it never hides what the value is
    assert judge("PARTNER_API_KEY", PATTERNED).kind == "token"


@pytest.fixture(scope="module")
def partner(tmp_path_factory: pytest.TempPathFactory) -> Audit:
    root = build_project(
        tmp_path_factory.mktemp("placeholder") / "proj",
        f'PARTNER_API_KEY = os.environ.get("PARTNER_API_KEY", "{PATTERNED}")\n',
    )
    return audit_project(root, no_git=True, no_history=True)


@pytest.mark.covers("GL102", "fail")
def test_a_patterned_api_key_default_is_low(partner: Audit) -> None:
    [f] = failing(partner, "GL102")
    assert f.subjects == ("PARTNER_API_KEY",)
    assert f.location == Location(path=PRODUCTION, line=2)
    assert f.severity is Severity.LOW
    assert f.evidence[0] == (
        f"PARTNER_API_KEY = os.environ.get('PARTNER_API_KEY', <default>) at {PRODUCTION}:2"
    )
    assert f.evidence[-1] == (
        "the default is a placeholder (a pattern, not a random value: hex words, a repeated unit or a run):"
        " a service refuses it, so a missing PARTNER_API_KEY fails loudly instead of running with a"
        " working credential: low"
    )
    assert PATTERNED not in repr(partner)


def test_a_patterned_api_key_production_loads_is_no_live_leak(partner: Audit) -> None:
    # A third-party key's placeholder is refused by its service: production loading it fails
    # loudly (GL102 says so, low) and leaks nothing that works. A weak password or signing
    # key production loads stays a live leak (tests/test_live_weak_values.py).
    assert failing(partner, "GL100") == []
    assert PATTERNED not in repr(partner)


def test_a_placeholder_secret_key_default_stays_high(tmp_path: Path) -> None:
    # Django signs with whatever SECRET_KEY holds: a placeholder key works, silently
    root = build_project(
        tmp_path / "proj",
        'SECRET_KEY = os.environ.get("APP_SECRET_KEY", "change-me-change-me-change-me-change-me-1234")\n',
    )
    audit = audit_project(root, no_git=True, no_history=True, no_runtime=True)
    [f] = failing(audit, "GL102")
    assert f.subjects == ("SECRET_KEY",)
    assert f.severity is Severity.HIGH
