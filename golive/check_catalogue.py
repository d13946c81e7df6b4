"""The checks an audit can only report as skipped, without importing their modules (issue 15).

A check needing the facts of a collector that is off before the audit starts (the runtime
collector with ``--no-runtime``, the live collector without ``--url``) is only ever
reported skipped, with its id, title, severity, remediation, reference and collector and
the collector's reason (:func:`golive.checking.run_check`). For every check module all of
whose checks need :data:`OFF_KINDS` facts, ``golive/data/check_catalogue.json`` holds what
those findings are made of (:func:`describe`); :func:`audit_registry` gives an audit such a
module's checks as stand-ins made from it (:func:`stand_in`) when every one of them needs a
facts type that is off, instead of importing the module and the modules it imports. The
findings are the same, made by the same :class:`~golive.registry.CheckSpec` methods.

The file is written by ``python -m golive.check_catalogue`` (:func:`generate`);
``tests/test_norun_speed_catalogue.py`` holds it to the checks, as ``tests/test_check_needs.py``
holds :data:`golive.checks.NEEDS`.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from golive import checks
from golive.registry import CheckSpec, Facts, Registry
from golive.scales import Severity

#: The facts types (``module:name``) whose collector an audit may switch off before it starts.
OFF_KINDS = ("golive.facts.runtime:RuntimeFacts", "golive.facts.live:LiveFacts")
CATALOGUE_FILE = Path(__file__).parent / "data" / "check_catalogue.json"


def kind_name(kind: type) -> str:
    """``module:name`` of a facts type."""
    return f"{kind.__module__}:{kind.__qualname__}"


def describe(spec: CheckSpec) -> dict[str, Any]:
    """What a skipped finding of ``spec`` is made of, and what pruning and attestations read."""
    return {
        "id": spec.id,
        "title": spec.title,
        "severity": spec.severity.label,
        "needs": [kind_name(k) for k in spec.needs],
        "uses": [kind_name(k) for k in spec.uses],
        "reference": spec.reference,
        "remediation": spec.remediation,
        "manual": spec.manual,
        "validity_days": spec.validity_days,
    }


def generate() -> dict[str, list[dict[str, Any]]]:
    """The catalogue from the check modules themselves: by module of :data:`golive.checks.MODULES`
    all of whose checks need an :data:`OFF_KINDS` type, each check described, by id."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, _ in checks.MODULES:
        specs = list(Registry.from_modules([importlib.import_module(f"golive.checks.{name}")]))
        described = [describe(spec) for spec in specs]
        if described and all(set(d["needs"]) & set(OFF_KINDS) for d in described):
            out[name] = described
    return out


@cache
def catalogue() -> Mapping[str, list[dict[str, Any]]]:
    """The catalogue file's content (:func:`generate`'s, as written)."""
    data: dict[str, list[dict[str, Any]]] = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return data


def _kind(name: str) -> type:
    module, _, attr = name.partition(":")
    kind: type = getattr(importlib.import_module(module), attr)
    return kind


def _never(facts: Facts, spec: CheckSpec) -> list[Any]:
    raise RuntimeError(f"{spec.id}: a catalogue stand-in is never run: a facts type it needs is off")


def stand_in(entry: Mapping[str, Any]) -> CheckSpec:
    """The check ``entry`` describes, for an audit in which a facts type it needs is off: the
    real check's fields (:func:`describe`), no function to run."""
    return CheckSpec(
        id=entry["id"],
        title=entry["title"],
        severity=Severity.parse(entry["severity"]),
        needs=tuple(_kind(k) for k in entry["needs"]),
        reference=entry["reference"],
        remediation=entry["remediation"],
        func=_never,
        manual=entry["manual"],
        validity_days=entry["validity_days"],
        uses=tuple(_kind(k) for k in entry["uses"]),
    )


def audit_registry(prefixes: tuple[str, ...], off: Iterable[type]) -> Registry:
    """:func:`golive.checks.registry` for an audit in which the collectors of the facts types
    ``off`` do not run: a catalogued module every check of which needs one of them is not
    imported, its checks are :func:`stand_in`\\ s."""
    gone = {kind_name(k) for k in off}
    stand_ins: list[CheckSpec] = []
    modules = []
    for name in checks.modules_for(prefixes):
        entries = catalogue().get(name) if gone else None
        if entries and all(gone & set(entry["needs"]) for entry in entries):
            stand_ins += [stand_in(entry) for entry in entries]
        else:
            modules.append(importlib.import_module(f"golive.checks.{name}"))
    reg = Registry.from_modules(modules)
    for spec in stand_ins:
        reg.add(spec)
    return reg


def main() -> None:
    """Write :data:`CATALOGUE_FILE` from the check modules (:func:`generate`)."""
    text = json.dumps(generate(), indent=1, ensure_ascii=False) + "\n"
    CATALOGUE_FILE.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
