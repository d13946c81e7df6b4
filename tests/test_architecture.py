"""The layering DESIGN.md draws, checked on the source with ``ast`` (issue 16).

- a check imports only ``golive.facts``, ``golive.registry``, ``golive.model`` and the
  checks' own modules (with the standard library and typing);
- a collector never imports a check or a report;
- nothing under ``golive/facts/`` or ``golive/checks/`` does I/O: no ``subprocess``,
  ``socket`` or ``httpx``, no ``open()``, no reading or listing of a path;
- no module is over 400 lines;
- no module imports another module's underscore name, nor a private module (``_name.py``)
  from outside the package that holds it.

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
REMAINING_CHECK_IMPORTS = {
    ("checks._django_ids", "data.django_checks"): "Django's check catalogue is packaged data, not a fact",
    ("checks.alerts", "data.tables"): "Django's release table is packaged data, not a fact",
    ("checks.environment", "redact"): "is_redacted reads the marker the collectors' redaction writes",
}

#: Modules under facts/ or checks/ that still touch the disk or read the run's context.
REMAINING_IO: dict[str, str] = {}
REMAINING_CONTEXT: dict[str, str] = {}


#: Modules over :data:`MAX_LINES` lines that remain, and why; an entry no longer over fails too.
MAX_LINES = 400
LONG_MODULES = {
    "golive.facts.secrets.token_formats": "a data table: one entry per vendor token format, with its source",
    "golive.collectors.runtime.settings_loader": "run alone in the project's interpreter, by design",
}

#: Imports of another module's underscore name (``from golive.x import _name``), or of a private
#: module (``golive.x._mod``) from outside its package, that remain; an entry no longer needed fails.
REMAINING_PRIVATE_IMPORTS: dict[tuple[str, str], str] = {}


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


def _private_imports(name: str, path: Path, tree: ast.Module, names: set[str]) -> Iterator[str]:
    """What ``name`` imports of another module's underscore names, or private modules from outside."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            targets = [(module, a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [(a.name, None) for a in node.names]
        else:
            continue
        for module, attr in targets:
            if not module.startswith("golive"):
                continue
            if attr and f"{module}.{attr}" in names:
                module, attr = f"{module}.{attr}", None
            if attr and attr.startswith("_") and not attr.startswith("__"):
                if module != name:
                    yield f"{module}:{attr}"
                continue
            parts = module.split(".")
            for i, part in enumerate(parts):
                if part.startswith("_") and not part.startswith("__"):
                    if not name.startswith(".".join(parts[:i]) + "."):
                        yield module
                    break


def _all_modules() -> dict[str, Path]:
    out = {}
    for path in sorted(GOLIVE.rglob("*.py")):
        parts = path.relative_to(GOLIVE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def test_modules_are_at_most_400_lines() -> None:
    found = {
        name: lines
        for name, path in _all_modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert sorted(found.keys() - LONG_MODULES.keys()) == [], found
    assert sorted(LONG_MODULES.keys() - found.keys()) == []


def test_no_imports_of_other_modules_private_names() -> None:
    modules = _all_modules()
    found = {
        (name.removeprefix("golive."), target.removeprefix("golive."))
        for name, path in modules.items()
        for target in _private_imports(name, path, ast.parse(path.read_text(encoding="utf-8")), set(modules))
    }
    assert sorted(found - REMAINING_PRIVATE_IMPORTS.keys()) == []
    assert sorted(REMAINING_PRIVATE_IMPORTS.keys() - found) == []
