"""How the uWSGI checks build their findings (no rules live here; GL640–GL656): the instances,
where an option is set (or would go), why a value is unknown (a placeholder, an ``if-*``
block), and the "option unset" finding, shared by :mod:`golive.checks.appserver_uwsgi` and
:mod:`golive.checks.appserver_uwsgi_deploy`.

Sources: uWSGI's "Things to know" (https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html)
and its options reference (https://uwsgi-docs.readthedocs.io/en/latest/Options.html).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

from golive.facts.appservers import OPTIONAL, UwsgiFacts, UwsgiInstance, UwsgiOption
from golive.model import Finding, Location
from golive.registry import CheckSpec, Facts

THINGS = "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html"


OPTIONS = "https://uwsgi-docs.readthedocs.io/en/latest/Options.html"


def unique_findings(
    func: Callable[[Facts, CheckSpec], Iterator[Finding]],
) -> Callable[[Facts, CheckSpec], Iterator[Finding]]:
    """A check that yields each finding once: two instances that read the same file (a start
    script and a supervisord program both running ``uwsgi uwsgi.ini``) give one finding there."""

    @functools.wraps(func)
    def wrapper(facts: Facts, spec: CheckSpec) -> Iterator[Finding]:
        seen: set[tuple[object, ...]] = set()
        for finding in func(facts, spec):
            key = (finding.status, finding.subjects, finding.location, finding.evidence, finding.reason)
            if key not in seen:
                seen.add(key)
                yield finding

    return wrapper


def uwsgi_instances(facts: Facts) -> tuple[UwsgiInstance, ...]:
    """Every uWSGI instance found (:class:`~golive.facts.appservers.UwsgiFacts`)."""
    return facts[UwsgiFacts].instances


def option_location(instance: UwsgiInstance, option: UwsgiOption | None) -> Location | None:
    """Where the option is set; for one that is not, its configuration file (where it would
    go), else the command."""
    if option is not None and option.location is not None:
        return option.location
    return Location(path=instance.files[0]) if instance.files else instance.location


def unknown_reason(instance: UwsgiInstance, *names: str) -> str:
    """Why golive cannot tell the value ``names`` have on the server ("" when it can): a
    placeholder or ``$(VAR)`` left unresolved, an ``if-exists``-style block, or a file
    the configuration loads that golive could not read (it may set them). DESIGN.md:
    unknown is not pass, not fail."""
    for name in names:
        option = instance.last(name)
        if option is not None and option.unresolved:
            return f"{option.text}: {', '.join(option.unresolved)} is only known on the server"
        if option is not None and option.conditional:
            return f"{option.text} is inside an if-* block the server decides"
    unread = [u for u in instance.unread if not u.endswith(OPTIONAL)]
    if unread and not any(instance.last(n) for n in names):
        return f"{' / '.join(names)} is not set in what golive read, and {unread[0]}"
    return ""


def fail_unless_unknown(
    spec: CheckSpec, instance: UwsgiInstance, names: tuple[str, ...], **kw: object
) -> Finding:
    """``spec.fail(**kw)``, or the same finding skipped when :func:`unknown_reason` has a reason."""
    why = unknown_reason(instance, *names)
    return spec.skipped(why, **kw) if why else spec.fail(**kw)


def unset_text(instance: UwsgiInstance, name: str) -> str:
    """``"vacuum is not set (deploy/uwsgi.ini)"``: option ``name`` absent from ``instance``'s files."""
    files = ", ".join(instance.files) or str(instance.location)
    return f"{name} is not set ({files})"


def fail_option(spec: CheckSpec, instance: UwsgiInstance, name: str, unset_note: str = "") -> Finding:
    """The finding about uWSGI option ``name`` of ``instance``: at its last setting with its
    text as evidence, else "``name`` is not set (files)" plus ``unset_note``; skipped instead
    when :func:`unknown_reason` has a reason (:func:`fail_unless_unknown`)."""
    option = instance.last(name)
    return fail_unless_unknown(
        spec,
        instance,
        (name,),
        subjects=[name],
        location=option_location(instance, option),
        evidence=[option.text if option is not None else unset_text(instance, name) + unset_note],
    )
