"""What the expressions of a settings module say, read with :mod:`ast`: environment lookups and
their defaults, literals, random keys, file reads, ``sentry_sdk.init`` calls, and the statements
that may not run (inside ``if``/``try``). Helpers of the source collector
(:mod:`golive.collectors.source`, which documents the libraries recognised).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from golive.facts.secrets.evidence import judge
from golive.facts.secrets.rules import placeholder_reason, public_reason
from golive.facts.secrets.token_formats import find_tokens
from golive.facts.source import SentryInit
from golive.model import Confidence, Location

ENV_TYPED = {
    "str",
    "bool",
    "int",
    "float",
    "list",
    "tuple",
    "dict",
    "json",
    "url",
    "db",
    "db_url",
    "cache",
    "cache_url",
    "email",
    "email_url",
    "path",
    "search_url",
}


#: Calls that turn a literal URL into a settings dict: the URL's password is a literal one.
URL_PARSERS = {
    "dj_database_url.parse",
    "dj_email_url.parse",
    "environ.Env.db_url_config",
    "Env.db_url_config",
}


#: Calls that return a new random value each time they run: a setting computed with one
#: at import differs in every worker process and after every restart.
RANDOM_GENERATORS = frozenset(
    {
        "get_random_secret_key",
        "get_random_string",
        "token_urlsafe",
        "token_hex",
        "token_bytes",
        "uuid1",
        "uuid4",
        "urandom",
        "randbytes",
        "getrandbits",
        "choice",
        "choices",
        "generate_key",
    }
)


class EnvLookup(Struct):
    var: str | None
    has_default: bool
    default: Any
    call: str
    node: ast.expr
    default_node: ast.expr | None = None


def dotted_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Call):
        return dotted_name(node.func) + "()"
    return ""


def target_name(node: ast.expr) -> str | None:
    """``SECRET_KEY`` → "SECRET_KEY"; ``DATABASES["default"]["PASSWORD"]`` → dotted."""
    if isinstance(node, ast.Name):
        return node.id if node.id.isupper() else None
    if isinstance(node, ast.Subscript):
        base = target_name(node.value)
        key = node.slice
        if base and isinstance(key, ast.Constant) and isinstance(key.value, (str, int)):
            return f"{base}.{key.value}"
    return None


def resolve_relative(package: str, module: str | None, level: int) -> str | None:
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base) or None


def const_str(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


#: Django's own password settings: whatever their value, it is a password (a weak one when it
#: reads as words: then ``possible``, not dropped).
PASSWORD_SETTINGS = frozenset({"PASSWORD", "EMAIL_HOST_PASSWORD"})


def judged_literal(name: str, value: str, rule: str = "assigned-literal") -> dict[str, Any]:
    """What ``value`` (assigned to ``name``) says, as :class:`Assignment` fields: a vendor's
    token format that is the whole value is ``confirmed``, else :func:`judge` decides."""
    formats = [fmt for fmt, found in find_tokens(value) if found == value]
    if formats:
        reason = placeholder_reason(value) or public_reason(name, value)
        why = f"{formats[0].label} format"
        return {"confidence": Confidence.CONFIRMED, "placeholder": reason, "why": why}
    verdict = judge(name, value, rule)
    wordy = any(w in verdict.why for w in ("word", "phrase", "identifier"))
    if verdict.confidence is None and name in PASSWORD_SETTINGS and len(value) >= 4 and wordy:
        return {
            "confidence": Confidence.POSSIBLE,
            "placeholder": placeholder_reason(value),
            "why": f"Django's {name} setting, a value that reads as words",
        }
    return {
        "confidence": verdict.confidence,
        "placeholder": placeholder_reason(value) or public_reason(name, value),
        "why": verdict.why,
    }


def literal_or_none(node: ast.expr) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def env_lookup(node: ast.expr) -> EnvLookup | None:
    """Recognise an environment lookup anywhere in ``node`` (the outermost one found)."""
    for sub in ast.walk(node):
        found = env_call(sub)
        if found:
            return found
    return None


def env_call(node: ast.AST) -> EnvLookup | None:
    if isinstance(node, ast.Subscript) and dotted_name(node.value) in ("os.environ", "environ"):
        return EnvLookup(const_str(node.slice), False, None, "os.environ[]", node)
    if not isinstance(node, ast.Call):
        return None
    name = dotted_name(node.func)
    args, kwargs = node.args, {k.arg: k.value for k in node.keywords if k.arg}
    var = const_str(args[0]) if args else const_str(kwargs.get("var") or kwargs.get("key"))
    if name in ("os.environ.get", "environ.get", "os.getenv", "getenv", "os.environ.setdefault"):
        default_node = args[1] if len(args) > 1 else kwargs.get("default")
        return with_default(var, default_node, name, node)
    if name in ("dj_database_url.config", "dj_email_url.config"):
        # config(env="DATABASE_URL", default="postgres://...")
        env_name = const_str(kwargs.get("env")) or ("DATABASE_URL" if "database" in name else "EMAIL_URL")
        return with_default(env_name, kwargs.get("default"), name, node)
    leaf = name.rsplit(".", 1)[-1]
    is_env_obj = "." in name and name.split(".")[-2] in ("env", "environ", "Env") and leaf in ENV_TYPED
    if name == "env":
        # django-environ: env(var, cast=None, default=NOTSET); the default may also come
        # from the scheme given to environ.Env(VAR=(cast, default)).
        default_node = kwargs.get("default", args[2] if len(args) > 2 else None)
        return with_default(var, default_node, name, node)
    if is_env_obj:
        # env.bool(var, default=NOTSET), env.str(var, default=NOTSET, ...), env.db(var, default=...)
        default_node = kwargs.get("default", args[1] if len(args) > 1 else None)
        return with_default(var, default_node, name, node)
    if name in ("config", "decouple.config"):
        # python-decouple: config(option, default=undefined, cast=undefined)
        default_node = kwargs.get("default", args[1] if len(args) > 1 else None)
        return with_default(var, default_node, name, node)
    return None


def with_default(var: str | None, default_node: ast.expr | None, call: str, node: ast.expr) -> EnvLookup:
    if default_node is None:
        return EnvLookup(var, False, None, call, node)
    ok, value = literal_or_none(default_node)
    return EnvLookup(var, True, value if ok else None, call, node, default_node)


def any_lookup(node: ast.expr) -> EnvLookup | None:
    """``os.getenv("X") or <fallback>``, else the first environment lookup in ``node``."""
    return or_fallback(node) or env_lookup(node)


def through_helper(env: EnvLookup, helper: str) -> EnvLookup:
    """``env`` as read through the project helper ``helper``: named after it, and a ``None``
    default (a helper's ``default=None`` the call site did not replace) is no default."""
    none = isinstance(env.default_node, ast.Constant) and env.default_node.value is None
    if none:
        return EnvLookup(env.var, False, None, helper, env.node)
    return replace(env, call=helper)


def or_fallback(node: ast.expr) -> EnvLookup | None:
    """``os.getenv("X") or <fallback>``: an environment lookup whose default is the last operand."""
    if not (isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) >= 2):
        return None
    first = env_call(node.values[0])
    if first is None or first.has_default:
        return None
    return with_default(first.var, node.values[-1], f"{first.call} or", node)


def truthy_text(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y", "t")
    return None


def default_truthiness(node: ast.expr, env: EnvLookup) -> bool | None:
    """What a DEBUG-like expression evaluates to when the variable is unset, if decidable.

    Handles ``env.bool("X", default=True)``, ``config("X", default=True, cast=bool)``,
    ``os.environ.get("X", "True") == "True"``, ``... .lower() in ("1", "true")`` and a bare
    default passed through ``bool()``/``int()``/``strtobool``.
    """
    if not env.has_default:
        return None
    default = env.default
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        ok, other = literal_or_none(node.comparators[0])
        if not ok:
            return None
        text = default
        if isinstance(node.left, ast.Call) and isinstance(node.left.func, ast.Attribute):
            if isinstance(text, str) and node.left.func.attr == "lower":
                text = text.lower()
            elif isinstance(text, str) and node.left.func.attr == "upper":
                text = text.upper()
        op = node.ops[0]
        if isinstance(op, ast.Eq):
            return bool(text == other)
        if isinstance(op, ast.NotEq):
            return bool(text != other)
        if isinstance(op, ast.In) and isinstance(other, (list, tuple, set)):
            return text in other
        if isinstance(op, ast.NotIn) and isinstance(other, (list, tuple, set)):
            return text not in other
        return None
    return truthy_text(default)


def random_call(node: ast.expr) -> str:
    """The first call in ``node`` of a :data:`RANDOM_GENERATORS` function, as written
    (``secrets.token_urlsafe``), or ``""``."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            name = dotted_name(sub.func)
            if name.rsplit(".", 1)[-1] in RANDOM_GENERATORS:
                return name
    return ""


def backed_up(node: ast.expr) -> str:
    """``X`` of ``X or generator()`` when only the operands after the first call a random
    generator (the value is generated only when ``X`` is empty), as written; else ``""``."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and not random_call(node.values[0]):
        return ast.unparse(node.values[0])
    return ""


#: django-split-settings' modules: ``include()`` runs settings files in one namespace.
SPLIT_SETTINGS = ("split_settings.tools", "split_settings")
#: django-environ's classes whose keyword arguments declare each variable's type and default
#: (``FileAwareEnv`` also reads ``<VAR>_FILE``: https://django-environ.readthedocs.io/).
ENV_CLASSES = ("environ.Env", "Env", "environ.FileAwareEnv", "FileAwareEnv")


def included_files(call: ast.Call, folder: Path) -> Iterator[tuple[Path, bool]]:
    """(file, optional) for each file django-split-settings' ``include("base.py",
    optional("local.py"), "parts/*.py")`` runs, in order: relative to ``folder`` (the
    including file's), glob patterns expanded and sorted, ``optional()`` ones flagged (they
    may be missing: their statements may not run). A path outside ``folder`` is passed over.
    Source: https://github.com/wemake-services/django-split-settings (README, "Usage")."""
    for arg in call.args:
        optional = isinstance(arg, ast.Call) and dotted_name(arg.func).endswith("optional") and bool(arg.args)
        pattern = const_str(arg.args[0] if optional and isinstance(arg, ast.Call) else arg)
        if not pattern or pattern.startswith("/") or ".." in Path(pattern).parts:
            continue
        for path in sorted(folder.glob(pattern)):
            if path.suffix == ".py" and path.is_file():
                yield path, optional


def reads_file(node: ast.expr) -> bool:
    return any(
        isinstance(sub, ast.Call) and dotted_name(sub.func).rsplit(".", 1)[-1] in ("open", "read_text")
        for sub in ast.walk(node)
    )


def sentry_init(call: ast.Call, rel: str) -> SentryInit:
    dsn_node = next((k.value for k in call.keywords if k.arg == "dsn"), call.args[0] if call.args else None)
    if dsn_node is None:
        kind = "missing"
    elif env_lookup(dsn_node) is not None:
        kind = "env"
    elif literal_or_none(dsn_node)[0]:
        kind = "literal"
    else:
        kind = "expression"
    return SentryInit(location=Location(path=rel, line=call.lineno), dsn=kind)


def jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return repr(type(value).__name__)


def one_line(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        text = f"{type(exc).__name__} at line {exc.lineno}: {exc.msg}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:300]
