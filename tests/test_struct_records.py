"""golive's records are msgspec Structs, never dataclasses (issue 15).

A frozen dataclass costs about 0.5 ms to make at import (the dataclasses module compiles
each generated method with its own ``exec``); golive made about 135 of them on every
command, some 60 ms of its start-up. A ``msgspec.Struct`` with the same options (frozen,
keyword-only) is made in C in about 0.05 ms. This test keeps a new ``@dataclass`` out of
the package; the scripts golive runs in the project's interpreter (standard library only)
are the exception.
"""

from __future__ import annotations

import ast
from pathlib import Path

import msgspec
import pytest
from msgspec.structs import replace
from test_locations import finding

import golive
from golive.facts.gunicorn import AppServer
from golive.model import Location

PACKAGE = Path(golive.__file__).parent
#: Run by the project's interpreter, where golive's dependencies may be missing.
STANDARD_LIBRARY_ONLY = {"collectors/runtime/settings_loader.py", "collectors/runtime/loader_main.py"}


def uses_dataclasses(path: Path) -> list[int]:
    """The lines of ``path`` importing the dataclasses module."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if (isinstance(node, ast.Import) and any(a.name == "dataclasses" for a in node.names))
        or (isinstance(node, ast.ImportFrom) and node.module == "dataclasses")
    ]


def test_no_golive_module_makes_a_dataclass() -> None:
    found = {
        str(p.relative_to(PACKAGE)): lines
        for p in sorted(PACKAGE.rglob("*.py"))
        if str(p.relative_to(PACKAGE)) not in STANDARD_LIBRARY_ONLY and (lines := uses_dataclasses(p))
    }
    assert found == {}


def test_a_finding_is_frozen_keyword_only_compared_and_hashed_by_value() -> None:
    f = finding(3)
    with pytest.raises(AttributeError):
        f.title = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Location("settings.py", 3)  # type: ignore[misc]
    assert f == finding(3) and hash(f) == hash(finding(3)) and len({f, finding(3)}) == 1
    assert replace(f, title="other") != f
    assert isinstance(f, msgspec.Struct)


def test_replace_redacts_again_as_making_does() -> None:
    """msgspec ≥ 0.21 calls ``__post_init__`` from ``structs.replace``: a command line given
    to ``replace`` is redacted as one given to the constructor."""
    server = AppServer(kind="gunicorn", found="test", location=None, command="gunicorn app:wsgi")
    changed = replace(server, command="gunicorn --env SECRET_KEY=hunter2hunter2 app:wsgi")
    assert "hunter2" not in changed.command
