"""What a placeholder looks like, and what a value published on purpose looks like.

A committed value such as "change-me", "xxx", "<your-key>", a vendor's documented example
key, a patterned value (hex words such as ``deadbeef``, one short unit repeated, a run such
as ``1234…``/``abcdef…``) is no secret: :func:`placeholder_reason` says why, and the
findings that hold one are information, not failures. :func:`public_reason` recognises
values meant to be public (Stripe publishable keys, a Sentry DSN's public key, reCAPTCHA's
test keys, OAuth client ids). Both are re-exported by :mod:`golive.facts.secrets.rules`.

Sources: AWS's documented example keys
(https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html), Stripe API keys
(https://docs.stripe.com/keys), GitHub's REST authentication page
(https://docs.github.com/en/rest/authentication/authenticating-to-the-rest-api), Google's
reCAPTCHA FAQ (https://developers.google.com/recaptcha/docs/faq), Sentry's DSN
(https://docs.sentry.io/concepts/key-terms/dsn-explainer/).
"""

from __future__ import annotations

import itertools
import re

#: Documented example credentials: published by their vendors for their docs.
DOCUMENTED_EXAMPLES = frozenset(
    {
        # https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AKIAI44QH8DHBEXAMPLE",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
        # https://docs.stripe.com/keys (the keys shown in Stripe's API reference)
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "pk_test_TYooMQauvdEDq54NiTphI7jx",
        "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
        "sk_test_26PHem9AhJZvU623DfE1x4sd",
        # https://docs.github.com/en/rest/authentication/authenticating-to-the-rest-api
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    }
)
#: Substrings that make a value a placeholder (compared lower-case).
PLACEHOLDER_MARKERS = (
    "change-me",
    "change_me",
    "changeme",
    "change-this",
    "change_this",
    "changethis",
    "replace-me",
    "replace_me",
    "replaceme",
    "your-",
    "your_",
    "yoursecret",
    "yourkey",
    "yourpassword",
    "xxxx",
    "dummy",
    "example",
    "placeholder",
    "redacted",
    "fixme",
    "not-a-secret",
    "not_a_secret",
    "notasecret",
    "not-a-real",
    "not_a_real",
    "fake",
    "insert-",
    "insert_",
    "put-your",
    "put_your",
    "-here",
    "_here",
    "demo_key",
    "demo-key",
    "****",
    "...",
    "…",
)
#: Whole values that are placeholders or well-known defaults (compared lower-case).
PLACEHOLDER_VALUES = frozenset(
    {
        "secret",
        "password",
        "passwd",
        "pass",
        "pwd",
        "test",
        "testing",
        "token",
        "key",
        "apikey",
        "api_key",
        "secret_key",
        "secretkey",
        "admin",
        "root",
        "postgres",
        "mysql",
        "django",
        "user",
        "guest",
        "foo",
        "bar",
        "baz",
        "foobar",
        "none",
        "null",
        "todo",
        "tbd",
        "xxx",
        "abc",
        "abc123",
        "123",
        "1234",
        "12345",
        "123456",
        "12345678",
        "qwerty",
        "letmein",
        "sample",
        "default",
        "s3cr3t",
        "supersecret",
        "topsecret",
        "mysecret",
        "mypassword",
        "changeit",
        "demo",
        "dev",
        "development",
        "local",
        "insecure",
        "secret123",
        "password123",
    }
)
_REPEATED = re.compile(r"^(.)\1*$")
#: ``xxx`` as a word of the value (``sk_live_xxx``, ``API-XXX-KEY``), not three x's inside a
#: random string (``...gbXxxGh...``: one random value in 1,500).
_XXX = re.compile(r"(?:^|[^A-Za-z0-9])[xX]{3,}(?:[^A-Za-z0-9]|$)")
_STRIPE_MODE = re.compile(r"^([sr]k)_live_")
#: Words people spell in hex digits to fill a key's slot (``deadbeef``, ``cafebabe``, ``0000``).
_HEX_WORDS = re.compile(r"^(?:dead|beef|cafe|babe|face|feed|f00d|c0de|d00d|fade|bead|deaf|bad|0000|ffff)+$")
_PATTERN_SEPARATORS = re.compile(r"[-_.:\s]+")
#: Why a patterned value is a placeholder (:func:`placeholder_reason`).
PATTERN_REASON = "a pattern, not a random value: hex words, a repeated unit or a run"
_ANGLE = re.compile(r"^<[^<>]+>$|^\[[^\[\]]+\]$|^\{[^{}]+\}$")


def placeholder_reason(value: str) -> str:
    """Why ``value`` is a placeholder rather than a real secret, or ``""`` when it is not.

    ``"documented example key"`` (a vendor's documented key, also with Stripe's mode
    switched to live), ``"shorter than 4 characters"``, ``"placeholder text 'change-me'"``,
    ``"well-known default value"``, ``"one repeated character"`` or ``"template marker"``. The reason
    never contains the value itself except for the marker word that was recognised.
    """
    if value in DOCUMENTED_EXAMPLES or _STRIPE_MODE.sub(r"\1_test_", value) in DOCUMENTED_EXAMPLES:
        return "documented example key"
    if len(value) < 4:
        return "shorter than 4 characters"
    lower = value.lower()
    if lower in PLACEHOLDER_VALUES:
        return "well-known default value"
    if _REPEATED.match(value):
        return "one repeated character"
    if _ANGLE.match(value.strip()):
        return "template marker"
    if _XXX.search(value):
        return "placeholder text 'xxx'"
    for marker in PLACEHOLDER_MARKERS:
        if marker in lower:
            return f"placeholder text {marker!r}"
    if _patterned(lower):
        return PATTERN_REASON
    return ""


def _follows(a: str, b: str) -> bool:
    """``b`` comes right after ``a`` in a typed run (``1``→``2``, ``9``→``0``/``a``, ``f``→``0``)."""
    return ord(b) == ord(a) + 1 or (a, b) in {("9", "0"), ("9", "a"), ("f", "0"), ("z", "a")}


def _patterned(lower: str) -> bool:
    """True for a value of 8+ characters (separators aside) that a person typed rather than
    drew: hex words (``deadbeef-dead-beef``), one unit of at most 8 characters repeated
    (``a1b2a1b2``, ``00000000``), or a run where 4 steps in 5 go to the next character
    (``1234567890``, ``abcdef0123``). A random value of that length matches by chance
    far less often than once in a million."""
    core = _PATTERN_SEPARATORS.sub("", lower)
    if len(core) < 8:
        return False
    if _HEX_WORDS.match(core):
        return True
    for n in range(1, min(8, len(core) // 2) + 1):
        if core == (core[:n] * (len(core) // n + 1))[: len(core)]:
            return True
    steps = sum(_follows(a, b) for a, b in itertools.pairwise(core))
    return steps >= 0.8 * (len(core) - 1)


#: How every reason :func:`placeholder_reason` gives begins: the value itself is a placeholder
#: (not merely a value sitting in test code or an example file).
VALUE_PLACEHOLDER_REASONS = (
    "documented example key",
    "shorter than 4 characters",
    "well-known default value",
    "one repeated character",
    "template marker",
    "placeholder text ",
    PATTERN_REASON,
)


def is_value_placeholder(reason: str) -> bool:
    """True when ``reason`` (a ``placeholder`` field) is one :func:`placeholder_reason` gives:
    the value is a placeholder wherever it sits."""
    return reason.startswith(VALUE_PLACEHOLDER_REASONS)


#: Values published on purpose: (what, source). Google's reCAPTCHA v2 test keys pass every
#: check on purpose (https://developers.google.com/recaptcha/docs/faq#id-like-to-run-automated-tests-with-recaptcha.-what-should-i-do).
PUBLIC_VALUES = {
    "6LeIxAcTAAAAAJcZVRqyHh4ik4ktpp-lxXVjLqn7": "Google's reCAPTCHA test site key",
    "6LeIxAcTAAAAAGG-vFI1TnRWxMZNFuojJ4WifJWe": "Google's reCAPTCHA test secret key",
}
_STRIPE_PUBLISHABLE = re.compile(r"^pk_(?:test|live)_[A-Za-z0-9]+$")
#: Mapbox public tokens (``pk.eyJ...``; secret ones are ``sk.``), Google OAuth client ids.
_MAPBOX_PUBLIC = re.compile(r"^pk\.eyJ[A-Za-z0-9_.-]+$")
_GOOGLE_CLIENT_ID = re.compile(r"^\d+-[a-z0-9]+\.apps\.googleusercontent\.com$")
#: python-social-auth's ``SOCIAL_AUTH_<BACKEND>_KEY`` is the OAuth client id (its secret is ``_SECRET``).
_SOCIAL_AUTH_KEY = re.compile(r"^SOCIAL_AUTH_\w+_KEY$")
#: ``https://<32 hex>@o1.ingest.sentry.io/2``: the DSN's user is its public key.
_SENTRY_DSN = re.compile(r"^https?://[0-9a-f]{32}@[\w.-]+(?::\d+)?/(?:[\w.-]+/)*\d+/?$")
_PUBLIC_NAME = re.compile(r"PUBLIC|PUBLISHABLE|(^|_)SITE_?KEY$", re.IGNORECASE)


def public_reason(name: str, value: str) -> str:
    """Why ``value`` is public by design (so not a leak), or ``""``.

    Stripe publishable keys ``pk_test_``/``pk_live_`` ("publishable keys are meant to be
    public", https://docs.stripe.com/keys), a Sentry DSN without a secret (its user part is
    the public key, https://docs.sentry.io/concepts/key-terms/dsn-explainer/), Google's
    reCAPTCHA test keys, Mapbox public tokens (``pk.``, https://docs.mapbox.com/help/dive-deeper/access-tokens/),
    Google OAuth client ids (``*.apps.googleusercontent.com``), python-social-auth's
    ``SOCIAL_AUTH_*_KEY`` (the client id, https://python-social-auth.readthedocs.io/en/latest/configuration/settings.html),
    and values whose name says they are public (``*_PUBLIC_KEY``, ``*_PUBLISHABLE_KEY``,
    ``RECAPTCHA_SITE_KEY``).
    """
    if value in PUBLIC_VALUES:
        return f"public by design: {PUBLIC_VALUES[value]}"
    if _STRIPE_PUBLISHABLE.match(value):
        return "public by design: a Stripe publishable key"
    if _SENTRY_DSN.match(value):
        return "public by design: a Sentry DSN's public key"
    if _MAPBOX_PUBLIC.match(value):
        return "public by design: a Mapbox public token"
    if _GOOGLE_CLIENT_ID.match(value):
        return "public by design: a Google OAuth client id"
    bare = name.strip().strip("\"'").rsplit(".", 1)[-1]
    if _SOCIAL_AUTH_KEY.match(bare):
        return f"public by design: {bare} is an OAuth client id (python-social-auth)"
    if bare and _PUBLIC_NAME.search(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", bare)):
        return f"public by design: its name ({bare}) says so"
    return ""
