"""The layering DESIGN.md draws, checked on the source with ``ast`` (issue 16).

- a check imports only ``golive.facts``, ``golive.registry``, ``golive.model`` and the
  checks' own modules (with the standard library and typing);
- a collector never imports a check or a report;
- nothing under ``golive/facts/`` or ``golive/checks/`` does I/O: no ``subprocess``,
  ``socket`` or ``httpx``, no ``open()``, no reading or listing of a path.

What is not there yet is listed by name below, each with the reason it remains; an entry
that is no longer needed fails too, so the lists only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

GOLIVE = Path(__file__).resolve().parent.parent / "golive"
CHECKS_MAY_IMPORT = ("golive.facts", "golive.registry", "golive.model", "golive.checks")
IO_MODULES = frozenset({"subprocess", "socket", "httpx"})
#: Path methods that read or list the disk.
IO_METHODS = frozenset(
    {
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "iterdir",
        "glob",
        "rglob",
        "exists",
        "is_dir",
        "is_file",
    }
)

#: (check module, module it imports), both without ``golive.``, that remain, and why.
CONTROLS = "the invisible-character display is shared with the reports"
REMAINING_CHECK_IMPORTS = {
    ("checks._django_ids", "data.django_checks"): "Django's check catalogue is packaged data, not a fact",
    ("checks.alerts", "data.tables"): "Django's release table is packaged data, not a fact",
    ("checks._secret_fix", "reports.controls"): CONTROLS,
    ("checks.critical", "reports.controls"): CONTROLS,
    ("checks.environment", "redact"): "is_redacted reads the marker the collectors' redaction writes",
    ("checks.live_secrets", "collectors.runtime.settings_loader"): "the settings loader is self-contained",
    ("checks.operations", "discovery"): "it reads and parses the ROOT_URLCONF file itself",
}

#: Modules under facts/ or checks/ that still touch the disk or read the run's context.
REMAINING_IO = {
    "golive.checks.appserver_uwsgi_deploy": "looks for project markers in a folder uWSGI serves",
}
REMAINING_CONTEXT = {
    "golive.checks.appserver_config": "the environment given with --env-file",
    "golive.checks.appserver_uwsgi_deploy": "the project folder",
    "golive.checks.environment": "the project folder, for MEDIA_ROOT and STATIC_ROOT",
    "golive.checks.operations": "the project folder, for the URLconf",
    "golive.checks.webserver_context": "the project and Django folders",
}


def _modules(under: str) -> Iterator[tuple[str, ast.Module]]:
    for path in sorted((GOLIVE / under).rglob("*.py")):
        parts = path.relative_to(GOLIVE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _imports(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def _io(tree: ast.Module) -> list[str]:
    seen = [m for m in _imports(tree) if m.split(".")[0] in IO_MODULES]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "open":
                seen.append(f"open() line {node.lineno}")
            elif isinstance(func, ast.Attribute) and func.attr in IO_METHODS:
                seen.append(f".{func.attr}() line {node.lineno}")
    return seen


def _reads_context(tree: ast.Module) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "context" for n in ast.walk(tree))


def test_checks_import_only_facts_registry_model_and_checks() -> None:
    found = {
        (name.removeprefix("golive."), imported.removeprefix("golive."))
        for name, tree in _modules("checks")
        for imported in _imports(tree)
        if imported.split(".")[0] == "golive" and not imported.startswith(CHECKS_MAY_IMPORT)
    }
    assert sorted(found - REMAINING_CHECK_IMPORTS.keys()) == []
    assert sorted(REMAINING_CHECK_IMPORTS.keys() - found) == []


def test_collectors_never_import_checks_or_reports() -> None:
    found = [
        (name, imported)
        for name, tree in _modules("collectors")
        for imported in _imports(tree)
        if imported.startswith(("golive.checks", "golive.reports"))
    ]
    assert found == []


def test_facts_and_checks_do_no_io() -> None:
    found = {name: io for under in ("facts", "checks") for name, tree in _modules(under) if (io := _io(tree))}
    assert sorted(found.keys() - REMAINING_IO.keys()) == [], found
    assert sorted(REMAINING_IO.keys() - found.keys()) == []


def test_facts_and_checks_read_no_run_context() -> None:
    found = {name for under in ("facts", "checks") for name, tree in _modules(under) if _reads_context(tree)}
    assert sorted(found - REMAINING_CONTEXT.keys()) == []
    assert sorted(REMAINING_CONTEXT.keys() - found) == []
