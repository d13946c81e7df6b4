"""Control characters in strings from the project, made visible for an output's sink.

Every string a report shows may come from the audited project: a committed file's name,
a setting's value, an nginx ``server_name``, a live page's title. Such a string can hold
control functions (ECMA-48, https://ecma-international.org/publications-and-standards/standards/ecma-48/:
the C0 set U+0000–U+001F with ``ESC``, which opens the sequences that clear a screen,
move the cursor or retitle a window; ``DEL``; the C1 set U+0080–U+009F with ``CSI``
U+009B), bidirectional embeddings, overrides and isolates (U+202A–U+202E,
U+2066–U+2069, Unicode UAX #9, which reorder what a reader sees), and lone surrogates
(U+D800–U+DFFF, from file names that are not valid UTF-8, which no UTF-8 output can
encode). A newline in a file name would start a line of golive's own output, and
GitHub's runner reads a line that begins with ``::`` as a workflow command.

Each renderer passes project strings through its own escaping helper, and each of those
calls :func:`visible` with the characters its sink allows (a Markdown or HTML report
keeps its newlines and tabs; a terminal line keeps tabs only). :func:`json_text` makes
JSON text safe to print while keeping every string exactly as it was.
"""

from __future__ import annotations

import re

from golive.facts.controls import visible

__all__ = ["json_text", "visible"]  # visible: defined with the facts, shared with the checks


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def json_text(text: str) -> str:
    """JSON text from ``json.dumps(..., ensure_ascii=False)`` with the characters it leaves
    raw that are controls (``DEL``, C1, bidirectional controls) or cannot be encoded
    (lone surrogates) written as ``\\uNNNN`` escapes (RFC 8259, section 7).

    The C0 controls are already escaped by :mod:`json`; outside its strings JSON text is
    ASCII, so each replaced character lies inside a string, and parsing the result gives
    back exactly the original strings.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
