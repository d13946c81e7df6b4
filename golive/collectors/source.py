"""The source collector: the settings as written, read with :mod:`ast`, never executed.

It follows the audited settings module through the project modules it star-imports
(``from .base import *`` chains) in execution order, and records each assignment to a
setting with file and line: literals (secret values only as :class:`SecretInfo`),
environment lookups and their defaults (``os.environ``, ``os.getenv``, django-environ's
``env(...)`` and ``env.bool(...)``, python-decouple's ``config(...)``, environs,
pydantic-settings fields, and the project's own helpers around them:
:mod:`golive.collectors.env_helpers`), and other expressions. It also reads every other
settings module of the project for literal ``SECRET_KEY`` values, so that a production key
that also sits in a development module can be told apart from a development-only key.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from golive.collectors import CollectorError, CollectorSpec, Skip
from golive.collectors.cache_use import cache_uses
from golive.collectors.env_helpers import Helpers
from golive.collectors.key_files import persistence
from golive.context import AuditContext
from golive.discovery import entry_point_defaults, module_file, read_python, settings_modules
from golive.facts.secrets import SecretInfo, is_secret_name
from golive.facts.secrets.evidence import judge
from golive.facts.secrets.rules import placeholder_reason, public_reason
from golive.facts.secrets.token_formats import find_tokens
from golive.facts.source import Assignment, EntryChain, ModuleSource, SentryInit, SourceFacts
from golive.model import Confidence, Location
from golive.redact import redact_urls, redact_value, url_password

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


class _ModuleReader:
    """Walks one module's top-level statements, inlining project star-imports."""

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self.root = ctx.django_dir  # modules resolve from the Django root (the folder of manage.py)
        self.repo = ctx.project_dir  # paths are shown from the repository root
        self.key = ctx.fingerprint_key
        self.assignments: list[Assignment] = []
        self.modules: list[ModuleSource] = []
        self.sentry: list[SentryInit] = []
        self.env_scheme: dict[str, ast.expr] = {}
        self.helpers = Helpers()  # the project's own env helpers, environs, pydantic-settings
        self._seen: set[str] = set()
        self._conditional = False
        self._every_branch = False
        self._generated = ""
        self._guards: dict[tuple[str, int], str] = {}  # (path, line) of a call → its if's test
        self._trees: dict[str, ast.Module] = {}  # path → parsed module, for key persistence

    def read(self, module: str, depth: int = 0, conditional: bool = False) -> None:
        if module in self._seen or depth > 12:
            return
        self._seen.add(module)
        path = module_file(self.root, module)
        if path is None:
            return
        rel = str(path.relative_to(self.repo))
        try:
            tree = ast.parse(read_python(path), filename=rel)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as exc:
            self.modules.append(ModuleSource(module=module, path=rel, error=_one_line(exc)))
            return
        self.modules.append(ModuleSource(module=module, path=rel))
        self._trees[rel] = tree
        self._guards.update(_if_guards(tree.body, rel))
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for stmt, inside, every_branch in _statements(tree.body):
            # a module star-imported under a condition: its statements stay conditional
            self._every_branch = every_branch and not conditional
            self._statement(stmt, module, rel, package, depth, conditional or inside)

    def _statement(
        self, stmt: ast.stmt, module: str, rel: str, package: str, depth: int, conditional: bool
    ) -> None:
        self._conditional = conditional
        self._generated = ""
        self.helpers.note_statement(stmt)
        if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
            target = _resolve_relative(package, stmt.module, stmt.level)
            if target:
                self.read(target, depth + 1, conditional)
            return
        if isinstance(stmt, ast.ImportFrom):
            self._import_helpers(stmt, package)
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            if _dotted(stmt.value.func).endswith("sentry_sdk.init"):
                guard = self._guards.get((rel, stmt.lineno), "")
                call, _ = self.helpers.expand(stmt.value, _any_lookup)
                init = _sentry(call if isinstance(call, ast.Call) else stmt.value, rel)
                self.sentry.append(replace(init, guard=guard))
            return
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        elif isinstance(stmt, ast.AugAssign):
            name = _target_name(stmt.target)
            if name:
                self._add(name, module, rel, stmt.lineno, "expression", call="augmented")
            return
        if value is None:
            return
        if isinstance(value, ast.Call) and _dotted(value.func) in ("environ.Env", "Env"):
            self._scheme(value)
        for tgt in targets:
            name = _target_name(tgt)
            if name:
                self._value(name, value, module, rel)

    def _import_helpers(self, stmt: ast.ImportFrom, package: str) -> None:
        """``from project.module import helper``: remember the project module's functions."""
        target = _resolve_relative(package, stmt.module, stmt.level)
        path = module_file(self.root, target) if target else None
        if path is None:
            return
        try:
            tree = ast.parse(read_python(path), filename=str(path))
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            return
        for alias in stmt.names:
            self.helpers.add_imported(alias.name, tree, alias.asname)

    def _scheme(self, call: ast.Call) -> None:
        """Remember the defaults of ``environ.Env(DEBUG=(bool, True), ...)``."""
        for kw in call.keywords:
            if kw.arg and isinstance(kw.value, ast.Tuple) and len(kw.value.elts) == 2:
                self.env_scheme[kw.arg] = kw.value.elts[1]

    def _value(self, target: str, node: ast.expr, module: str, rel: str) -> None:
        """Record ``target = node`` and, for dict/list literals, every key inside."""
        line = node.lineno
        self._generated = "" if isinstance(node, (ast.Dict, ast.List, ast.Tuple)) else _random_call(node)
        if isinstance(node, ast.Dict):
            self._add(target, module, rel, line, "expression", call="dict")
            for k, v in zip(node.keys, node.values, strict=True):
                if isinstance(k, ast.Constant) and isinstance(k.value, (str, int)):
                    self._value(f"{target}.{k.value}", v, module, rel)
            return
        if isinstance(node, ast.Call) and _dotted(node.func) == "dict" and not node.args:
            self._add(target, module, rel, line, "expression", call="dict")
            for kw in node.keywords:
                if kw.arg:
                    self._value(f"{target}.{kw.arg}", kw.value, module, rel)
            return
        if isinstance(node, (ast.List, ast.Tuple)) and any(
            isinstance(e, (ast.Dict, ast.Call)) for e in node.elts
        ):
            self._add(target, module, rel, line, "expression", call="list")
            for i, elt in enumerate(node.elts):
                self._value(f"{target}.{i}", elt, module, rel)
            return
        expanded, helper = self.helpers.expand(node, _any_lookup)
        env = _any_lookup(expanded)
        if env is not None:
            if helper:
                env = _through_helper(env, helper)
            elif not env.has_default and env.var in self.env_scheme and env.call.split(".")[0] == "env":
                env = _with_default(env.var, self.env_scheme[env.var], env.call, env.node)
            self._env(target, env, expanded, module, rel)
            return
        if isinstance(node, ast.Call) and _dotted(node.func) in URL_PARSERS and node.args:
            url = _const_str(node.args[0])
            if url is not None:
                self._literal(target, url, module, rel, line)
                return
        try:
            literal = ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            kind = "file" if _reads_file(node) else "expression"
            self._add(target, module, rel, line, kind, call=_dotted(getattr(node, "func", node)))
            return
        self._literal(target, literal, module, rel, line)

    def _literal(self, target: str, literal: Any, module: str, rel: str, line: int) -> None:
        leaf = target.rsplit(".", 1)[-1]
        if isinstance(literal, str) and is_secret_name(leaf):
            self._add(
                target,
                module,
                rel,
                line,
                "literal",
                secret=SecretInfo.of(literal, self.key),
                **_judged(leaf, literal),
            )
            return
        if isinstance(literal, (list, tuple)) and is_secret_name(leaf) and target != "SECRET_KEY_FALLBACKS":
            self._add(target, module, rel, line, "literal", value=None)
            return
        if target == "SECRET_KEY_FALLBACKS" and isinstance(literal, (list, tuple)):
            self._add(target, module, rel, line, "literal", value=None)
            for i, item in enumerate(literal):
                if isinstance(item, str):
                    self._add(
                        f"{target}.{i}",
                        module,
                        rel,
                        line,
                        "literal",
                        secret=SecretInfo.of(item, self.key),
                        **_judged("SECRET_KEY_FALLBACKS", item),
                    )
            return
        if isinstance(literal, str):
            password = url_password(literal)
            if password is not None:
                self._add(
                    target,
                    module,
                    rel,
                    line,
                    "literal",
                    value=redact_urls(literal),
                    secret=SecretInfo.of(password, self.key),
                    **_judged("", password, "url-password"),
                )
                return
        self._add(target, module, rel, line, "literal", value=redact_value(_jsonable(literal)))

    def _env(self, target: str, env: _EnvLookup, node: ast.expr, module: str, rel: str) -> None:
        leaf = target.rsplit(".", 1)[-1]
        secret: SecretInfo | None = None
        default: Any = None
        judged: dict[str, Any] = {}
        if env.has_default and env.default is not None:
            if isinstance(env.default, str) and is_secret_name(leaf):
                secret = SecretInfo.of(env.default, self.key)
                judged = _judged(leaf, env.default, "env-default")
            elif isinstance(env.default, str) and url_password(env.default) is not None:
                secret = SecretInfo.of(url_password(env.default) or "", self.key)
                judged = _judged("", url_password(env.default) or "", "url-password")
                default = redact_urls(env.default)
            else:
                default = redact_value(_jsonable(env.default))
        fallback = ""
        if env.has_default and isinstance(env.default_node, ast.Name):
            fallback = env.default_node.id
        self._add(
            target,
            module,
            rel,
            node.lineno,
            "env",
            env_var=env.var,
            has_default=env.has_default,
            default=default,
            secret=secret,
            default_truthy=_default_truthiness(node, env),
            call=env.call,
            fallback=fallback,
            **judged,
        )

    def _add(self, target: str, module: str, rel: str, line: int, kind: str, **kw: Any) -> None:
        kept = persistence(self._trees[rel], target, line) if self._generated and rel in self._trees else None
        if kept is not None:
            kw.update(persisted=kept.how, key_file=kept.file, key_writer=kept.via)
        self.assignments.append(
            Assignment(
                target=target,
                module=module,
                location=Location(path=rel, line=line),
                kind=kind,
                conditional=self._conditional,
                every_branch=self._every_branch,
                generated=self._generated,
                **kw,
            )
        )


@dataclass
class _EnvLookup:
    var: str | None
    has_default: bool
    default: Any
    call: str
    node: ast.expr
    default_node: ast.expr | None = None


def _statements(
    body: list[ast.stmt], conditional: bool = False, covered: frozenset[str] = frozenset()
) -> Iterator[tuple[ast.stmt, bool, bool]]:
    """Top-level statements, descending into if/try/with blocks (both branches), each with
    whether it may not run (inside an ``if`` or ``try``; ``finally`` and ``with`` always run)
    and whether, though it may not run, its construct assigns the same names on every branch
    (:func:`_always_assigned`), so the names it sets are replaced for sure. ``covered`` are
    the names the enclosing construct always assigns (when that construct itself is sure to run)."""
    for stmt in body:
        if isinstance(stmt, (ast.If, ast.Try)):
            always = _always_assigned(stmt)
            # the construct as a whole: as sure as its parent for the names the parent covers
            sure = not conditional or (bool(always) and always <= covered)
            inner = frozenset(always) if sure else frozenset()
            branches = (
                [stmt.body, stmt.orelse]
                if isinstance(stmt, ast.If)
                else [stmt.body, *(h.body for h in stmt.handlers), stmt.orelse]
            )
            for branch in branches:
                yield from _statements(branch, True, inner)
            if isinstance(stmt, ast.Try):
                yield from _statements(stmt.finalbody, conditional, covered)
        elif isinstance(stmt, ast.With):
            yield from _statements(stmt.body, conditional, covered)
        else:
            names = _names_set(stmt)
            yield stmt, conditional, conditional and bool(names) and names <= covered


def _names_set(stmt: ast.stmt) -> set[str]:
    """The plain names ``stmt`` assigns (``X = ...``, ``X: T = ...``); empty for anything else."""
    if isinstance(stmt, ast.Assign):
        return {t.id for t in stmt.targets if isinstance(t, ast.Name)}
    if isinstance(stmt, ast.AnnAssign) and stmt.value is not None and isinstance(stmt.target, ast.Name):
        return {stmt.target.id}
    return set()


def _assigned(body: list[ast.stmt]) -> set[str]:
    """Names every complete run of ``body`` assigns (also inside ``with`` and inside an
    ``if``/``try`` that assigns them on every branch)."""
    names: set[str] = set()
    for stmt in body:
        if isinstance(stmt, ast.With):
            names |= _assigned(stmt.body)
        elif isinstance(stmt, (ast.If, ast.Try)):
            names |= _always_assigned(stmt)
        else:
            names |= _names_set(stmt)
    return names


def _always_assigned(stmt: ast.If | ast.Try) -> set[str]:
    """Names an ``if``/``try`` assigns whichever way it runs: ``if`` and ``else`` both
    (no ``else``: none); for a ``try``, its body (or ``else``) and every handler, a handler
    that raises counting as all (the import then fails: no earlier value is left in force)."""
    if isinstance(stmt, ast.If):
        return _assigned(stmt.body) & _assigned(stmt.orelse) if stmt.orelse else set()
    names = _assigned(stmt.body) | _assigned(stmt.orelse)
    for handler in stmt.handlers:
        if not any(isinstance(s, ast.Raise) for s in handler.body):
            names &= _assigned(handler.body)
    return names | _assigned(stmt.finalbody)


def _if_guards(body: list[ast.stmt], rel: str, test: str = "") -> dict[tuple[str, int], str]:
    """``(rel, line)`` of each top-level statement inside an ``if`` → that ``if``'s test as
    written (the innermost one; ``not X`` for the ``else`` branch)."""
    found: dict[tuple[str, int], str] = {}
    for stmt in body:
        if isinstance(stmt, ast.If):
            shown = ast.unparse(stmt.test)
            found.update(_if_guards(stmt.body, rel, shown))
            found.update(_if_guards(stmt.orelse, rel, f"not {shown}"))
        elif isinstance(stmt, ast.Try):
            for part in (stmt.body, stmt.orelse, stmt.finalbody, *[h.body for h in stmt.handlers]):
                found.update(_if_guards(part, rel, test))
        elif isinstance(stmt, ast.With):
            found.update(_if_guards(stmt.body, rel, test))
        elif test:
            found[(rel, stmt.lineno)] = test
    return found


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    if isinstance(node, ast.Call):
        return _dotted(node.func) + "()"
    return ""


def _target_name(node: ast.expr) -> str | None:
    """``SECRET_KEY`` → "SECRET_KEY"; ``DATABASES["default"]["PASSWORD"]`` → dotted."""
    if isinstance(node, ast.Name):
        return node.id if node.id.isupper() else None
    if isinstance(node, ast.Subscript):
        base = _target_name(node.value)
        key = node.slice
        if base and isinstance(key, ast.Constant) and isinstance(key.value, (str, int)):
            return f"{base}.{key.value}"
    return None


def _resolve_relative(package: str, module: str | None, level: int) -> str | None:
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base) or None


def _const_str(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


#: Django's own password settings: whatever their value, it is a password (a weak one when it
#: reads as words: then ``possible``, not dropped).
PASSWORD_SETTINGS = frozenset({"PASSWORD", "EMAIL_HOST_PASSWORD"})


def _judged(name: str, value: str, rule: str = "assigned-literal") -> dict[str, Any]:
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


def _literal_or_none(node: ast.expr) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _env_lookup(node: ast.expr) -> _EnvLookup | None:
    """Recognise an environment lookup anywhere in ``node`` (the outermost one found)."""
    for sub in ast.walk(node):
        found = _env_call(sub)
        if found:
            return found
    return None


def _env_call(node: ast.AST) -> _EnvLookup | None:
    if isinstance(node, ast.Subscript) and _dotted(node.value) in ("os.environ", "environ"):
        return _EnvLookup(_const_str(node.slice), False, None, "os.environ[]", node)
    if not isinstance(node, ast.Call):
        return None
    name = _dotted(node.func)
    args, kwargs = node.args, {k.arg: k.value for k in node.keywords if k.arg}
    var = _const_str(args[0]) if args else _const_str(kwargs.get("var") or kwargs.get("key"))
    if name in ("os.environ.get", "environ.get", "os.getenv", "getenv", "os.environ.setdefault"):
        default_node = args[1] if len(args) > 1 else kwargs.get("default")
        return _with_default(var, default_node, name, node)
    if name in ("dj_database_url.config", "dj_email_url.config"):
        # config(env="DATABASE_URL", default="postgres://...")
        env_name = _const_str(kwargs.get("env")) or ("DATABASE_URL" if "database" in name else "EMAIL_URL")
        return _with_default(env_name, kwargs.get("default"), name, node)
    leaf = name.rsplit(".", 1)[-1]
    is_env_obj = "." in name and name.split(".")[-2] in ("env", "environ", "Env") and leaf in ENV_TYPED
    if name == "env":
        # django-environ: env(var, cast=None, default=NOTSET); the default may also come
        # from the scheme given to environ.Env(VAR=(cast, default)).
        default_node = kwargs.get("default", args[2] if len(args) > 2 else None)
        return _with_default(var, default_node, name, node)
    if is_env_obj:
        # env.bool(var, default=NOTSET), env.str(var, default=NOTSET, ...), env.db(var, default=...)
        default_node = kwargs.get("default", args[1] if len(args) > 1 else None)
        return _with_default(var, default_node, name, node)
    if name in ("config", "decouple.config"):
        # python-decouple: config(option, default=undefined, cast=undefined)
        default_node = kwargs.get("default", args[1] if len(args) > 1 else None)
        return _with_default(var, default_node, name, node)
    return None


def _with_default(var: str | None, default_node: ast.expr | None, call: str, node: ast.expr) -> _EnvLookup:
    if default_node is None:
        return _EnvLookup(var, False, None, call, node)
    ok, value = _literal_or_none(default_node)
    return _EnvLookup(var, True, value if ok else None, call, node, default_node)


def _any_lookup(node: ast.expr) -> _EnvLookup | None:
    """``os.getenv("X") or <fallback>``, else the first environment lookup in ``node``."""
    return _or_fallback(node) or _env_lookup(node)


def _through_helper(env: _EnvLookup, helper: str) -> _EnvLookup:
    """``env`` as read through the project helper ``helper``: named after it, and a ``None``
    default (a helper's ``default=None`` the call site did not replace) is no default."""
    none = isinstance(env.default_node, ast.Constant) and env.default_node.value is None
    if none:
        return _EnvLookup(env.var, False, None, helper, env.node)
    return replace(env, call=helper)


def _or_fallback(node: ast.expr) -> _EnvLookup | None:
    """``os.getenv("X") or <fallback>``: an environment lookup whose default is the last operand."""
    if not (isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) >= 2):
        return None
    first = _env_call(node.values[0])
    if first is None or first.has_default:
        return None
    return _with_default(first.var, node.values[-1], f"{first.call} or", node)


def _truthy_text(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y", "t")
    return None


def _default_truthiness(node: ast.expr, env: _EnvLookup) -> bool | None:
    """What a DEBUG-like expression evaluates to when the variable is unset, if decidable.

    Handles ``env.bool("X", default=True)``, ``config("X", default=True, cast=bool)``,
    ``os.environ.get("X", "True") == "True"``, ``... .lower() in ("1", "true")`` and a bare
    default passed through ``bool()``/``int()``/``strtobool``.
    """
    if not env.has_default:
        return None
    default = env.default
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        ok, other = _literal_or_none(node.comparators[0])
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
    return _truthy_text(default)


def _random_call(node: ast.expr) -> str:
    """The first call in ``node`` of a :data:`RANDOM_GENERATORS` function, as written
    (``secrets.token_urlsafe``), or ``""``."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            name = _dotted(sub.func)
            if name.rsplit(".", 1)[-1] in RANDOM_GENERATORS:
                return name
    return ""


def _reads_file(node: ast.expr) -> bool:
    return any(
        isinstance(sub, ast.Call) and _dotted(sub.func).rsplit(".", 1)[-1] in ("open", "read_text")
        for sub in ast.walk(node)
    )


def _sentry(call: ast.Call, rel: str) -> SentryInit:
    dsn_node = next((k.value for k in call.keywords if k.arg == "dsn"), call.args[0] if call.args else None)
    if dsn_node is None:
        kind = "missing"
    elif _env_lookup(dsn_node) is not None:
        kind = "env"
    elif _literal_or_none(dsn_node)[0]:
        kind = "literal"
    else:
        kind = "expression"
    return SentryInit(location=Location(path=rel, line=call.lineno), dsn=kind)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return repr(type(value).__name__)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        text = f"{type(exc).__name__} at line {exc.lineno}: {exc.msg}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:300]


def read_module_chain(
    ctx: AuditContext, module: str
) -> tuple[list[ModuleSource], list[Assignment], list[SentryInit]]:
    """Read ``module`` and its star-import chain: (modules, assignments, sentry inits)."""
    reader = _ModuleReader(ctx)
    reader.read(module)
    return reader.modules, reader.assignments, reader.sentry


def collect(ctx: AuditContext) -> SourceFacts:
    """Read the settings chain and the project's other settings modules.

    Raises :class:`Skip` when the settings module has no file under the project
    directory (an installed package, say): there is no source to read; and
    :class:`CollectorError` when a module of the chain cannot be read or parsed (a
    syntax error, bytes that are not UTF-8, no permission): the checks would otherwise
    pass on settings they never saw.
    """
    if module_file(ctx.django_dir, ctx.settings_module) is None:
        raise Skip(f"{ctx.settings_module} has no source file under {ctx.django_dir}")
    modules, assignments, sentry = read_module_chain(ctx, ctx.settings_module)
    broken = next((m for m in modules if m.error), None)
    if broken is not None:
        raise CollectorError(f"cannot read {broken.path}: {broken.error}: fix the file")
    for entry in ("wsgi", "asgi"):
        for path in sorted(ctx.django_dir.glob(f"*/{entry}.py")):
            mod = ".".join(path.relative_to(ctx.django_dir).with_suffix("").parts)
            _, _, more = read_module_chain(ctx, mod)
            sentry.extend(more)
    entries = _entry_chains(ctx, assignments)
    others: dict[str, tuple[Assignment, ...]] = {}
    for other in settings_modules(ctx.django_dir, ctx.settings_module):
        _, found, _ = read_module_chain(ctx, other)
        secrets = tuple(a for a in found if a.target.startswith("SECRET_KEY") and a.secret)
        if secrets:
            others[other] = secrets
    return SourceFacts(
        settings_module=ctx.settings_module,
        modules=tuple(modules),
        assignments=tuple(assignments),
        other_modules=others,
        sentry_inits=tuple(sentry),
        entry_defaults=entries,
        cache_uses=cache_uses(ctx.django_dir, ctx.project_dir),
        settings_development=ctx.settings_development,
    )


def _entry_chains(ctx: AuditContext, audited: list[Assignment]) -> tuple[EntryChain, ...]:
    """The SECRET_KEY assignments of each module manage.py, wsgi.py and asgi.py default to."""
    root = ctx.django_dir
    out: list[EntryChain] = []
    chains: dict[str, tuple[tuple[Assignment, ...], bool]] = {
        ctx.settings_module: (tuple(a for a in audited if a.target == "SECRET_KEY"), True)
    }
    for entry in entry_point_defaults(root):
        if entry.module not in chains:
            found = module_file(root, entry.module) is not None
            modules, assignments, _ = read_module_chain(ctx, entry.module) if found else ([], [], [])
            found = found and not any(m.error for m in modules)
            chains[entry.module] = (tuple(a for a in assignments if a.target == "SECRET_KEY"), found)
        keys, found = chains[entry.module]
        shown = replace(entry, path=os.path.relpath(root / entry.path, ctx.project_dir))
        out.append(EntryChain(entry=shown, keys=keys, found=found))
    return tuple(out)


SPEC = CollectorSpec(
    name="source", produces=SourceFacts, collect=collect, description="the settings source, read with ast"
)
