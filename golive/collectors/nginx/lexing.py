"""Each nginx file lexed once per audit: crossplane's lexer, shared by every pass over it.

An audit reads each file several times with crossplane (the fork gixy-ng ships): golive's
validity pass (:func:`golive.collectors.nginx.read.validate`), gixy-ng's own parse, and the
keys of the ``nginx -t`` answers (:mod:`golive.collectors.nginx.test_cache`), each with
other options (comments, strictness, includes followed), so their payloads differ but the
tokens under them do not. Lexing is most of crossplane's time; within :func:`lexed_once`,
``crossplane.parser``'s ``lex`` and ``lex_string`` return the tokens of a text lexed before.

The tokens are what crossplane's own ``lex_string`` yields for the text, its error included
(replayed after the same tokens; an error names the file, so it is reused for the same file
name only). ``lex(filename)`` reads the file as crossplane does (UTF-8, undecodable bytes
replaced, universal newlines), then looks its text up: a file changed since is lexed anew.
Tokens depend on nothing else but crossplane's external lexers (``EXTERNAL_LEXERS``, none
registered by golive or gixy-ng), which are part of the key. The memory is dropped when the
last :func:`lexed_once` scope ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from golive.collectors.nginx.scopes import Scopes

Token = tuple[str, int, bool]

_MEMO: dict[tuple[Any, ...], tuple[str | None, tuple[Token, ...], BaseException | None]] = {}
_SCOPES = Scopes(_MEMO)
_ORIGINAL: dict[str, Any] = {}


def _key(text: str) -> tuple[Any, ...]:
    from crossplane.lexer import EXTERNAL_LEXERS

    return (text, tuple(sorted((name, id(fn)) for name, fn in EXTERNAL_LEXERS.items())))


def _tokens(text: str, filename: str | None) -> Iterator[Token]:
    """crossplane's ``lex_string(text, filename)``, from memory when the text was lexed before."""
    original = _ORIGINAL["lex_string"]
    if not _SCOPES:
        yield from original(text, filename=filename)
        return
    key = _key(text)
    entry = _MEMO.get(key)
    if entry is None or (entry[2] is not None and entry[0] != filename):
        tokens: list[Token] = []
        error: BaseException | None = None
        try:
            tokens.extend(original(text, filename=filename))
        except Exception as exc:
            error = exc
        entry = (filename, tuple(tokens), error)
        if _SCOPES:
            _MEMO[key] = entry
    yield from entry[1]
    if entry[2] is not None:
        raise entry[2].with_traceback(None)


def _lex_string(text: str, filename: str | None = None) -> Iterator[Token]:
    return _tokens(text, filename)


def _lex(filename: str) -> Iterator[Token]:
    if not _SCOPES:
        yield from _ORIGINAL["lex"](filename)
        return
    with open(filename, encoding="utf-8", errors="replace") as handle:  # as crossplane.lexer.lex
        text = handle.read()
    yield from _tokens(text, filename)


@contextmanager
def lexed_once() -> Iterator[None]:
    """Within this scope (any thread), crossplane lexes each text once (see the module docstring)."""
    import crossplane.parser

    def patch() -> None:  # crossplane's lexers replaced once per process, under the scopes' lock
        if not _ORIGINAL:
            _ORIGINAL.update(lex=crossplane.parser.lex, lex_string=crossplane.parser.lex_string)
            crossplane.parser.lex = _lex
            crossplane.parser.lex_string = _lex_string

    with _SCOPES.scope(on_enter=patch):
        yield
