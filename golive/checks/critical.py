"""Critical settings: SECRET_KEY and DEBUG (checklist section 1, ids GL1xx).

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
from golive.facts.secrets import SecretInfo, is_secret_name
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


def _is_debug_true(a: Assignment) -> bool | None:
    if a.kind == "literal":
        return a.value is True
    if a.kind == "env":
        return a.default_truthy
    return None


@check(
    "GL110",
    title="DEBUG is True, or defaults to True, in the production settings source",
    severity=Severity.HIGH,
    needs=(SourceFacts,),
    reference=CHECKLIST + "#debug",
    remediation="""
    Make production safe by default: DEBUG is on only when asked for explicitly.

        DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
    """,
)
def debug_default(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """ "You must never enable debug in production." A DEBUG that is True unless an
    environment variable says otherwise turns on the technical error pages (source
    excerpts, local variables, settings) the day the variable is forgotten.
    """
    a = facts[SourceFacts].last("DEBUG")
    if a is None or not _is_debug_true(a):
        return
    if a.kind == "env":
        evidence = f"DEBUG = {a.call}({a.env_var!r}, default {a.default!r}) → True when {a.env_var} is unset"
    else:
        evidence = "DEBUG = True"
    yield spec.fail(subjects=["DEBUG"], location=a.location, evidence=[f"{evidence} at {a.location}"])


@check(
    "GL111",
    title="a template engine has the debug option on",
    severity=Severity.MEDIUM,
    needs=(RuntimeFacts,),
    uses=(SourceFacts,),
    reference="https://docs.djangoproject.com/en/stable/topics/templates/#django.template.backends.django.DjangoTemplates",
    remediation="""
    Remove "debug" from TEMPLATES[...]["OPTIONS"]; it follows DEBUG by default.
    """,
)
def template_debug(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """The Django template engine's ``debug`` option defaults to DEBUG; forcing it on in
    production keeps template source and context in error reports and slows rendering.
    An option the source sets to DEBUG itself (``"debug": DEBUG``) is on only because DEBUG
    is: that is DEBUG's finding (GL110, Django's security.W018), not this one's.
    Source: the DjangoTemplates ``debug`` option
    (https://docs.djangoproject.com/en/stable/topics/templates/#django.template.backends.django.DjangoTemplates).
    """
    source = facts.get(SourceFacts)
    for i, engine in enumerate(facts[RuntimeFacts].setting("TEMPLATES") or []):
        if _follows_debug(source, i):
            continue
        if isinstance(engine, dict) and (engine.get("OPTIONS") or {}).get("debug") is True:
            yield spec.fail(
                subjects=["TEMPLATES"],
                location=where(facts, f"TEMPLATES.{i}.OPTIONS.debug"),
                evidence=[f"TEMPLATES[{i}]['OPTIONS']['debug'] = True ({engine.get('BACKEND')})"],
            )


def _follows_debug(source: SourceFacts | None, engine: int) -> bool:
    """True when the source sets engine ``engine``'s debug option to the name DEBUG."""
    a = source.last(f"TEMPLATES.{engine}.OPTIONS.debug") if source else None
    return a is not None and a.kind == "expression" and a.call == "DEBUG"


@check(
    "GL112",
    title="a secret-named setting is a literal in the settings source",
    severity=Severity.HIGH,
    needs=(SourceFacts,),
    reference=CHECKLIST + "#databases",
    remediation="""
    Read it from the environment (or a secret manager) and rotate the committed value:

        STRIPE_SECRET_KEY = os.environ["STRIPE_SECRET_KEY"]
        EMAIL_HOST_PASSWORD = os.environ["EMAIL_HOST_PASSWORD"]
    """,
)
def literal_secrets(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """Passwords, API keys and tokens deserve the care of SECRET_KEY ("Database passwords
    are very sensitive. You should protect them exactly like SECRET_KEY"). Covers any
    setting named like *SECRET*, *PASSWORD*, *TOKEN*, *API_KEY* and credentials inside
    URLs (cache and broker locations). SECRET_KEY itself is GL101; DATABASES is GL221.
    The name is not enough: the value must be one that can be a secret (not ``"stats"``,
    ``"pkg.Strategy"``, ``"100/min"``: :func:`golive.facts.secrets.evidence.judge`), and severity
    follows how sure it is. Placeholders and public-by-design values are not leaks.
    """
    for a in facts[SourceFacts].effective:
        if a.kind != "literal" or a.secret is None or a.secret.empty:
            continue
        if a.target.startswith(("SECRET_KEY", "DATABASES")) or a.confidence is None or a.placeholder:
            continue
        leaf = a.target.rsplit(".", 1)[-1]
        kind = "URL credentials" if not is_secret_name(leaf) else "literal"
        setting = a.target.split(".")[0]
        yield spec.fail(
            subjects=[setting],
            location=a.location,
            evidence=[
                f"{a.target} at {a.location}: {kind}, {a.secret.describe()}",
                f"confidence {a.confidence.value}: {a.why}",
            ],
            confidence=a.confidence,
            remediation=setting_fix(a),
            reference=setting_reference(setting) or spec.reference,
        )


#: Django's own settings that hold secrets: name → anchor in the settings reference.
DJANGO_SECRET_SETTINGS = {
    "EMAIL_HOST_PASSWORD": "email-host-password",
    "CACHES": "caches",
    "DATABASES": "databases",
}


def setting_reference(setting: str) -> str:
    """The settings reference's section of a Django setting that holds a secret, or ``""``."""
    anchor = DJANGO_SECRET_SETTINGS.get(setting)
    return f"https://docs.djangoproject.com/en/stable/ref/settings/#{anchor}" if anchor else ""


def setting_fix(a: Assignment) -> str:
    """Read *this* setting from the environment, and rotate the committed value."""
    setting, target = a.setting, visible(a.target)  # dict keys come from the source: escapes shown
    if a.target != setting:
        key = target.rsplit(".", 1)[-1]
        var = "_".join(p.upper() for p in target.split(".") if not p.isdigit() and p != "default")
        snippet = f'"{key}": os.environ["{var}"],   # in {setting}'
    else:
        snippet = f'{setting} = os.environ["{setting}"]'
    return (
        f"Read {target} from the environment (or a secret manager) and rotate the committed value"
        f" (it is in every clone of the repository):\n\n    {snippet}"
    )
