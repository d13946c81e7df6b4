"""YAML of project files (compose files, uWSGI YAML), read with libyaml when PyYAML has it.

PyYAML's pure-Python scanner takes about 2 s per megabyte of plain scalar (a compose
``command:`` of 1 MB, issue 9, item 9), libyaml's C scanner a few milliseconds; both
are linear and build the same nodes and data. Only the safe loader is used: project files
never construct Python objects. https://pyyaml.org/wiki/PyYAMLDocumentation ("CLoader").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load(text)`` (libyaml's loader when present). Raises ``yaml.YAMLError``."""
    import yaml

    return yaml.load(text, Loader=_loader())


def safe_load_all(text: str) -> Iterator[Any]:
    """``yaml.safe_load_all(text)``: each document's data (libyaml's loader when present).
    Raises ``yaml.YAMLError`` while iterating."""
    import yaml

    return yaml.load_all(text, Loader=_loader())


def compose(text: str) -> Any:
    """``yaml.compose(text)``: the node tree, with line marks (libyaml's when present).
    Raises ``yaml.YAMLError``."""
    import yaml

    return yaml.compose(text, Loader=_loader())


def safe_dump(data: Any) -> str:
    """``yaml.safe_dump(data)`` (libyaml's emitter when present)."""
    import yaml

    dumped: str = yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
    return dumped
