"""The CLI makes an audit's JSON data once, for its SHA-256, and writes the JSON report from
that data (``golive.reports.write(..., data=...)``): the same bytes as the report made from
the audit alone, before and after the SHA-256 is attached (issue 15)."""

from __future__ import annotations

from pathlib import Path

import msgspec.structs
from test_reports import hostile_audit

from golive.reports import json_report, write


def test_the_json_report_written_from_the_data_is_the_report_of_the_audit(tmp_path: Path) -> None:
    audit = hostile_audit()
    assert not audit.sha256
    data = json_report.to_dict(audit)
    signed = msgspec.structs.replace(audit, sha256=str(data["audit_sha256"]))
    from_data = write(signed, tmp_path / "a.json", data=data).read_text(encoding="utf-8")
    from_audit = write(signed, tmp_path / "b.json").read_text(encoding="utf-8")
    assert from_data == from_audit == json_report.render(audit) == json_report.render(signed)
    assert data == json_report.to_dict(signed)


def test_other_formats_ignore_the_json_data(tmp_path: Path) -> None:
    audit = hostile_audit()
    data = json_report.to_dict(audit)
    signed = msgspec.structs.replace(audit, sha256=str(data["audit_sha256"]))
    with_data = write(signed, tmp_path / "a.xml", data=data).read_text(encoding="utf-8")
    assert with_data == write(signed, tmp_path / "b.xml").read_text(encoding="utf-8")
