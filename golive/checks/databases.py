"""Environment-specific settings, the database (checklist section 2, ids GL220–GL223): SQLite,
the password, backups and the firewall.

Source: Django's deployment checklist, "Databases"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#databases).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from golive.checks._util import (
    CHECKLIST,
    attest_fix,
    inside,
    where,
)
from golive.facts.backups import BackupFacts
from golive.facts.project import ProjectFacts
from golive.facts.run import RunFacts
from golive.facts.runtime import RuntimeFacts
from golive.facts.source import SourceFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check


@check(
    "GL220",
    title="a database is SQLite",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#databases",
    remediation="""
    Use a database server for a site with concurrent writers:

        DATABASES = {"default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ["DATABASE_NAME"], "USER": os.environ["DATABASE_USER"],
            "PASSWORD": os.environ["DATABASE_PASSWORD"], "HOST": os.environ["DATABASE_HOST"],
        }}
    """,
)
def sqlite(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Database connection parameters are probably different in development and in
    production." SQLite in production often means the development settings leaked in:
    one writer at a time, a file in the code tree, and no server to back up. Django's
    docs do not rule it out, though (the databases notes list its limits, not a ban:
    https://docs.djangoproject.com/en/stable/ref/databases/#sqlite-notes): one
    application server with the file on a persistent volume is low, with the reason.
    Medium when several replicas or application services write the one file
    (:attr:`DeployShape.several`), when the file sits in the code tree of a container
    image with no volume on its folder (the writable layer goes with the container), or
    when the deployment's shape is unknown.
    """
    runtime = facts[RuntimeFacts]
    for alias, vendor in runtime.database_vendors.items():
        if vendor == "sqlite":
            name = ((runtime.setting("DATABASES") or {}).get(alias) or {}).get("NAME")
            why, low = _sqlite_shape(facts, str(name or ""))
            yield spec.fail(
                subjects=["DATABASES"],
                location=where(facts, f"DATABASES.{alias}"),
                evidence=[f"DATABASES[{alias!r}] ENGINE sqlite3, NAME {name!r}", *why],
                severity=Severity.LOW if low else None,
            )


def _sqlite_shape(facts: Facts, name: str) -> tuple[list[str], bool]:
    """(evidence, low) for a SQLite file ``name`` from the deployment's shape."""
    project = facts.get(ProjectFacts)
    shape = project.shape if project is not None else None
    run = facts.get(RunFacts)
    if shape is None or run is None or not name or name == ":memory:":
        return [], False
    several = shape.several
    if several:
        return [f"{'; '.join(several)}: several application servers write one SQLite file"], False
    root = run.django_dir.resolve()
    path = (root / name).resolve()
    server = (
        f"one application server ({shape.services[0].name} at {shape.services[0].location}, 1 replica)"
        if shape.services
        else "one application server"
    )
    if not inside(path, root):
        return [f"{server} and the file lies outside the code tree: {_SQLITE_LOW}"], True
    rel = path.relative_to(root)
    folder = rel.parent.as_posix() if rel.parent != Path(".") else ""
    mounted = shape.volume_for(rel.as_posix()) or shape.volume_for(folder)
    if mounted:
        return [f"{server} and {rel.as_posix()} is on the volume mounted at {mounted}: {_SQLITE_LOW}"], True
    if shape.containers:
        return [
            f"{rel.as_posix()} is inside the code tree of a container image and no volume is mounted on"
            f" {folder + '/' if folder else 'its folder'}: the database lives in the container's writable"
            " layer and goes with it"
        ], False
    return [
        f"{server}, not in a container, with the file in the code tree ({rel.as_posix()}): {_SQLITE_LOW}"
    ], True


_SQLITE_LOW = "Django's docs do not rule SQLite out on one server; back the file up: low"


@check(
    "GL221",
    title="a database password is a literal in the settings source",
    severity=Severity.HIGH,
    needs=(SourceFacts,),
    reference=CHECKLIST + "#databases",
    remediation='"PASSWORD": os.environ["DATABASE_PASSWORD"],  # and rotate the committed one',
)
def database_password(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Database passwords are very sensitive. You should protect them exactly like
    SECRET_KEY." Covers ``PASSWORD`` keys and passwords inside ``DATABASE_URL``-style
    literals.
    """
    for a in facts[SourceFacts].effective:
        if a.target.startswith("DATABASES") and a.kind == "literal" and a.secret and not a.secret.empty:
            if a.confidence is None or a.placeholder:
                continue  # not a value that can be a password, or a placeholder (issue 11)
            yield spec.fail(
                subjects=["DATABASES"],
                location=a.location,
                evidence=[
                    f"{a.target} at {a.location}: literal, {a.secret.describe()}",
                    f"confidence {a.confidence.value}: {a.why}",
                ],
                confidence=a.confidence,
            )


@check(
    "GL222",
    title="database backups exist and are kept off-site",
    severity=Severity.HIGH,
    needs=(),
    reference=CHECKLIST + "#databases",
    remediation="Schedule dumps (pg_dump -Fc) and copy them off-site (another provider or region)."
    + attest_fix("GL222", "nightly pg_dump, copied to the off-site bucket"),
    manual=True,
    validity_days=90,
    uses=(BackupFacts,),
)
def database_backups(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "If you haven't set up backups for your database, do it right now!" Where the dumps
    land and how fresh they are is machine evidence (GL940-GL942, ``[tool.golive.backups]``),
    and whether one restores is GL945 (``golive verify-backup``); that they also live
    off-site, out of reach of whatever destroys the server, only a person can attest. The
    signature lasts 90 days. The evidence shows what the machine saw, to sign against.
    """
    backups = facts.get(BackupFacts)
    evidence = []
    if backups is not None and backups.database is not None:
        newest = backups.database.scan.newest
        evidence.append(f"database backups: {backups.database.origin}")
        if newest is not None:
            written = newest.modified.isoformat(timespec="minutes")
            evidence.append(f"newest: {newest.path} ({newest.size} bytes, {written})")
    if backups is not None and backups.verification is not None and backups.verification.ok:
        evidence.append(
            f"restore verified by golive verify-backup on {backups.verification.verified_at} (GL945)"
        )
    yield spec.ask(subjects=["DATABASES"], evidence=evidence)


@check(
    "GL223",
    title="the database server accepts connections only from the application servers",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#databases",
    remediation="Restrict pg_hba.conf / bind-address and the firewall to the application servers."
    + attest_fix("GL223", "pg_hba allows 10.0.0.0/24 only"),
    manual=True,
    validity_days=365,
)
def database_firewalled(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "For maximum security, make sure database servers only accept connections from
    your application servers." Network policy is outside the settings: a person attests
    it. Not asked for SQLite.
    """
    runtime = facts[RuntimeFacts]
    servers = [a for a, v in runtime.database_vendors.items() if v != "sqlite"]
    if not servers:
        yield spec.passed(evidence=["no database server configured"])
        return
    yield spec.ask(subjects=["DATABASES"], evidence=[f"database aliases: {', '.join(servers)}"])
