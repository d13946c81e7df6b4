"""Secrets in source control: the git history (checklist section 1, ids GL120-GL123, GL128; the
committed sensitive files, GL125 and GL126, are :mod:`golive.checks.committed_files`).

Source: Django's deployment checklist, "SECRET_KEY": "The secret key must be a large
random value and it must be kept secret. Make sure that the key used in production isn't
used anywhere else and avoid committing it to source control."
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#secret-key), and
GitHub's "Removing sensitive data from a repository"
(https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository).

How these checks share the work with the settings-source checks
(:mod:`golive.checks.critical` GL101/GL102/GL103/GL112, :mod:`golive.checks.environment`
GL221): those read today's settings files and report a literal secret in them, wherever it
came from. These read what git holds. A secret that HEAD still holds *at a settings
assignment the source collector recorded* (same file and line) is left to them, so it is
reported once; a secret anywhere else in HEAD, or in the history only (removed from the
files but still in every clone), is reported here. Fixing a settings-source finding by
deleting the literal therefore turns it into a history finding here: the key was
committed and must be rotated.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from golive.checks import _secret_fix as fix
from golive.checks._util import CHECKLIST
from golive.checks.live_secrets import live_secrets
from golive.facts.git import GitFacts, HistorySecret
from golive.facts.runtime import RuntimeFacts
from golive.facts.secrets import SecretInfo
from golive.facts.secrets.evidence import PUBLIC_BY_DESIGN
from golive.facts.source import SourceFacts
from golive.model import Confidence, Finding, Location, Severity
from golive.registry import CheckSpec, Facts, check

REMOVING = (
    "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/"
    "removing-sensitive-data-from-a-repository"
)
HISTORY_FIX = """
Rotate first: the value is in every clone, fork and CI cache, and rewriting history does not
reach them. Revoke it at its issuer (database, mail provider, Stripe, AWS, ...), issue a new one,
and read the new one from the environment:

    EMAIL_HOST_PASSWORD = os.environ["EMAIL_HOST_PASSWORD"]

Then rewrite history so that new clones no longer carry it, with git filter-repo
(replacements.txt holds one line per old value, `<old value>==>REMOVED`, and stays out of git):

    git filter-repo --sensitive-data-removal --replace-text ../replacements.txt
    git push --force --mirror origin

and ask everyone to re-clone (GitHub: also ask support to purge cached views).
"""
KEY_FIX = """
Rotate the key now: anyone with a clone can sign sessions, password-reset links and
messages as your site.

    python -c "from django.core.management.utils import get_random_secret_key; print(get_random_secret_key())"
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]     # the new key, from the server's environment

Leave the old key out of SECRET_KEY_FALLBACKS (every signature it made is forgeable), then
remove it from history with git filter-repo (replacements.txt: `<old key>==>REMOVED`):

    git filter-repo --sensitive-data-removal --replace-text ../replacements.txt
    git push --force --mirror origin
"""
DJANGO_KEY_NAMES = ("SECRET_KEY", "DJANGO_SECRET_KEY", "SECRET_KEY_FALLBACKS")


def is_django_key(secret: HistorySecret) -> bool:
    """A Django SECRET_KEY: named so, or with ``startproject``'s ``django-insecure-`` prefix."""
    name = secret.name.upper()
    return secret.info.insecure_prefix or name in DJANGO_KEY_NAMES or name.endswith("_DJANGO_SECRET_KEY")


def _covered(facts: Facts) -> set[tuple[str, int | None]]:
    """(path, line) of every secret the settings-source checks see in today's settings files."""
    source = facts.get(SourceFacts)
    if source is None:
        return set()
    found = list(source.assignments)
    for more in source.other_modules.values():
        found += more
    return {(a.location.path, a.location.line) for a in found if a.secret and not a.secret.empty}


def _left_to_settings_checks(secret: HistorySecret, covered: set[tuple[str, int | None]]) -> bool:
    return bool(secret.in_head and secret.head_locations) and all(
        (loc.path, loc.line) in covered for loc in secret.head_locations
    )


def _production_keys(facts: Facts) -> dict[str, tuple[str, SecretInfo]]:
    """fingerprint → (setting path, info) of SECRET_KEY and SECRET_KEY_FALLBACKS as Django loaded them."""
    runtime = facts.get(RuntimeFacts)
    if runtime is None:
        return {}
    return {
        info.fingerprint: (path, info)
        for path, info in runtime.secrets.items()
        if (path == "SECRET_KEY" or path.startswith("SECRET_KEY_FALLBACKS")) and not info.empty
    }


def _where(secret: HistorySecret) -> Location:
    return secret.head_locations[0] if secret.in_head and secret.head_locations else secret.location


def _head_line(secret: HistorySecret) -> str:
    if secret.in_head is None:
        return "could not tell whether HEAD still holds it (HEAD could not be read completely)"
    if secret.in_head:
        return "still in HEAD at " + ", ".join(str(loc) for loc in secret.head_locations)
    return "no longer in HEAD, still in the history every clone carries"


def _evidence(secret: HistorySecret) -> list[str]:
    """What was found, where it came in, whether HEAD holds it, how sure, where it lives.

    What the scan missed (a shallow clone, missing objects) is said once, with the git
    collector (:attr:`GitFacts.collector_details`), not on every finding.
    """
    return [secret.describe(), secret.introduced(), _head_line(secret), *fix.evidence_lines(secret)]


def _quiet(spec: CheckSpec, git: GitFacts, *, history: bool = True) -> Iterator[Finding]:
    """Nothing found: a pass saying what was scanned, or skipped when the scan was partial."""
    gaps = git.gaps(history=history)
    if gaps:
        yield spec.skipped(f"nothing found, but the history was scanned in part: {'; '.join(gaps)}")
    else:
        yield spec.passed(evidence=[f"scanned {git.scope()}"])


def _in_tracked_files(secret: HistorySecret, git: GitFacts) -> bool:
    """HEAD holds it only inside committed sensitive files (GL125 lists it with the file)."""
    tracked = {t.location.path for t in git.tracked}
    return bool(secret.in_head and secret.head_locations) and all(
        loc.path in tracked for loc in secret.head_locations
    )


def _live(facts: Facts) -> set[str]:
    """Fingerprints of the other secrets Django loads: a committed copy is GL100's."""
    return set(live_secrets(facts.get(RuntimeFacts)))


def _real(git: GitFacts, facts: Facts) -> Iterable[HistorySecret]:
    """Non-placeholder secrets, minus production keys (GL120) and other live values (GL100),
    those left to the settings-source checks, and those HEAD holds only in committed
    sensitive files (GL125)."""
    covered = _covered(facts)
    production = _production_keys(facts).keys() | _live(facts)
    for secret in git.secrets:
        if secret.placeholder or secret.info.fingerprint in production:
            continue
        if not _left_to_settings_checks(secret, covered) and not _in_tracked_files(secret, git):
            yield secret


@check(
    "GL120",
    title="the production SECRET_KEY is in the git history",
    severity=Severity.CRITICAL,
    needs=(GitFacts,),
    reference=CHECKLIST + "#secret-key",
    remediation=KEY_FIX,
)
def production_key_in_history(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Make sure that the key used in production isn't used anywhere else and avoid
    committing it to source control." The key Django loaded (SECRET_KEY, and each of
    SECRET_KEY_FALLBACKS, which still verify signatures) is compared by keyed fingerprint
    with every secret any commit of any ref ever added, whether HEAD still holds it or not:
    whoever has a clone can forge sessions and password-reset tokens. A match that HEAD still
    holds at a settings assignment is GL101/GL103's (the settings-source checks).
    """
    git = facts[GitFacts]
    production = _production_keys(facts)
    if not production:
        yield spec.skipped("the SECRET_KEY Django loads is unknown (the runtime settings were not collected)")
        return
    covered = _covered(facts)
    hits = [
        s
        for s in git.secrets
        if s.info.fingerprint in production and not _left_to_settings_checks(s, covered)
    ]
    for secret in hits:
        setting, _ = production[secret.info.fingerprint]
        yield spec.fail(
            subjects=[setting.split("[")[0]],
            location=_where(secret),
            evidence=[
                f"{setting} as Django loads it has fingerprint {secret.info.fingerprint}: the same value was",
                *_evidence(secret),
            ],
            confidence=Confidence.CONFIRMED,
        )
    if not hits:
        yield from _quiet(spec, git)


@check(
    "GL121",
    title="a credential committed to git is still in HEAD",
    severity=Severity.HIGH,
    needs=(GitFacts,),
    reference=REMOVING,
    remediation=HISTORY_FIX,
)
def credential_in_head(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A password, API key, token or private key (vendor token formats, secret-named
    settings and keys assigned literals, ``.env`` lines, passwords in URLs) was committed and
    today's tree still holds it, outside the settings assignments that GL112/GL221 report.
    "Database passwords are very sensitive. You should protect them exactly like SECRET_KEY"
    (Django's checklist). Django keys are GL120/GL123; placeholders GL128.
    """
    git = facts[GitFacts]
    found = [s for s in _real(git, facts) if s.in_head and not is_django_key(s)]
    for secret in found:
        yield spec.fail(
            subjects=[secret.subject],
            location=_where(secret),
            evidence=_evidence(secret),
            confidence=secret.confidence,
            severity=fix.weigh(spec.severity, secret),
            remediation=fix.in_head_fix(secret),
            reference=fix.reference(secret),
        )
    if not found:
        yield from _quiet(spec, git, history=False)


@check(
    "GL122",
    title="a credential was committed to git (removed since, still in the history)",
    severity=Severity.HIGH,
    needs=(GitFacts,),
    reference=REMOVING,
    remediation=HISTORY_FIX,
)
def credential_in_history(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Deleting a secret from the files does not take it out of the repository: every
    clone, fork and CI cache keeps the commit that added it. GitHub: "you should consider any
    sensitive data committed to Git as compromised", so rotate it. Reported once per secret,
    at the commit, date, path and line that introduced it.
    """
    git = facts[GitFacts]
    found = [s for s in _real(git, facts) if not s.in_head and not is_django_key(s)]
    for secret in found:
        yield spec.fail(
            subjects=[secret.subject],
            location=secret.location,
            evidence=_evidence(secret),
            confidence=secret.confidence,
            severity=fix.weigh(spec.severity, secret),
            remediation=fix.history_fix(secret),
            reference=fix.reference(secret),
        )
    if not found:
        yield from _quiet(spec, git)


@check(
    "GL123",
    title="a Django SECRET_KEY other than production's is in the git history",
    severity=Severity.LOW,
    needs=(GitFacts,),
    reference=CHECKLIST + "#secret-key",
    remediation="""
    Make sure no deployment (staging, a demo, an old server) runs with it; if one does,
    rotate that deployment's key. Keep keys out of the settings from now on:

        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
    """,
)
def other_key_in_history(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """``startproject`` writes a ``django-insecure-`` key into settings.py, and it is
    usually committed with the first commit. It is harmless as long as no deployment uses
    it: the checklist asks that "the key used in production isn't used anywhere else".
    Production's own key (same fingerprint as the SECRET_KEY Django loaded) is GL120;
    when the runtime settings are unknown, the evidence says it could not be compared.
    """
    git = facts[GitFacts]
    compared = bool(_production_keys(facts))
    found = [s for s in _real(git, facts) if is_django_key(s)]
    for secret in found:
        evidence = _evidence(secret)
        evidence.insert(
            3,
            "differs from the SECRET_KEY Django loads"
            if compared
            else "could not be compared with production's key (the runtime settings were not collected)",
        )
        yield spec.fail(
            subjects=["SECRET_KEY"],
            location=_where(secret),
            evidence=evidence,
            confidence=secret.confidence,
            severity=fix.weigh(spec.severity, secret),
        )
    if not found:
        yield from _quiet(spec, git)


@check(
    "GL128",
    title="placeholders and public values in git (information, not a failure)",
    severity=Severity.INFO,
    needs=(GitFacts,),
    reference=CHECKLIST + "#secret-key",
    remediation="""
    Nothing to do: a placeholder, a public-by-design value or a value the team allowed is
    not a leak. (If production reads a setting with a placeholder as its default, that is
    GL102's finding.)
    """,
)
def placeholders(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Values such as "change-me", "xxx", "<your-key>", documented example keys
    (AWS's ``AKIAIOSFODNN7EXAMPLE``, https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html),
    Stripe test-mode keys, and passwords in test code or example files are not secrets:
    listed for the record, at severity info. So are public-by-design values (Stripe
    publishable keys, a Sentry DSN's public key, reCAPTCHA test keys), values in an env
    template that says secrets do not belong there, and keys the team allowed in
    ``[tool.golive.secrets] allow``. A placeholder that production actually uses is GL120.
    """
    git = facts[GitFacts]
    production = _production_keys(facts).keys() | _live(facts)
    for secret in git.secrets:
        public = secret.placeholder.startswith(PUBLIC_BY_DESIGN)  # listed even when production loads it
        if secret.placeholder and (secret.info.fingerprint not in production or public):
            yield spec.fail(
                subjects=[secret.subject],
                location=secret.location,
                evidence=[secret.describe(), f"placeholder: {secret.placeholder}", secret.introduced()],
                remediation=fix.nothing_to_do(secret),
            )
