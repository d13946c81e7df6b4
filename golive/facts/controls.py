"""Control characters in strings from the project, made visible (shared by the reports and by
the checks that put a project's names into a remediation).

Every string golive shows may come from the audited project: a committed file's name, a
setting's value, an nginx ``server_name``, a live page's title. Such a string can hold
control functions (ECMA-48, https://ecma-international.org/publications-and-standards/standards/ecma-48/:
the C0 set U+0000–U+001F with ``ESC``, which opens the sequences that clear a screen,
move the cursor or retitle a window; ``DEL``; the C1 set U+0080–U+009F with ``CSI``
U+009B), bidirectional embeddings, overrides and isolates (U+202A–U+202E,
U+2066–U+2069, Unicode UAX #9, which reorder what a reader sees), and lone surrogates
(U+D800–U+DFFF, from file names that are not valid UTF-8, which no UTF-8 output can
encode). :func:`visible` writes each as a visible escape; :mod:`golive.reports.controls`
re-exports it for the renderers, which call it with the characters their sink allows.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Every character :func:`visible` can replace.
CONTROL_CLASS = "\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@lru_cache(maxsize=8)
def _pattern(keep: str) -> re.Pattern[str]:
    if not keep:
        return re.compile(f"[{CONTROL_CLASS}]")
    return re.compile(f"(?![{re.escape(keep)}])[{CONTROL_CLASS}]")


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str, keep: str = "") -> str:
    """``text`` with each control character written as a visible escape.

    ``\\n``, ``\\r`` and ``\\t`` for those three, ``\\xNN`` for the other C0 and C1 controls
    and ``DEL``, ``\\uNNNN`` for bidirectional controls and lone surrogates (see the module
    docstring); characters in ``keep`` (e.g. ``"\\n\\t"``) are left as they are. Everything
    else, non-ASCII letters included, is unchanged. Total: never raises on a ``str``.
    """
    return _pattern(keep).sub(_shown, text)
