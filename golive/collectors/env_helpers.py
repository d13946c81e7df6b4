"""Environment lookups written through the project's own helpers, environs and
pydantic-settings, turned back into plain ``os.environ`` lookups (issue 13).

Projects wrap the environment in functions of their own (``def env_flag(name, default):
return os.getenv(name, default).lower() in ("1", "true")``; a ``read_secret`` that also
reads a ``*_FILE`` variable), whatever their names. :class:`Helpers` remembers the
top-level functions of the settings chain and of the project modules it imports names
from, and :meth:`Helpers.expand` inlines a call to one of them: the arguments of the call
site (and the function's own defaults) replace the parameters in the first ``return``
whose value is an environment lookup of a parameter (through local variables, casts,
comparisons and other such helpers). The source collector then reads the inlined
expression as it reads ``os.getenv("DEBUG", "true").lower() in ("1", "true")``, so the
default and what DEBUG is when the variable is unset come out the same way.

Two libraries whose call shape the plain reading gets wrong are rewritten too:

- environs: ``env("NAME", "default")``: the second positional argument is the default
  (https://github.com/sloria/environs#basic-usage), where django-environ's is the cast;
- pydantic-settings: a field of a ``BaseSettings`` subclass is read from the variable of
  its name (``env_prefix`` + name, case-insensitive by default), its default the field's
  (https://docs.pydantic.dev/latest/concepts/pydantic_settings/#usage); ``app.debug`` of
  ``app = AppSettings()`` becomes ``os.environ.get("APP_DEBUG", True)``.

Nothing here runs the project's code: only :mod:`ast` nodes are copied and rewritten.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable
from typing import Any

from msgspec import Struct, field

#: How deep helpers may call helpers (and locals refer to locals).
MAX_DEPTH = 6

#: ``lookup(expr)`` → the environment lookup in ``expr`` (an object with ``var``), or None.
Lookup = Callable[[ast.expr], Any]


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    return ""


def _environ_get(var: str, default: ast.expr | None, like: ast.AST) -> ast.expr:
    """``os.environ.get(var, default)``, or ``os.environ[var]`` without a default."""
    environ = ast.Attribute(value=ast.Name(id="os", ctx=ast.Load()), attr="environ", ctx=ast.Load())
    out: ast.expr
    if default is None:
        out = ast.Subscript(value=environ, slice=ast.Constant(value=var), ctx=ast.Load())
    else:
        func = ast.Attribute(value=environ, attr="get", ctx=ast.Load())
        out = ast.Call(func=func, args=[ast.Constant(value=var), copy.deepcopy(default)], keywords=[])
    return ast.fix_missing_locations(ast.copy_location(out, like))


class SettingsClass(Struct):
    """A pydantic-settings class: its ``prefix`` and each field's default (None: required)."""

    prefix: str
    fields: dict[str, ast.expr | None]


def settings_class(node: ast.ClassDef) -> SettingsClass | None:
    """The :class:`SettingsClass` of ``class X(BaseSettings)``, or None for another class."""
    if not any(_dotted(b).endswith("BaseSettings") for b in node.bases):
        return None
    prefix = ""
    fields: dict[str, ast.expr | None] = {}
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and [_dotted(t) for t in stmt.targets] == ["model_config"]:
            call = stmt.value
            if isinstance(call, ast.Call):
                for kw in call.keywords:
                    if kw.arg == "env_prefix" and isinstance(kw.value, ast.Constant):
                        prefix = str(kw.value.value)
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            for inner in stmt.body:
                if (
                    isinstance(inner, ast.Assign)
                    and [_dotted(t) for t in inner.targets] == ["env_prefix"]
                    and isinstance(inner.value, ast.Constant)
                ):
                    prefix = str(inner.value.value)
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            fields[stmt.target.id] = _field_default(stmt.value)
    return SettingsClass(prefix=prefix, fields=fields)


def _field_default(value: ast.expr | None) -> ast.expr | None:
    """The default of a field: its value, or ``Field(default)``/``Field(default=...)``'s;
    None when required (no value, ``Field(...)``, ``Field(default_factory=...)``)."""
    if isinstance(value, ast.Call) and _dotted(value.func).rsplit(".", 1)[-1] == "Field":
        kwargs = {k.arg: k.value for k in value.keywords if k.arg}
        value = kwargs.get("default", value.args[0] if value.args else None)
    if value is None or (isinstance(value, ast.Constant) and value.value is Ellipsis):
        return None
    return value


class Helpers(Struct):
    """What the settings chain defined that reads the environment indirectly.

    ``functions`` maps a name callable from the settings to its definition;
    ``environs`` the names bound to an environs ``Env()``; ``settings_classes`` and
    ``instances`` the pydantic-settings classes and the names bound to their instances.
    """

    functions: dict[str, ast.FunctionDef] = field(default_factory=dict)
    environs_classes: set[str] = field(default_factory=set)
    environs: set[str] = field(default_factory=set)
    settings_classes: dict[str, SettingsClass] = field(default_factory=dict)
    instances: dict[str, SettingsClass] = field(default_factory=dict)

    def note_statement(self, stmt: ast.stmt) -> None:
        """Remember a definition, an environs import or an assignment of ``stmt``."""
        if isinstance(stmt, ast.FunctionDef):
            self.functions[stmt.name] = stmt
        elif isinstance(stmt, ast.ClassDef):
            found = settings_class(stmt)
            if found is not None:
                self.settings_classes[stmt.name] = found
        elif isinstance(stmt, ast.ImportFrom) and stmt.module == "environs":
            for alias in stmt.names:
                if alias.name == "Env":
                    self.environs_classes.add(alias.asname or "Env")
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "environs":
                    self.environs_classes.add(f"{alias.asname or 'environs'}.Env")
        elif (
            isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
        ):
            name, value = stmt.targets[0].id, stmt.value
            if isinstance(value, ast.Call):
                called = _dotted(value.func)
                if called in self.environs_classes:
                    self.environs.add(name)
                elif called in self.settings_classes:
                    self.instances[name] = self.settings_classes[called]

    def add_imported(self, name: str, tree: ast.Module, asname: str | None = None) -> None:
        """``from project.module import name``: the function ``name`` of ``tree`` (and the
        module's other functions it may call, unless the settings define that name), or its
        pydantic-settings class or instance."""
        defined = {s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)}
        if name in defined:
            self.functions[asname or name] = defined[name]
            for other, node in defined.items():
                self.functions.setdefault(other, node)
            return
        there = Helpers()
        for stmt in tree.body:
            there.note_statement(stmt)
        if name in there.settings_classes:
            self.settings_classes[asname or name] = there.settings_classes[name]
        elif name in there.instances:
            self.instances[asname or name] = there.instances[name]

    def expand(self, node: ast.expr, lookup: Lookup) -> tuple[ast.expr, str]:
        """``node`` with helper calls, environs calls and pydantic-settings fields rewritten
        into plain environment lookups, and the name of the first helper inlined (``""``:
        nothing was). ``node`` itself is never modified."""
        if not (self.functions or self.environs or self.instances or self.settings_classes):
            return node, ""
        rewriter = _Rewriter(self, lookup, depth=0, top=True, budget=_Budget())
        out = rewriter.visit(copy.deepcopy(node))
        return out, rewriter.label


#: Most AST nodes one :meth:`Helpers.expand` builds while inlining: helpers whose returns
#: call other helpers several times cost (2r)^depth attempts; past the budget a call is left
#: as written, as any call golive cannot follow.
MAX_NODES = 20_000


class _Budget(Struct):
    """The nodes one expansion may still build (shared by its nested rewriters)."""

    left: int = MAX_NODES

    def spend(self, node: ast.AST) -> bool:
        """Charge ``node``'s size; False once the budget is spent."""
        self.left -= sum(1 for _ in ast.walk(node))
        return self.left >= 0


class _Rewriter(ast.NodeTransformer):
    def __init__(self, helpers: Helpers, lookup: Lookup, depth: int, top: bool, budget: _Budget) -> None:
        self.helpers = helpers
        self.lookup = lookup
        self.budget = budget
        self.depth = depth
        self.top = top
        self.label = ""

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        owner = node.value
        cls = None
        if isinstance(owner, ast.Name):
            cls = self.helpers.instances.get(owner.id)
        elif isinstance(owner, ast.Call) and not owner.args and not owner.keywords:
            cls = self.helpers.settings_classes.get(_dotted(owner.func))
        if cls is not None and node.attr in cls.fields:
            self.label = (
                self.label or f"{_dotted(owner) or _dotted(getattr(owner, 'func', owner))}.{node.attr}"
            )
            return _environ_get((cls.prefix + node.attr).upper(), cls.fields[node.attr], node)
        self.generic_visit(node)
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        name = _dotted(node.func)
        if name in self.helpers.environs and len(node.args) >= 2:
            var = node.args[0]
            if isinstance(var, ast.Constant) and isinstance(var.value, str):
                self.label = self.label or name
                return _environ_get(var.value, node.args[1], node)
        fn = self.helpers.functions.get(name)
        if fn is None or self.depth >= MAX_DEPTH or self.budget.left <= 0:
            return node
        inlined = self._inline(fn, node)
        if inlined is None:
            return node
        self.label = self.label or name
        return inlined

    def _inline(self, fn: ast.FunctionDef, call: ast.Call) -> ast.expr | None:
        bound = _bind(fn, call)
        if bound is None:
            return None
        local_values = _locals(fn)
        returns = sorted(
            (n for n in ast.walk(fn) if isinstance(n, ast.Return) and n.value is not None),
            key=lambda n: (n.lineno, n.col_offset),
        )
        for ret in returns:
            assert ret.value is not None
            body = _Substitute(local_values, {}, budget=self.budget).visit(copy.deepcopy(ret.value))
            if not self.budget.spend(body):
                return None
            inner = _Rewriter(self.helpers, self.lookup, self.depth + 1, False, self.budget).visit(body)
            found = self.lookup(inner)
            if found is None or found.var is not None:
                continue  # not a lookup of a parameter (a fixed variable, or none)
            out = _Fold().visit(_Substitute({}, bound).visit(inner))
            out = ast.fix_missing_locations(ast.copy_location(out, call))
            if self.top:
                found = self.lookup(out)
                if found is None or found.var is None:
                    continue
            return out
        return None


def _bind(fn: ast.FunctionDef, call: ast.Call) -> dict[str, ast.expr] | None:
    """Parameter name → argument node for ``call`` of ``fn`` (the function's defaults
    where the call gives none); None for ``*args``/``**kwargs`` at the call site."""
    params = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
    bound: dict[str, ast.expr] = {}
    for name, value in zip(params[len(params) - len(fn.args.defaults) :], fn.args.defaults, strict=True):
        bound[name] = value
    for param, kw_default in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True):
        if kw_default is not None:
            bound[param.arg] = kw_default
    if len(call.args) > len(params):
        return None
    for name, given in zip(params, call.args, strict=False):
        if isinstance(given, ast.Starred):
            return None
        bound[name] = given
    for kw in call.keywords:
        if kw.arg is None:
            return None
        bound[kw.arg] = kw.value
    return bound


def _locals(fn: ast.FunctionDef) -> dict[str, ast.expr]:
    """Local names assigned once by a plain ``name = value`` in ``fn`` (the first such)."""
    found: dict[str, ast.expr] = {}
    counts: dict[str, int] = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            counts[name] = counts.get(name, 0) + 1
            found.setdefault(name, node.value)
    return {k: v for k, v in found.items() if counts[k] == 1}


class _Fold(ast.NodeTransformer):
    """Fold the string operations that build a variable's name from constants:
    ``"SHOP_" + "DEBUG"``, ``f"SHOP_{'debug'.upper()}"``, ``"debug".upper()``."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("upper", "lower", "strip")
            and isinstance(func.value, ast.Constant)
            and isinstance(func.value.value, str)
            and not node.args
            and not node.keywords
        ):
            return ast.copy_location(ast.Constant(value=getattr(func.value.value, func.attr)()), node)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        left, right = node.left, node.right
        if (
            isinstance(node.op, ast.Add)
            and isinstance(left, ast.Constant)
            and isinstance(right, ast.Constant)
            and isinstance(left.value, str)
            and isinstance(right.value, str)
        ):
            return ast.copy_location(ast.Constant(value=left.value + right.value), node)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        self.generic_visit(node)
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                if value.conversion != -1 or value.format_spec is not None:
                    return node
                value = value.value
            if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                return node
            parts.append(value.value)
        return ast.copy_location(ast.Constant(value="".join(parts)), node)


class _Substitute(ast.NodeTransformer):
    """Replace local names by their values (recursively, bounded) and parameters by arguments."""

    def __init__(
        self,
        local_values: dict[str, ast.expr],
        bound: dict[str, ast.expr],
        depth: int = 0,
        budget: _Budget | None = None,
    ) -> None:
        self.local_values = local_values
        self.bound = bound
        self.depth = depth
        self.budget = budget or _Budget()

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.local_values and self.depth < MAX_DEPTH and self.budget.left > 0:
            others = {k: v for k, v in self.local_values.items() if k != node.id}
            value = copy.deepcopy(self.local_values[node.id])
            if not self.budget.spend(value):
                return node
            return _Substitute(others, self.bound, self.depth + 1, self.budget).visit(value)
        if node.id in self.bound:
            return copy.deepcopy(self.bound[node.id])
        return node
