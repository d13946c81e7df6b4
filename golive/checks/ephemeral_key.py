"""A SECRET_KEY generated when the settings are imported (checklist section 1, GL108).

``SECRET_KEY = os.environ.get("SECRET_KEY") or get_random_secret_key()`` (or the same
through ``if ... else``, a default, ``secrets.token_urlsafe()``, ``uuid4()``) starts
without complaint when the variable is missing, and every worker process and every
restart then signs with a different key: sessions, password-reset links, signed cookies
and messages fail at random. Reported from the source (:attr:`Assignment.generated`), and
confirmed when the probe's second evaluation of the settings module, in the same process
and a fresh namespace, gives a key with another fingerprint.

A key generated once and persisted is not ephemeral (:attr:`Assignment.persisted`, from
:mod:`golive.collectors.key_files`): when the settings write the generated key to a file
(and read it back on later starts) it is stable across processes and restarts while that
file persists, and GL108 passes with that reason. Two weaker shapes are reported low: the
file is written under a temporary directory (``/tmp``, ``tempfile``), or the key is read
from a file first and generated, unwritten, only when the file is missing (the key is
stable while someone else creates that file). The source cannot tell whether a path sits
on a persistent volume; a path that is not visibly temporary is taken as persistent. When
the probe's two loads give two different keys, the fact wins and GL108 fails high.

Two shapes where the source shows the generator is not the key production runs with:

- read first from a file that another file of the project writes once with a generated key
  (a management command or an entry-point script's helper:
  :attr:`Assignment.key_writer`): GL108 passes, stable while that file persists; the probe's
  two different keys then only say that the file was not there for the audit;
- the generator backs up a value golive does not follow (``CONFIG.SECRET_KEY or
  get_random_string(...)``, the project's own configuration object:
  :attr:`Assignment.generated_unless`): it runs only when that value is empty, which the
  source cannot tell: low, confidence possible.

Sources: Django's deployment checklist, "SECRET_KEY" ("The secret key must be a large
random value and it must be kept secret",
https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#secret-key); the
SECRET_KEY setting: what it signs, and that changing it invalidates sessions, password
reset tokens and signed data
(https://docs.djangoproject.com/en/stable/ref/settings/#secret-key).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from golive.checks._util import where
from golive.facts.runtime import RuntimeFacts
from golive.facts.source import Assignment, SourceFacts
from golive.model import Confidence, Finding, Location, Severity
from golive.registry import CheckSpec, Facts, check

REFERENCE = "https://docs.djangoproject.com/en/stable/ref/settings/#secret-key"


def _in_force(history: list[Assignment]) -> list[Assignment]:
    """The generated assignments no later unconditional, non-generated one replaces."""
    kept = []
    for i, a in enumerate(history):
        later = history[i + 1 :]
        if a.generated and not any(not b.conditional and not b.generated for b in later):
            kept.append(a)
    return kept


def _when(a: Assignment, history: list[Assignment]) -> str:
    """``", when X is unset"``: the variable whose absence runs the generator, if known."""
    if a.kind == "env" and a.env_var:
        return f", when {a.env_var} is unset"
    beside = [b for b in history if b.kind == "env" and b.env_var and b.module == a.module and b.conditional]
    return f", when {beside[-1].env_var} is unset" if beside and a.conditional else ""


TEMPORARY = ("tmp", "temp")


def _kept(a: Assignment) -> tuple[str, bool]:
    """(evidence line, stable for sure) for a generated key the settings persist."""
    head = f"SECRET_KEY = {a.generated}() at {a.location}"
    if a.persisted == "written":
        by = f" (by {a.key_writer})" if a.key_writer else ""
        if any(t in a.key_file.lower() for t in TEMPORARY):
            return (
                f"{head} is generated once and written to {a.key_file}{by}, which looks like a "
                "temporary directory: stable only while that file survives restarts",
                False,
            )
        return (
            f"{head} is generated once and written to {a.key_file}{by}: stable while that file persists",
            True,
        )
    if a.key_writer:  # read first; another file of the project writes a generated key there once
        return (
            f"{head} only when reading {a.key_file} fails, and the project writes a generated key "
            f"to that file once ({a.key_writer}): stable while that file persists",
            True,
        )
    return (
        f"{head} only when reading {a.key_file} fails, and nothing in the settings writes the "
        "generated key there: stable while that file exists",
        False,
    )


def _runtime(runtime: RuntimeFacts | None) -> tuple[str, bool]:
    """(evidence line, confirmed) from the probe's two loads of the settings."""
    if runtime is not None and runtime.step_error("secret_key_reload"):
        return (
            f"not compared at runtime: the second load raised {runtime.step_error('secret_key_reload')}",
            False,
        )
    if runtime is None or runtime.secret_key_stable is None:
        return "not compared at runtime: the settings were not loaded (or hold no string key)", False
    if runtime.secret_key_stable:
        return (
            "at runtime the settings loaded twice gave the same key: the variable was set for this audit",
            False,
        )
    info = runtime.secret("SECRET_KEY")
    first = info.fingerprint if info is not None else "?"
    second = runtime.secret_key_second_fingerprint or "?"
    return (
        f"at runtime the settings loaded twice gave two different keys (fingerprints {first} ≠ {second})",
        True,
    )


@check(
    "GL108",
    title="SECRET_KEY is generated at start-up: each process and each restart gets another key",
    severity=Severity.HIGH,
    needs=(SourceFacts,),
    reference=REFERENCE,
    remediation="""
    Read the key from the environment (or a secret file) with no fallback, so a missing
    variable stops the start-up instead of signing with a key no other process shares:

        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]

    Generate the key once (``python -c "from django.core.management.utils import
    get_random_secret_key; print(get_random_secret_key())"``) and store it in the
    deployment's secret store.
    """,
)
def ephemeral_key(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A key computed at import with a random generator is a different key in every worker
    and after every restart: sessions, password-reset links and signed cookies made by one
    process are rejected by the next ("When a secret key is no longer set as SECRET_KEY or
    contained within SECRET_KEY_FALLBACKS all of the above will be invalidated",
    https://docs.djangoproject.com/en/stable/ref/settings/#secret-key). The source shows
    the generator; the probe confirms it when the settings, evaluated twice, give two keys."""
    history = facts[SourceFacts].history("SECRET_KEY")
    runtime = facts.get(RuntimeFacts)
    found = _in_force(history)
    seen, confirmed = _runtime(runtime)
    if found and confirmed and all(a.persisted == "read-first" and a.key_writer for a in found):
        # the project writes the file once; the audit's environment simply does not have it
        seen, confirmed = f"{seen}: the key file was not there for this audit", False
    if not found and not confirmed:
        return
    location: Location | None
    if found and all(a.persisted for a in found) and not confirmed:
        a = found[-1]
        line, stable = _kept(a)
        if runtime is not None and runtime.secret_key_stable:
            seen = "at runtime the settings loaded twice gave the same key"
        make = spec.passed if stable else partial(spec.fail, severity=Severity.LOW)
        yield make(subjects=["SECRET_KEY"], location=a.location, evidence=[line, seen])
        return
    if found and not confirmed and all(a.generated_unless for a in found):
        a = found[-1]
        yield spec.fail(
            severity=Severity.LOW,
            confidence=Confidence.POSSIBLE,
            subjects=["SECRET_KEY"],
            location=a.location,
            evidence=[
                f"SECRET_KEY = {a.generated}() at {a.location} only when {a.generated_unless} is empty:"
                " golive does not follow the project's own configuration object, which may persist the key",
                seen,
            ],
        )
        return
    if found:
        a = found[-1]
        location = a.location
        first = f"SECRET_KEY = {a.generated}() at {a.location}{_when(a, history)}"
    else:
        location = where(facts, "SECRET_KEY")
        first = "the source shows no random generator golive recognises; the settings' code makes one"
    yield spec.fail(
        confidence=Confidence.CONFIRMED if confirmed else Confidence.LIKELY,
        subjects=["SECRET_KEY"],
        location=location,
        evidence=[first, seen],
    )
