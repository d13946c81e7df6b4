"""The key production really loads: a literal SECRET_KEY a deploy can silently fall back to
(checklist section 1, GL107).

GL101 reports the literal that wins in the audited settings chain. This check reports a
literal that does not win today but that production loads the moment one variable is
missing: in the module ``wsgi.py``/``asgi.py`` default to (a server started without
DJANGO_SETTINGS_MODULE imports it), or earlier in the chain when the environment override
after it is optional (``os.environ.get("X", SECRET_KEY)``, ``os.getenv("X") or
SECRET_KEY``, an assignment inside ``if``/``try``).

A literal reached only through an entry point's default is low, confidence possible, when a
deployment file of the project sets DJANGO_SETTINGS_MODULE for the application server
(uWSGI's ``env =``, a Dockerfile ``ENV``, a compose ``environment:``...): the server the
project ships never uses the default, only one started some other way would.

Sources: Django's deployment checklist, "SECRET_KEY": "avoid committing it to source
control" (https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#secret-key);
"How to deploy with WSGI", configuring the settings module: ``wsgi.py``'s
``os.environ.setdefault`` is the module used when DJANGO_SETTINGS_MODULE is unset
(https://docs.djangoproject.com/en/stable/howto/deployment/wsgi/#configuring-the-settings-module).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from golive.facts.source import Assignment, DeployedModule, EntryChain, SourceFacts
from golive.model import Confidence, Finding, Location, Severity
from golive.registry import CheckSpec, Facts, check


def _literal(a: Assignment) -> bool:
    return a.kind == "literal" and a.secret is not None and not a.secret.empty


def _soft(a: Assignment) -> str:
    """Why assignment ``a`` may leave an earlier SECRET_KEY in force (``""``: it replaces it)."""
    where = (
        f"{a.location} reads SECRET_KEY from {a.env_var}"
        if a.kind == "env"
        else f"{a.location} sets SECRET_KEY"
    )
    if a.kind == "env" and a.fallback == "SECRET_KEY":
        return f"{where} and falls back to the earlier SECRET_KEY when it is unset"
    if a.conditional and not a.every_branch:
        return f"{where} only under a condition (if/try): otherwise the earlier SECRET_KEY stays"
    return ""


def reachable_literal(keys: Sequence[Assignment]) -> tuple[Assignment, list[str]] | None:
    """The literal SECRET_KEY a chain can end up with, and why: ``keys`` are the chain's
    assignments to SECRET_KEY in execution order.

    The last literal counts when every assignment after it may leave it in force (see
    :func:`_soft`); the reasons list those assignments (empty: the literal wins outright).
    None when the chain has no literal key or a later assignment replaces it for sure.
    """
    for i in range(len(keys) - 1, -1, -1):
        if _literal(keys[i]):
            reasons = [_soft(a) for a in keys[i + 1 :]]
            return (keys[i], reasons) if all(reasons) else None
    return None


def _entries_text(entries: Sequence[EntryChain], verb: str) -> str:
    places = " and ".join(f"{e.entry.path}:{e.entry.line}" for e in entries)
    return places + (f" {verb}s" if len(entries) == 1 else f" {verb}")


def _server_entries(source: SourceFacts) -> list[EntryChain]:
    """wsgi.py/asgi.py defaults; manage.py's when no server entry point sets one."""
    server = [e for e in source.entry_defaults if e.entry.server]
    return server or list(source.entry_defaults)


def _describe(a: Assignment) -> str:
    assert a.secret is not None
    return f"SECRET_KEY at {a.location} is a literal there: {a.secret.describe()}"


@check(
    "GL107",
    title="a literal SECRET_KEY is what production loads when a variable is missing",
    severity=Severity.HIGH,
    needs=(SourceFacts,),
    reference="https://docs.djangoproject.com/en/stable/howto/deployment/wsgi/#configuring-the-settings-module",
    remediation="""
    Make the key required where production reads it, and leave no literal it can fall back to:

        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]      # no default, no `or SECRET_KEY`, no `if`

    and point wsgi.py/asgi.py at the production settings (or set DJANGO_SETTINGS_MODULE in
    the service definition), so a server started without the variable fails instead of
    serving development settings:

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings.production")
    """,
)
def fallback_key(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
    """A SECRET_KEY literal production does not load today but loads silently when one
    variable is missing. "Avoid committing it to source control" (checklist): such a
    literal is a committed key one misconfigured deploy away from signing sessions and
    password-reset tokens. Two ways: the module ``wsgi.py``/``asgi.py`` default to
    (Django's WSGI how-to: the module ``setdefault`` names is used when the variable is unset)
    holds a literal; or, in the audited chain, the override after the literal is optional
    (a default or ``or`` that names SECRET_KEY, or an assignment inside ``if``/``try``
    that not every branch makes: ``if``/``else`` both assigning, or a ``try`` whose every
    handler assigns or raises, replace the literal for sure). One literal reached both
    ways is one finding, the evidence naming each way.
    A literal that wins outright in the audited chain is GL101; a required override
    (``os.environ["X"]``, unconditional) makes the earlier literal unreachable.
    """
    source = facts[SourceFacts]
    audited = source.settings_module
    # one finding per literal: the same line reached by the audited chain and by an entry
    # point's default is one key to remove, with every way to it in the evidence
    found_at: dict[Location, tuple[list[str], list[str]]] = {}
    found = reachable_literal(source.history("SECRET_KEY"))
    in_chain: set[Location] = set()  # literals the audited chain itself may end with
    defaults: dict[Location, set[str]] = {}  # literal → the entry points' default modules to it
    if found and found[1]:
        literal, reasons = found
        found_at[literal.location] = (["SECRET_KEY"], [*reasons, _describe(literal)])
        in_chain.add(literal.location)
    entries = _server_entries(source)
    by_module: dict[str, list[EntryChain]] = {}
    for e in entries:
        if e.entry.module != audited and e.found:
            by_module.setdefault(e.entry.module, []).append(e)
    for module, chains in by_module.items():
        found = reachable_literal(chains[0].keys)
        if found is None:
            continue
        literal, reasons = found
        defaults.setdefault(literal.location, set()).add(module)
        how = (
            f"{_entries_text(chains, 'default')} DJANGO_SETTINGS_MODULE to {module},"
            f" not the audited {audited}"
        )
        if literal.location in found_at:
            subjects, evidence = found_at[literal.location]
            subjects.append("DJANGO_SETTINGS_MODULE")
            evidence += [r for r in reasons if r not in evidence] + [how]
            continue
        found_at[literal.location] = (
            ["SECRET_KEY", "DJANGO_SETTINGS_MODULE"],
            [how, _describe(literal), *reasons],
        )
    for location, (subjects, evidence) in found_at.items():
        pinned = None if location in in_chain else _pinned(source.deployed_modules, defaults[location])
        if pinned is None:
            yield spec.fail(subjects=subjects, location=location, evidence=evidence)
            continue
        yield spec.fail(
            severity=Severity.LOW,
            confidence=Confidence.POSSIBLE,
            subjects=subjects,
            location=location,
            evidence=[
                *evidence,
                f"{pinned.location} sets DJANGO_SETTINGS_MODULE to {pinned.module} for the application"
                " server: the default is used only by a server started without it",
            ],
        )
    if not found_at:
        yield spec.passed(evidence=_pass_evidence(source, entries))


def _pinned(deployed: Sequence[DeployedModule], defaults: set[str]) -> DeployedModule | None:
    """The first deployment file that sets DJANGO_SETTINGS_MODULE to a module other than the
    entry points' ``defaults``, or None (the server the project ships may use a default)."""
    return next((d for d in deployed if d.module not in defaults), None)


def _pass_evidence(source: SourceFacts, entries: Sequence[EntryChain]) -> list[str]:
    audited = source.settings_module
    ours = [e for e in entries if e.entry.module == audited]
    others = [e for e in entries if e.entry.module != audited]
    lines = []
    if ours:
        lines.append(f"{_entries_text(ours, 'default')} to the audited {audited}")
    for e in others:
        state = "holds no literal SECRET_KEY it would load" if e.found else "has no readable file here"
        lines.append(f"{e.entry.path}:{e.entry.line} defaults to {e.entry.module}, which {state}")
    if not entries:
        lines.append("no wsgi.py, asgi.py or manage.py sets a DJANGO_SETTINGS_MODULE default")
    last = source.last("SECRET_KEY")
    if last is not None and last.kind == "env" and not last.has_default:
        lines.append(
            f"the effective SECRET_KEY is read from {last.env_var} with no fallback ({last.location})"
        )
    return lines
