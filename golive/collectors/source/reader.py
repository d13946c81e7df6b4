"""Reading one settings module and the project modules it star-imports, in execution order.

:class:`ModuleReader` walks a module's top-level statements (both branches of ``if`` and
``try``), inlines ``from .base import *`` chains, and records every assignment to a setting
with file, line and what the value is (:mod:`golive.collectors.source.expressions`). Helper of
the source collector (:mod:`golive.collectors.source`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from golive.collectors.env_helpers import Helpers
from golive.collectors.key_files import persistence
from golive.collectors.source.expressions import (
    ENV_CLASSES,
    SPLIT_SETTINGS,
    URL_PARSERS,
    EnvLookup,
    any_lookup,
    backed_up,
    const_str,
    default_truthiness,
    dotted_name,
    included_files,
    jsonable,
    judged_literal,
    one_line,
    random_call,
    reads_file,
    resolve_relative,
    sentry_init,
    target_name,
    through_helper,
    with_default,
)
from golive.context import AuditContext
from golive.discovery import module_file, read_python
from golive.facts.secrets import SecretInfo, is_secret_name
from golive.facts.source import Assignment, ModuleSource, SentryInit
from golive.model import Location
from golive.redact import redact_urls, redact_value, url_password


class ModuleReader:
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
        self._includes: set[str] = set()  # what django-split-settings' include() is called here

    def read(self, module: str, depth: int = 0, conditional: bool = False, path: Path | None = None) -> None:
        """Read ``module`` (its file ``path`` when given: a file split-settings includes)."""
        if module in self._seen or depth > 12:
            return
        self._seen.add(module)
        path = path or module_file(self.root, module)
        if path is None:
            return
        rel = str(path.relative_to(self.repo))
        try:
            tree = ast.parse(read_python(path), filename=rel)
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as exc:
            self.modules.append(ModuleSource(module=module, path=rel, error=one_line(exc)))
            return
        self.modules.append(ModuleSource(module=module, path=rel))
        self._trees[rel] = tree
        self._guards.update(if_guards(tree.body, rel))
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for stmt, inside, every_branch in top_statements(tree.body):
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
            target = resolve_relative(package, stmt.module, stmt.level)
            if target:
                self.read(target, depth + 1, conditional)
            return
        if isinstance(stmt, ast.ImportFrom):
            if stmt.module in SPLIT_SETTINGS:
                self._includes |= {a.asname or a.name for a in stmt.names if a.name == "include"}
            self._import_helpers(stmt, package)
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            if dotted_name(stmt.value.func) in self._includes:  # split-settings: as a star import
                for path, optional in included_files(stmt.value, (self.repo / rel).parent):
                    included = f"{package}.{path.name}" if package else path.name
                    self.read(included, depth + 1, conditional or optional, path)
                return
            if dotted_name(stmt.value.func).endswith("sentry_sdk.init"):
                guard = self._guards.get((rel, stmt.lineno), "")
                call, _ = self.helpers.expand(stmt.value, any_lookup)
                init = sentry_init(call if isinstance(call, ast.Call) else stmt.value, rel)
                self.sentry.append(replace(init, guard=guard))
            return
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        elif isinstance(stmt, ast.AugAssign):
            name = target_name(stmt.target)
            if name:
                self._add(name, module, rel, stmt.lineno, "expression", call="augmented")
            return
        if value is None:
            return
        if isinstance(value, ast.Call) and dotted_name(value.func) in ENV_CLASSES:
            self._scheme(value)
        for tgt in targets:
            name = target_name(tgt)
            if name:
                self._value(name, value, module, rel)

    def _import_helpers(self, stmt: ast.ImportFrom, package: str) -> None:
        """``from project.module import helper``: remember the project module's functions."""
        target = resolve_relative(package, stmt.module, stmt.level)
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
        self._generated = "" if isinstance(node, (ast.Dict, ast.List, ast.Tuple)) else random_call(node)
        if isinstance(node, ast.Dict):
            self._add(target, module, rel, line, "expression", call="dict")
            for k, v in zip(node.keys, node.values, strict=True):
                if isinstance(k, ast.Constant) and isinstance(k.value, (str, int)):
                    self._value(f"{target}.{k.value}", v, module, rel)
            return
        if isinstance(node, ast.Call) and dotted_name(node.func) == "dict" and not node.args:
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
        expanded, helper = self.helpers.expand(node, any_lookup)
        env = any_lookup(expanded)
        if env is not None:
            if helper:
                env = through_helper(env, helper)
            elif not env.has_default and env.var in self.env_scheme and env.call.split(".")[0] == "env":
                env = with_default(env.var, self.env_scheme[env.var], env.call, env.node)
            self._env(target, env, expanded, module, rel)
            return
        if isinstance(node, ast.Call) and dotted_name(node.func) in URL_PARSERS and node.args:
            url = const_str(node.args[0])
            if url is not None:
                self._literal(target, url, module, rel, line)
                return
        try:
            literal = ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            kind = "file" if reads_file(node) else "expression"
            self._add(
                target,
                module,
                rel,
                line,
                kind,
                call=dotted_name(getattr(node, "func", node)),
                generated_unless=backed_up(node) if self._generated else "",
            )
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
                **judged_literal(leaf, literal),
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
                        **judged_literal("SECRET_KEY_FALLBACKS", item),
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
                    **judged_literal("", password, "url-password"),
                )
                return
        self._add(target, module, rel, line, "literal", value=redact_value(jsonable(literal)))

    def _env(self, target: str, env: EnvLookup, node: ast.expr, module: str, rel: str) -> None:
        leaf = target.rsplit(".", 1)[-1]
        secret: SecretInfo | None = None
        default: Any = None
        judged: dict[str, Any] = {}
        if env.has_default and env.default is not None:
            if isinstance(env.default, str) and is_secret_name(leaf):
                secret = SecretInfo.of(env.default, self.key)
                judged = judged_literal(leaf, env.default, "env-default")
            elif isinstance(env.default, str) and url_password(env.default) is not None:
                secret = SecretInfo.of(url_password(env.default) or "", self.key)
                judged = judged_literal("", url_password(env.default) or "", "url-password")
                default = redact_urls(env.default)
            else:
                default = redact_value(jsonable(env.default))
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
            default_truthy=default_truthiness(node, env),
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


def top_statements(
    body: list[ast.stmt], conditional: bool = False, covered: frozenset[str] = frozenset()
) -> Iterator[tuple[ast.stmt, bool, bool]]:
    """Top-level statements, descending into if/try/with blocks (both branches), each with
    whether it may not run (inside an ``if`` or ``try``; ``finally`` and ``with`` always run)
    and whether, though it may not run, its construct assigns the same names on every branch
    (:func:`always_assigned`), so the names it sets are replaced for sure. ``covered`` are
    the names the enclosing construct always assigns (when that construct itself is sure to run)."""
    for stmt in body:
        if isinstance(stmt, (ast.If, ast.Try)):
            always = always_assigned(stmt)
            # the construct as a whole: as sure as its parent for the names the parent covers
            sure = not conditional or (bool(always) and always <= covered)
            inner = frozenset(always) if sure else frozenset()
            branches = (
                [stmt.body, stmt.orelse]
                if isinstance(stmt, ast.If)
                else [stmt.body, *(h.body for h in stmt.handlers), stmt.orelse]
            )
            for branch in branches:
                yield from top_statements(branch, True, inner)
            if isinstance(stmt, ast.Try):
                yield from top_statements(stmt.finalbody, conditional, covered)
        elif isinstance(stmt, ast.With):
            yield from top_statements(stmt.body, conditional, covered)
        else:
            names = names_set(stmt)
            yield stmt, conditional, conditional and bool(names) and names <= covered


def names_set(stmt: ast.stmt) -> set[str]:
    """The plain names ``stmt`` assigns (``X = ...``, ``X: T = ...``); empty for anything else."""
    if isinstance(stmt, ast.Assign):
        return {t.id for t in stmt.targets if isinstance(t, ast.Name)}
    if isinstance(stmt, ast.AnnAssign) and stmt.value is not None and isinstance(stmt.target, ast.Name):
        return {stmt.target.id}
    return set()


def names_assigned(body: list[ast.stmt]) -> set[str]:
    """Names every complete run of ``body`` assigns (also inside ``with`` and inside an
    ``if``/``try`` that assigns them on every branch)."""
    names: set[str] = set()
    for stmt in body:
        if isinstance(stmt, ast.With):
            names |= names_assigned(stmt.body)
        elif isinstance(stmt, (ast.If, ast.Try)):
            names |= always_assigned(stmt)
        else:
            names |= names_set(stmt)
    return names


def always_assigned(stmt: ast.If | ast.Try) -> set[str]:
    """Names an ``if``/``try`` assigns whichever way it runs: ``if`` and ``else`` both
    (no ``else``: none); for a ``try``, its body (or ``else``) and every handler, a handler
    that raises counting as all (the import then fails: no earlier value is left in force)."""
    if isinstance(stmt, ast.If):
        return names_assigned(stmt.body) & names_assigned(stmt.orelse) if stmt.orelse else set()
    names = names_assigned(stmt.body) | names_assigned(stmt.orelse)
    for handler in stmt.handlers:
        if not any(isinstance(s, ast.Raise) for s in handler.body):
            names &= names_assigned(handler.body)
    return names | names_assigned(stmt.finalbody)


def if_guards(body: list[ast.stmt], rel: str, test: str = "") -> dict[tuple[str, int], str]:
    """``(rel, line)`` of each top-level statement inside an ``if`` → that ``if``'s test as
    written (the innermost one; ``not X`` for the ``else`` branch)."""
    found: dict[tuple[str, int], str] = {}
    for stmt in body:
        if isinstance(stmt, ast.If):
            shown = ast.unparse(stmt.test)
            found.update(if_guards(stmt.body, rel, shown))
            found.update(if_guards(stmt.orelse, rel, f"not {shown}"))
        elif isinstance(stmt, ast.Try):
            for part in (stmt.body, stmt.orelse, stmt.finalbody, *[h.body for h in stmt.handlers]):
                found.update(if_guards(part, rel, test))
        elif isinstance(stmt, ast.With):
            found.update(if_guards(stmt.body, rel, test))
        elif test:
            found[(rel, stmt.lineno)] = test
    return found
