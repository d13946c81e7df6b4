"""golive's runtime probe: load a Django project's settings and describe them as JSON.

golive runs this file as a script (``python settings_loader.py``) with the *audited
project's own interpreter*, in a subprocess whose working directory is the project.
It imports only the standard library and Django, never golive, and runs on Python
3.10-3.13 with Django 4.2-6.1.

Input: one JSON object on stdin::

    {"settings_module": "proj.settings", "project_dir": "/abs/proj",
     "output": "/abs/out.json", "fingerprint_key": "<hex>",
     "token_patterns": ["<regular expression>", ...]}

``token_patterns`` (optional) are vendor token formats (golive sends those of
``golive.facts.secrets.token_formats`` that need no name before them): a match inside any
setting's string is recorded as a SECRET at that setting's path and replaced by ``***``.
With ``"token_patterns_follow": true`` instead, the request is one line and the patterns
follow it on stdin (a JSON list, up to the end of stdin), read only when the first setting
is converted: golive starts the probe before it has loaded its token formats. The rest
of stdin is then read from a copy of the descriptor that the project's code and its
processes do not see (stdin itself becomes ``/dev/null``).

With ``"done_on_stdout": true``, the probe keeps stdout for golive: it points descriptor 1
at ``/dev/null`` before loading anything (golive discards what the project prints anyway)
and writes one line to a private copy of the original once the output is in place, so
that golive learns at once that it is done.

Output: one JSON object (UTF-8) written to ``output`` (never to stdout, where project
code may print). Keys: ``probe_version`` (1), ``python`` {version, executable},
``django_version``, ``settings_module``, ``settings_file``, ``error`` (null or {phase:
"import-django" | "settings" | "setup", type, message, file, line, hint}), ``settings``
(every UPPERCASE setting as JSON, redacted), ``secrets`` (dotted path -> SECRET),
``checks`` (Django's system checks, deployment checks included), ``checks_error``,
``error_templates``, ``admin_urls`` (+ ``urls_error`` when the URLconf is broken),
``wsgi_application``, ``asgi_application``, ``file_fields``, ``sentry_active``,
``sentry_imported`` (sentry_sdk was imported by the settings; null: not known),
``dev_tool_urls`` ([{route, module}]: URL prefixes including a development tool's URLconf),
``database_vendors``, ``secret_key_stable`` and ``secret_key_second_fingerprint`` (the
settings module evaluated a second time, in a fresh namespace: True when its SECRET_KEY has
the same fingerprint as the first load's, null when there is no string key or the second
load failed) and ``probe_errors`` (one "step: Type: message" per step that crashed).
Facts a failed phase prevented are null (``settings``/``secrets`` stay {},
``checks`` stays [] with ``checks_error`` saying why).

A SECRET is ``{length, distinct, insecure_prefix, entropy_bits, fingerprint, empty}``:
entropy is the Shannon entropy per character times the length; the fingerprint is the
first 8 hex characters of HMAC-SHA256 under ``fingerprint_key`` (random when missing).

Guarantees:
- No secret value is written. A setting or dict key whose name looks secret (KEY,
  SECRET, TOKEN, PASSWORD, PASS, AUTH, DSN, ...; minus an explicit allow-list) has its
  non-empty string values replaced by ``{"__secret__": SECRET}``; URL passwords (or a
  bare ``token@``) are replaced by ``***``; unknown objects become ``{"__type__": ...}``
  (never a repr); ``os.environ`` is never dumped. Error text from the project's code
  (``error``, ``checks_error``, ``urls_error``, ``probe_errors``, a setting that raised) is
  scrubbed (``***``) of every secret seen, every secret-named environment value and URL
  userinfo, and each of their parts split on ``: / @ ? # & = ; ,`` of 3+ characters.
  Django's check messages and other settings' strings are scrubbed of those secrets seen
  and secret-named environment values that look like secrets (16+ characters, or 8+ of two
  kinds; not a host, address, URL or path): a value is redacted in its own place, and replaced
  elsewhere only when it looks like a secret.
- ``project_dir`` goes first on ``sys.path`` and this script's own directory is removed
  from it; ``DJANGO_SETTINGS_MODULE`` is set to ``settings_module``.
- Exit status 0 whenever the output file was written, even when the settings failed;
  2 for unreadable input, 1 when the output could not be written.
- The output is written under a temporary name and renamed to ``output`` when complete:
  golive takes that rename as the probe's completion (stderr may be held open by any
  process the settings started) and then kills the probe's whole process group, so
  nothing the project's code started outlives the probe.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import importlib
import importlib.util
import json
import math
import os
import re
import sys
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

PROBE_VERSION = 1
MAX_DEPTH = 8
MESSAGE_MAX = 300
OBJ_MAX = 200
INSECURE_PREFIX = "django-insecure-"
ERROR_TEMPLATES = ("400.html", "403.html", "404.html", "500.html")
LEVEL_NAMES = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}

#: Names (settings, dict keys, environment variables) whose values are secrets.
SECRET_NAME_RE = re.compile(
    r"KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASS|CREDENTIAL|PRIVATE|AUTH|SIGNATURE|DSN|API_KEY",
    re.IGNORECASE,
)
#: Names matching the pattern above that hold no secret (matched against the whole name).
NOT_SECRET_NAME_RE = re.compile(
    r"AUTH_USER_MODEL|AUTHENTICATION_BACKENDS|AUTH_PASSWORD_VALIDATORS|PASSWORD_HASHERS"
    r"|PASSWORD_RESET_TIMEOUT(_DAYS)?|.*KEY_PREFIX|.*KEY_FUNCTION|SESSION_COOKIE_.*"
    r"|CSRF_COOKIE_.*|.*AUTHENTICATION_CLASSES",
    re.IGNORECASE,
)
#: scheme://userinfo@ ; userinfo runs to an "@" before any white space, so a password
#: holding "/", "?" or "#" (base64 output often does) is caught too. An "@" later in a
#: path or query over-redacts such a URL, which is the safe side.
URL_USERINFO_RE = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^\s@'\"]*)@")

Json = Any


def name_sensitivity(name: str) -> bool | None:
    """True if ``name`` looks secret, False if explicitly not secret, None if neutral."""
    if NOT_SECRET_NAME_RE.fullmatch(name):
        return False
    if SECRET_NAME_RE.search(name):
        return True
    return None


def one_line(text: str, limit: int = MESSAGE_MAX) -> str:
    """Collapse whitespace to single spaces and cut to ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe_exception(exc: BaseException) -> str:
    """``"Type: message"`` on one line."""
    return one_line(f"{type(exc).__name__}: {exc}")


def type_name(value: object) -> str:
    """``module.QualName`` of ``value``'s type."""
    cls = type(value)
    return f"{cls.__module__}.{cls.__qualname__}"


def secret_stats(value: str, key: bytes) -> dict[str, Json]:
    """Describe a secret without its value (see the module docstring)."""
    n = len(value)
    counts = Counter(value)
    per_char = -sum(c / n * math.log2(c / n) for c in counts.values()) if n else 0.0
    digest = hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return {
        "length": n,
        "distinct": len(counts),
        "insecure_prefix": value.startswith(INSECURE_PREFIX),
        "entropy_bits": round(abs(per_char * n), 1),
        "fingerprint": digest.hexdigest()[:8],
        "empty": n == 0,
    }


class Redactor:
    """Converts settings to JSON while recording every secret it hides."""

    def __init__(
        self,
        key: bytes,
        tokens: re.Pattern[str] | None = None,
        later: Callable[[], Json] | None = None,
    ) -> None:
        """``tokens``: the vendor token formats as one expression (:func:`token_pattern`);
        ``later``: or a function returning their list, called when the first string is
        converted (the patterns golive sends after the request)."""
        self.key = key
        self.tokens = tokens
        self.later = later
        self.secrets: dict[str, dict[str, Json]] = {}
        self.seen: set[str] = set()

    def record(self, path: str, value: str) -> dict[str, Json]:
        """Record ``value`` as a secret found at ``path`` and return its SECRET."""
        stats = secret_stats(value, self.key)
        unique, n = path, 1
        while unique in self.secrets:
            n += 1
            unique = f"{path}#{n}"
        self.secrets[unique] = stats
        self.seen.add(value)
        return stats

    def scrub_urls(self, text: str, path: str) -> str:
        """Replace the password (or a bare token) of every URL in ``text`` by ``***``."""

        def replace(match: re.Match[str]) -> str:
            userinfo = match.group("userinfo")
            user, colon, password = userinfo.partition(":")
            if colon and password:
                self.record(path, password)
                userinfo = f"{user}:***"
            elif not colon and userinfo:
                self.record(path, userinfo)
                userinfo = "***"
            return f"{match.group('scheme')}{userinfo}@"

        return URL_USERINFO_RE.sub(replace, text)

    def scrub_tokens(self, text: str, path: str) -> str:
        """Replace every vendor-format token in ``text`` by ``***``, recording each."""
        if self.later is not None:
            later, self.later = self.later, None
            self.tokens = token_pattern(later())
        if self.tokens is None:
            return text

        def replace(match: re.Match[str]) -> str:
            self.record(path, match.group(0))
            return "***"

        return self.tokens.sub(replace, text)

    def convert(self, value: object, path: str, sensitive: bool, depth: int = 0) -> Json:
        """JSON for ``value`` found at ``path``; ``sensitive`` if its name looks secret."""
        if value is None or isinstance(value, bool):
            return value
        if sensitive and isinstance(value, (int, float)):  # PASSWORD = 12345678 is a secret too
            return {"__secret__": self.record(path, str(value))}
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value) if math.isfinite(value) else str(value)
        if isinstance(value, PurePath):
            value = str(value)
        elif isinstance(value, (bytes, bytearray)):
            value = bytes(value).decode("latin-1")
        elif is_lazy_string(value):
            value = str(value)
        if isinstance(value, str):
            if sensitive and value:
                return {"__secret__": self.record(path, str(value))}
            return self.scrub_tokens(self.scrub_urls(str(value), path), path)
        if depth >= MAX_DEPTH:
            return {"__truncated__": type_name(value)}
        if isinstance(value, dict):
            out: dict[str, Json] = {}
            for k, v in value.items():
                key = dict_key(k)
                own = name_sensitivity(key)
                child = sensitive if own is None else own
                out[key] = self.convert(v, f"{path}.{key}", child, depth + 1)
            return out
        if isinstance(value, (list, tuple, set, frozenset)):
            items = [self.convert(v, f"{path}[{i}]", sensitive, depth + 1) for i, v in enumerate(value)]
            if isinstance(value, (set, frozenset)):
                items.sort(key=lambda item: json.dumps(item, sort_keys=True))
            return items
        return {"__type__": type_name(value)}


def dict_key(key: object) -> str:
    """A JSON object key for ``key`` (no repr of unknown objects)."""
    if key is None or isinstance(key, (str, int, float, bool)):
        return str(key)
    return f"<{type_name(key)}>"


def is_lazy_string(value: object) -> bool:
    """True for Django's lazy translation strings (``gettext_lazy``)."""
    try:
        from django.utils.functional import Promise
    except Exception:
        return False
    return isinstance(value, Promise)


def relative(path: str, project_dir: str) -> str:
    """``path`` relative to the project when it lies inside it, else absolute."""
    absolute = os.path.abspath(path)
    root = os.path.realpath(project_dir)
    real = os.path.realpath(absolute)
    if real == root or real.startswith(root + os.sep):
        return os.path.relpath(real, root)
    return absolute


def in_project(path: str, project_dir: str) -> bool:
    """True when ``path`` is the project's own code (not an installed package in it)."""
    if not os.path.isabs(path):  # "<frozen os>", "<string>"
        return False
    real = os.path.realpath(path)
    root = os.path.realpath(project_dir)
    if not real.startswith(root + os.sep):
        return False
    parts = real[len(root) :].split(os.sep)
    return "site-packages" not in parts and "dist-packages" not in parts


def error_location(exc: BaseException, project_dir: str) -> tuple[str | None, int | None]:
    """File (relative to the project) and line where ``exc`` arose in the project's code."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return relative(exc.filename, project_dir), exc.lineno
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and in_project(frame.filename, project_dir):
            return relative(frame.filename, project_dir), frame.lineno
    return None, None


def error_hint(exc: BaseException, settings_module: str, phase: str) -> str | None:
    """A one-line fix for common failures to load the settings."""
    if isinstance(exc, KeyError):
        return "set it in the environment or pass --env-file"
    if isinstance(exc, ModuleNotFoundError):
        name = exc.name or ""
        if (
            phase == "settings"
            and name
            and (settings_module == name or settings_module.startswith(name + "."))
        ):
            return "check --settings (module not found on the project's sys.path)"
        return f"install {name or 'the missing module'} in that interpreter or pass --python"
    if type(exc).__name__ == "ImproperlyConfigured":
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, ModuleNotFoundError) and cause.name:
            # e.g. "Error loading psycopg2 or psycopg module": a missing database driver
            return f"install {cause.name} in that interpreter or pass --python"
        return "fix the settings or pass --env-file"
    if isinstance(exc, SyntaxError):
        return "fix the syntax error"
    return None


def error_record(exc: BaseException, phase: str, settings_module: str, project_dir: str) -> dict[str, Json]:
    """The ``error`` object for an exception raised while loading the project."""
    file, line = error_location(exc, project_dir)
    return {
        "phase": phase,
        "type": type(exc).__name__,
        "message": one_line(str(exc)),
        "file": file,
        "line": line,
        "hint": error_hint(exc, settings_module, phase),
    }


def snapshot_settings(redactor: Redactor) -> dict[str, Json]:
    """Every UPPERCASE setting, converted and redacted (raw values, not LazySettings')."""
    from django.conf import settings

    names = sorted(name for name in dir(settings) if name.isupper())
    holder = getattr(settings, "_wrapped", settings)
    out: dict[str, Json] = {}
    for name in names:
        try:
            value = getattr(holder, name)
        except Exception as exc:
            out[name] = {"__error__": describe_exception(exc)}
            continue
        out[name] = redactor.convert(value, name, name_sensitivity(name) is True)
    return out


def run_checks() -> tuple[list[dict[str, Json]], str | None]:
    """Django's system checks with deployment checks, and an error line if they crashed.

    The messages come in the order ``manage.py check`` prints them (:func:`check_order`):
    Django's registry is a set of functions, so the order it runs them in follows their
    addresses in memory, which any change to what the process did before moves."""
    from django.core import checks

    try:
        messages = checks.run_checks(include_deployment_checks=True)
    except Exception as exc:
        return [], describe_exception(exc)
    out = []
    for msg in sorted(messages, key=check_order):
        obj = getattr(msg, "obj", None)
        hint = getattr(msg, "hint", None)
        out.append(
            {
                "id": msg.id,
                "level": msg.level,
                "level_name": LEVEL_NAMES.get(msg.level, str(msg.level)),
                "msg": str(msg.msg),
                "hint": None if hint is None else str(hint),
                "obj": None if obj is None else one_line(str(obj), OBJ_MAX),
                "silenced": bool(msg.is_silenced()),
            }
        )
    return out, None


def check_order(msg: Any) -> tuple[int, str]:
    """Where ``manage.py check`` prints message ``msg`` (a ``CheckMessage``): criticals,
    errors, warnings, infos, then debug messages, each group sorted by the message's text
    (``django.core.management.base.BaseCommand.check``)."""
    level = msg.level if isinstance(msg.level, int) else 0
    group = next((i for i, floor in enumerate((50, 40, 30, 20)) if level >= floor), 4)
    try:
        text = str(msg)
    except Exception:
        text = ""
    return group, text


def error_templates() -> dict[str, bool]:
    """Whether each of Django's error page templates can be found by the template loader."""
    from django.template.loader import get_template

    found: dict[str, bool] = {}
    for name in ERROR_TEMPLATES:
        try:
            get_template(name)
            found[name] = True
        except Exception:
            found[name] = False
    return found


def admin_urls() -> list[str]:
    """URL prefixes where an admin site (``app_name == "admin"``) is mounted."""
    from django.urls import URLResolver, get_resolver

    prefixes: list[str] = []

    def walk(patterns: list[Any], prefix: str, depth: int) -> None:
        for pattern in patterns:
            if not isinstance(pattern, URLResolver) or depth > 20:
                continue
            route = str(pattern.pattern).lstrip("^")
            if getattr(pattern, "app_name", None) == "admin":
                prefixes.append(prefix + route)
            else:
                walk(pattern.url_patterns, prefix + route, depth + 1)

    walk(get_resolver().url_patterns, "", 0)
    return prefixes


#: Development tools whose URLs must not be served in production (issue 13).
DEV_TOOL_PACKAGES = ("debug_toolbar", "silk", "django_browser_reload", "django_extensions")


def dev_tool_urls() -> list[dict[str, str]]:
    """The URL prefixes that include a development tool's URLconf: ``{"route": "__debug__/",
    "module": "debug_toolbar.urls"}`` for ``path("__debug__/", include("debug_toolbar.urls"))``."""
    from django.urls import URLResolver, get_resolver

    found: list[dict[str, str]] = []

    def walk(patterns: list[Any], prefix: str, depth: int) -> None:
        for pattern in patterns:
            if not isinstance(pattern, URLResolver) or depth > 20:
                continue
            route = str(pattern.pattern).lstrip("^")
            conf = pattern.urlconf_name
            name = conf if isinstance(conf, str) else getattr(conf, "__name__", "")
            if isinstance(name, str) and name.split(".")[0] in DEV_TOOL_PACKAGES:
                found.append({"route": prefix + route, "module": name})
            else:
                walk(pattern.url_patterns, prefix + route, depth + 1)

    walk(get_resolver().url_patterns, "", 0)
    return found


def file_fields() -> list[str]:
    """Every concrete ``FileField`` (ImageField included) as ``app_label.Model.field``."""
    from django.apps import apps
    from django.db.models import FileField

    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                found.append(f"{model._meta.app_label}.{model._meta.object_name}.{field.name}")
    return sorted(found)


def sentry_active() -> bool:
    """True when sentry_sdk is imported and has an active client."""
    sdk = sys.modules.get("sentry_sdk")
    if sdk is None:
        return False
    try:
        return bool(sdk.get_client().is_active())
    except Exception:
        try:
            return sdk.Hub.current.client is not None
        except Exception:
            return False


def database_vendors() -> dict[str, str | None]:
    """Vendor of each database alias, from its ENGINE string (never by connecting)."""
    from django.conf import settings

    vendors: dict[str, str | None] = {}
    for alias, config in (getattr(settings, "DATABASES", None) or {}).items():
        engine = config.get("ENGINE") if isinstance(config, dict) else None
        if not isinstance(engine, str) or not engine:
            vendors[str(alias)] = None
            continue
        last = engine.rsplit(".", 1)[-1]
        vendors[str(alias)] = "sqlite" if last == "sqlite3" else last
    return vendors


def app_setting(name: str) -> str | None:
    """A string setting (``WSGI_APPLICATION``...), or None."""
    from django.conf import settings

    value = getattr(settings, name, None)
    return value if isinstance(value, str) else None


def env_secret_values() -> set[str]:
    """Secret values of the environment: whole values (6+ characters) of variables whose
    names look secret, and the password or token inside any URL-valued variable
    (``DATABASE_URL=postgres://u:pw@h/db`` yields ``pw``), whatever its name.
    """
    found = {v for name, v in os.environ.items() if len(v) >= 6 and name_sensitivity(name) is True}
    for value in os.environ.values():
        for match in URL_USERINFO_RE.finditer(value):
            user, colon, password = match.group("userinfo").partition(":")
            secret = password if colon else user
            if len(secret) >= 4:
                found.add(secret)
    return found


#: Where a secret value is split into parts that are scrubbed from error text too.
PART_SEPARATORS_RE = re.compile(r"[:/@?#&=;,]")
#: Shortest whole secret, and shortest part of one, scrubbed from error text.
MIN_PART = 3


def secret_parts(value: str) -> set[str]:
    """``value`` and its parts split on ``: / @ ? # & = ; ,`` of 3 characters or more: what
    error text is scrubbed of for one secret (the same rule as ``golive.redact.secret_parts``,
    which this script cannot import)."""
    found = {value} if len(value) >= MIN_PART else set()
    found.update(p for p in PART_SEPARATORS_RE.split(value) if len(p) >= MIN_PART)
    return found


#: Environment variables whose values are secrets, for scrubbing error text: the rule of
#: ``golive.facts.secrets.is_secret_name`` (narrower than :data:`SECRET_NAME_RE`, which judges
#: settings: ``SSH_AUTH_SOCK`` or ``XAUTHORITY`` hold no secret, and their paths must stay
#: readable in an error message).
ENV_SECRET_NAME_RE = re.compile(
    r"(SECRET|PASSWORD|PASSWD|(^|_)PASS($|_)|TOKEN|API_?KEY|PRIVATE|CREDENTIAL|(^|_)DSN($|_)"
    r"|ACCESS_KEY|SIGNING_KEY|(^|_)KEY$)",
    re.IGNORECASE,
)
ENV_NOT_SECRET_NAMES = frozenset(
    {"SECRET_KEY_FALLBACKS", "PASSWORD_HASHERS", "PASSWORD_RESET_TIMEOUT", "AUTH_PASSWORD_VALIDATORS"}
    | {"SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "KEY_PREFIX", "KEY_FUNCTION", "TOKEN_EXPIRY"}
)

#: ``golive.facts.secrets.SECRET_VALUE_SUFFIXES``: the old signing keys are secret values.
ENV_SECRET_VALUE_SUFFIXES = ("SECRET_KEY_FALLBACKS",)


def env_secret_name(name: str) -> bool:
    """True when environment variable ``name`` holds a secret (see :data:`ENV_SECRET_NAME_RE`)."""
    upper = name.upper()
    if upper.endswith(ENV_SECRET_VALUE_SUFFIXES):
        return True
    if upper in ENV_NOT_SECRET_NAMES or upper.endswith("_KEY_FUNCTION"):
        return False
    return bool(ENV_SECRET_NAME_RE.search(upper))


def env_secret_parts() -> set[str]:
    """Every secret of the environment with its parts (see :func:`secret_parts`): values of
    variables whose names look secret (:func:`env_secret_name`), and the userinfo of every
    URL in any value."""
    found: set[str] = set()
    for name, value in os.environ.items():
        if env_secret_name(name):
            found |= secret_parts(value)
        for match in URL_USERINFO_RE.finditer(value):
            found |= secret_parts(match.group("userinfo"))
    return found


#: Shapes of values that are no secret even where a secret-named dict holds them: a host
#: name or dotted path, an IPv4/IPv6 address (with a port), a URL without userinfo, a path.
NOT_SECRET_SHAPES = re.compile(
    r"(?:[A-Za-z0-9_-]+\.)+[A-Za-z][A-Za-z0-9_-]*(?::\d+)?"
    r"|\[?[0-9A-Fa-f:.]+\]?(?::\d+)?"
    r"|[A-Za-z][A-Za-z0-9+.-]*://[^@\s]*"
    r"|[~.]?/\S*"
)


def looks_secret(value: str) -> bool:
    """True when ``value`` looks like a secret: 16+ characters, or 8+ of at least two kinds
    (lower case, upper case, digits, others), and not a host, address, URL or path
    (:data:`NOT_SECRET_SHAPES`). Only such values are replaced where they appear outside
    their own place (another setting, Django's messages): a host or a plain word kept under
    a secret-named dict is redacted there, never in ``CACHES`` or in ``'django-insecure-'``
    (issue 9, item 3)."""
    if len(value) < 8 or NOT_SECRET_SHAPES.fullmatch(value):
        return False
    if len(value) >= 16:
        return True  # a passphrase of one kind of character is still a secret
    kinds = (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    return sum(any(kind(c) for c in value) for kind in kinds) >= 2


def scrub(value: Json, targets: list[str]) -> Json:
    """``value`` with every occurrence of each target string replaced by ``***``."""
    if isinstance(value, str):
        for target in targets:
            if target in value:
                value = value.replace(target, "***")
        return value
    if isinstance(value, list):
        return [scrub(item, targets) for item in value]
    if isinstance(value, dict):
        return {scrub(k, targets): scrub(v, targets) for k, v in value.items()}
    return value


def scrub_url_userinfo(value: Json) -> Json:
    """``value`` with the userinfo of every URL in its strings replaced (``user:***@``, ``***@``)."""
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            user, colon, _ = match.group("userinfo").partition(":")
            return f"{match.group('scheme')}{user + ':***' if colon else '***'}@"

        return URL_USERINFO_RE.sub(replace, value)
    if isinstance(value, list):
        return [scrub_url_userinfo(item) for item in value]
    if isinstance(value, dict):
        return {k: scrub_url_userinfo(v) for k, v in value.items()}
    return value


def scrub_result(
    result: dict[str, Json], redactor: Redactor, env_values: set[str], env_parts: set[str] | None = None
) -> None:
    """Remove known secret values from the messages and the settings snapshot.

    Error text from the project's code (error, checks_error, urls_error, probe_errors, a
    setting that raised) is scrubbed of every secret seen, every secret of the environment
    (``env_parts``, see :func:`env_secret_parts`) and each of their parts of 3+ characters
    (:func:`secret_parts`; issue 9, item 2). Django's check messages and the settings
    snapshot are scrubbed only of the secrets seen and the secret-named environment values
    (:func:`env_secret_values`) that look like secrets (:func:`looks_secret`): a host or a
    word kept under a secret-named dict is redacted in its own place only (issue 9, item 3),
    and a weak password does not mangle dotted paths such as ENGINE (it is still reported as
    a SECRET).
    """
    seen = {v for v in redactor.seen if len(v) >= 4}
    targets = sorted(seen | env_values, key=len, reverse=True)
    # Elsewhere (Django's messages, other settings) only what looks like a secret is replaced.
    cross = [t for t in targets if looks_secret(t)]
    # Error text comes from the project's code: every secret and each of its parts goes.
    parts = set(env_parts or ())
    for value in redactor.seen:
        parts |= secret_parts(value)
    error_targets = sorted(parts | set(targets), key=len, reverse=True)
    for field in ("error", "checks_error", "urls_error", "probe_errors"):
        if result.get(field) is not None:
            result[field] = scrub_url_userinfo(scrub(result[field], error_targets))
    if result.get("checks") is not None:
        result["checks"] = scrub_url_userinfo(scrub(result["checks"], cross))
    for name, value in (result.get("settings") or {}).items():
        if isinstance(value, dict) and set(value) == {"__error__"}:
            result["settings"][name] = scrub_url_userinfo(scrub(value, error_targets))
    result["settings"] = scrub(result["settings"], cross)


def guarded(result: dict[str, Json], step: str, func: Callable[[], Json], field: str) -> None:
    """Run one step; on failure record ``"step: Type: message"`` in ``probe_errors``."""
    try:
        result[field] = func()
    except Exception as exc:
        result.setdefault("probe_errors", []).append(f"{step}: {describe_exception(exc)}")


def token_pattern(patterns: Json) -> re.Pattern[str] | None:
    """One expression of the vendor token formats golive sent (None: none, or unreadable)."""
    if not isinstance(patterns, list) or not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns if isinstance(p, str)))
    except re.error:
        return None


def probe(request: dict[str, Json], later_patterns: Callable[[], Json] | None = None) -> dict[str, Json]:
    """Load the project described by ``request`` and return the result object;
    ``later_patterns`` reads the token patterns that follow the request (:func:`read_request`)."""
    settings_module = str(request.get("settings_module") or "")
    project_dir = os.path.abspath(str(request.get("project_dir") or os.getcwd()))
    try:
        key = bytes.fromhex(str(request.get("fingerprint_key") or ""))
    except ValueError:
        key = b""
    redactor = Redactor(key or os.urandom(32), token_pattern(request.get("token_patterns")), later_patterns)
    env_values = env_secret_values()
    env_parts = env_secret_parts()
    result: dict[str, Json] = {
        "probe_version": PROBE_VERSION,
        "python": {
            "version": ".".join(str(part) for part in sys.version_info[:3]),
            "executable": sys.executable,
        },
        "django_version": None,
        "settings_module": settings_module,
        "settings_file": None,
        "error": None,
        "settings": {},
        "secrets": redactor.secrets,
        "checks": [],
        "checks_error": None,
        "error_templates": None,
        "admin_urls": None,
        "wsgi_application": None,
        "asgi_application": None,
        "file_fields": None,
        "sentry_active": False,
        "sentry_imported": None,
        "dev_tool_urls": None,
        "database_vendors": None,
        "secret_key_stable": None,
        "secret_key_second_fingerprint": None,
        "probe_errors": [],
        "packages": None,
    }
    guarded(result, "packages", installed_packages, "packages")
    try:
        load_and_describe(result, redactor, settings_module, project_dir)
    except Exception as exc:
        result["probe_errors"].append(f"probe: {describe_exception(exc)}")
    finally:
        scrub_result(result, redactor, env_values | env_secret_values(), env_parts | env_secret_parts())
    return result


def installed_packages() -> list[list[Json]]:
    """``[name, version, PEP 610 direct_url or None]`` of each distribution installed for this
    interpreter, as ``python -I`` sees them: the project directory, ``PYTHONPATH`` and the
    user site are left out (golive's dependencies collector reads this instead of starting
    an interpreter of its own only to list them). A ``NAME-VERSION.dist-info`` directory's
    name says both (PEP 427, PEP 491): its metadata is read, through
    ``importlib.metadata``, only for other layouts (``.egg-info``, a name the rule does not
    fit). That is a tenth of the time ``importlib.metadata.distributions()`` takes to parse
    every ``METADATA`` file, and a venv of wheels never imports ``importlib.metadata``
    (15 ms of the probe's CPU on Python 3.11)."""
    import site

    script_dir = os.path.dirname(os.path.abspath(__file__))
    skip = {os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
    skip |= {script_dir, os.path.abspath(getattr(site, "USER_SITE", None) or script_dir)}
    paths = [p for p in sys.path if p and os.path.abspath(p) not in skip]
    out: list[list[Json]] = []
    for path in paths:
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if not entry.name.endswith((".dist-info", ".egg-info")):
                continue
            name: str | None
            version: str | None
            name, sep, version = entry.name.rsplit(".", 1)[0].partition("-")
            if not (entry.name.endswith(".dist-info") and sep and version and "-" not in version):
                name, version = metadata_name_version(entry.path)  # read the metadata itself
            if name:
                direct = None
                direct_url = os.path.join(entry.path, "direct_url.json")
                if os.path.exists(direct_url):
                    try:
                        direct = json.loads(read_text(direct_url) or "null")
                    except ValueError:
                        direct = None
                out.append([name, version, direct])
    return out


def metadata_name_version(path: str) -> tuple[str | None, str | None]:
    """``(Name, Version)`` from the metadata of the distribution at ``path`` (a
    ``.dist-info`` or ``.egg-info`` directory or file), as ``importlib.metadata`` reads it."""
    import importlib.metadata as md
    from pathlib import Path

    dist = md.PathDistribution(Path(path))
    return dist.metadata["Name"], dist.version


def read_text(path: str) -> str | None:
    """The UTF-8 text of file ``path``, or None when it cannot be opened: what
    ``importlib.metadata.Distribution.read_text`` returns for a file of a distribution."""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None


def load_and_describe(
    result: dict[str, Json], redactor: Redactor, settings_module: str, project_dir: str
) -> None:
    """Steps 1-11: import Django, the settings, set up, then gather every fact."""
    script_dir = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [project_dir] + [
        p for p in sys.path if os.path.abspath(p or ".") not in (script_dir, project_dir)
    ]
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    try:
        import django
    except Exception as exc:
        error = error_record(exc, "import-django", settings_module, project_dir)
        error["hint"] = "install Django in that interpreter or pass --python"
        result["error"] = error
        return
    result["django_version"] = getattr(django, "__version__", None)

    try:
        module = importlib.import_module(settings_module)
        file = getattr(module, "__file__", None)
        result["settings_file"] = os.path.abspath(file) if file else None
    except (Exception, SystemExit) as exc:
        result["error"] = error_record(exc, "settings", settings_module, project_dir)
        result["checks_error"] = "not run: the settings could not be loaded"
        result["settings_file"] = module_origin(settings_module)
        return
    try:
        reload_secret_key(result, redactor.key, module, settings_module, project_dir)
    except (Exception, SystemExit) as exc:
        result["probe_errors"].append(f"secret_key_reload: {describe_exception(exc)}")
    try:
        django.setup()
        setup_ok = True
    except (Exception, SystemExit) as exc:
        result["error"] = error_record(exc, "setup", settings_module, project_dir)
        result["checks_error"] = "not run: django.setup() failed"
        setup_ok = False

    guarded(result, "settings", lambda: snapshot_settings(redactor), "settings")
    guarded(result, "wsgi", lambda: app_setting("WSGI_APPLICATION"), "wsgi_application")
    guarded(result, "asgi", lambda: app_setting("ASGI_APPLICATION"), "asgi_application")
    guarded(result, "sentry", sentry_active, "sentry_active")
    result["sentry_imported"] = "sentry_sdk" in sys.modules
    guarded(result, "databases", database_vendors, "database_vendors")
    if not setup_ok:
        return
    try:
        result["checks"], result["checks_error"] = run_checks()
    except Exception as exc:
        result["checks_error"] = describe_exception(exc)
    guarded(result, "error_templates", error_templates, "error_templates")
    try:
        result["admin_urls"] = admin_urls()
    except Exception as exc:
        result["urls_error"] = describe_exception(exc)
    guarded(result, "file_fields", file_fields, "file_fields")
    guarded(result, "dev_tool_urls", dev_tool_urls, "dev_tool_urls")


def reload_secret_key(
    result: dict[str, Json], key: bytes, module: Any, settings_module: str, project_dir: str
) -> None:
    """Evaluate the settings module a second time, in a fresh namespace, and compare the two
    SECRET_KEYs' fingerprints (issue 13): a key generated at import (``get_random_secret_key()``
    when a variable is missing) differs in every process, so sessions and signed links break
    at random. Runs before ``django.setup()``: the project's modules loaded so far (the
    settings chain and what it imports; installed packages are kept) are set aside, the
    settings imported again, and ``sys.modules`` restored as it was."""
    first = getattr(module, "SECRET_KEY", None)
    if not isinstance(first, str) or not first:
        return
    saved = dict(sys.modules)
    root = os.path.abspath(project_dir) + os.sep
    for name, loaded in saved.items():
        file = getattr(loaded, "__file__", None)
        if not isinstance(file, str) or "site-packages" in file or "dist-packages" in file:
            continue
        if os.path.abspath(file).startswith(root):
            del sys.modules[name]
    try:
        second = getattr(importlib.import_module(settings_module), "SECRET_KEY", None)
    finally:
        for name in [n for n in sys.modules if n not in saved]:
            del sys.modules[name]
        sys.modules.update(saved)
    if not isinstance(second, str):
        return
    before = secret_stats(first, key)["fingerprint"]
    after = secret_stats(second, key)["fingerprint"]
    result["secret_key_stable"] = before == after
    result["secret_key_second_fingerprint"] = after


def module_origin(name: str) -> str | None:
    """Absolute path of module ``name``'s source without running it, or None."""
    try:
        spec = importlib.util.find_spec(name)
    except (Exception, SystemExit):
        return None
    origin = spec.origin if spec is not None else None
    return os.path.abspath(origin) if origin and os.path.isfile(origin) else None


def write_json(path: str, data: dict[str, Json]) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file, then rename)."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1, default=lambda o: type_name(o))
    os.replace(tmp, path)


def read_request(fd: int) -> tuple[Json, Callable[[], Json] | None]:
    """The request read from descriptor ``fd`` (stdin), and None or, when the request is a
    line with ``"token_patterns_follow": true``, a function that returns the JSON which
    follows it, read to the end then. In that case the rest is read from a duplicate of
    ``fd`` (not inherited by child processes, PEP 446) and ``fd`` is pointed at
    ``/dev/null``: the project's code never reads the patterns, and sees an empty stdin as
    when the whole request was read at once."""
    data = b""
    while b"\n" not in data:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    head, newline, rest = data.partition(b"\n")
    if newline:
        try:
            request = json.loads(head)
        except ValueError:
            request = None
        if isinstance(request, dict) and request.get("token_patterns_follow"):
            private = os.dup(fd)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, fd)
            os.close(null)
            return request, lambda: json.loads(rest + read_all(private))
    return json.loads(data + read_all(fd, close=False)), None


def read_all(fd: int, close: bool = True) -> bytes:
    """Everything left on descriptor ``fd``, up to its end; then ``fd`` is closed (``close``)."""
    parts = []
    try:
        while chunk := os.read(fd, 65536):
            parts.append(chunk)
    finally:
        if close:
            os.close(fd)
    return b"".join(parts)


def main() -> int:
    """Read the request, probe, write the result; return the exit status. With the one
    argument ``--packages`` (run as ``python -I settings_loader.py --packages``), print
    ``{"packages": installed_packages()}`` instead, loading nothing of the project."""
    if sys.argv[1:] == ["--packages"]:
        print(json.dumps({"packages": installed_packages()}))
        return 0
    try:
        request, later_patterns = read_request(sys.stdin.fileno())
        output = str(request["output"])
    except Exception as exc:
        print(f"golive probe: bad input on stdin: {describe_exception(exc)}", file=sys.stderr)
        return 2
    done = keep_stdout() if request.get("done_on_stdout") else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = probe(request, later_patterns)
    try:
        write_json(output, result)
    except Exception as exc:
        print(f"golive probe: cannot write {output}: {describe_exception(exc)}", file=sys.stderr)
        return 1
    if done is not None:
        with contextlib.suppress(OSError):
            os.write(done, b"done\n")
    return 0


def keep_stdout() -> int:
    """A private copy of descriptor 1 (stdout; not inherited by child processes, PEP 446)
    for the line that tells golive the probe is done; descriptor 1 itself then points at
    ``/dev/null``, for the project's code and the processes it starts."""
    sys.stdout.flush()
    private = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    return private


def run() -> None:
    """Run :func:`main` and end the process with its status, flushing stdout and stderr but
    skipping atexit handlers and the non-daemon threads the project may have started.

    The cyclic garbage collector is off for the whole run: importing Django and the
    project builds thousands of long-lived objects, and collecting them again and again
    costs about 15 % of the probe's CPU, while the memory it would give back is a few
    hundred kilobytes (bookshop: 48.3 MB peak either way). The process ends right after,
    which frees everything at once."""
    gc.disable()
    status = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)


if __name__ == "__main__":
    run()
