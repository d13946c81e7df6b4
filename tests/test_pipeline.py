"""The pipeline end to end on a real project: the hardened baseline audits clean."""

from __future__ import annotations

from conftest import audit_project, failing, outcome

from golive.model import Status


def test_hardened_baseline_has_nothing_failing(make_project) -> None:
    result = audit_project(make_project())
    assert [f.id for f in failing(result)] == []
    assert result.exit_status == 0
    runs = {c.name: c.status for c in result.collectors}
    # the inputs this project has are read; the ones it lacks are skipped with a reason, never errors
    assert {name: runs[name] for name in ("runtime", "source", "project")} == {
        "runtime": "ok",
        "source": "ok",
        "project": "ok",
    }
    assert "error" not in runs.values()
    assert runs["live"] == "skipped"
    assert result.settings_module == "site_conf.settings.production"
    assert outcome(result, "security.W004") == [Status.PASS]
