"""What golive may know about a secret: everything but its value.

A :class:`SecretInfo` carries length, distinct characters, Django's insecure prefix, a
Shannon entropy estimate and a short keyed fingerprint. The runtime probe
(``collectors/runtime/settings_loader.py``) computes the same fields with the same algorithm in
the project's interpreter, so a key read from source and the key Django really loaded
can be compared by fingerprint without either being shown.

Modules: :mod:`.rules` knows what a secret looks like (well-known token formats,
:mod:`.token_formats`; secret-named settings assigned literals, credentials in URLs, ``.env``
lines, private key blocks) and what a placeholder looks like; :mod:`.evidence` judges a
literal by its value; :mod:`.places` names where a committed value lives. The scanners that
apply them to files and to the git history read the disk and are in
:mod:`golive.collectors.git`; values found there never leave that collector, which keeps a
:class:`SecretInfo` and, for token formats whose prefix is public, that prefix.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections import Counter
from typing import Any

from msgspec import Struct

#: Names that hold secrets (Django settings, dict keys, environment variables).
SECRET_NAME_RE = re.compile(
    r"(SECRET|PASSWORD|PASSWD|(^|_)PASS($|_)|TOKEN|API_?KEY|PRIVATE|CREDENTIAL|(^|_)DSN($|_)"
    r"|ACCESS_KEY|SIGNING_KEY|(^|_)KEY$)",
    re.IGNORECASE,
)
#: Names matching the pattern above that are not secrets (Django's own settings mostly).
NOT_SECRET_NAMES = frozenset(
    {
        "SECRET_KEY_FALLBACKS",
        "PASSWORD_HASHERS",
        "PASSWORD_RESET_TIMEOUT",
        "AUTH_PASSWORD_VALIDATORS",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "KEY_PREFIX",
        "KEY_FUNCTION",
        "TOKEN_EXPIRY",
    }
)
#: Django's prefix for the keys ``startproject`` writes (``security.W009``).
INSECURE_PREFIX = "django-insecure-"
#: How many hex characters of the HMAC are shown.
FINGERPRINT_LEN = 8


def is_secret_name(name: str) -> bool:
    """True when a setting, dict key or variable named ``name`` holds a secret."""
    upper = name.upper()
    if upper in NOT_SECRET_NAMES or upper.endswith("_KEY_FUNCTION"):
        return False
    return bool(SECRET_NAME_RE.search(upper))


#: Names whose value holds secrets although :func:`is_secret_name` says no: the list of
#: Django's old signing keys (``SECRET_KEY_FALLBACKS``, any prefix: they still verify
#: signatures, https://docs.djangoproject.com/en/stable/ref/settings/#secret-key-fallbacks).
SECRET_VALUE_SUFFIXES = ("SECRET_KEY_FALLBACKS",)


def holds_secret(name: str) -> bool:
    """True when the value assigned to variable, option or key ``name`` is a secret: a
    secret name (:func:`is_secret_name`) or one ending in ``SECRET_KEY_FALLBACKS``. For
    values in command lines, environments and configuration; settings handling keeps
    :func:`is_secret_name`, where the fallback list itself is no secret name."""
    return is_secret_name(name) or name.upper().endswith(SECRET_VALUE_SUFFIXES)


class SecretInfo(Struct, frozen=True, kw_only=True):
    """A secret described without its value.

    ``entropy_bits`` is the Shannon entropy of the value's characters times its length
    (an upper bound of its strength); ``fingerprint`` is the first 8 hex characters of
    HMAC-SHA256 under the audit's fingerprint key: equal values give equal fingerprints
    within one audit, and nothing links them across audits.
    """

    length: int
    distinct: int
    insecure_prefix: bool
    entropy_bits: float
    fingerprint: str
    empty: bool = False

    @classmethod
    def of(cls, value: str, key: str) -> SecretInfo:
        """Describe ``value`` with fingerprint key ``key`` (hex)."""
        return cls(
            length=len(value),
            distinct=len(set(value)),
            insecure_prefix=value.startswith(INSECURE_PREFIX),
            entropy_bits=round(shannon_bits(value), 1),
            fingerprint=fingerprint(value, key),
            empty=not value,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SecretInfo:
        """Build from the probe's JSON object (unknown keys ignored)."""
        return cls(
            length=int(data.get("length", 0)),
            distinct=int(data.get("distinct", 0)),
            insecure_prefix=bool(data.get("insecure_prefix", False)),
            entropy_bits=float(data.get("entropy_bits", 0.0)),
            fingerprint=str(data.get("fingerprint", "")),
            empty=bool(data.get("empty", False)),
        )

    def describe(self) -> str:
        """``"50 chars, 38 distinct, ~262 bits, fingerprint 1a2b3c4d"``: safe to print."""
        if self.empty:
            return "empty"
        parts = [f"{self.length} chars", f"{self.distinct} distinct", f"~{self.entropy_bits:.0f} bits"]
        if self.insecure_prefix:
            parts.append(f"starts with {INSECURE_PREFIX!r}")
        parts.append(f"fingerprint {self.fingerprint}")
        return ", ".join(parts)


def shannon_bits(value: str) -> float:
    """Shannon entropy of ``value``'s character distribution, times its length, in bits."""
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    per_char = -sum(c / n * math.log2(c / n) for c in counts.values())
    return per_char * n


def fingerprint(value: str, key: str) -> str:
    """First 8 hex characters of HMAC-SHA256(key, value)."""
    digest = hmac.new(bytes.fromhex(key), value.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:FINGERPRINT_LEN]
