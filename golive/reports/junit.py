"""The JUnit XML report, for CI systems that show test results (Jenkins, GitLab, Azure).

``<testsuites>`` holds one ``<testsuite>`` per checklist section (in the checklist's
order) and one ``<testcase>`` per check id (``classname="golive.<section>"``,
``name="<id> <title>"``); a check with several findings (one per subject or file) is one
test case whose text lists them all. The worst status decides the outcome: ``fail`` →
``<failure message=title type=severity>`` with evidence, location and remediation as
text; ``error`` → ``<error>``; ``skipped`` → ``<skipped>`` with the reason; ``manual`` →
``<skipped message="needs a person's attestation">`` (a person, not CI, decides it).
Every suite carries the audit's project, commit, author, date, settings module and
verdict (``verdict``: GO, GO WITH CONDITIONS, NO-GO or INCOMPLETE, with
``verdict.reason`` and ``exit-status``) and the audit's SHA-256 (``audit-sha256``,
:mod:`golive.signoff`) as ``<properties>``. Built with
:mod:`xml.etree.ElementTree`, which escapes every attribute and text node; what XML 1.0
cannot hold at all (its ``Char`` production,
https://www.w3.org/TR/xml/#charsets: no C0 control but tab, newline and carriage return,
no lone surrogate, no U+FFFE/U+FFFF) never reaches it: control characters are written as
visible escapes (``\\x1b``, :func:`golive.reports.controls.visible`), the two
non-characters as U+FFFD.

Source: the de facto format of Ant's XMLJUnitResultFormatter as read by Jenkins
(https://github.com/jenkinsci/junit-plugin) and GitLab
(https://docs.gitlab.com/ci/testing/unit_test_reports/).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from golive.model import Audit, Finding, Section, Status
from golive.reports.controls import visible
from golive.signoff import digest_of

ATTESTATION_NEEDED = "needs a person's attestation"
_RANK = {Status.ERROR: 0, Status.FAIL: 1, Status.MANUAL: 2, Status.SKIPPED: 3, Status.PASS: 4}
#: Non-characters XML 1.0 cannot carry (https://www.w3.org/TR/xml/#charsets); the
#: controls and surrogates it cannot carry are made visible by :func:`_x` first.
_NOT_XML = re.compile("[\ufffe\uffff]")


def _x(value: object) -> str:
    """``value`` as text XML 1.0 can hold: control characters but tab, newline and
    carriage return as visible escapes (``\\x1b``), U+FFFE/U+FFFF as U+FFFD."""
    return _NOT_XML.sub("\ufffd", visible(str(value), keep="\t\n\r"))


def _details(findings: list[Finding]) -> str:
    blocks = []
    for f in findings:
        lines = []
        if f.subjects:
            lines.append("subjects: " + ", ".join(f.subjects))
        if f.location:
            lines.append("at: " + ", ".join(str(loc) for loc in f.locations))
        lines += [f"seen: {e}" for e in f.evidence]
        if f.reason:
            lines.append(f"reason: {f.reason}")
        if f.remediation and f.status is not Status.PASS:
            lines.append("fix:\n" + f.remediation)
        if f.reference:
            lines.append(f"source: {f.reference}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _properties(audit: Audit) -> ET.Element:
    props = ET.Element("properties")
    values = {
        "project": audit.project_name,
        "project.path": audit.project_path,
        "commit": audit.git_commit or "",
        "dirty": "" if audit.git_dirty is None else str(audit.git_dirty).lower(),
        "author": audit.author,
        "date": audit.started_at,
        "settings": audit.settings_module or "",
        "django": audit.django_version or "",
        "python": audit.python_version or "",
        "golive": audit.golive_version,
        "fail-on": audit.fail_on.label,
        "verdict": audit.decision.word.value,
        "verdict.reason": audit.decision.reason,
        "exit-status": str(audit.decision.exit_status),
        "audit-sha256": digest_of(audit),  # what a signature covers (golive.signoff)
    }
    for name, value in values.items():
        ET.SubElement(props, "property", name=name, value=_x(value))
    return props


def _status(f: Finding) -> Status:
    """A finding's status for JUnit: a failure accepted in the baseline is reported as skipped."""
    return Status.SKIPPED if f.status is Status.FAIL and f.accepted is not None else f.status


def _testcase(section: Section, check_id: str, findings: list[Finding]) -> tuple[ET.Element, Status]:
    worst = min((_status(f) for f in findings), key=_RANK.__getitem__)
    shown = [f for f in findings if _status(f) is worst]
    first = shown[0]
    case = ET.Element(
        "testcase", classname=f"golive.{section.value}", name=_x(f"{check_id} {first.title}"), time="0"
    )
    if worst is Status.FAIL:
        el = ET.SubElement(case, "failure", message=_x(first.title), type=first.severity.label)
        el.text = _x(_details(shown))
    elif worst is Status.ERROR:
        el = ET.SubElement(case, "error", message=_x(first.reason or first.title), type="error")
        el.text = _x(_details(shown))
    elif worst is Status.MANUAL:
        el = ET.SubElement(case, "skipped", message=ATTESTATION_NEEDED)
        el.text = _x(_details(shown))
    elif worst is Status.SKIPPED and first.accepted is not None:
        a = first.accepted
        el = ET.SubElement(
            case, "skipped", message=_x(f"accepted in the baseline until {a.expires}: {a.reason}")
        )
        el.text = _x(_details(shown))
    elif worst is Status.SKIPPED:
        ET.SubElement(case, "skipped", message=_x(first.reason or "skipped"))
    return case, worst


def to_element(audit: Audit) -> ET.Element:
    """The ``<testsuites>`` element of the audit."""
    root = ET.Element("testsuites", name=_x(f"golive audit of {audit.project_name}"))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for section in Section:
        by_id: dict[str, list[Finding]] = {}
        for f in audit.findings:
            if f.section is section:
                by_id.setdefault(f.id, []).append(f)
        if not by_id:
            continue
        suite = ET.SubElement(root, "testsuite", name=_x(section.heading))
        suite.append(_properties(audit))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for check_id, findings in by_id.items():
            case, worst = _testcase(section, check_id, findings)
            suite.append(case)
            counts["tests"] += 1
            if worst is Status.FAIL:
                counts["failures"] += 1
            elif worst is Status.ERROR:
                counts["errors"] += 1
            elif worst in (Status.MANUAL, Status.SKIPPED):
                counts["skipped"] += 1
        for key, n in counts.items():
            suite.set(key, str(n))
            totals[key] += n
        suite.set("time", "0")
        suite.set("timestamp", audit.started_at)
    for key, n in totals.items():
        root.set(key, str(n))
    root.set("time", f"{audit.duration:.3f}")
    return root


def render(audit: Audit) -> str:
    """The JUnit XML text (UTF-8, with an XML declaration, indented)."""
    root = to_element(audit)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
