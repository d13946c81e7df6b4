"""Indented JSON text, fast: :func:`dumps` gives exactly ``json.dumps(value, indent=2,
ensure_ascii=False)`` for the plain data a report is made of.

With ``indent`` the standard library encodes in Python, a generator per nested value
(CPython 3.11-3.12; its C encoder takes no indent before 3.13): about 2.5 ms for the
JSON report of the bookshop example. Here each string is encoded by the library's own C
function (``json.encoder.encode_basestring``, the one ``ensure_ascii=False`` uses) and the
text is assembled in one list: the same characters in about half the time. Anything else
than a ``dict`` with ``str`` keys, ``list``, ``tuple``, ``str``, ``int``, a finite
``float`` (or a subclass of them: enums), ``bool`` and ``None`` (a float NaN, a
non-string key, a mapping that is not a dict, an object the library would reject) makes
:func:`dumps` hand the whole value to ``json.dumps`` itself, so the text, or the error,
is always the library's.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring
from typing import Any

INDENT = "  "


class _Unusual(Exception):
    """A value the fast path does not encode: ``json.dumps`` does the whole document."""


def dumps(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, the same text (see the module
    docstring); raises what ``json.dumps`` raises (``TypeError``, ``ValueError``)."""
    parts: list[str] = []
    try:
        _encode(value, "\n", parts)
    except (_Unusual, RecursionError):
        return json.dumps(value, indent=2, ensure_ascii=False)
    return "".join(parts)


def _encode(value: Any, newline: str, parts: list[str]) -> None:
    """Append ``value``'s text to ``parts``; ``newline`` is a line break and the indent of
    the line ``value`` starts on. The exact types first (most values), then their
    subclasses as the library takes them (a ``StrEnum`` as its string, an ``IntEnum`` as
    ``int.__repr__``)."""
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring(value))
    elif kind is dict:
        _encode_dict(value, newline, parts)
    elif kind is list or kind is tuple:
        _encode_list(value, newline, parts)
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is float and math.isfinite(value):
        parts.append(float.__repr__(value))
    elif isinstance(value, str):
        parts.append(encode_basestring(value))
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float) and math.isfinite(value):
        parts.append(float.__repr__(value))
    elif isinstance(value, (list, tuple)):
        _encode_list(value, newline, parts)
    elif isinstance(value, dict):
        _encode_dict(value, newline, parts)
    else:  # NaN and infinities, anything else: the library decides
        raise _Unusual


def _encode_dict(value: dict[Any, Any], newline: str, parts: list[str]) -> None:
    if not value:
        parts.append("{}")
        return
    inner = newline + INDENT
    first = True
    for key, item in value.items():
        if not isinstance(key, str):  # numbers, True, None: the library's way
            raise _Unusual
        parts.append(("{" if first else ",") + inner + encode_basestring(key) + ": ")
        first = False
        _encode(item, inner, parts)
    parts.append(newline + "}")


def _encode_list(value: list[Any] | tuple[Any, ...], newline: str, parts: list[str]) -> None:
    if not value:
        parts.append("[]")
        return
    inner = newline + INDENT
    first = True
    for item in value:
        parts.append(("[" if first else ",") + inner)
        first = False
        _encode(item, inner, parts)
    parts.append(newline + "]")
