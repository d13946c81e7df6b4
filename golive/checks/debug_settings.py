"""DEBUG in the production settings (checklist section 1, GL110 and GL111).

Source: Django's deployment checklist, "DEBUG"
(https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#debug). Django's own
``security.W018`` (DEBUG on where the audit ran) is reported under its id by
:mod:`golive.checks.django_checks`; these checks read the source and the template engines.
"""

from __future__ import annotations

from collections.abc import Iterator

from golive.checks._util import CHECKLIST, where
from golive.facts.runtime import RuntimeFacts
from golive.facts.source import Assignment, SourceFacts
from golive.model import Finding, Severity
from golive.registry import CheckSpec, Facts, check


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
