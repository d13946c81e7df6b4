"""Files that keep secrets out of the code, committed (checklist section 1, GL125 and GL126):
environment files, private keys, local settings and credentials files, database dumps and
SQLite databases at HEAD (:attr:`golive.facts.git.GitFacts.tracked`).

Sources: the twelve-factor app, "Config" (https://12factor.net/config); Django's deployment
checklist, "Databases" (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#databases);
GitHub's "Removing sensitive data from a repository"
(https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository).
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks import _secret_fix as fix
from golive.checks._util import CHECKLIST
from golive.facts.git import GitFacts
from golive.facts.secrets.places import LABELS, PRODUCTION, place
from golive.model import Confidence, Finding, Severity
from golive.registry import CheckSpec, Facts, check

FILE_FIX = """
Stop tracking the file, keep it out of git, and rotate whatever it held:

    git rm --cached .env
    echo ".env" >> .gitignore
    git commit -m "Stop tracking .env"

The file stays in the history every clone carries. Removing it from there (`git filter-repo
--sensitive-data-removal --invert-paths --path .env`, then a force-push) is a separate
decision: it changes every later commit id, breaks open pull requests and links, makes everyone
re-clone, and existing clones keep the file anyway; once its secrets are rotated it protects
nothing.
"""


@check(
    "GL125",
    title="an environment file, key or local settings module is committed",
    severity=Severity.HIGH,
    needs=(GitFacts,),
    reference="https://12factor.net/config",
    remediation=FILE_FIX,
)
def sensitive_files(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """``.env`` files, private keys (``*.key``, ``*.pem`` holding a private key, SSH keys,
    ``*.p12``), ``local_settings.py`` and credentials files (``.pgpass``, ``.netrc``,
    ``.htpasswd``) exist to keep secrets out of the code: committed, they put them back in.
    The twelve-factor app: "a litmus test for whether an app has all config correctly
    factored out of the code is whether the codebase could be made open source at any
    moment, without compromising any credentials". Test fixtures and templates
    (``.env.example``, an env file whose first line says secrets do not belong there) are
    not reported. The secrets found inside such a file are listed in its evidence rather
    than again under GL121/GL123 (a production key stays GL120). An environment file is
    reported for what it holds: one holding no value that can be a secret
    (``COMPOSE_PROJECT_NAME=shop``) is not a leak, and one holding only weak evidence weighs
    what that evidence weighs.
    """
    git = facts[GitFacts]
    found = [t for t in git.tracked if t.kind not in ("database-dump", "sqlite")]
    clean: list[str] = []
    for tracked in found:
        held = [
            s
            for s in git.secrets
            if not s.placeholder and any(loc.path == tracked.location.path for loc in s.head_locations)
        ]
        if tracked.kind == "env" and not held:
            clean.append(tracked.location.path)
            continue
        best = min((s.confidence for s in held), key=list(Confidence).index, default=None)
        if tracked.kind != "env":
            best = None
        where, why_there = place(tracked.location.path)
        # A key in tests/, the env file of a development compose: low. local_settings.py is
        # "local" by its convention, not a development file: it is where servers keep secrets.
        outside = where not in PRODUCTION and tracked.kind != "local-settings"
        yield spec.fail(
            subjects=[tracked.location.path],
            location=tracked.location,
            evidence=[
                f"committed at HEAD {git.head[:10]}: {tracked.describe()}",
                *(f"holds {s.describe()}" for s in held),
                *([f"lives in {LABELS.get(where, where)}: {why_there}: weighs low"] if outside else []),
            ],
            confidence=best,
            severity=min(spec.severity, Severity.LOW) if outside else None,
            remediation=FILE_FIX.replace(".env", fix.shell_path(tracked.location.path)).strip(),
        )
    if len(clean) == len(found):
        note = f"; committed env files holding no secret: {', '.join(clean)}" if clean else ""
        yield spec.passed(evidence=[f"no such file committed at HEAD {git.head[:10]}{note}"])


@check(
    "GL126",
    title="a database dump or SQLite database is committed",
    severity=Severity.MEDIUM,
    needs=(GitFacts,),
    reference=CHECKLIST + "#databases",
    remediation=FILE_FIX.replace(".env", "db.sqlite3"),
)
def database_files(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A committed ``db.sqlite3`` or dump (``*.dump``, ``*.sql.gz``, a ``*.sql`` holding
    ``INSERT``/``COPY`` data or a pg_dump/mysqldump header) carries users, their e-mail
    addresses and password hashes to everyone with a clone. Django's checklist: "Database
    passwords are very sensitive"; the data is more so.
    """
    git = facts[GitFacts]
    found = [t for t in git.tracked if t.kind in ("database-dump", "sqlite")]
    for tracked in found:
        yield spec.fail(
            subjects=[tracked.location.path],
            location=tracked.location,
            evidence=[f"committed at HEAD {git.head[:10]}: {tracked.describe()}"],
            remediation=FILE_FIX.replace(".env", fix.shell_path(tracked.location.path)).strip(),
        )
    if not found:
        yield spec.passed(evidence=[f"no database file committed at HEAD {git.head[:10]}"])
