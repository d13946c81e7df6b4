"""One redaction for every raw text a collector copies into a fact.

Command lines (Procfile, Dockerfile ``CMD``, compose ``command``, systemd ``ExecStart``,
a running process), nginx directives and configuration values are quoted in findings'
evidence, so what they carry reaches the terminal, every report format and the history
database. DESIGN.md, "Conventions": secrets never leave the collector that reads them,
and STYLE.md: evidence is redacted when it is made, not when it is shown. Collectors pass
raw text through :func:`redact_text` (a line), :func:`redact_words` (a command's words)
or :func:`golive.redact_nginx.redact_directive` (an nginx directive) before it enters a fact.
Each replaces a secret with :data:`PLACEHOLDER` and keeps the rest readable:

* the password of a URL (``amqp://user:***@host``) or its token-only userinfo
  (``https://***@host``), RFC 3986 §3.2.1 (https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1),
  and of a ``user:password@host`` a tool quotes without its scheme (nginx: ``invalid port in
  upstream "user:***@host:8000"``); without a colon before the ``@`` it is an address
  (``ann@example.com``), kept;
* the value of an assignment whose name looks secret (``STRIPE_KEY=***`` in ``--env``,
  ``-e``, ``env``, ``Environment=``, ``raw_env``), names judged by
  :func:`golive.facts.secrets.holds_secret` (``SECRET_KEY_FALLBACKS`` included);
* the value of an option whose name looks secret (``--password ***``, ``--api-key=***``);
* the credentials of an ``Authorization``/``Proxy-Authorization`` header, keeping the
  scheme (``Basic ***``), RFC 9110 §11.6.2 (https://www.rfc-editor.org/rfc/rfc9110#section-11.6.2);
* any vendor token whose format is published (:data:`golive.facts.secrets.rules.TOKEN_FORMATS`).

Error text that comes from the project's code (an exception its settings raised) is
scrubbed differently, by value: :func:`scrub` replaces every known secret value and each
of its parts (split on ``: / @ ? # & = ; ,``) of 3 characters or more, so that a fragment
quoted by a parser (``Port could not be cast to integer value as 'abc'``) does not leave
either (issue 9, item 2). :func:`env_secrets` gives those values for an environment.

A value golive fills in from an environment (an nginx template's ``${VAR}``, a command
line's ``$VAR``, uWSGI's ``$(VAR)``) goes through :func:`fill_in`: a secret-named variable,
or one holding a secret value of the environment (:func:`secret_values`), is filled in as
:data:`PLACEHOLDER`, which checks read as unknown. :func:`redact_env` does the same to a
whole environment before it is kept in a fact.

Every function here runs in time linear in its input: the patterns only start at the
beginning of a word and never nest repetitions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence

from golive.facts.secrets import holds_secret

#: What a redacted value is replaced by; a check must read it as "unknown", never as data.
PLACEHOLDER = "***"

#: ``scheme://user:password@`` or ``scheme://token@``. The user part stops at ``/``; the
#: password may hold ``/ ? #`` (base64 output does) but not white space, quotes or
#: another ``://``. A scheme only starts at the beginning of a word (linear time).
URL_USERINFO_RE = re.compile(
    r"(?<![A-Za-z0-9+.\-])(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)"
    r"(?P<user>[^\s@'\"/:?#]*)(?::(?P<password>(?:[^\s@'\":]|:(?!//))*))?@"
)
#: A run of characters up to an ``@`` that starts a word (white space, a quote, a bracket or
#: another ``@`` before it) and is followed by a host, not by an image digest
#: (``python:3.12@sha256:...``): where :func:`redact_bare_userinfo` looks for ``user:password``.
#: Only a word's start can start a match, so each character is read once.
BARE_USERINFO_RE = re.compile(
    r"(?<![^\s'\"(<\[@])(?P<run>[^\s'\"(<\[@]*)@(?=[A-Za-z0-9\[])(?!sha(?:256|384|512):)"
)
#: Schemes written without ``//`` before an address (RFC 6068 ``mailto:``, RFC 3261 ``sip:``,
#: RFC 6121 ``xmpp:``): ``mailto:ann@example.com`` holds no password.
ADDRESS_SCHEMES = frozenset({"mailto", "sip", "sips", "xmpp", "im", "pres"})
#: ``NAME=`` at the start of a word (``--env NAME=value``, ``Environment="NAME=value"``).
ASSIGNMENT_RE = re.compile(r"(?<![\w$.\-])(?P<name>[A-Za-z_][\w.\-]*)=")
#: ``--option=`` or ``--option `` (then its value), at the start of a word.
OPTION_RE = re.compile(r"(?<![\w\-])(?P<option>--?[A-Za-z][\w\-]*)(?P<sep>=|[ \t]+)")
#: An Authorization header's credentials, after an optional scheme word.
AUTHORIZATION_RE = re.compile(
    r"(?i)(?<![\w\-])(?P<head>(?:proxy-)?authorization[\"']?(?:\s*[:=]\s*[\"']?|\s+[\"'])\s*"
    r"(?:(?:basic|bearer|token|digest|negotiate|ntlm|apikey|key)\s+)?)(?P<credentials>[^\s\"';,]+)"
)
AUTHORIZATION_WORD_RE = re.compile(r"(?i)authorization")
#: A word every secret name (:func:`golive.facts.secrets.is_secret_name`) or credential header
#: holds: a text without one has no secret-named assignment, option or header.
SECRET_WORD_RE = re.compile(r"(?i)secret|pass|token|key|private|credential|dsn|authorization")
#: Where a secret value is split into the parts that are scrubbed too.
PART_SEPARATORS_RE = re.compile(r"[:/@?#&=;,]")
#: Shortest part of a secret value that is scrubbed from error text.
MIN_PART = 3
#: Shortest whole secret value scrubbed from error text.
MIN_SECRET = 3

#: An assignment's or option's name as a whole word (``NAME``, ``--name``).
NAME_RE = re.compile(r"-{0,2}[A-Za-z_][\w.\-]*")
#: No published token format is shorter (AWS access key ids: 20; Slack tokens: 15).
SHORTEST_TOKEN = 10

QUOTES = "'\""
_WORD_END = re.compile(r"[\s;&|]")


def secret_option(option: str) -> bool:
    """True when a command-line option (``--db-password``, ``-p`` is not) names a secret."""
    name = option.lstrip("-").replace("-", "_")
    return len(name) > 1 and secret_named(name)


def _value_end(text: str, start: int, quote: str | None) -> int:
    """Where the value starting at ``start`` ends: its closing quote, else white space."""
    if start < len(text) and text[start] in QUOTES:
        end = text.find(text[start], start + 1)
        return len(text) if end < 0 else end + 1
    if quote is not None:
        end = text.find(quote, start)
        return len(text) if end < 0 else end
    match = _WORD_END.search(text, start)
    return match.start() if match else len(text)


def redact_urls(text: str) -> str:
    """``text`` with the password (``user:***@``) or token (``***@``) of every URL replaced."""

    def replace(match: re.Match[str]) -> str:
        user, password = match.group("user"), match.group("password")
        if password is None:
            userinfo = PLACEHOLDER if user else ""
        elif not password:
            userinfo = f"{user}:"
        else:
            userinfo = f"{user}:{PLACEHOLDER}"
        return f"{match.group('scheme')}{userinfo}@"

    return URL_USERINFO_RE.sub(replace, text)


def redact_bare_userinfo(text: str) -> str:
    """``text`` with the password of every ``user:password@host`` written without a scheme
    replaced (``"admin:***@backend:8000"``, ``DB=:***@cache``): the ``user`` is what follows
    the run's last ``=`` or ``,`` before its first colon, and holds no ``/``. Kept: a run
    without a colon before the ``@`` (an address: ``ann@example.com``, ``git@github.com:org/r``),
    an empty password, a URL (:func:`redact_urls`' part), an address scheme
    (:data:`ADDRESS_SCHEMES`) and an image digest (``name:tag@sha256:...``)."""

    def replace(match: re.Match[str]) -> str:
        run = match.group("run")
        colon = run.find(":")
        if colon < 0 or "://" in run:
            return match.group(0)
        head = max(run.rfind("=", 0, colon), run.rfind(",", 0, colon)) + 1
        user, password = run[head:colon], run[colon + 1 :]
        if not password or "/" in user or user.lower() in ADDRESS_SCHEMES:
            return match.group(0)
        return f"{run[:colon]}:{PLACEHOLDER}@"

    return BARE_USERINFO_RE.sub(replace, text) if "@" in text and ":" in text else text


def url_password(text: str) -> str | None:
    """The password of the first URL in ``text`` that has one (``abc/def`` in
    ``postgres://app:abc/def@db/app``: the part :data:`URL_USERINFO_RE` reads, where
    :func:`urllib.parse.urlsplit` stops at the ``/``), or the token-only userinfo of an
    ``http``/``https`` URL (``https://TOKEN@host``); None when there is none."""
    if "://" not in text or "@" not in text:
        return None
    for match in URL_USERINFO_RE.finditer(text):
        password, user = match.group("password"), match.group("user")
        if password:
            return password
        if password is None and user and match.group("scheme").lower() in ("http://", "https://"):
            return user
    return None


def _redact_tokens(text: str) -> str:
    """``text`` with every token of a published format replaced. The patterns run on the
    words long enough to hold one, not on the whole text: a long command line of short words
    costs one split, not ten scans (every format's pattern is bounded by white space). Each
    word is tried, in table order, with the formats whose markers it holds
    (:func:`golive.facts.secrets.token_formats.candidates`, as the git scanner does) and the
    few whose match may hold none (:data:`~golive.facts.secrets.token_formats.UNMARKED`):
    any other format's match holds one of its markers, and a replacement adds none (no marker
    holds ``*``), so the result is the one of every format in turn, while a text without a
    marker compiles 9 patterns, not ~90 (issue 15: ~30 ms for an environment's values;
    tests/test_redact_tokens.py proves the markers and holds the two to the same result)."""
    from golive.facts.secrets.token_formats import TOKEN_FORMATS, UNMARKED, candidates

    long_words = {w for w in text.split() if len(w) >= SHORTEST_TOKEN}
    for word in long_words:
        redacted = word
        for i in sorted(UNMARKED.union(candidates(word))):
            redacted = TOKEN_FORMATS[i].pattern.sub(PLACEHOLDER, redacted)
        if redacted != word:
            text = text.replace(word, redacted)
    return text


#: :func:`golive.facts.secrets.holds_secret`, cached (names repeat across a project's files).
secret_named = functools.lru_cache(maxsize=4096)(holds_secret)


def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every secret-named assignment's or option's value and of every
    Authorization header's credentials. A match inside a value already found is skipped
    before its own value is looked for, which keeps this linear."""
    spans: list[tuple[int, int]] = []
    covered = 0
    for match in ASSIGNMENT_RE.finditer(text) if "=" in text else ():
        if match.start() < covered or not secret_named(match.group("name")):
            continue
        start = match.end()
        before = text[match.start() - 1] if match.start() > 0 else ""
        covered = _value_end(text, start, before if before and before in QUOTES else None)
        spans.append((start, covered))
    covered = 0
    for match in OPTION_RE.finditer(text) if "-" in text else ():
        start = match.end()
        if start < covered or not secret_option(match.group("option")):
            continue
        if start >= len(text) or text[start] == "-":
            continue  # a flag, followed by the next option
        covered = _value_end(text, start, None)
        spans.append((start, covered))
    if AUTHORIZATION_WORD_RE.search(text):
        spans += [(m.start("credentials"), m.end("credentials")) for m in AUTHORIZATION_RE.finditer(text)]
    return [(start, end) for start, end in spans if end > start]


#: Long texts already redacted, and the redacted texts themselves (redaction is idempotent):
#: a command line is redacted where it enters each fact (the command, its server), and a
#: megabyte line costs one pass over the ~90 token formats, not five.
_LONG_DONE: dict[str, str] = {}
LONG_TEXT = 4096


def redact_text(text: str) -> str:
    """``text`` (a command line, a configuration line) with every secret replaced by
    :data:`PLACEHOLDER` (see the module docstring for what counts as one)."""
    if not text:
        return text
    if len(text) < LONG_TEXT:
        return _redact_text(text)
    done = _LONG_DONE.get(text)
    if done is None:
        done = _redact_text(text)
        if len(_LONG_DONE) > 32:
            _LONG_DONE.clear()
        _LONG_DONE[text] = _LONG_DONE[done] = done
    return done


def _redact_text(text: str) -> str:
    """:func:`redact_text` without the memory of long texts."""
    spans = sorted(_spans(text)) if SECRET_WORD_RE.search(text) else []
    out: list[str] = []
    at = 0
    for start, end in spans:
        if start < at:
            continue  # inside a span already replaced
        out += [text[at:start], PLACEHOLDER]
        at = end
    out.append(text[at:])
    text = "".join(out) if spans else text
    if "://" in text:
        text = redact_urls(text)
    return _redact_tokens(redact_bare_userinfo(text))


def redact_word(word: str) -> str:
    """One shell word: ``NAME=value`` or ``--option=value`` with a secret name loses its whole
    value (white space included); any other word goes through :func:`redact_text`."""
    name, eq, value = word.partition("=")
    if eq and NAME_RE.fullmatch(name):
        if secret_named(name.lstrip("-").replace("-", "_")):
            return f"{name}={PLACEHOLDER}"
    else:
        value = word
    if len(value) < SHORTEST_TOKEN and "://" not in value and "=" not in value:
        return word  # too short for a token format, no assignment, no URL
    return redact_text(word)


def redact_words(words: Sequence[str]) -> tuple[str, ...]:
    """A command's words with secrets replaced: each word by :func:`redact_word`, and the word
    after an option whose name looks secret (``--password hunter2``)."""
    out: list[str] = []
    hide_next = False
    for word in words:
        if hide_next and not word.startswith("-"):
            out.append(PLACEHOLDER)
            hide_next = False
            continue
        hide_next = word[:1] == "-" and "=" not in word and secret_option(word)
        out.append(redact_word(word))
    return tuple(out)


def redact_value(value: object) -> object:
    """A JSON-like value (a gunicorn setting, a dict of them) with :func:`redact_text` applied to
    every string, and secret-named keys' values replaced whole."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, (list, tuple)):
        return [redact_value(v) for v in value]
    if isinstance(value, dict):
        return {
            k: PLACEHOLDER if isinstance(k, str) and secret_named(k) and v else redact_value(v)
            for k, v in value.items()
        }
    return value


def is_redacted(value: object) -> bool:
    """True when ``value`` is or holds a redacted secret outside a URL's userinfo: the
    probe's ``{"__secret__": ...}`` object, or a string holding :data:`PLACEHOLDER` in its
    host, path or as a whole (``***``). A check reads such a value as unknown, never as data
    (DESIGN.md, "Unknown is not pass, not fail"; issue 9, item 3). ``redis://:***@h:6379``
    is not: only its password is hidden, its host is known."""
    if isinstance(value, dict):
        return "__secret__" in value
    if isinstance(value, (list, tuple)):
        return any(is_redacted(v) for v in value)
    if isinstance(value, str) and PLACEHOLDER in value:
        return PLACEHOLDER in URL_USERINFO_RE.sub(lambda m: m.group("scheme"), value)
    return False


def secret_parts(value: str) -> set[str]:
    """``value`` and its parts split on ``: / @ ? # & = ; ,`` that are 3 characters or longer
    (issue 9, item 2): what error text is scrubbed of for one secret."""
    found = {value} if len(value) >= MIN_SECRET else set()
    found.update(p for p in PART_SEPARATORS_RE.split(value) if len(p) >= MIN_PART)
    return found


def env_secrets(env: Mapping[str, str]) -> set[str]:
    """The secret values of an environment, each with its parts (:func:`secret_parts`): the
    values of variables whose names look secret, and the userinfo of every URL in any value
    (``DATABASE_URL=postgres://app:pw@db/app`` gives ``app:pw``, ``app``, ``pw``)."""
    found: set[str] = set()
    for name, value in env.items():
        if secret_named(name):
            found |= secret_parts(value)
        if "://" in value and "@" in value:
            for match in URL_USERINFO_RE.finditer(value):
                user, password = match.group("user"), match.group("password")
                userinfo = f"{user}:{password}" if password is not None else user
                found |= secret_parts(userinfo)
    return found


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each of ``secrets`` (longest first) replaced by
    :data:`PLACEHOLDER`, then URL userinfo redacted (:func:`redact_urls`), with or without
    its scheme (:func:`redact_bare_userinfo`). For error text from the project's code; pass
    :func:`env_secrets` and :func:`secret_parts` values."""
    targets = sorted({s for s in secrets if s}, key=len, reverse=True)
    if targets and text:
        pattern = re.compile("|".join(re.escape(t) for t in targets))
        text = pattern.sub(PLACEHOLDER, text)
    return redact_bare_userinfo(redact_urls(text))


def secret_values(env: Mapping[str, str]) -> frozenset[str]:
    """The whole secret values of an environment: each secret-named variable's value
    (:func:`golive.facts.secrets.holds_secret`) and each URL password or token-only userinfo
    (:func:`url_password`) in any value. Unlike :func:`env_secrets`, no parts: a variable
    holding ``app`` is no secret because a URL's user is ``app``."""
    found: set[str] = set()
    for name, value in env.items():
        if not value:
            continue
        if secret_named(name):
            found.add(value)
        if "://" in value and "@" in value:
            password = url_password(value)
            if password:
                found.add(password)
    return frozenset(found)


def fill_in(name: str, value: str, secrets: Iterable[str] | Mapping[str, str]) -> str:
    """What golive puts where variable ``name`` (whose value is ``value``) is referenced:
    :data:`PLACEHOLDER` when the name looks secret or the value is one of ``secrets`` (the
    :func:`secret_values` of the environment, or the environment itself as a mapping), else
    the value with any URL password redacted. An empty value stays empty."""
    if not value:
        return value
    if secret_named(name):
        return PLACEHOLDER
    known = secret_values(secrets) if isinstance(secrets, Mapping) else secrets
    if value in known:
        return PLACEHOLDER
    return redact_urls(value) if "://" in value else value


def redact_env(env: Mapping[str, str], *more: Mapping[str, str]) -> dict[str, str]:
    """``env`` fit for a fact: every value through :func:`fill_in`, the secret values known
    from ``env`` and from each of ``more`` (the environment its values were interpolated from)."""
    known = secret_values(env).union(*(secret_values(m) for m in more))
    return {name: fill_in(name, value, known) for name, value in env.items()}
