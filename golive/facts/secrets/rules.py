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
* **placeholders** (:func:`placeholder_reason`, in :mod:`golive.facts.secrets.placeholders`
  with the public-by-design values, re-exported here): "change-me", "xxx", "<your-key>",
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
import re

from golive.facts.secrets import is_secret_name
from golive.facts.secrets.evidence import is_words
from golive.facts.secrets.placeholders import (
    DOCUMENTED_EXAMPLES,
    PATTERN_REASON,
    PLACEHOLDER_MARKERS,
    PLACEHOLDER_VALUES,
    PUBLIC_VALUES,
    VALUE_PLACEHOLDER_REASONS,
    is_value_placeholder,
    placeholder_reason,
    public_reason,
)
from golive.facts.secrets.token_formats import TOKEN_FORMATS, TOKENS_BY_RULE, TokenFormat

__all__ = [
    "DOCUMENTED_EXAMPLES",
    "PATTERN_REASON",
    "PLACEHOLDER_MARKERS",
    "PLACEHOLDER_VALUES",
    "PUBLIC_VALUES",
    "TOKENS_BY_RULE",
    "TOKEN_FORMATS",
    "VALUE_PLACEHOLDER_REASONS",
    "TokenFormat",
    "is_value_placeholder",
    "placeholder_reason",
    "public_reason",
]


#: Vendor token formats live in :mod:`golive.facts.secrets.token_formats` (a table with the
#: source of each row), imported above for the modules that take them from the rules.

#: ``-----BEGIN RSA PRIVATE KEY-----`` and friends (RFC 7468, OpenSSH, PGP).
PRIVATE_KEY_RE = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
PRIVATE_KEY_RULE = "private-key"
PRIVATE_KEY_LABEL = "private key block"
#: Base64 body of a private key block (what is fingerprinted: its first 64 characters).
KEY_BODY_RE = re.compile(r"[A-Za-z0-9+/=]{16,}")

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
