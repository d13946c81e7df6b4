"""Django's own system checks, reported under Django's own ids.

golive never re-implements a check Django has: the runtime probe runs
``run_checks(include_deployment_checks=True)`` and each message becomes a finding with
Django's id (``security.W004``), filed under the checklist section of the setting it
is about, with that setting as its subject and, where the source collector knows it,
the file and line where the setting is assigned. Deploy checks Django ran without a
message are recorded as passes. security.W008 and security.W004 pass, under Django's id
and with Django's text, when nginx or the live site proves the redirect or HSTS
(:mod:`golive.checks.django_proxy`); otherwise their evidence says what would. Source: https://docs.djangoproject.com/en/stable/ref/checks/
"""

from __future__ import annotations

import re

from golive.checks._django_ids import describe
from golive.checks.django_catalogue import CATALOGUE, CHECKS_DOC, DjangoCheck
from golive.checks.django_proxy import settle
from golive.facts.runtime import DjangoMessage, RuntimeFacts
from golive.facts.source import SourceFacts
from golive.model import Finding, Section, Severity, Status
from golive.registry import Facts

__all__ = [
    "CATALOGUE",
    "CHECKS_DOC",
    "DjangoCheck",
    "describe",
    "django_check_output",
    "django_findings",
    "django_reference",
]

#: Ids Django runs on every deployment check; absent from the output means they passed.
PASSABLE = tuple(
    cid
    for cid in CATALOGUE
    if cid.startswith("security.")
    and cid
    not in (
        "security.E100",
        "security.E101",
        "security.E102",
        "security.W010",
        "security.W011",
        "security.W013",
        "security.W014",
    )
)
_LEVEL_SEVERITY = {
    50: Severity.CRITICAL,
    40: Severity.HIGH,
    30: Severity.MEDIUM,
    20: Severity.INFO,
    10: Severity.INFO,
}


#: Warnings about a build artefact absent from a source checkout: staticfiles.W004 ("The
#: directory '...' in the STATICFILES_DIRS setting does not exist."), third-party ``*.W004``
#: alike ("The directory '...' does not exist."), wagtailadmin.W001 ("CSS for the Wagtail
#: admin is missing"). A front-end bundle or compiled CSS built at image build time is
#: missing from the repository by design: low, with what to do (docs/severity.md).
ABSENT_ARTEFACT = re.compile(
    r"\b(director(y|ies)|folders?|paths?|files?|css|js|javascript|assets?|bundles?|manifest|static)\b"
    r".*\b(does not exist|do not exist|is missing|are missing|not found|cannot be found)",
    re.IGNORECASE | re.DOTALL,
)
ABSENT_NOTE = (
    "a build artefact absent from a source checkout: built at image build time? then run"
    " the audit on the built tree (the image, or the directory the build writes)"
)

#: Django warnings about the code's correctness that behave the same in every environment:
#: low, with why (docs/severity.md). templates.W003 ("<name> is used for multiple template tag
#: modules", https://docs.djangoproject.com/en/stable/ref/checks/#templates): Django's template
#: engine maps each library name to one module, the later app in INSTALLED_APPS winning
#: (``django.template.backends.django.get_installed_libraries``), so development, the tests and
#: production load the same one.
SAME_EVERYWHERE = {
    "templates.W003": (
        "which module {% load <name> %} gets follows INSTALLED_APPS order (the later app wins), the"
        " same in development, the tests and production: a correctness matter they show, not a"
        " deployment risk: low"
    ),
}


def _severity(
    msg: DjangoMessage, known: DjangoCheck | None, listed: Severity | None = None
) -> tuple[Severity, str]:
    """golive's severity of one of Django's messages, and a note when a rule lowered it:
    golive's catalogue entry, else Django's check reference (``listed``, by the id's level:
    :mod:`golive.checks._django_ids`), else the message's level (:data:`_LEVEL_SEVERITY`); a
    warning about an absent build artefact (:data:`ABSENT_ARTEFACT`) or one that behaves the
    same in every environment (:data:`SAME_EVERYWHERE`) is low."""
    severity = known.severity if known else listed or _LEVEL_SEVERITY.get(msg.level, Severity.MEDIUM)
    if msg.level <= 30 and ABSENT_ARTEFACT.search(msg.msg):
        return min(severity, Severity.LOW), ABSENT_NOTE
    if msg.level <= 30 and msg.id in SAME_EVERYWHERE:
        return min(severity, Severity.LOW), SAME_EVERYWHERE[msg.id]
    return severity, ""


def django_reference(check_id: str) -> str:
    """The URL of the part of Django's check reference that documents ``check_id``."""
    return CHECKS_DOC + ("#security" if check_id.startswith("security.") else "")


def _section_for_unknown(msg: DjangoMessage) -> Section:
    prefix = msg.id.split(".", 1)[0]
    return {
        "caches": Section.ENVIRONMENT_SETTINGS,
        "staticfiles": Section.ENVIRONMENT_SETTINGS,
        "templates": Section.PERFORMANCE,
        "database": Section.ENVIRONMENT_SETTINGS,
        "sessions": Section.HTTPS,
        "csrf": Section.HTTPS,
        "mail": Section.ENVIRONMENT_SETTINGS,
    }.get(prefix, Section.CHECK_DEPLOY)


def _finding(msg: DjangoMessage, facts: Facts) -> Finding:
    source = facts.get(SourceFacts)
    known = CATALOGUE.get(msg.id)
    # an id golive's table does not describe: Django's check reference (issue 13)
    ref = None if known else describe(msg.id, msg.level, facts[RuntimeFacts].django_version)
    subjects = known.subjects if known else ref.subjects if ref else ()
    location = None
    if source is not None:
        for subject in subjects:
            location = source.location_of(subject)
            if location:
                break
    evidence = [f"{msg.id}: {msg.msg}"]
    if msg.obj and msg.obj != "None":
        evidence.append(f"object: {msg.obj}")
    severity, note = _severity(msg, known, ref.severity if ref else None)
    if note:
        evidence.append(note)
    status, reason = Status.FAIL, ""
    if msg.silenced:
        status, reason = Status.SKIPPED, "silenced by SILENCED_SYSTEM_CHECKS"
    elif (settled := settle(msg.id, facts)) is not None:
        # the web server or the live site may settle what the warning is about (W008, W004)
        if settled.settled:
            status, reason, location = Status.PASS, settled.reason, settled.location
            evidence = evidence[:1]
        evidence.extend(settled.evidence)
    return Finding(
        id=msg.id,
        section=known.section if known else _section_for_unknown(msg),
        status=status,
        severity=severity,
        title=known.title if known else msg.msg.split("\n")[0][:160],
        subjects=subjects,
        location=location,
        evidence=tuple(evidence),
        remediation=(known.remediation if known else "")
        or (msg.hint or "")
        or (ref.remediation if ref else ""),
        reference=ref.reference if ref else django_reference(msg.id),
        collector="django",
        reason=reason,
    )


def django_findings(facts: Facts) -> list[Finding]:
    """Findings for every message Django's checks gave, plus passes for quiet deploy checks."""
    runtime = facts[RuntimeFacts]
    out = [_finding(m, facts) for m in runtime.checks if m.level >= 20]
    if runtime.checks_error:
        out.append(
            Finding(
                id="django.checks",
                section=Section.CHECK_DEPLOY,
                status=Status.ERROR,
                severity=Severity.HIGH,
                title="Django's system checks crashed",
                collector="django",
                reason=runtime.checks_error,
                reference=CHECKS_DOC,
            )
        )
        return out
    seen = {m.id for m in runtime.checks}
    for cid in PASSABLE:
        if cid in seen:
            continue
        known = CATALOGUE[cid]
        out.append(
            Finding(
                id=cid,
                section=known.section,
                status=Status.PASS,
                severity=known.severity,
                title=known.title,
                subjects=known.subjects,
                collector="django",
                reference=CHECKS_DOC + "#security",
                remediation=known.remediation,
            )
        )
    return out


def django_check_output(runtime: RuntimeFacts) -> str:
    """The messages as ``manage.py check --deploy`` prints them (for the HTML report)."""
    lines = []
    shown = [m for m in runtime.checks if not m.silenced]
    for m in shown:
        obj = m.obj if m.obj and m.obj != "None" else "?"
        lines.append(f"{obj}: ({m.id}) {m.msg}")
        if m.hint:
            lines.append(f"\tHINT: {m.hint}")
    silenced = len(runtime.checks) - len(shown)
    if shown:
        lines.append(
            f"\nSystem check identified {len(shown)} issue{'s' if len(shown) != 1 else ''}"
            f" ({silenced} silenced)."
        )
    else:
        lines.append(f"System check identified no issues ({silenced} silenced).")
    return "\n".join(lines)
