"""Redaction of nginx configuration text: a directive's arguments (a credential header's value,
a secret-named parameter's value) and a line of configuration read as a directive.

The same rules as :mod:`golive.redact` (which documents them), applied to nginx's syntax:
``proxy_set_header Authorization "Basic ***"``, ``fastcgi_param DB_PASSWORD ***``; an nginx
variable (``$http_authorization``) is no secret.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from golive.redact import PLACEHOLDER, QUOTES, redact_text, secret_named

#: nginx directives whose first argument names a header or parameter and the second is its value.
NAMED_VALUE_DIRECTIVES = frozenset(
    {
        "proxy_set_header",
        "add_header",
        "more_set_headers",
        "more_set_input_headers",
        "grpc_set_header",
        "fastcgi_param",
        "uwsgi_param",
        "scgi_param",
        "env",
        "set",
    }
)


AUTH_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "x-auth-token"})

#: :func:`golive.redact.redact_text` of one argument, cached in this process (arguments repeat
#: across a configuration's directives and files: ``$host``, ``80``, header names).
_redact_arg = functools.lru_cache(maxsize=8192)(redact_text)


def redact_directive(name: str, args: Sequence[str]) -> tuple[str, ...]:
    """An nginx directive's arguments with secrets replaced: the value of a credential header
    or of a secret-named parameter (``proxy_set_header Authorization "Basic ***"``,
    ``fastcgi_param DB_PASSWORD ***``), and whatever :func:`redact_text` finds in each."""
    out = [_redact_arg(a) for a in args]
    if name in NAMED_VALUE_DIRECTIVES and len(args) >= 2:
        key = args[0].lstrip("$").strip()
        value = args[1]
        if value.startswith("$") and not any(c.isspace() for c in value):
            return tuple(out)  # an nginx variable ($http_authorization) is no secret
        if key.lower() in AUTH_HEADERS or secret_named(key.replace("-", "_")):
            scheme = re.match(r"(?i)(basic|bearer|token|digest|negotiate|ntlm|apikey)\s+", args[1])
            out[1] = (scheme.group(0) if scheme else "") + PLACEHOLDER
    return tuple(out)


#: One nginx token: a quoted string (escapes kept) or a run of characters up to white space,
#: ``;``, ``{`` or ``}`` (nginx's lexer, ngx_conf_read_token, without variables' braces).
NGINX_TOKEN_RE = re.compile(r"\"(?:[^\"\\]|\\.)*\"?|'(?:[^'\\]|\\.)*'?|(?:[^\s;{}\"'\\]|\\.)+")


def _unquote(token: str, quote: str) -> str:
    """An nginx token without its quotes (an unterminated one loses its opening quote only)."""
    if not quote:
        return token
    closed = len(token) > 1 and token.endswith(quote)
    return token[1:-1] if closed else token[1:]


def redact_nginx_line(line: str) -> str:
    """One line of nginx configuration text (gixy-ng's excerpt) with secrets replaced: read
    as a directive (its name, its arguments with their quotes) and passed through
    :func:`redact_directive`, then :func:`redact_text`; a line without a secret is returned
    as written, and one that is not a directive (``}``, ``server {``) too, but for
    :func:`redact_text`."""
    body = line.strip()
    if not body or body.startswith("#"):
        return redact_text(line)
    tokens = [m for m in NGINX_TOKEN_RE.finditer(line) if not m.group(0).startswith("#")]
    if len(tokens) < 3:
        return redact_text(line)
    quotes = [m.group(0)[0] if m.group(0)[0] in QUOTES else "" for m in tokens]
    args = [_unquote(m.group(0), q) for m, q in zip(tokens, quotes, strict=True)]
    redacted = redact_directive(args[0], args[1:])
    if tuple(args[1:]) == redacted:
        return redact_text(line)
    out, at = [], 0
    for match, quote, new, old in zip(tokens[1:], quotes[1:], redacted, args[1:], strict=True):
        if new == old:
            continue
        out += [line[at : match.start()], f"{quote}{new}{quote}"]
        at = match.end()
    out.append(line[at:])
    return redact_text("".join(out))
