"""A weak value production loads that is committed is a live leak (review of 0f891f6, item 13).

GL100 leaves out only a committed copy that cannot be a working secret: a template marker
(``<your-key>``) or a vendor's documented example key. A weak value a person typed
(``12345678``, ``deadbeef…``, ``change-me``) that production really loads is reported, with
the check's severity (a value production loads is ``confirmed``, docs/secrets.md).
"""

from __future__ import annotations

from pathlib import Path

from conftest import audit_project, build_project, failing

from golive.model import Severity


def test_a_weak_committed_database_password_production_loads_is_reported(tmp_path: Path) -> None:
    root = build_project(
        tmp_path / "proj",
        'DATABASES["default"]["PASSWORD"] = os.environ.get("DB_PASSWORD", "12345678")\n',
    )
    audit = audit_project(root, env={"DB_PASSWORD": "12345678"}, no_git=True, no_history=True)
    [f] = failing(audit, "GL100")
    assert f.subjects == ("DATABASES",)
    assert f.severity is Severity.CRITICAL
    assert any("a weak value" in line for line in f.evidence), f.evidence
    assert "12345678" not in repr(audit)


def test_a_template_marker_production_loads_is_left_out(tmp_path: Path) -> None:
    root = build_project(
        tmp_path / "proj",
        'PARTNER_API_KEY = os.environ.get("PARTNER_API_KEY", "<your-partner-api-key>")\n',
    )
    audit = audit_project(root, no_git=True, no_history=True)
    assert failing(audit, "GL100") == []
