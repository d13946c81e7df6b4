"""Critical settings: SECRET_KEY and the secrets read with a default (checklist section 1,
ids GL101-GL106). DEBUG is :mod:`golive.checks.debug_settings` (GL110, GL111), the other
secret-named settings :mod:`golive.checks.secret_settings` (GL112).

Source: Django's deployment checklist, "Critical settings"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#critical-settings).
Django's own ``security.W009`` (weak key) and ``security.W018`` (DEBUG on) are reported
under their ids by :mod:`golive.checks.django_checks`; these checks go further.
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._util import CHECKLIST, where
from golive.facts.controls import visible
from golive.facts.runtime import RuntimeFacts
from golive.facts.secrets import SecretInfo
from golive.facts.secrets.evidence import refused_by_its_service
from golive.facts.secrets.rules import is_value_placeholder
from golive.facts.source import Assignment, SourceFacts
from golive.model import Confidence, Finding, Severity
from golive.registry import CheckSpec, Facts, check

ENV_FIX = """
Load it from the environment, with no default, so a missing variable fails loudly:

    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]

Generate a new key with `python -c "from django.core.management.utils import
get_random_secret_key; print(get_random_secret_key())"`, store it in the server's
environment or secret manager, and rotate the old one (SECRET_KEY_FALLBACKS).
"""
#: Below this estimate a key is weak even when Django's W009 (length/distinct) is quiet.
MIN_ENTROPY_BITS = 160


def _describe(a: Assignment) -> str:
    value = a.secret.describe() if a.secret else "(no value recorded)"
    return f"{a.target} at {a.location}: literal, {value}"


@check(
    "GL101",
    title="SECRET_KEY is a literal in the production settings source",
    severity=Severity.CRITICAL,
    needs=(SourceFacts,),
    reference=CHECKLIST + "#secret-key",
    remediation=ENV_FIX,
)
def secret_key_literal(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """The key production uses is written in the settings module it loads.

    Anyone with the source (every developer, every CI log, every backup of the
    repository) then holds the key that signs sessions, password-reset tokens and
    messages. The checklist: "avoid committing it to source control".
    """
    effective = facts[SourceFacts].last("SECRET_KEY")
    if effective and effective.kind == "literal" and effective.secret and not effective.secret.empty:
        yield spec.fail(
            subjects=["SECRET_KEY"],
            location=effective.location,
            evidence=[_describe(effective)],
            confidence=Confidence.CONFIRMED,  # the module production loads assigns it: a fact
        )


@check(
    "GL102",
    title="a secret is read from the environment with a literal default",
    severity=Severity.HIGH,
    needs=(SourceFacts,),
    reference=CHECKLIST + "#secret-key",
    remediation="""
    Drop the default so a missing variable fails at start-up instead of silently using
    a key that sits in the repository:

        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]          # not .get("...", "fallback")
        SECRET_KEY = env("DJANGO_SECRET_KEY")                 # django-environ, no default=
    """,
)
def env_default_secret(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """``os.environ.get("SECRET_KEY", "django-insecure-…")`` and its django-environ and
    python-decouple twins make the literal the production value whenever the variable is
    missing (a new server, a renamed variable), with nothing to tell anyone. A placeholder
    default ("change-me") is reported too: it is what production would run with. A default
    that cannot be a secret (a dotted path, a word, a number) is not.

    Severity follows what the default does when it is used (:func:`_fails_loudly`): a
    placeholder default of a third-party key or token (``deadbeef-…``, ``your-api-key``) is
    refused by the service it authenticates to, so a missing variable shows at the first
    call: low. A signing key (Django signs with any string), a password, or a well-known
    default (``postgres``) works silently: the check's own severity.
    """
    for a in facts[SourceFacts].effective:
        if a.kind == "env" and a.has_default and a.secret and not a.secret.empty:
            if a.confidence is None and not a.placeholder:
                continue
            sure = Confidence.CONFIRMED if a.setting == "SECRET_KEY" else (a.confidence or Confidence.LIKELY)
            evidence = [
                f"{a.target} = {a.call}({a.env_var!r}, <default>) at {a.location}",
                f"default: {a.secret.describe()}",
            ]
            loud = _fails_loudly(a)
            if loud:
                evidence.append(loud)
            yield spec.fail(
                confidence=sure,
                severity=Severity.LOW if loud else None,
                subjects=[a.setting],
                location=a.location,
                evidence=evidence,
                remediation=_no_default_fix(a),
            )


def _fails_loudly(a: Assignment) -> str:
    """Why the placeholder default of ``a`` fails loudly when it is used (``""``: it works).

    A placeholder of a third-party key or token is refused by the service; a Django signing
    key (``SECRET_KEY`` and its variables: Django signs with any string), a password (a
    database or mail server may well be set up with the same default) and a well-known
    default value (``postgres``, ``admin``) work silently.
    """
    names = [a.target.rsplit(".", 1)[-1], a.env_var or ""]
    if (
        not is_value_placeholder(a.placeholder)
        or a.setting == "SECRET_KEY"
        or not refused_by_its_service(names, a.placeholder)
    ):
        return ""
    return (
        f"the default is a placeholder ({a.placeholder}): a service refuses it, so a missing"
        f" {a.env_var or a.target} fails loudly instead of running with a working credential: low"
    )


def _no_default_fix(a: Assignment) -> str:
    """GL102's fix for *this* setting and variable (issue 11, item 7)."""
    var, target = visible(a.env_var or a.setting), visible(a.target)  # names from the source: escapes shown
    if a.target != a.setting:
        key = target.rsplit(".", 1)[-1]
        lookup = f'"{key}": os.environ["{var}"],   # in {a.setting}'
    else:
        lookup = f'{target} = os.environ["{var}"]'
    environ = a.call.split(".")[0] in ("env", "config")
    also = f"\n    {target} = {a.call.split(' ')[0]}({var!r})   # no default=" if environ else ""
    return (
        f"Drop the default of {target} so a missing {var} fails at start-up instead of silently"
        f" using the value that sits in the repository:\n\n    {lookup}{also}"
    )


def _production_key(facts: Facts) -> tuple[SecretInfo | None, str]:
    runtime = facts.get(RuntimeFacts)
    if runtime and runtime.secret("SECRET_KEY"):
        return runtime.secret("SECRET_KEY"), "the SECRET_KEY Django loaded"
    effective = facts[SourceFacts].last("SECRET_KEY")
    if effective and effective.secret:
        return effective.secret, f"the SECRET_KEY at {effective.location}"
    return None, ""


@check(
    "GL103",
    title="the production SECRET_KEY also appears in another settings module",
    severity=Severity.HIGH,
    needs=(SourceFacts,),
    reference=CHECKLIST + "#secret-key",
    remediation="""
    Give production its own key, kept outside the repository, and rotate the exposed one:

        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
        SECRET_KEY_FALLBACKS = [os.environ["DJANGO_OLD_SECRET_KEY"]]  # until old sessions expire
    """,
)
def secret_key_shared(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "Make sure that the key used in production isn't used anywhere else." A literal
    key in a development module is harmless on its own; the same key (same keyed
    fingerprint) as the one production runs with means production's key is in source
    control. Compared by fingerprint only: no key is ever shown.
    """
    key, what = _production_key(facts)
    if key is None or key.empty:
        return
    source = facts[SourceFacts]
    effective = source.last("SECRET_KEY")
    # Earlier keys of the audited chain (a literal in base.py that production overrides
    # with the same value from the environment), then every other settings module's keys.
    # Fallbacks of the audited chain are GL104's; a line of the audited chain is not
    # "another module" even when a staging module star-imports it.
    candidates: list[tuple[str, Assignment]] = [
        (a.module, a)
        for a in source.assignments
        if a.target == "SECRET_KEY" and a.secret and a is not effective
    ]
    chain = {str(a.location) for a in source.assignments}
    for module, found in source.other_modules.items():
        candidates += [(module, a) for a in found if str(a.location) not in chain]
    seen: set[str] = set()
    for module, a in candidates:
        if a.secret and a.secret.fingerprint == key.fingerprint and str(a.location) not in seen:
            seen.add(str(a.location))
            yield spec.fail(
                subjects=["SECRET_KEY"],
                location=a.location,
                evidence=[
                    f"{what} (fingerprint {key.fingerprint}) equals {a.target} in {module} at {a.location}"
                ],
                confidence=Confidence.CONFIRMED,  # equal keyed fingerprints: a fact
            )


@check(
    "GL104",
    title="SECRET_KEY_FALLBACKS holds the current key or the same key twice",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    reference="https://docs.djangoproject.com/en/stable/ref/settings/#secret-key-fallbacks",
    remediation="""
    List only old keys, each once, and remove them once sessions and tokens signed with
    them have expired:

        SECRET_KEY_FALLBACKS = [os.environ["DJANGO_PREVIOUS_SECRET_KEY"]]
    """,
)
def fallbacks(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A fallback equal to SECRET_KEY means the rotation never happened; duplicates mean
    the list is not maintained. Django's docs: "Ensure that old secret keys are removed
    from SECRET_KEY_FALLBACKS in a timely manner."
    """
    runtime = facts[RuntimeFacts]
    current = runtime.secret("SECRET_KEY")
    seen: dict[str, str] = {}
    for path, info in sorted(runtime.secrets.items()):
        if not path.startswith("SECRET_KEY_FALLBACKS["):
            continue
        if current and info.fingerprint == current.fingerprint:
            yield spec.fail(
                subjects=["SECRET_KEY_FALLBACKS"],
                location=where(facts, "SECRET_KEY_FALLBACKS"),
                evidence=[f"{path} equals SECRET_KEY (fingerprint {info.fingerprint})"],
            )
        elif info.fingerprint in seen:
            yield spec.fail(
                subjects=["SECRET_KEY_FALLBACKS"],
                location=where(facts, "SECRET_KEY_FALLBACKS"),
                evidence=[f"{path} duplicates {seen[info.fingerprint]}"],
            )
        seen.setdefault(info.fingerprint, path)


@check(
    "GL105",
    title="SECRET_KEY has low entropy",
    severity=Severity.HIGH,
    needs=(RuntimeFacts,),
    reference=CHECKLIST + "#secret-key",
    remediation=ENV_FIX,
)
def weak_key(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "The secret key must be a large random value." Django's W009 only looks at length
    (50), distinct characters (5) and the ``django-insecure-`` prefix; a 50-character key
    made of a few repeated words passes it. This check estimates the key's Shannon
    entropy (character distribution × length) and fails under 160 bits, where
    ``get_random_secret_key()`` gives about 260. When W009 already fires it stays quiet;
    when W009 would fire but is silenced (``SILENCED_SYSTEM_CHECKS``), golive still judges
    the key that runs and says that Django's check is silenced (issue 13).
    """
    runtime = facts[RuntimeFacts]
    info = runtime.secret("SECRET_KEY")
    if info is None or info.empty:
        return
    w009 = info.length < 50 or info.distinct < 5 or info.insecure_prefix
    silenced = "security.W009" in runtime.silenced or any(
        m.id == "security.W009" and m.silenced for m in runtime.checks
    )
    if w009 and silenced:
        yield spec.fail(
            subjects=["SECRET_KEY"],
            location=where(facts, "SECRET_KEY"),
            evidence=[
                f"SECRET_KEY: {info.describe()}",
                "Django's security.W009 would report this key and is silenced (SILENCED_SYSTEM_CHECKS):"
                " golive judges the key that runs",
            ],
        )
    elif not w009 and info.entropy_bits < MIN_ENTROPY_BITS:
        yield spec.fail(
            subjects=["SECRET_KEY"],
            location=where(facts, "SECRET_KEY"),
            evidence=[f"SECRET_KEY: {info.describe()} (< {MIN_ENTROPY_BITS} bits)"],
        )


@check(
    "GL106",
    title="the production SECRET_KEY is used nowhere else",
    severity=Severity.MEDIUM,
    needs=(),
    reference=CHECKLIST + "#secret-key",
    remediation="""
    Confirm that staging, CI, developers' machines and other services use other keys, then
    sign it in pyproject.toml:

        [tool.golive.attest.GL106]
        by = "Jane Ops"
        on = 2026-11-22
        note = "key only in the production secret store"
    """,
    manual=True,
    validity_days=365,
)
def key_unique(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A machine can compare the key with what it can read (GL103); it cannot see every
    other environment. A person confirms it, once a year.
    Source: the checklist, "make sure that the key used in production isn't used anywhere
    else" (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#secret-key).
    """
    yield spec.ask(subjects=["SECRET_KEY"])
