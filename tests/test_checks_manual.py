"""Manual checks: `manual` until a person signs them in [tool.golive.attest.GLnnn] of
pyproject.toml, `pass` once signed, `manual` again when the signature is older than the
check's validity (dates written relative to today).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import audit_project, build_project

from golive.checks import registry
from golive.model import Audit, Status

MANUAL = ["GL106", "GL212", "GL222", "GL223", "GL252", "GL401", "GL505"]
DB_SESSIONS = 'SESSION_ENGINE = "django.contrib.sessions.backends.db"\n'


def days_ago(n: int) -> str:
    return (dt.date.today() - dt.timedelta(days=n)).isoformat()


def attest(signatures: dict[str, int]) -> str:
    """A pyproject.toml signing each check ``days`` days ago."""
    out = ['[project]\nname = "shop"\nversion = "1"\n\n[tool.golive]\nauthor = "Release Bot"\n']
    for cid, days in signatures.items():
        out.append(
            f'\n[tool.golive.attest.{cid}]\nby = "Jane Ops"\non = {days_ago(days)}\nnote = "checked {cid}"\n'
        )
    return "".join(out)


def by_id(audit: Audit) -> dict[str, list[Status]]:
    return {cid: [f.status for f in audit.findings if f.id == cid] for cid in MANUAL}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("manual") / "proj", DB_SESSIONS)


def test_the_manual_checks_are_the_ones_listed_here() -> None:
    # the settings-side manual checks (sections 1-5); other sections sign theirs elsewhere
    assert [s.id for s in registry() if s.manual and s.id[2] in "12345"] == sorted(MANUAL)


@pytest.mark.covers(*MANUAL, "manual")
def test_unsigned_manual_checks_ask_for_a_person(project: Path) -> None:
    (project / "pyproject.toml").unlink(missing_ok=True)
    result = audit_project(project)
    assert by_id(result) == {cid: [Status.MANUAL] for cid in MANUAL}
    [gl222] = [f for f in result.findings if f.id == "GL222"]
    assert gl222.subjects == ("DATABASES",)
    assert gl222.attestation is None
    assert "[tool.golive.attest.GL222]" in gl222.remediation
    assert result.exit_status == 0  # manual items do not fail the audit


@pytest.mark.covers(*MANUAL, "pass")
def test_signed_manual_checks_pass_and_say_who_signed(project: Path) -> None:
    (project / "pyproject.toml").write_text(attest(dict.fromkeys(MANUAL, 10)), encoding="utf-8")
    result = audit_project(project)
    assert by_id(result) == {cid: [Status.PASS] for cid in MANUAL}
    [gl222] = [f for f in result.findings if f.id == "GL222"]
    assert gl222.attestation is not None
    assert (gl222.attestation.by, gl222.attestation.on, gl222.attestation.note) == (
        "Jane Ops",
        days_ago(10),
        "checked GL222",
    )
    assert gl222.reason == f"attested by Jane Ops on {days_ago(10)}"
    signed = {a.check_id: a for a in result.attestations}
    assert sorted(signed) == sorted(MANUAL)
    assert (
        signed["GL222"].expires == (dt.date.fromisoformat(days_ago(10)) + dt.timedelta(days=90)).isoformat()
    )
    assert result.author == "Release Bot"


def test_signatures_older_than_the_validity_turn_back_to_manual(project: Path) -> None:
    # GL222 and GL252 last 90 days, GL106 a year: one day inside and one day past each.
    signatures = {"GL222": 90, "GL252": 91, "GL106": 366, "GL212": 365}
    (project / "pyproject.toml").write_text(attest(signatures), encoding="utf-8")
    result = audit_project(project)
    statuses = by_id(result)
    assert {cid: statuses[cid] for cid in signatures} == {
        "GL222": [Status.PASS],
        "GL252": [Status.MANUAL],
        "GL106": [Status.MANUAL],
        "GL212": [Status.PASS],
    }
    [gl252] = [f for f in result.findings if f.id == "GL252"]
    assert gl252.attestation is not None and gl252.attestation.expired
    assert gl252.reason == f"signed by Jane Ops on {days_ago(91)}, expired {days_ago(1)}"
    [gl106] = [f for f in result.findings if f.id == "GL106"]
    assert gl106.reason == f"signed by Jane Ops on {days_ago(366)}, expired {days_ago(1)}"
