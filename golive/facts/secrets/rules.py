"""What a secret looks like, and what a placeholder looks like.

Three families of rules, all line-oriented (so they apply to whole files and to the
added lines of a diff alike):

* **token formats** (:data:`TOKEN_FORMATS`, the table of :mod:`golive.facts.secrets.token_formats`):
  credentials whose shape is published by their vendor (cloud, payment, mail, messaging,
  code hosting, monitoring and AI API keys and tokens, each row with its source) and
  private key blocks (RFC 7468). Their prefix is public, so it may be shown (``sk_live_…``);
* **Django-aware name rules** (in :mod:`golive.collectors.git.scanner`): a secret-named setting,
  dict key or variable (:func:`secret_name`) assigned a literal, including the default of
  an environment lookup (``os.environ.get("X", "<literal>")``, ``env(..., default=)``,
  ``config(..., default=)``), ``.env``-style ``KEY=value`` lines, and passwords inside
  URLs (``postgres://user:pass@host``, ``redis://:pass@host``);
* **placeholders** (:func:`placeholder_reason`): "change-me", "xxx", "<your-key>",
  documented example keys, patterned values (hex words such as ``deadbeef``, one short unit
  repeated, a run such as ``1234…``/``abcdef…``) and the like, which are reported as
  ``info``, not failures.

Sources: AWS IAM identifiers
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids),
Stripe API keys (https://docs.stripe.com/keys), GitHub token formats
(https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/),
Slack token types (https://api.slack.com/authentication/token-types), SendGrid API keys
(https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys), Google API keys
(https://cloud.google.com/docs/authentication/api-keys), GitLab token prefixes
(https://docs.gitlab.com/ee/security/tokens/), PyPI API tokens (https://pypi.org/help/#apitoken),
RFC 7468 (textual encodings of private keys), Django's settings reference
(https://docs.djangoproject.com/en/stable/ref/settings/).
"""

from __future__ import annotations

import functools
import itertools
import re

from golive.facts.secrets import is_secret_name
from golive.facts.secrets.evidence import is_words
from golive.facts.secrets.token_formats import TOKEN_FORMATS, TOKENS_BY_RULE, TokenFormat

__all__ = ["TOKENS_BY_RULE", "TOKEN_FORMATS", "TokenFormat"]


#: Vendor token formats live in :mod:`golive.facts.secrets.token_formats` (a table with the
#: source of each row), imported above for the modules that take them from the rules.

#: ``-----BEGIN RSA PRIVATE KEY-----`` and friends (RFC 7468, OpenSSH, PGP).
PRIVATE_KEY_RE = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
PRIVATE_KEY_RULE = "private-key"
PRIVATE_KEY_LABEL = "private key block"
#: Base64 body of a private key block (what is fingerprinted: its first 64 characters).
KEY_BODY_RE = re.compile(r"[A-Za-z0-9+/=]{16,}")

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


#: Names that match :func:`golive.facts.secrets.is_secret_name` but name no secret value.
_NOT_SECRET_SUFFIXES = (
    "_FILE",
    "_PATH",
    "_DIR",
    "_URL",
    "_URI",
    "_NAME",
    "_ENV",
    "_VAR",
    "_HEADER",
    "_FIELD",
    "_LENGTH",
    "_TIMEOUT",
    "_AGE",
    "_EXPIRY",
    "_EXPIRES",
    "_LIFETIME",
    "_TTL",
    "_PREFIX",
    "_ALGORITHM",
    "_TYPE",
    "_CLASS",
    "_BACKEND",
    "_HASHERS",
    "_VALIDATORS",
    "_TEMPLATE",
    "_ID",
    "_REQUIRED",
    "_ENABLED",
    "_HELP_TEXT",
    "_LABEL",
    "_MIN_LENGTH",
    "_RATE",
    "_STRATEGY",
    "_CACHE_KEY",
    "_KEY_NAME",
    "_PARAM",
    "_QUERY_PARAM",
)
#: ``tokenize``, ``tokenizer``, ``passthrough``: a secret word inside another word.
#: Camel-case names of a Kubernetes Secret object, not of its content: a Helm chart's
#: ``existingSecret``/``existingSecretPasswordKey``, CloudNativePG's ``serverTLSSecret``,
#: ``serverCASecret`` (https://cloudnative-pg.io/documentation/current/certificates/),
#: ``secretName``, ``secretKeyRef``. ``clientSecret`` or ``webhookSecret`` hold secrets.
_K8S_SECRET_REFERENCE = re.compile(
    r"^existingSecret|(?:TLS|Tls|CA|Ca|Cert)Secret$|^secretName$|SecretName$|(?:^s|S)ecret(?:Key)?Ref$"
)
_NOT_SECRET_WORDS = re.compile(r"TOKENI[SZ]|PASSTHR|PASSAGE|PASSENGER|BYPASS|COMPASS|PASSIVE", re.IGNORECASE)
#: Names of secrets in lower/camel case code (``password=``, ``apiKey``): strong words only.
_STRONG_WORDS = re.compile(
    r"secret|passw|passphrase|pwd|token|api_?key|private_?key|access_?key|auth_?key|credential",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=8192)
def secret_name(name: str) -> bool:
    """True when a setting, dict key, variable or keyword argument named ``name`` holds a secret.

    Upper-case names (settings, constants, environment variables) follow
    :func:`golive.facts.secrets.is_secret_name`, minus names that describe a secret instead of
    holding one (``*_FILE``, ``*_URL``, ``*_TIMEOUT``, ...) and the bare word ``KEY``;
    lower- and camel-case names need a strong word (password, token, api key, ...) so that
    ``cache_key`` or ``sort_key`` in code are not taken for secrets, and names of a
    Kubernetes Secret object (``existingSecret``, ``serverTLSSecret``) are not its content.
    """
    bare = name.strip().strip("\"'").rsplit(".", 1)[-1]
    if not bare or bare.upper() in ("KEY", "KEYS"):
        return False
    upper = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", bare).upper().replace("-", "_")
    if upper.endswith(_NOT_SECRET_SUFFIXES) or not is_secret_name(upper) or _NOT_SECRET_WORDS.search(upper):
        return False
    if bare == bare.upper():
        return True
    return bool(_STRONG_WORDS.search(bare)) and not _K8S_SECRET_REFERENCE.search(bare)


_IDENTIFIER = re.compile(r"^[A-Z][A-Z0-9_]{2,}$")
_DOTTED = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$")
#: ``@@NAME@@`` only counts whole: a Django key may start with ``@@`` (its alphabet has ``@``).
_REFERENCE_START = ("{{", "<%", "#{", "${")
_AT_REFERENCE = re.compile(r"^@@\w+@@$")
#: ``$VAR`` and ``%(name)s`` as the whole value or its start; a Django key may start with
#: ``$`` or ``%`` (get_random_secret_key draws from ``!@#$%^&*(-_=+)`` too), so a bare
#: ``$`` is not enough to call the value a reference.
_REFERENCE_RE = re.compile(r"^\$[A-Z_][A-Z0-9_]*$|^\$[a-z_]+$|^%\(\w+\)[sdrif]")
_PATHLIKE_START = ("/", "./", "../", "~/", "file:")
_FILE_SUFFIXES = (".pem", ".key", ".crt", ".cer", ".json", ".txt", ".p12", ".pfx", ".gpg", ".asc")
_WORDS = frozenset({"true", "false", "none", "null", "nil", "undefined", "yes", "no", "on", "off"})


def plausible_value(value: str) -> bool:
    """True when a literal assigned to a secret-named name may be a secret value.

    Not: empty or 1–2 characters, prose (whitespace), references to other values
    (``${VAR}``, ``{{ var }}``, ``%(name)s``, an environment variable's name such as
    ``"DJANGO_SECRET_KEY"``, a dotted import path), file paths and file names, URLs
    without credentials, booleans and null words. Placeholders *are* plausible: they are
    recognised later and reported as info.
    """
    if len(value) < 3 or any(c.isspace() for c in value):
        return False
    if value.startswith(_REFERENCE_START) or _REFERENCE_RE.match(value) or value.startswith(_PATHLIKE_START):
        return False
    if _AT_REFERENCE.match(value):
        return False
    if value.lower() in _WORDS or _IDENTIFIER.match(value) or (_DOTTED.match(value) and is_words(value)):
        return False  # a dotted path is made of words; a JWT (eyJ...) is not
    if value.lower().endswith(_FILE_SUFFIXES):
        return False
    if "://" in value and "@" not in value:
        return False
    return not re.match(r"^[A-Za-z]:\\", value)


def public_prefix(rule: str, value: str) -> str:
    """The public prefix of a token-format ``value`` (``"sk_live_"``), or ``""``."""
    fmt = TOKENS_BY_RULE.get(rule)
    if fmt is None:
        return ""
    m = fmt.prefix.match(value)
    return m.group(0) if m else ""


#: Folder names of test code and its data (a security scanner's ``unittests/scans/<tool>/``).
TEST_DIRS = frozenset(
    {
        "tests",
        "test",
        "testing",
        "fixtures",
        "spec",
        "specs",
        "__tests__",
        "unittests",
        "unittest",
        "unit_tests",
        "unit_test",
        "test_data",
        "tests_data",
        "testdata",
    }
)
TEST_SUFFIXES = ("_test.py", "_tests.py", ".spec.js", ".spec.ts", ".test.js", ".test.ts", "_spec.rb")


def is_test_path(path: str) -> bool:
    """True for test code and fixtures: a folder of :data:`TEST_DIRS` anywhere in the path
    (``tests/``, ``unittests/``, ``unit_tests/``, ``test_data/``, ``__tests__/``...),
    ``test_*.py``, ``*_test.py``, ``conftest.py``.

    Passwords assigned by name in test code are test fixtures (``create_user(password=
    "...")``) and reported as info; a vendor token format is reported wherever it is.
    """
    parts = path.lower().split("/")
    name = parts[-1]
    if any(p in TEST_DIRS for p in parts[:-1]):
        return True
    return name.startswith("test_") or name in ("tests.py", "conftest.py") or name.endswith(TEST_SUFFIXES)
