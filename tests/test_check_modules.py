"""The catalogue of check modules (:data:`golive.checks.MODULES`) against the checks themselves:
a selection loads only the modules that may hold a selected id (issue 16), so every module
that declares a check is in the table, and every id it holds starts with a prefix it lists.
"""

from __future__ import annotations

import importlib
import pkgutil

import golive.checks
from golive.checks import MODULES, modules_for, registry
from golive.registry import CheckSpec


def _declares_checks(name: str) -> bool:
    module = importlib.import_module(name)
    return any(isinstance(v, CheckSpec) and v.func.__module__ == name for v in vars(module).values())


def test_every_module_that_declares_a_check_is_in_the_table() -> None:
    listed = {f"golive.checks.{name}" for name, _ in MODULES}
    found = {
        info.name
        for info in pkgutil.walk_packages(golive.checks.__path__, "golive.checks.")
        if _declares_checks(info.name)
    }
    # a live check module is listed through its package, golive.checks.live
    assert sorted(m for m in found - listed if not m.startswith("golive.checks.live.")) == []


def test_every_id_starts_with_a_prefix_its_module_lists() -> None:
    held = {f"golive.checks.{name}": prefixes.split() for name, prefixes in MODULES}
    wrong = []
    for spec in registry():
        module = spec.func.__module__
        owner = "golive.checks.live" if module.startswith("golive.checks.live.") else module
        if not any(spec.id.startswith(p) for p in held[owner]):
            wrong.append((spec.id, owner))
    assert wrong == []


def test_a_selection_loads_every_selected_check() -> None:
    everything = registry()
    for prefixes in [("GL8",), ("GL61",), ("gl2", "GL980"), ("GL1",), ("security.",), ("GL7", "GL9")]:
        wanted = {s.id for s in everything if any(s.id.lower().startswith(p.lower()) for p in prefixes)}
        assert wanted <= {s.id for s in registry(prefixes)}, prefixes


def test_a_selection_loads_fewer_modules() -> None:
    assert modules_for(("GL8",)) == ["live"]
    assert modules_for(("security.W004",)) == []
    assert len(modules_for()) == len(MODULES)
