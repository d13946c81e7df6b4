"""Security alerts: Django's support status and CVEs, and known-vulnerable dependencies
(checklist section 9, ids GL900–GL919).

Sources: Django's supported versions (https://www.djangoproject.com/download/#supported-versions),
its release process ("Generally, you should always upgrade to the latest patch release",
https://docs.djangoproject.com/en/stable/internals/release-process/), its security archive
(https://docs.djangoproject.com/en/stable/releases/security/) and pip-audit's vulnerability
services (https://pypi.org/project/pip-audit/).
"""

from __future__ import annotations

from collections.abc import Iterator

from msgspec import Struct
from packaging.version import InvalidVersion, Version

from golive.data.tables import series_of
from golive.facts.dependencies import DependencyFacts, canonical
from golive.facts.runtime import RuntimeFacts
from golive.model import Finding, Location, Severity
from golive.registry import CheckSpec, Facts, check

DOWNLOAD = "https://www.djangoproject.com/download/#supported-versions"
SECURITY_ARCHIVE = "https://docs.djangoproject.com/en/stable/releases/security/"
PIP_AUDIT = "https://pypi.org/project/pip-audit/"
DJANGO_SEVERITY = {
    "low": Severity.LOW,
    "moderate": Severity.MEDIUM,
    "high": Severity.HIGH,
    "critical": Severity.CRITICAL,
}


class _Target(Struct, frozen=True):
    """A Django version to judge: the installed one and/or a pin in a requirements file."""

    version: str
    where: str
    location: Location | None


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _targets(facts: Facts) -> list[_Target]:
    deps = facts[DependencyFacts]
    runtime = facts.get(RuntimeFacts)
    installed = runtime.django_version if runtime and runtime.django_version != "?" else None
    if installed is None and (pkg := deps.installed("django")) is not None:
        installed = pkg.version
    pins = [p for p in deps.pins if p.name == "django"]
    out: list[_Target] = []
    if installed:
        same = next((p for p in pins if p.version == installed), None)
        where = f"installed, pinned in {same.origin}" if same else f"installed for {deps.python}"
        out.append(_Target(installed, where, same.location if same else None))
    for pin in pins:
        if pin.version != installed and not any(t.version == pin.version for t in out):
            out.append(_Target(pin.version, f"pinned in {pin.origin}", pin.location))
    return [t for t in out if _version(t.version) is not None]


def _age(deps: DependencyFacts) -> str:
    return (
        f"golive's Django tables generated {deps.tables.generated} ({deps.tables_age_days} days old;"
        " `golive update-data` refreshes them)"
    )


@check(
    "GL900",
    title="the Django release series is no longer supported",
    severity=Severity.HIGH,
    needs=(DependencyFacts,),
    reference=DOWNLOAD,
    remediation="""
    Upgrade to a supported series (see the download page), e.g. the current LTS:

        pip install --upgrade "Django>=5.2,<6.0"
    """,
)
def unsupported_series(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """An unsupported series gets no security fixes: every vulnerability disclosed after its
    end of extended support stays open (Django's security archive does not even list it as
    affected). Dates come from golive's table, written from Django's roadmap
    (https://www.djangoproject.com/download/#supported-versions) and DEP 20; a calendar
    version (``2028.N`` on) follows DEP 20's three-year rule.
    """
    deps = facts[DependencyFacts]
    seen = []
    for target in _targets(facts):
        series = series_of(target.version)
        row = deps.tables.series(series)
        oldest = deps.tables.oldest
        older = row is None and (_version(series) or Version("0")) < Version(oldest.series)
        if older:
            yield spec.fail(
                subjects=["django"],
                location=target.location,
                evidence=[
                    f"Django {target.version} ({target.where}): series {series} is older than every"
                    f" supported series (the oldest golive knows, {oldest.series}, is supported until"
                    f" {oldest.extended_end})",
                    _age(deps),
                ],
            )
        elif row is not None and deps.today > row.supported_until:
            yield spec.fail(
                subjects=["django"],
                location=target.location,
                evidence=[
                    f"Django {target.version} ({target.where}): series {series}{' LTS' if row.lts else ''}"
                    f" extended support ended {row.extended_end} (source: {row.source})",
                    _age(deps),
                ],
            )
        elif row is not None:
            seen.append(
                f"Django {target.version} ({target.where}): series {series}{' LTS' if row.lts else ''}"
                f" supported until {row.extended_end}"
            )
        else:
            seen.append(f"Django {target.version}: series {series} is not in golive's table yet")
    if seen:
        yield spec.passed(evidence=[*seen, _age(deps)])


@check(
    "GL901",
    title="Django is behind the latest patch release of its series",
    severity=Severity.MEDIUM,
    needs=(DependencyFacts,),
    reference="https://docs.djangoproject.com/en/stable/internals/release-process/#supported-versions",
    remediation='pip install --upgrade "Django>=5.2.19,<5.3"  # the latest patch of your series',
)
def behind_patch(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Generally, you should always upgrade to the latest patch release. Each patch release
    supersedes earlier patch releases in its series, which may contain known security
    vulnerabilities." Patch releases are fully compatible within a series. The latest patch
    comes from PyPI when reachable, else from golive's table (the evidence says which).
    """
    deps = facts[DependencyFacts]
    for target in _targets(facts):
        series = series_of(target.version)
        row = deps.tables.series(series)
        if row is not None and deps.today > row.supported_until:
            continue  # unsupported: GL900
        latest = deps.latest.get(series)
        current = _version(target.version)
        if latest and current is not None and not current.is_prerelease and current < Version(latest):
            yield spec.fail(
                subjects=["django"],
                location=target.location,
                evidence=[
                    f"Django {target.version} ({target.where}); the latest {series} patch is {latest}"
                    f" (from {deps.latest_source})",
                    _age(deps),
                ],
                remediation=f'pip install --upgrade "Django=={latest}"',
            )


@check(
    "GL902",
    title="Django has a known security vulnerability",
    severity=Severity.CRITICAL,
    needs=(DependencyFacts,),
    reference=SECURITY_ARCHIVE,
    remediation='pip install --upgrade "Django>=X.Y.Z"  # the fixed release named in the evidence',
)
def django_cves(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Django's archive (https://docs.djangoproject.com/en/stable/releases/security/) lists
    "the date, a brief description, the CVE identifier, a list of affected versions".
    Each CVE of that archive whose affected series holds this version
    and whose fix is a later release of that series is one finding, at Django's own
    severity rating where the release note gives one (low, moderate → medium, high),
    else high. The archive lists only series that were supported when the issue was
    disclosed: an unsupported series is reported by GL900 instead.
    """
    deps = facts[DependencyFacts]
    for target in _targets(facts):
        series = series_of(target.version)
        current = Version(target.version)
        for cve in deps.tables.cves:
            if series not in cve.fixed:
                continue
            fixed = cve.fixed[series]
            fixed_version = _version(fixed) if fixed else None
            if fixed_version is not None and current >= fixed_version:
                continue
            fix_text = f"fixed in {fixed}" if fixed else "Django's notes name no fixed release"
            yield spec.fail(
                subjects=["django"],
                location=target.location,
                severity=DJANGO_SEVERITY.get(cve.severity or "", Severity.HIGH),
                title=f"{cve.id}: {cve.summary.rstrip('.')}"[:200],
                evidence=[
                    f"Django {target.version} ({target.where}) is affected by {cve.id}"
                    f" (disclosed {cve.date}), {fix_text}",
                    f"Django's severity rating: {cve.severity or 'not stated'}",
                    *([f"advisory: {cve.url}"] if cve.url else []),
                    _age(deps),
                ],
                remediation=f'pip install --upgrade "Django>={fixed}"' if fixed else None,
            )


def _reported_django_ids(facts: Facts) -> set[str]:
    deps = facts[DependencyFacts]
    return {cve.id for cve in deps.tables.cves}


@check(
    "GL903",
    title="a dependency has a known vulnerability (pip-audit)",
    severity=Severity.HIGH,
    needs=(DependencyFacts,),
    reference=PIP_AUDIT,
    remediation="Upgrade the package to a fixed version named in the evidence, pin it, and redeploy.",
)
def vulnerable_dependencies(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """pip-audit (https://pypi.org/project/pip-audit/) checks every installed distribution
    of the project's environment and every
    exact pin of its requirements files against PyPI's (or OSV's) vulnerability data.
    Django's own CVEs are GL902's; pip-audit's Django entries are shown only when they
    name an id Django's archive does not. When the service could answer for nothing, the
    check is skipped with that reason, never passed.
    """
    deps = facts[DependencyFacts]
    audit = deps.audit
    if audit.unavailable:
        yield spec.skipped(audit.unavailable)
        return
    django_ids = _reported_django_ids(facts)
    for vuln in audit.vulnerabilities:
        if vuln.package.name == "django" and django_ids & {vuln.id, *vuln.aliases}:
            continue
        pkg = vuln.package
        pin = next((p for p in deps.pins if p.name == pkg.name and p.version == pkg.version), None)
        origin = pkg.origin if pkg.origin != "environment" else f"installed for {deps.python}"
        fixes = ", ".join(vuln.fix_versions) or "no fixed release yet"
        yield spec.fail(
            subjects=[pkg.name],
            location=pkg.location or (pin.location if pin else None),
            title=f"{pkg.name} {pkg.version}: {vuln.id}",
            evidence=[
                f"{pkg.name} {pkg.version} ({origin}): {vuln.id}"
                + (f" ({', '.join(vuln.aliases)})" if vuln.aliases else "")
                + f", fixed in: {fixes}",
                *([vuln.description] if vuln.description else []),
            ],
            remediation=(
                f'pip install --upgrade "{pkg.name}>={vuln.fix_versions[0]}"' if vuln.fix_versions else None
            ),
        )
    cached = f", result cached {audit.cached_minutes:.0f} min ago" if audit.cached_minutes is not None else ""
    yield spec.passed(
        evidence=[f"pip-audit ({audit.service}): {len(audit.checked)} packages checked{cached}"]
    )


@check(
    "GL904",
    title="some dependencies could not be checked for known vulnerabilities",
    severity=Severity.LOW,
    needs=(DependencyFacts,),
    reference=PIP_AUDIT,
    remediation="""
    Private or local packages are not in the public vulnerability databases: track their
    security yourself. For packages pip-audit could not resolve, pin an exact version
    (``name==1.2.3``) or check that the vulnerability service is reachable.
    """,
)
def unchecked_dependencies(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A package pip-audit skipped is not known to be clean, although pip-audit's summary
    still reads "No known vulnerabilities found": it is listed here, with pip-audit's own
    reason, rather than counted as a pass. So is a package installed from a local
    directory or a VCS URL (PEP 610 ``direct_url.json``), which no vulnerability database
    knows.
    """
    deps = facts[DependencyFacts]
    audit = deps.audit
    if audit.unavailable:
        yield spec.skipped(audit.unavailable)
        return
    if audit.not_checked:
        lines = [f"{pkg.name} {pkg.version} ({pkg.origin}): {reason}" for pkg, reason in audit.not_checked]
        more = len(lines) - 20
        yield spec.fail(
            subjects=sorted({canonical(pkg.name) for pkg, _ in audit.not_checked}),
            evidence=[*lines[:20], *([f"… and {more} more"] if more > 0 else [])],
        )
