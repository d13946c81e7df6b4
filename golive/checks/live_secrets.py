"""Is the leaked value the one production uses? (checklist section 1, GL100: the headline
of the secrets checks).

The runtime probe describes every secret Django loaded (secret-named settings and dict
keys, passwords inside URLs) by a keyed fingerprint; the source collector and the git
collector describe every value committed to the settings source, the files at HEAD and
the history the same way, under the same per-audit key. Equal fingerprints mean the value
production runs with right now sits in the repository: whoever has a clone holds it,
whatever file it is in (a test fixture, an example env file, a commit removed long ago).
No value is compared or shown, only fingerprints.

SECRET_KEY has its own checks (GL101 literal in the audited settings, GL103 in another
settings module, GL120 in the git history); this one covers every other secret.

Sources: Django's deployment checklist, "Database passwords are very sensitive. You
should protect them exactly like SECRET_KEY"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#databases), the
SECRET_KEY and DATABASES PASSWORD settings (https://docs.djangoproject.com/en/stable/ref/settings/#secret-key,
https://docs.djangoproject.com/en/stable/ref/settings/#password), and
GitHub's "Removing sensitive data from a repository": "consider any sensitive data
committed to Git as compromised"
(https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from golive.checks._util import CHECKLIST
from golive.facts.git import GitFacts, HistorySecret
from golive.facts.runtime import RuntimeFacts, secret_leaf
from golive.facts.secrets import SecretInfo
from golive.facts.secrets.evidence import PUBLIC_BY_DESIGN, refused_by_its_service
from golive.facts.secrets.rules import is_value_placeholder, secret_name
from golive.facts.source import Assignment, SourceFacts
from golive.model import Confidence, Finding, Location, Severity
from golive.registry import CheckSpec, Facts, check

#: Values shorter than this are not compared (too many unrelated equal values).
MIN_LENGTH = 6
LIVE_FIX = """
The value is in use right now: rotate it at its issuer first (database role, cache server,
mail provider, API dashboard), then give production the new value from its environment or
secret manager only:

    DATABASES["default"]["PASSWORD"] = os.environ["DB_PASSWORD"]
    EMAIL_HOST_PASSWORD = os.environ["EMAIL_HOST_PASSWORD"]

Remove the committed copy from the files; rewriting history (git filter-repo
--sensitive-data-removal --replace-text) only helps new clones, so it comes after the
rotation, not instead of it.
"""


def live_secrets(runtime: RuntimeFacts | None) -> dict[str, tuple[str, SecretInfo]]:
    """fingerprint → (setting path, info) of every secret Django loaded except SECRET_KEY and
    SECRET_KEY_FALLBACKS (GL101/GL103/GL120 judge those).

    Kept: settings and dict keys with a secret name (:func:`golive.facts.secrets.rules.secret_name`,
    stricter than the probe's redaction, so ``AWS_S3_SIGNATURE_VERSION`` is left out) and
    passwords inside URLs (``CACHES.default.LOCATION``), of :data:`MIN_LENGTH`+ characters.
    """
    out: dict[str, tuple[str, SecretInfo]] = {}
    if runtime is None:
        return out
    for path, info in sorted(runtime.secrets.items()):
        if path.split(".")[0].split("[")[0] in ("SECRET_KEY", "SECRET_KEY_FALLBACKS"):
            continue
        if info.empty or info.length < MIN_LENGTH:
            continue
        if secret_name(secret_leaf(path)) or path not in runtime.named_secrets:  # a name, or a URL's password
            out.setdefault(info.fingerprint, (path, info))
    return out


def _literal_lines(source: SourceFacts | None) -> set[tuple[str, int | None]]:
    """(path, line) of the literals in force in the audited settings: GL112/GL221 report those
    (a literal that is the setting is what production loads by construction)."""
    if source is None:
        return set()
    return {(a.location.path, a.location.line) for a in source.effective if a.kind == "literal" and a.secret}


def _source_lines(source: SourceFacts | None, fp: str) -> list[tuple[Location, str]]:
    if source is None:
        return []
    own = _literal_lines(source)
    found: list[Assignment] = [
        a
        for a in source.assignments
        if a.secret
        and a.secret.fingerprint == fp
        and (a.location.path, a.location.line) not in own
        and not a.placeholder.startswith(PUBLIC_BY_DESIGN)
    ]
    out = []
    for a in found:
        what = f"the default of {a.call}({a.env_var!r})" if a.kind == "env" else "a literal"
        out.append((a.location, f"settings source: {a.target} at {a.location} is {what} with this value"))
    return out


#: Reasons (:func:`golive.facts.secrets.rules.placeholder_reason`) of a committed copy that cannot
#: be a working secret: GL100 leaves the value out. Any other placeholder reason (a pattern,
#: ``change-me``, a well-known default, a short value) describes a weak value: when
#: production loads it, it is a live leak like any other.
NOT_A_SECRET_REASONS = ("template marker", "documented example key")


def _placeholder(source: SourceFacts | None, git: GitFacts | None, fp: str) -> tuple[bool, str]:
    """(skip, weak) for the value with fingerprint ``fp``, by the placeholder reasons of its
    committed copies (equal fingerprints, equal values): skip when one is a template marker
    or a documented example key (:data:`NOT_A_SECRET_REASONS`); else ``weak`` is the first
    value-placeholder reason (:func:`golive.facts.secrets.rules.is_value_placeholder`), or ``""``."""
    committed = [
        a.placeholder
        for a in (source.assignments if source else [])
        if a.secret and a.secret.fingerprint == fp
    ]
    committed += [s.placeholder for s in (git.secrets if git else []) if s.info.fingerprint == fp]
    if any(reason.startswith(NOT_A_SECRET_REASONS) for reason in committed):
        return True, ""
    return False, next((reason for reason in committed if is_value_placeholder(reason)), "")


def _git_lines(
    git: GitFacts | None, fp: str, own: set[tuple[str, int | None]], weak: bool = False
) -> list[tuple[Location, str]]:
    """The committed copies in git of the value with fingerprint ``fp``, each with its line of
    evidence. A weak value (``weak``: ``password``, ``12345678``) is in countless test files
    and documents of every repository: a copy in a test, docs, example, CI or development
    place (:attr:`HistorySecret.place`) says nothing about production's value and is left out."""
    if git is None:
        return []
    out = []
    for s in git.secrets:
        settings_literal = (
            s.in_head and s.head_locations and all((h.path, h.line) in own for h in s.head_locations)
        )
        public = s.placeholder.startswith(PUBLIC_BY_DESIGN)  # a publishable key: GL128's information
        elsewhere = weak and bool(s.place)  # a common weak word in a test or a document
        if s.info.fingerprint == fp and not settings_literal and not public and not elsewhere:
            out.append((_where(s), f"git: {s.describe()}, {s.introduced()}; {_head(s)}"))
    return out


def _where(s: HistorySecret) -> Location:
    return s.head_locations[0] if s.in_head and s.head_locations else s.location


def _head(s: HistorySecret) -> str:
    if s.in_head:
        return "still in HEAD at " + ", ".join(str(loc) for loc in s.head_locations)
    if s.in_head is None:
        return "HEAD not compared"
    return "no longer in HEAD, still in every clone's history"


@check(
    "GL100",
    title="a secret production loads right now is committed to the repository",
    severity=Severity.CRITICAL,
    needs=(RuntimeFacts,),
    uses=(GitFacts,),
    reference=CHECKLIST + "#databases",
    remediation=LIVE_FIX,
)
def live_leak(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """The value a secret setting holds as Django loads it (database and cache passwords,
    EMAIL_HOST_PASSWORD, API keys and tokens in settings, passwords in broker and cache
    URLs) equals, by keyed fingerprint, a value committed to the settings source, the files
    at HEAD or any commit of any ref: the leak is live. "Database passwords are very
    sensitive. You should protect them exactly like SECRET_KEY" (Django's checklist).
    Reported wherever the committed copy sits (tests, examples, a removed commit): a
    fixture that holds the production password is the production password. A literal that
    is itself the setting in the audited settings is what production loads by construction
    and stays GL112's/GL221's; SECRET_KEY is GL101/GL103/GL120. A value whose committed
    copy is a template marker (``<your-key>``) or a vendor's documented example key is no
    working secret and is left out; a weak value (``12345678``, ``deadbeef-…``,
    ``change-me``) that production loads is reported, its weakness said in the evidence,
    when a copy sits where production may take it from (the settings source, production
    code or configuration): a copy of ``password`` in a test file or a document is not
    evidence that production's value leaked, every repository holds that word.
    """
    live = live_secrets(facts.get(RuntimeFacts))
    source = facts.get(SourceFacts)
    git = facts.get(GitFacts)
    if source is None and git is None:
        yield spec.skipped("neither the settings source nor the git history could be read")
        return
    hits = 0
    for fp, (path, info) in live.items():
        skip, weak = _placeholder(source, git, fp)
        if skip:
            continue  # a template marker or a vendor's documented example: no working secret
        places = _source_lines(source, fp) + _git_lines(git, fp, _literal_lines(source), weak=bool(weak))
        if not places:
            continue
        if weak and refused_by_its_service(re.split(r"[.\[\]'\"]+", path), weak):
            continue  # a third-party key's placeholder: its service refuses it (GL102 says so, low)
        if weak:  # 12345678, deadbeef..., change-me: weak, and what production runs with
            places.append((places[0][0], f"a weak value ({weak}): the first one an attacker tries"))
        hits += 1
        # What the history scan missed is said once, with the git collector (issue 11, item 7).
        yield spec.fail(
            subjects=[path.split(".")[0].split("[")[0]],
            location=places[0][0],
            evidence=[
                f"{path} as Django loads it ({info.describe()}) is committed:",
                *(line for _, line in places),
            ],
            confidence=Confidence.CONFIRMED,  # equal keyed fingerprints: a fact, not a heuristic
        )
    if hits:
        return
    compared = [f"the settings source ({len(source.modules)} module(s))"] if source else []
    if git:
        compared.append(f"{len(git.secrets)} committed value(s) in {git.scope()}")
    summary = f"{len(live)} secret value(s) Django loads, compared with " + " and ".join(compared)
    gaps = git.gaps() if git else []
    if gaps:
        yield spec.skipped(f"nothing matched, but the history was scanned in part: {'; '.join(gaps)}")
    else:
        yield spec.passed(evidence=[f"{summary}: none matches"])
