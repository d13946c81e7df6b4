"""Indented JSON text, fast: :func:`dumps` gives exactly ``json.dumps(value, indent=2,
ensure_ascii=False)`` for the plain data a report is made of.

With ``indent`` the standard library encodes in Python, a generator per nested value
(CPython 3.11-3.12; its C encoder takes no indent before 3.13): about 2.5 ms for the
JSON report of the bookshop example. Here each string is encoded by the library's own C
function (``json.encoder.encode_basestring``, the one ``ensure_ascii=False`` uses) and the
text is assembled in one list: the same characters in about a third of the time. Anything
else than ``dict`` with ``str`` keys, ``list``, ``tuple``, ``str``, ``int``, a finite
``float``, ``bool`` and ``None`` (a float NaN, a non-string key, a mapping that is not a
dict, an object the library would reject) makes :func:`dumps` hand the whole value to
``json.dumps`` itself, so the text, or the error, is always the library's.
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
    the line ``value`` starts on."""
    kind = type(value)
    if kind is str:
        parts.append(encode_basestring(value))
    elif kind is dict:
        if not value:
            parts.append("{}")
            return
        inner = newline + INDENT
        first = True
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            parts.append(("{" if first else ",") + inner + encode_basestring(key) + ": ")
            first = False
            _encode(item, inner, parts)
        parts.append(newline + "}")
    elif kind is list or kind is tuple:
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
    else:  # subclasses (enums), NaN and infinities, anything else: the library decides
        raise _Unusual
