"""Shell words of a command line, split by :mod:`shlex` in time linear in its length.

``shlex`` builds each word one character at a time (``self.token = self.token + c``), so
a word of n characters costs n²: a Procfile line holding a 1 MB word took about 90 s
(issue 9, item 9). :func:`split` gives exactly what ``shlex.split(text)`` gives (POSIX
mode, no comments) while handing ``shlex`` only short words: every run of 64 or more
characters that mean nothing to a shell (the set :func:`shlex.quote` leaves unquoted) is
set aside behind a short placeholder made of a character the text does not hold, and put
back in the words afterwards. Such a run is literal everywhere (outside quotes, inside
either kind of quote, after a backslash its first character is taken as is), so the
words are unchanged. A text without quotes or backslashes is split on the four
characters ``shlex`` treats as white space without ``shlex`` at all.
"""

from __future__ import annotations

import re
import shlex

#: Characters with no meaning to a shell: the set shlex.quote() leaves as they are.
PLAIN_RUN = re.compile(r"[\w@%+=:,./-]{64,}", re.ASCII)
#: shlex's white space in POSIX mode (shlex.shlex.whitespace).
WHITESPACE = re.compile(r"[ \t\r\n]+")


def _free_char(text: str) -> str:
    """A private-use character (or any later one) that does not occur in ``text``."""
    used = set(text)
    code = 0xE000
    while chr(code) in used or 0xD800 <= code <= 0xDFFF:
        code += 1
    return chr(code)


def split(text: str, *, operators: bool = False) -> list[str]:
    """``shlex.split(text)``, in linear time (see the module docstring). With ``operators``,
    the tokens of :mod:`shlex`'s POSIX lexer with ``punctuation_chars`` and ``#`` comments
    instead: shell operators (``&&``, ``;``, ``|``, ``>``...) become tokens of their own.

    Raises ``ValueError`` where ``shlex`` does (an unclosed quote, a trailing backslash).
    """
    if not operators and not any(c in text for c in "'\"\\"):
        return [w for w in WHITESPACE.split(text) if w]
    held: list[str] = []
    mark = _free_char(text)

    def hold(match: re.Match[str]) -> str:
        held.append(match.group())
        return f"{mark}{len(held) - 1}{mark}"

    reduced = PLAIN_RUN.sub(hold, text)
    if operators:
        lexer = shlex.shlex(reduced, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words = list(lexer)
    else:
        words = shlex.split(reduced)
    if not held:
        return words
    back = re.compile(re.escape(mark) + r"(\d+)" + re.escape(mark))
    return [back.sub(lambda m: held[int(m.group(1))], w) if mark in w else w for w in words]
