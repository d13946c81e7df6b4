"""--select runs only the collectors the selected checks read; the catalogue declares them.

Core facts (runtime, source, project) are always collected. A check that reads other
facts when they are there (``facts.get(NginxFacts)``) must say so in ``uses=``, or a
selective audit would silently lose its cross-check: the meta-test below holds every
check module to it.
"""

from __future__ import annotations

import ast
import inspect

from conftest import audit_project

from golive.checks import registry
from golive.runner import CORE_FACTS, PRUNED


def test_select_skips_collectors_no_selected_check_reads(make_project) -> None:
    result = audit_project(make_project(), select=("GL2", "security."), no_history=True)
    runs = {c.name: (c.status, c.reason) for c in result.collectors}
    assert runs["runtime"][0] == "ok"
    assert runs["source"][0] == "ok"
    for name in ("nginx", "gunicorn", "dependencies", "live"):
        assert runs[name] == ("skipped", PRUNED), name
    # GL222 uses the backups facts when they exist: that collector is kept (and skips on its own);
    # so is git, which GL251 reads to tell a tracked media folder from an untracked one
    assert runs["backups"][1] != PRUNED
    assert runs["git"][1] != PRUNED
    assert {f.id[:3] for f in result.findings if f.id.startswith("GL")} == {"GL2"}


def test_every_optional_facts_read_is_declared() -> None:
    """Every ``facts.get(X)`` in a check module names a core type or one its checks declare."""
    declared: dict[str, set[str]] = {}
    for spec in registry():
        module = inspect.getmodule(spec.func)
        assert module is not None
        names = declared.setdefault(module.__name__, {t.__name__ for t in CORE_FACTS})
        names.update(t.__name__ for t in (*spec.needs, *spec.uses))
    for module_name, names in declared.items():
        tree = ast.parse(inspect.getsource(__import__(module_name, fromlist=["_"])))
        read = {
            node.args[0].id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "facts"
            and node.args
            and isinstance(node.args[0], ast.Name)
        }
        assert read <= names, f"{module_name} reads {sorted(read - names)} without declaring uses="
