"""The dependencies a project declares: requirements files, ``pyproject.toml`` (PEP 621 and
Poetry) and the dependency groups uv installs by default. Read with ``packaging`` and
:mod:`tomllib`; nothing is installed or resolved.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from golive.facts.project import Dependency, dependency_name
from golive.model import Location

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def requirements_file(path: Path, rel: str) -> Iterator[Dependency]:
    """Each requirement line of a pip requirements file (read with ``packaging``; options,
    comments and lines it cannot parse are passed over)."""
    from packaging.requirements import InvalidRequirement, Requirement

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        yield Dependency(
            name=dependency_name(req.name),
            specifier=str(req.specifier),
            location=Location(path=rel, line=lineno),
        )


def pyproject_dependencies(path: Path, rel: str) -> Iterator[Dependency]:
    """``[project] dependencies`` and Poetry's ``[tool.poetry.dependencies]`` of a
    ``pyproject.toml`` (nothing when it cannot be read or parsed)."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return
    deps = list(data.get("project", {}).get("dependencies", []) or [])
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {}) or {}
    deps += [name for name in poetry if name.lower() != "python"]
    for dep in deps:
        try:
            req = Requirement(str(dep))
        except InvalidRequirement:
            continue
        yield Dependency(
            name=dependency_name(req.name), specifier=str(req.specifier), location=Location(path=rel)
        )


def default_groups(path: Path, rel: str) -> tuple[tuple[str, ...], Location | None]:
    """The dependency groups uv installs by default from ``pyproject.toml`` at ``path``: the
    ``dev`` group (PEP 735 ``[dependency-groups]`` or ``[tool.uv] dev-dependencies``), or those
    ``[tool.uv] default-groups`` names ("By default, uv includes the dev dependency group in the
    environment (e.g., during uv run or uv sync)":
    https://docs.astral.sh/uv/concepts/projects/dependencies/#default-groups)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return (), None
    groups = data.get("dependency-groups") or {}
    uv = (data.get("tool") or {}).get("uv") or {}
    declared = set(groups) if isinstance(groups, dict) else set()
    if uv.get("dev-dependencies"):
        declared.add("dev")
    chosen = uv.get("default-groups", ["dev"])
    names = tuple(sorted(declared)) if chosen == "all" else tuple(g for g in chosen if g in declared)
    if not names:
        return (), None
    line = next((i for i, ln in enumerate(text.splitlines(), 1) if ln.strip() == "[dependency-groups]"), None)
    return names, Location(path=rel, line=line)
