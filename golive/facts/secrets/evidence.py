"""Evidence from the value: can a literal be a secret at all, of which kind, and how sure.

A secret-looking name (``STATS_CACHE_KEY``, ``TOKEN_THROTTLE_RATE``, ``tokenize``) says
little: what decides is the value. :func:`judge` takes the name a literal is assigned to
and the literal, and returns a :class:`Judgement`:

* **not a secret** (``confidence`` None, ``why`` says what it is instead): an identifier, a
  class name, a dotted import path, a URL path, a URL without credentials, a format string,
  a regular expression, a stored password hash (``pbkdf2_sha256$...``), an AWS ARN,
  a boolean or null word, a number, a version, a rate or duration (``100/min``, ``10m``),
  a single English word or a phrase of words (``porter``, ``invalid_token``,
  ``smtp-password``), a value equal to its own name (``"show_keys"``), or a value shorter
  than its kind's minimum;
* **a secret of a kind**, each with its own test (:data:`KIND_RULES`): a Django key
  (``confirmed`` when it has the shape of :func:`django.core.management.utils.get_random_secret_key`
  or ``startproject``'s ``django-insecure-`` prefix), a password (at least 6 characters), a
  hex string, a base64 string, an API token (at least 12 characters, enough entropy per
  character): ``likely`` when long and random enough, ``possible`` otherwise.

Placeholders ("change-me") and public-by-design values (Stripe publishable keys) are
recognised before this, by :mod:`golive.facts.secrets.rules`: they are reported as information,
not judged here.

Sources: Django's ``get_random_secret_key`` (50 characters from
``abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)``,
https://github.com/django/django/blob/main/django/core/management/utils.py), Django's
``security.W009`` (a key is weak under 50 characters or 5 distinct ones,
https://docs.djangoproject.com/en/stable/ref/checks/#security), NIST SP 800-63B §5.1.1.2
(memorized secrets: at least 8 characters chosen by a person, 6 chosen at random;
https://pages.nist.gov/800-63-3/sp800-63b.html), and the entropy thresholds of
detect-secrets' high-entropy plugins (base64 4.5 bits, hex 3.0 bits per character,
https://github.com/Yelp/detect-secrets/blob/master/detect_secrets/plugins/high_entropy_strings.py),
taken lower here because a secret name already stands behind the value.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

from msgspec import Struct

from golive.model import Confidence

#: How :func:`golive.facts.secrets.rules.public_reason` starts: a value published on purpose.
PUBLIC_BY_DESIGN = "public by design"
#: ``get_random_secret_key()``'s alphabet.
DJANGO_KEY_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)")
DJANGO_INSECURE = "django-insecure-"
#: Names of a Django signing key (the upper-cased name, or its end).
DJANGO_KEY_NAMES = ("SECRET_KEY", "DJANGO_SECRET_KEY", "SECRET_KEY_FALLBACKS", "DJANGO_KEY")
PASSWORD_NAME = re.compile(r"PASSW|PASSPHRASE|PWD|(^|_)PASS($|_)", re.IGNORECASE)


def refused_by_its_service(names: list[str], placeholder: str) -> bool:
    """True when a value described by ``placeholder`` (a value-placeholder reason of
    :func:`golive.facts.secrets.rules.placeholder_reason`, e.g. "a pattern, not a random value")
    cannot work as the credential named ``names`` (setting, variable or dict-key names, any
    case): a placeholder of a third-party key or token is refused by the service that issues
    it, so using it fails loudly. A Django signing key (Django signs with any string), a
    password (a database or mail server may be set up with the same value) and a well-known
    default value (``postgres``, ``admin``) or a short value work silently: False.
    """
    if not placeholder or placeholder.startswith(("well-known default value", "shorter than")):
        return False
    upper = [n.upper() for n in names if n]
    return not any(n in DJANGO_KEY_NAMES or PASSWORD_NAME.search(n) for n in upper)


class KindRule(Struct, frozen=True):
    """What a value of one kind must be: at least ``min_length`` characters and
    ``min_bits`` of Shannon entropy per character to be a secret at all; ``likely_length``
    characters and ``likely_bits`` in all to be a ``likely`` one."""

    min_length: int
    min_bits: float
    likely_length: int
    likely_bits: float


#: kind → its test (see the module docstring for the sources).
KIND_RULES = {
    "django-key": KindRule(min_length=16, min_bits=3.0, likely_length=32, likely_bits=128.0),
    "password": KindRule(min_length=6, min_bits=2.0, likely_length=10, likely_bits=36.0),
    "hex": KindRule(min_length=16, min_bits=2.8, likely_length=32, likely_bits=100.0),
    "base64": KindRule(min_length=20, min_bits=3.5, likely_length=24, likely_bits=100.0),
    "token": KindRule(min_length=12, min_bits=3.0, likely_length=20, likely_bits=80.0),
}


class Judgement(Struct, frozen=True):
    """What the value says: ``confidence`` None when it cannot be a secret; ``kind`` a key
    of :data:`KIND_RULES`; ``why`` one line for evidence, never holding the value."""

    confidence: Confidence | None
    kind: str
    why: str

    @property
    def secret(self) -> bool:
        """True when the value can be a secret."""
        return self.confidence is not None


_WORDS = frozenset({"true", "false", "none", "null", "nil", "undefined", "yes", "no", "on", "off", "n/a"})
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_VERSION = re.compile(r"^[\^~<>=!v ]*\d+(?:\.[\dx*]+)+(?:[-+.\w]*)$")
_RATE = re.compile(r"^\d+\s*/\s*\d*\s*[A-Za-z]+$|^\d+\s*(?:ms|s|m|h|d|w|sec|min|hour|day)s?$", re.IGNORECASE)
_FORMAT_FIELD = re.compile(r"\{[A-Za-z_]?[\w.\[\]]*(?:![rsa])?(?::[^{}]*)?\}|%\(\w+\)[-#0 +]*\d*[sdifrx]")
_PRINTF = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifrx]")
#: ``@@NAME@@`` only counts whole: a Django key may start with ``@@`` (its alphabet has ``@``).
_REFERENCE_START = ("{{", "<%", "#{", "${")
_AT_REFERENCE = re.compile(r"^@@\w+@@$")
_ENV_REFERENCE = re.compile(r"^\$[A-Z_][A-Z0-9_]*$|^\$[a-z_]+$")  # $DB_PASSWORD, $password; not $TWABuaH13K4
_PATHLIKE_START = ("/", "./", "../", "~/", "file:", "\\\\")
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:\\")
_FILE_SUFFIXES = (
    ".pem",
    ".key",
    ".crt",
    ".cer",
    ".json",
    ".txt",
    ".p12",
    ".pfx",
    ".gpg",
    ".asc",
    ".py",
    ".yml",
    ".yaml",
)
_DOTTED = re.compile(r"^[A-Za-z_][\w]*(?:[.:][A-Za-z_][\w]*)+$")
_SPLIT = re.compile(r"[\s_\-./:@,;+?!|()<>\[\]$#&*=~^]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_ALPHA_DIGITS = re.compile(r"^([A-Za-z]+)(\d{1,2})$")
_VOWELS = frozenset("aeiouyAEIOUY")
_CONSONANT_RUN = re.compile(r"[^aeiouy]{5,}")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
#: A stored password hash: Django's ``algorithm$...`` (https://docs.djangoproject.com/en/stable/topics/auth/passwords/#how-django-stores-passwords),
#: modular crypt (``$2b$``, ``$argon2id$``, ``$6$``), LDAP ``{SSHA}``. Not the password.
#: An AWS resource name (``arn:aws:iam::aws:policy/IAMUserChangePassword``) names, never holds.
_ARN = re.compile(r"^arn:aws[\w-]*:[\w-]*:")
_PASSWORD_HASH = re.compile(
    r"^(?:pbkdf2_sha256|pbkdf2_sha1|argon2|bcrypt_sha256|bcrypt|scrypt|sha1|md5|unsalted_sha1|unsalted_md5|crypt)\$"
    r"|^\$(?:2[abxy]?|argon2(?:id|i|d)|[156]|y|scrypt)\$|^\{(?:S?SHA|SSHA\d+|CRYPT|PBKDF2[\w-]*)\}"
)
#: Regular-expression syntax: a group (``(?:``, ``(?=``, ``(?P<``), an escaped class with a
#: quantifier (``\w+``) or a class of ranges with one (``[0-9a-z]+``) says so alone; a class
#: with a quantifier, an escape (``\d``), ``.*`` or ``{2,5}`` only two together (a random
#: password holds one of those by chance).
_REGEX_STRONG = re.compile(
    r"\(\?(?:[:=!]|<[=!]|P<)|\\[wdsWDS][+*]|\[\^[^\]]*\][+*]|\[[^\]]*(?:0-9|a-z|A-Z)[^\]]*\][+*?{]"
)
_REGEX_WEAK = re.compile(r"\[[^\]]+\][+*?{]|\\[wdsbWDSB]|\.\*|\{\d+,\d*\}")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$|^[A-Za-z0-9_-]+={0,2}$")


def bits_per_char(value: str) -> float:
    """Shannon entropy of ``value``'s characters, in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def classes(value: str) -> int:
    """How many of lower case, upper case, digits and other characters ``value`` uses."""
    return sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        )
    )


#: Words without vowels that read as words in identifiers.
ACRONYMS = frozenset(
    """
    smtp http https html xml css js sql db dns jwt ssh tls ssl pwd pw id ids pk sk cdn crm cms csv sms
    mfa nfs fs tcp rpc grpc ws wss hmac sftp ftp txt cfg pg px str src dst ctx msg mgr nr pkg cls img
    btn svc tmp mgmt cnt num rgb xhr dom npm pypi gpg pgp crsf csrf xsrf xss
    """.split()  # noqa: SIM905
)
#: Upper-case humps that read as words inside a camel-case name (``XMLHttpRequest``,
#: ``parseJSONResponse``): known acronyms only, so that ``TilEZHMYlc`` is not a name.
CAMEL_ACRONYMS = ACRONYMS | frozenset(
    """
    api url uri uuid json yaml io ui os pdf aws gcp oauth cors rest utc gmt ip udp tcp ok id
    iam arn kms sns sqs ses sso ec2 s3 rds vpc acm ecs eks elb dns mfa otp totp saml oidc ldap
    """.split()  # noqa: SIM905
)


#: Letter pairs that make up 99.5 % of the pairs in the words (3+ letters) of the identifiers
#: and comments of CPython's standard library and Django (computed once; 387 of 676 pairs).
#: A part of a value with more pairs outside this set than one per 8 letters is not a word.
COMMON_BIGRAMS = frozenset(
    """
    aa ab ac ad ae af ag ai ak al am an ap ar as at au av aw ax ay az ba bb bc bd be bi bj bl bn bo br
    bs bu by ca cc cd ce cf ch ci ck cl cm co cp cr cs ct cu cy da db dc dd de df dg di dj dl dm dn do
    dp dr ds dt du dx dy ea eb ec ed ee ef eg eh ei ek el em en eo ep eq er es et eu ev ew ex ey fa fc
    fd fe ff fi fl fn fo fr fs ft fu fy ga gc ge gg gh gi gl gm gn go gr gs gt gu gy ha he hi hl hm ho
    hr hs ht hu hy ia ib ic id ie if ig ik il im in io ip iq ir is it iv ix iz ja je jo js ju ka ke ki
    kl km kn ks ku kw la lb lc ld le lf lg li ll ln lo lp lr ls lt lu lv lw ly ma mb md me mi ml mm mn
    mo mp mr ms mt mu my na nb nc nd ne nf ng nh ni nk nl nm nn no np ns nt nu nv ny oa ob oc od oe of
    og oi oj ok ol om on oo op or os ot ou ov ow ox oy pa pc pd pe pf ph pi pl pm po pp pr ps pt pu py
    ql qr qu ra rb rc rd re rf rg rh ri rk rl rm rn ro rp rr rs rt ru rv rw ry sa sc sd se sf sg sh si
    sk sl sm sn so sp sq sr ss st su sv sw sy ta tc td te tf th ti tl tm tn to tp tr ts tt tu tw tx ty
    ua ub uc ud ue uf ug ui ul um un uo up ur us ut va ve vi vo vp wa we wh wi wl wn wo wr ws xa xc xe
    xi xm xp xt xy ya yc yd ye yg yi yl ym yn yo yp yr ys yt yw za ze zi zo
    """.split()  # noqa: SIM905
)


def _wordlike(part: str, humped: bool = False) -> bool:
    """True for a part that reads as a word (``stats``, ``Strategy``, ``oauth2``, ``SMTP``);
    ``humped`` when it is one hump of a camel-case chunk (then it needs its vowels: only a
    lower-case word such as ``string`` may have one vowel in six letters)."""
    if part.isdigit():
        return len(part) <= 4
    m = _ALPHA_DIGITS.match(part)
    if m:
        part = m.group(1)
    if not part.isalpha() or not (part.islower() or part.isupper() or part.istitle()):
        return False
    lower = part.lower()
    if lower in ACRONYMS or len(part) == 1:
        return True
    vowels = sum(c in _VOWELS for c in part)
    if len(part) <= 4:
        return vowels > 0
    odd = sum(1 for a, b in itertools.pairwise(lower) if a + b not in COMMON_BIGRAMS)
    ratio = vowels / len(part)  # "string" has one vowel in six letters, all of them common pairs
    plausible = 0.2 <= ratio <= 0.75 or (vowels and ratio < 0.2 and odd == 0 and not humped)
    return bool(plausible) and not _CONSONANT_RUN.search(lower) and odd <= len(part) // 8


def is_words(value: str) -> bool:
    """True when ``value`` is an identifier, a class name or a phrase made of words.

    Split at ``_ - . / : @ , ; + ? ! | ( ) < > [ ]`` and white space into chunks, and chunks at their
    camel-case humps, every part must read as a word: letters in one case (or
    capitalised) with vowels among them (or a known acronym: ``smtp``, ``jwt``), a short
    number at most (``oauth2``, ``v1``, ``2024``); a one-letter hump only starts a chunk
    (``aToken``). A random string has parts that do not (``k3J9x…``, ``rqcLCwis``).
    """
    chunks = [c for c in _SPLIT.split(value) if c]
    if not chunks:
        return False
    for chunk in chunks:
        parts = [p for p in _CAMEL.split(chunk) if p]
        humped = len(parts) > 1
        if any(len(p) == 1 and p.isalpha() for p in parts[1:]):
            return False
        letters = [p for p in parts if p.isalpha()]
        if len(letters) >= 3 and sum(map(len, letters)) / len(letters) < 3:
            return False  # aBcDeF, arIdYOTem: humps too short for words
        if humped and any(len(p) > 1 and p.isupper() and p.lower() not in CAMEL_ACRONYMS for p in parts):
            return False  # an upper-case hump is a known acronym (XMLHttp), not OJyDNALDSPOK
        if len(parts) >= 3 and len(parts[0]) == 1 and parts[0] not in ("I", "A", "a"):
            return False  # IAmSensitive and aNewToken are names, gBbccePikdLpya is not
        if not all(_wordlike(p, humped) for p in parts):
            return False
    return True


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def not_secret(name: str, value: str) -> str:
    """What ``value`` is when it cannot be a secret (``"a dotted path"``), else ``""``.

    ``name`` is the setting, key or variable it is assigned to (``""`` when none).
    """
    text = value.strip()
    if not text:
        return "empty"
    if text.lower() in _WORDS:
        return "a boolean or null word"
    if text.startswith(_REFERENCE_START) or _ENV_REFERENCE.match(text) or _AT_REFERENCE.match(text):
        return "a reference to another value"
    if text.startswith(_PATHLIKE_START) or _WINDOWS_PATH.match(text):
        return "a path"
    if "://" in text and "@" not in text:
        return "a URL without credentials"
    if _NUMBER.match(text) and len(text) < 16:
        return "a number"
    if _VERSION.match(text):
        return "a version"
    if _RATE.match(text):
        return "a rate or duration"
    if name and _normal(text) == _normal(name.rsplit(".", 1)[-1]):
        return "its own name"
    if any(c.isspace() for c in text):
        return "prose"
    if text.lower().endswith(_FILE_SUFFIXES) and is_words(text.rsplit(".", 1)[0]):
        return "a file name"
    if _ARN.match(text):
        return "an AWS resource name (ARN)"
    if _PASSWORD_HASH.match(text):
        return "a stored password hash, not a password"
    if _REGEX_STRONG.search(text) or len(set(_REGEX_WEAK.findall(text))) >= 2:
        return "a regular expression"
    if _FORMAT_FIELD.search(text):
        return "a format string"
    printf = _PRINTF.sub("", text)
    if printf != text and (not printf.strip("-_.:/ ") or is_words(printf)):
        return "a format string"
    if _DOTTED.match(text) and is_words(text):
        return "a dotted path"
    if is_words(text):
        return "an identifier, word or phrase"
    return ""


def kind_of(name: str, rule: str, value: str) -> str:
    """The kind of secret ``value`` would be: a key of :data:`KIND_RULES`.

    By the name first (a Django key, a password), then by the value's alphabet (hex,
    base64), else an API token. ``rule`` ``url-password`` is a password.
    """
    upper = name.upper().rsplit(".", 1)[-1]
    if value.startswith(DJANGO_INSECURE) or upper in DJANGO_KEY_NAMES or upper.endswith("_DJANGO_SECRET_KEY"):
        return "django-key"
    if rule == "url-password" or PASSWORD_NAME.search(upper):
        return "password"
    if _HEX.match(value):
        return "hex"
    if _BASE64.match(value) and any(c in value for c in "+/=") and len(value) >= 20:
        return "base64"
    return "token"


def _is_django_key(value: str) -> bool:
    """The shape of ``get_random_secret_key()``: 40+ characters from its alphabet, random."""
    return len(value) >= 40 and set(value) <= DJANGO_KEY_ALPHABET and bits_per_char(value) >= 4.0


def judge(name: str, value: str, rule: str = "assigned-literal") -> Judgement:
    """Judge ``value``, a literal assigned to ``name`` (found by ``rule``): see the module
    docstring. Never raises; ``why`` never holds the value."""
    kind = kind_of(name, rule, value)
    if kind == "django-key" and value.startswith(DJANGO_INSECURE):
        return Judgement(Confidence.CONFIRMED, kind, "startproject's django-insecure- key format")
    if kind == "django-key" and _is_django_key(value):
        return Judgement(Confidence.CONFIRMED, kind, "the shape of Django's get_random_secret_key()")
    what = not_secret(name if rule != "url-password" else "", value)
    if what:
        return Judgement(None, kind, f"not a secret: {what}")
    test = KIND_RULES[kind]
    bits = bits_per_char(value)
    if len(value) < test.min_length:
        return Judgement(None, kind, f"not a secret: shorter than a {kind} ({test.min_length}+ characters)")
    if bits < test.min_bits:
        return Judgement(
            None, kind, f"not a secret: too regular for a {kind} ({bits:.1f} bits per character)"
        )
    total = bits * len(value)
    shape = f"{len(value)} chars, {classes(value)} character class(es), ~{total:.0f} bits"
    if len(value) >= test.likely_length and total >= test.likely_bits:
        return Judgement(Confidence.LIKELY, kind, f"random-looking {kind}: {shape}")
    return Judgement(Confidence.POSSIBLE, kind, f"could be a {kind}: {shape}")
