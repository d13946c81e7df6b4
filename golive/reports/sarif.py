"""The SARIF 2.1.0 report, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

One run whose ``tool.driver.rules`` are every golive check from the registry plus the
Django check ids that appear in the audit; ``results`` hold the failing findings
(``kind: "fail"``, level by severity: critical/high → ``error``, medium → ``warning``,
low/info → ``note``) and the manual ones (``kind: "review"``, level ``none``). Passes
and skips are not results. A check that crashed is not a finding about the project but
a failure of the tool: it is a ``toolExecutionNotification`` (with its rule), like a
collector that errored, and ``executionSuccessful`` is false when the audit is incomplete.
The run's ``properties`` carry the verdict (``verdict``, ``verdictReason``) and the audit's
SHA-256 (``auditSha256``, :mod:`golive.signoff`).

Locations are relative to ``PROJECTROOT`` (``originalUriBaseIds``: the project directory);
a finding without a file gets a logical location naming its subjects.
``partialFingerprints["goliveKey/v1"]`` hashes the finding's stable key (id, subjects,
path: no line), so a result keeps its identity when code moves.

Source: OASIS SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html),
GitHub's SARIF support (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from golive.model import Audit, Finding, Severity, Status
from golive.registry import Registry
from golive.reports.controls import json_text
from golive.signoff import digest_of

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/django-golive/"
BASE_ID = "PROJECTROOT"

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
#: GitHub's ``security-severity`` (a CVSS-like score: >= 9 critical, >= 7 high, >= 4 medium).
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def _name(title: str) -> str:
    """A PascalCase rule name from a title (``"DEBUG is True"`` → ``"DebugIsTrue"``)."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(w[:1].upper() + w[1:].lower() for w in words)[:80] or "Check"


def _rule(
    rule_id: str,
    *,
    title: str,
    severity: Severity,
    section: str,
    reference: str,
    rationale: str = "",
    remediation: str = "",
    tags: tuple[str, ...] = (),
) -> dict[str, Any]:
    ceiling = (
        f"Severity: {severity.label} at most; a result is lower when what it found costs less"
        " (its own level says; golive's docs/severity.md)."
    )
    help_md = (
        (rationale + "\n\n" if rationale else "")
        + ("**Fix**\n\n" + _md_block(remediation) + "\n\n" if remediation else "")
        + ceiling
    )
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": _name(title),
        "shortDescription": {"text": title},
        "fullDescription": {"text": rationale or title},
        "help": {"text": remediation or title, "markdown": help_md.strip() or title},
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {
            "tags": [section, "security", *tags],
            "security-severity": SECURITY_SEVERITY[severity],
            "precision": "high",
        },
    }
    if reference.startswith(("https://", "http://")):
        rule["helpUri"] = reference
    return rule


def _md_block(snippet: str) -> str:
    longest = max((len(r) for r in re.findall(r"`+", snippet)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{snippet.rstrip()}\n{fence}"


def rules(audit: Audit, reg: Registry | None = None) -> list[dict[str, Any]]:
    """Every golive check from ``reg`` (default: the registry), then the other ids the findings carry."""
    from golive.checks import registry
    from golive.checks.django_checks import CATALOGUE

    out = []
    seen = set()
    for spec in reg if reg is not None else registry():
        out.append(
            _rule(
                spec.id,
                title=spec.title,
                severity=spec.severity,
                section=spec.section.value,
                reference=spec.reference,
                rationale=spec.rationale,
                remediation=spec.remediation,
                tags=("manual",) if spec.manual else (),
            )
        )
        seen.add(spec.id)
    for f in audit.findings:
        if f.id in seen:
            continue
        seen.add(f.id)
        known = CATALOGUE.get(f.id)
        out.append(
            _rule(
                f.id,
                title=known.title if known else f.title,
                severity=known.severity if known else f.severity,
                section=(known.section if known else f.section).value,
                reference=f.reference,
                remediation=known.remediation if known else f.remediation,
                tags=("django",) if not f.id.startswith("GL") else (),
            )
        )
    return out


def _uri(path: str) -> str:
    return quote(PurePosixPath(path.replace("\\", "/")).as_posix(), safe="/")


def _message(f: Finding) -> str:
    parts = [f.title]
    if f.evidence:
        parts.append("; ".join(f.evidence))
    if f.status is Status.MANUAL:
        parts.append(f.reason or "needs a person's attestation")
    return ": ".join(parts[:2]) + (f" ({parts[2]})" if len(parts) > 2 else "")


def _result(f: Finding, index: int, audit: Audit) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": f.id, "ruleIndex": index}
    if f.status is Status.FAIL:
        result.update(kind="fail", level=LEVEL[f.severity])
    else:
        result.update(kind="review", level="none")
    result["message"] = {"text": _message(f)}
    if f.accepted is not None:
        # SARIF 2.1.0 §3.35: a result a reviewer accepted is suppressed, not dropped.
        a = f.accepted
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"accepted until {a.expires} by {a.by}: {a.reason}",
                **(
                    {"location": {"physicalLocation": {"artifactLocation": {"uri": _uri(a.file)}}}}
                    if a.file
                    else {}
                ),
            }
        ]
    locations: list[dict[str, Any]] = [{} for _ in f.locations] or [{}]
    for location, place in zip(locations, f.locations, strict=False):  # every place (issue 13)
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(place.path), "uriBaseId": BASE_ID}}
        if place.line:
            physical["region"] = {"startLine": place.line}
        location["physicalLocation"] = physical
    if f.subjects:
        module = audit.settings_module or ""
        for location in locations:
            location["logicalLocations"] = [
                {"name": s, "fullyQualifiedName": f"{module}.{s}" if module else s, "kind": "variable"}
                for s in f.subjects
            ]
    if locations[0]:
        result["locations"] = locations
    result["partialFingerprints"] = {"goliveKey/v1": hashlib.sha256(f.key.encode("utf-8")).hexdigest()}
    props: dict[str, Any] = {
        "section": f.section.value,
        "severity": f.severity.label,
        "subjects": list(f.subjects),
        "collector": f.collector,
    }
    if f.confidence is not None:
        props["confidence"] = f.confidence.value
    if f.attestation:
        props["attestation"] = {
            "by": f.attestation.by,
            "on": f.attestation.on,
            "expired": f.attestation.expired,
        }
    result["properties"] = props
    return result


def _utc(started_at: str, plus: float = 0.0) -> str | None:
    try:
        when = dt.datetime.fromisoformat(started_at)
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    when = when.astimezone(dt.timezone.utc) + dt.timedelta(seconds=plus)
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def _invocation(audit: Audit, index: dict[str, int]) -> dict[str, Any]:
    notes: list[dict[str, Any]] = []
    for c in audit.collectors:
        if c.status == "ok":
            continue
        notes.append(
            {
                "level": "error" if c.status == "error" else "note",
                "message": {
                    "text": f"{c.name} {c.status}: {c.reason}" if c.reason else f"{c.name} {c.status}"
                },
                "descriptor": {"id": f"collector/{c.name}"},
            }
        )
    for f in audit.findings:
        if f.status is Status.ERROR:
            notes.append(
                {
                    "level": "error",
                    "message": {"text": f"{f.id} could not run: {f.reason or f.title}"},
                    "associatedRule": {"id": f.id, "index": index[f.id]},
                }
            )
    inv: dict[str, Any] = {
        "executionSuccessful": not audit.incomplete,
        "exitCode": audit.exit_status,
        "toolExecutionNotifications": notes,
        "properties": {
            "author": audit.author,
            "settingsModule": audit.settings_module,
            "settingsReason": audit.settings_reason,
            "failOn": audit.fail_on.label,
            "djangoVersion": audit.django_version,
            "pythonVersion": audit.python_version,
        },
    }
    start = _utc(audit.started_at)
    if start:
        inv["startTimeUtc"] = start
        inv["endTimeUtc"] = _utc(audit.started_at, audit.duration)
    return inv


def to_sarif(audit: Audit, reg: Registry | None = None) -> dict[str, Any]:
    """The SARIF log as JSON-ready data (one run); ``reg`` defaults to golive's registry."""
    rule_list = rules(audit, reg)
    index = {r["id"]: i for i, r in enumerate(rule_list)}
    root: dict[str, Any] = {"description": {"text": "The audited Django project's directory."}}
    if audit.project_path.startswith("/"):
        root["uri"] = PurePosixPath(audit.project_path).as_uri().rstrip("/") + "/"
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "golive",
                "fullName": "golive: Django deployment audit",
                "version": audit.golive_version,
                "semanticVersion": audit.golive_version,
                "informationUri": INFORMATION_URI,
                "rules": rule_list,
            }
        },
        "invocations": [_invocation(audit, index)],
        "originalUriBaseIds": {BASE_ID: root},
        "results": [
            _result(f, index[f.id], audit) for f in audit.findings if f.status in (Status.FAIL, Status.MANUAL)
        ],
        "columnKind": "unicodeCodePoints",
        "properties": {
            "project": audit.project_name,
            "commit": audit.git_commit,
            "dirty": audit.git_dirty,
            "startedAt": audit.started_at,
            "verdict": audit.decision.word.value,
            "verdictReason": audit.decision.reason,
            "auditSha256": digest_of(audit),  # what a signature covers (golive.signoff)
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(audit: Audit, reg: Registry | None = None) -> str:
    """The SARIF report text (UTF-8 JSON, indented; control characters and lone surrogates
    in strings as ``\\u`` escapes, :func:`golive.reports.controls.json_text`)."""
    return json_text(json.dumps(to_sarif(audit, reg), indent=2, ensure_ascii=False)) + "\n"
