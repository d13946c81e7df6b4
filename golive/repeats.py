"""One finding per problem, with every place it repeats (issue 13).

A check that finds the same thing in several places (the IPv4 and the IPv6 ``listen`` of one
server, the same rule in five settings files, one credential reported four times on one
README line) yields one finding per place; :func:`merge_repeats` turns those into one
finding whose ``location`` is the first place and ``more_locations`` the others, with the
distinct evidence lines of all. The identity (:attr:`golive.model.Finding.key`) is the
first place's, so history and baselines keep matching; old per-place baseline entries still
accept through :attr:`golive.model.Finding.keys` (:mod:`golive.baseline`).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable

from msgspec.structs import replace

from golive.model import Finding, Location, Status

#: What differs between two places of one problem, in evidence lines: a file and line
#: (``site.conf:12``, ``settings/prod.py``), a listen socket (``*:80``, ``[::]:80``,
#: ``10.0.0.1:443``), a line number after a colon.
_PLACE = re.compile(
    r"\[[0-9a-fA-F:.]*\]:\d+"
    r"|(?<![\w.])(?:\*|\d{1,3}(?:\.\d{1,3}){3}):\d+"
    r"|[\w./@-]*[\w-]\.(?:py|conf|cfg|ini|toml|ya?ml|json|env|txt|md|sh|service|template)\b(?::\d+)?"
    r"|(?<=:)\d+\b"
)


def _shape(evidence: tuple[str, ...]) -> tuple[str, ...]:
    """The evidence with places blanked: equal for the same problem seen in two places."""
    return tuple(_PLACE.sub("<place>", line) for line in evidence)


def _signature(f: Finding) -> Hashable:
    """What two findings share when they are one problem in two places: everything but the
    place, evidence included once its places are blanked (two different defects of one
    rule, such as a missing header here and a copied one there, stay two findings)."""
    return (
        _shape(f.evidence),
        f.id,
        f.status,
        f.severity,
        f.title,
        f.subjects,
        f.remediation,
        f.reference,
        f.collector,
        f.reason,
        f.confidence,
        f.attestation,
        f.accepted,
    )


def merge_repeats(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` with every group of failing findings that differ only by place (in their
    location and in their evidence, see :func:`_signature`) merged into the first of them
    (:attr:`Finding.locations` in order of appearance, duplicates dropped; evidence lines
    likewise). Other statuses, and failing
    findings alone in their group, are returned unchanged, in their order."""
    items = list(findings)
    groups: dict[Hashable, list[Finding]] = {}
    for f in items:
        if f.status is Status.FAIL:
            groups.setdefault(_signature(f), []).append(f)
    out: list[Finding] = []
    done: set[Hashable] = set()
    for f in items:
        if f.status is not Status.FAIL:
            out.append(f)
            continue
        sig = _signature(f)
        if sig in done:
            continue
        done.add(sig)
        group = groups[sig]
        out.append(group[0] if len(group) == 1 else _merge(group))
    return out


def _merge(group: list[Finding]) -> Finding:
    places: list[Location] = list(dict.fromkeys(loc for f in group for loc in f.locations))
    evidence = tuple(dict.fromkeys(line for f in group for line in f.evidence))
    first = group[0]
    return replace(
        first,
        location=places[0] if places else None,
        more_locations=tuple(places[1:]),
        evidence=evidence,
    )
