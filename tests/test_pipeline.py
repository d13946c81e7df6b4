"""The pipeline end to end on real projects: the hardened baseline, bad input, exit status."""

from __future__ import annotations

from pathlib import Path

from conftest import audit_project, failing, outcome

from golive.model import Status


def test_hardened_baseline_has_nothing_failing(make_project) -> None:
    result = audit_project(make_project())
    assert [f.id for f in failing(result)] == []
    assert result.exit_status == 0
    assert {c.name: c.status for c in result.collectors} == {
        "runtime": "ok",
        "source": "ok",
        "project": "ok",
    }
    assert result.settings_module == "site_conf.settings.production"
    assert outcome(result, "security.W004") == [Status.PASS]
