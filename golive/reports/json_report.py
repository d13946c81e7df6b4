"""The JSON report: the faithful serialisation of an :class:`~golive.model.Audit`.

Its shape is fixed by ``golive/schemas/audit.schema.json`` (``schema_version`` 2); the
tests validate every report they produce against it. :func:`from_dict` reads it back,
so any stored audit can be re-rendered in every other format.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from msgspec.structs import asdict

from golive.model import (
    Acceptance,
    Attestation,
    Audit,
    CollectorRun,
    Confidence,
    DeploymentFile,
    Finding,
    Location,
    Screenshot,
    Section,
    Severity,
    Signoff,
    Status,
    Verdict,
    VerdictWord,
)
from golive.repeats import merge_repeats
from golive.reports.controls import json_text
from golive.signoff import digest_of_dict

#: 2: findings carry ``locations`` (every place, the first is ``location``); a report of
#: version 1 has one finding per place, merged when it is read back (:func:`from_dict`).
SCHEMA_VERSION = 2


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of this report, shipped as ``golive/schemas/audit.schema.json``.

    Validate a report with ``jsonschema.Draft202012Validator(schema()).validate(data)``.
    A fresh dict on every call; ``OSError``/``ValueError`` only if the package is damaged.
    """
    text = resources.files("golive").joinpath("schemas/audit.schema.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def finding_to_dict(f: Finding) -> dict[str, Any]:
    """One finding as a JSON object (DESIGN.md, "A finding")."""
    return {
        "id": f.id,
        "section": f.section.value,
        "status": f.status.value,
        "severity": f.severity.label,
        "title": f.title,
        "subjects": list(f.subjects),
        "location": {"path": f.location.path, "line": f.location.line} if f.location else None,
        "locations": [{"path": loc.path, "line": loc.line} for loc in f.locations],
        "evidence": list(f.evidence),
        "remediation": f.remediation,
        "reference": f.reference,
        "collector": f.collector,
        "reason": f.reason,
        "attestation": asdict(f.attestation) if f.attestation else None,
        "accepted": asdict(f.accepted) if f.accepted else None,
        "confidence": f.confidence.value if f.confidence else None,
    }


def to_dict(audit: Audit) -> dict[str, Any]:
    """The whole audit as JSON-ready data (``verdict``: :attr:`Audit.decision`;
    ``audit_sha256``: :func:`golive.signoff.digest_of_dict` of the rest, or the digest the
    audit was read with)."""
    verdict = audit.decision
    data = {
        "schema_version": SCHEMA_VERSION,
        "golive_version": audit.golive_version,
        "started_at": audit.started_at,
        "duration": audit.duration,
        "author": audit.author,
        "project": {"name": audit.project_name, "path": audit.project_path},
        "git": {"commit": audit.git_commit, "dirty": audit.git_dirty},
        "settings": {"module": audit.settings_module, "reason": audit.settings_reason},
        "django_root": {"path": audit.django_root, "reason": audit.django_root_reason},
        "deployment_files": [asdict(f) for f in audit.deployment_files],
        "django_version": audit.django_version,
        "python_version": audit.python_version,
        "fail_on": audit.fail_on.label,
        "verdict": verdict.word.value,
        "verdict_reason": verdict.reason,
        "verdict_details": {
            "counts": dict(verdict.counts),
            "incomplete": list(verdict.incomplete),
            "not_audited": list(verdict.not_audited),
            "conditions": list(verdict.conditions),
        },
        "exit_status": verdict.exit_status,
        "incomplete": bool(verdict.incomplete),
        "counts": audit.counts(),
        "failing_by_severity": audit.failing_by_severity(),
        "collectors": [
            {
                "name": c.name,
                "status": c.status,
                "reason": c.reason,
                "duration": round(c.duration, 3),
                "details": dict(c.details),
            }
            for c in audit.collectors
        ],
        "findings": [finding_to_dict(f) for f in audit.findings],
        "attestations": [asdict(a) for a in audit.attestations],
        "screenshots": [asdict(s) for s in audit.screenshots],
        "django_check_output": audit.django_check_output,
        "inputs": dict(audit.inputs),
        "history": dict(audit.history) if audit.history is not None else None,
        "signoffs": [asdict(s) for s in audit.signoffs],
    }
    data["audit_sha256"] = audit.sha256 or digest_of_dict(data)  # golive.signoff: what it covers
    return data


def render(audit: Audit) -> str:
    """The JSON report text (UTF-8, indented, keys in a stable order).

    Control characters and lone surrogates in strings are ``\\u`` escapes
    (:func:`golive.reports.controls.json_text`): the text is safe to print and parses back
    to the same strings.
    """
    return text_of(to_dict(audit))


def text_of(data: Mapping[str, Any]) -> str:
    """The JSON report text of ``data``, an audit's :func:`to_dict` (see :func:`render`): for
    a caller that made the data already (the CLI, for the audit's SHA-256)."""
    return json_text(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def finding_from_dict(d: dict[str, Any]) -> Finding:
    """Inverse of :func:`finding_to_dict` (``locations`` absent: the single ``location``)."""
    loc = d.get("location")
    att = d.get("attestation")
    more = [Location(path=m["path"], line=m.get("line")) for m in (d.get("locations") or ())[1:]]
    return Finding(
        id=d["id"],
        section=Section(d["section"]),
        status=Status(d["status"]),
        severity=Severity.parse(d["severity"]),
        title=d["title"],
        subjects=tuple(d.get("subjects") or ()),
        location=Location(path=loc["path"], line=loc.get("line")) if loc else None,
        evidence=tuple(d.get("evidence") or ()),
        remediation=d.get("remediation", ""),
        reference=d.get("reference", ""),
        collector=d.get("collector", ""),
        reason=d.get("reason", ""),
        attestation=Attestation(**att) if att else None,
        accepted=Acceptance(**d["accepted"]) if d.get("accepted") else None,
        confidence=Confidence(d["confidence"]) if d.get("confidence") else None,
        more_locations=tuple(more),
    )


def from_dict(d: dict[str, Any]) -> Audit:
    """Read an audit back from its JSON data (``ValueError``/``KeyError`` when malformed).

    A report of ``schema_version`` 1 (one finding per place) is migrated: its repeated
    findings are merged as golive merges them now (:func:`golive.repeats.merge_repeats`), so
    a stored audit compares with a new one finding for finding.
    """
    findings = [finding_from_dict(f) for f in d.get("findings", [])]
    if int(d.get("schema_version") or 1) < 2:
        findings = merge_repeats(findings)
    return Audit(
        golive_version=d["golive_version"],
        started_at=d["started_at"],
        duration=float(d.get("duration", 0.0)),
        author=d.get("author", ""),
        project_name=d["project"]["name"],
        project_path=d["project"]["path"],
        git_commit=d["git"].get("commit"),
        git_dirty=d["git"].get("dirty"),
        settings_module=d["settings"].get("module"),
        settings_reason=d["settings"].get("reason", ""),
        django_root=(d.get("django_root") or {}).get("path", "."),
        django_root_reason=(d.get("django_root") or {}).get("reason", ""),
        deployment_files=tuple(DeploymentFile(**f) for f in d.get("deployment_files") or ()),
        django_version=d.get("django_version"),
        python_version=d.get("python_version"),
        collectors=tuple(
            CollectorRun(
                name=c["name"],
                status=c["status"],
                reason=c.get("reason", ""),
                duration=float(c.get("duration", 0.0)),
                details=c.get("details") or {},
            )
            for c in d.get("collectors", [])
        ),
        findings=tuple(findings),
        attestations=tuple(Attestation(**a) for a in d.get("attestations", [])),
        screenshots=tuple(Screenshot(**s) for s in d.get("screenshots", [])),
        django_check_output=d.get("django_check_output", ""),
        fail_on=Severity.parse(d.get("fail_on", "high")),
        inputs=d.get("inputs") or {},
        history=d.get("history"),
        verdict=_verdict_from_dict(d),
        signoffs=tuple(Signoff(**s) for s in d.get("signoffs") or ()),
        sha256=digest_of_dict(d),  # of the JSON as it was stored, whatever golive reads it now
    )


def _verdict_from_dict(d: dict[str, Any]) -> Verdict | None:
    """The stored verdict (None for a report older than the verdict: the audit then decides
    it again, :attr:`Audit.decision`)."""
    if not d.get("verdict"):
        return None
    details = d.get("verdict_details") or {}
    return Verdict(
        word=VerdictWord(d["verdict"]),
        reason=str(d.get("verdict_reason") or ""),
        exit_status=int(d.get("exit_status", 0)),
        counts={str(k): int(v) for k, v in (details.get("counts") or {}).items()},
        incomplete=tuple(details.get("incomplete") or ()),
        not_audited=tuple(details.get("not_audited") or ()),
        conditions=tuple(details.get("conditions") or ()),
    )
