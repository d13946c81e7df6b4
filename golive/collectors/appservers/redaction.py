"""Secrets kept out of the facts the application-server readers build.

Start-script lines, supervisord programs and uWSGI options are copied into facts and quoted
in evidence; DESIGN.md ("Conventions"): secrets never leave the collector that reads them.
Until the project has one shared redaction function, these readers use this one: the value
of an assignment or option whose name looks secret (:func:`golive.secretinfo.is_secret_name`:
``SECRET_KEY=...``, ``--env STRIPE_KEY=...``, ``--db-password ...``) and the password of a
URL (``postgres://user:***@host``, RFC 3986 §3.2.1) become :data:`PLACEHOLDER`. Every
pattern starts at a word boundary and never nests repetition: linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from golive.secretinfo import is_secret_name

PLACEHOLDER = "***"
URL_RE = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:@/'\"]*):(?P<password>[^\s@'\"/]+)@")
ASSIGN_RE = re.compile(r"(?<![\w$.\-])(?P<name>[A-Za-z_][\w.\-]*)=(?P<value>\"[^\"]*\"|'[^']*'|[^\s;&|,]*)")


def _secret(name: str) -> bool:
    return len(name.strip("-")) > 1 and is_secret_name(name.strip("-").replace("-", "_"))


def redact_text(text: str) -> str:
    """``text`` with secret-named assignments' values and URL passwords replaced."""

    def assignment(match: re.Match[str]) -> str:
        if _secret(match.group("name")) and match.group("value"):
            return f"{match.group('name')}={PLACEHOLDER}"
        return match.group(0)

    text = ASSIGN_RE.sub(assignment, text)
    return URL_RE.sub(lambda m: f"{m.group('head')}:{PLACEHOLDER}@", text)


def redact_words(words: Sequence[str]) -> tuple[str, ...]:
    """A command's words with secrets replaced: each word by :func:`redact_text`, and the word
    after an option whose name looks secret (``--password hunter2``)."""
    out: list[str] = []
    hide = False
    for word in words:
        if hide and not word.startswith("-"):
            out.append(PLACEHOLDER)
            hide = False
            continue
        hide = word.startswith("-") and "=" not in word and _secret(word)
        out.append(redact_text(word))
    return tuple(out)
