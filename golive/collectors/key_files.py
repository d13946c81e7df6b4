"""Whether a generated setting is persisted to a file: read with :mod:`ast`, never executed.

A key generated at import (``get_random_secret_key()``) is a new key in every process,
unless the settings write it to a file and read it back on later starts. Two shapes:

- **written**: the module writes the setting's name to a file, before or after the
  assignment: ``with open(P, "w") as f: f.write(SECRET_KEY)``, ``P.open(mode="x")``,
  ``P.write_text(SECRET_KEY)``, ``os.write(fd, SECRET_KEY.encode())``, or a call of one of
  the module's functions whose body writes its argument (``_save(SECRET_KEY)``);
- **read-first**: the assignment is the fallback of an ``if``/``try`` whose first branch
  assigns the setting from a file (``with open(P) as f: SECRET_KEY = f.read()``,
  ``SECRET_KEY = P.read_text()``), and nothing writes it.

A read-first key is stable too when another file of the project writes a generated value to
a file of the same name once (a ``generate_secret_key`` management command an entry-point
script runs before the server): :func:`project_writer` finds it.

This module gathers; :mod:`golive.checks.ephemeral_key` judges.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from msgspec import Struct

from golive.discovery import read_python
from golive.walk import project_files

#: Folders whose code is not what a deployment runs (tests, fixtures): their writers do not count.
NOT_DEPLOYED = frozenset({"tests", "test", "testing", "fixtures", "docs", "examples"})
#: A file name shorter than this (``key``) is too common to tie a writer to a reader.
MIN_NAME = 6

WRITE_MODES = ("w", "x", "a")


class Persisted(Struct, frozen=True, kw_only=True):
    """``how`` is ``written`` or ``read-first``; ``file`` the file's expression as written;
    ``via`` the project function that writes it (``""``: the module itself)."""

    how: str
    file: str
    via: str = ""


def persistence(tree: ast.Module, target: str, line: int) -> Persisted | None:
    """How the value assigned to ``target`` at ``line`` of ``tree`` is persisted, if it is."""
    written = _written(tree, target)
    if written is not None:
        return written
    read = _read_first(tree, target, line)
    return Persisted(how="read-first", file=read) if read is not None else None


def _written(tree: ast.Module, target: str) -> Persisted | None:
    handles = _write_handles(tree)
    writers = _writer_functions(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        file = _write_of(node, handles, {target})
        if file is not None:
            return Persisted(how="written", file=file)
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        if name in writers and any(_mentions(a, {target}) for a in node.args):
            return Persisted(how="written", file=writers[name], via=name)
    return None


def _writer_functions(tree: ast.Module) -> dict[str, str]:
    """The module's functions whose body writes one of their parameters: name → file."""
    found: dict[str, str] = {}
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        params = {a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]}
        handles = _write_handles(fn)
        for node in ast.walk(fn):
            file = _write_of(node, handles, params) if isinstance(node, ast.Call) else None
            if file is not None:
                found[fn.name] = file
                break
    return found


def _write_of(call: ast.Call, handles: dict[str, str], names: set[str]) -> str | None:
    """The file ``call`` writes one of ``names`` to, or None."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    data = [*call.args, *(k.value for k in call.keywords)]
    if func.attr in ("write_text", "write_bytes") and any(_mentions(d, names) for d in data):
        return ast.unparse(func.value)
    if func.attr == "write" and _dotted(func.value) == "os" and len(call.args) == 2:
        return ast.unparse(call.args[0]) if _mentions(call.args[1], names) else None
    handle = func.value.id if isinstance(func.value, ast.Name) else ""
    if func.attr in ("write", "writelines") and handle in handles and any(_mentions(d, names) for d in data):
        return handles[handle]
    return None


def _write_handles(tree: ast.AST) -> dict[str, str]:
    """``with open(P, "w") as f`` / ``with P.open(mode="w") as f``: f → P."""
    handles: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                opened = _opened(item.context_expr)
                if opened and opened[1] and isinstance(item.optional_vars, ast.Name):
                    handles[item.optional_vars.id] = opened[0]
    return handles


def _opened(node: ast.expr) -> tuple[str, bool] | None:
    """(file, opened for writing) for ``open(P, mode)`` or ``P.open(mode)``, else None."""
    if not isinstance(node, ast.Call):
        return None
    name = _dotted(node.func)
    args = list(node.args)
    if name in ("open", "io.open", "codecs.open") and args:
        file, rest = ast.unparse(args[0]), args[1:]
    elif isinstance(node.func, ast.Attribute) and node.func.attr == "open":
        file, rest = ast.unparse(node.func.value), args
    else:
        return None
    mode = next((k.value for k in node.keywords if k.arg == "mode"), rest[0] if rest else None)
    text = mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else "r"
    return file, any(m in text for m in WRITE_MODES)


def _read_first(tree: ast.Module, target: str, line: int) -> str | None:
    """The file a preceding branch reads ``target`` from, when ``line`` is the fallback."""
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            first, fallbacks = node.body, [node.orelse]
        elif isinstance(node, ast.Try):
            first, fallbacks = node.body, [h.body for h in node.handlers]
        else:
            continue
        if not any(_spans(branch, line) for branch in fallbacks):
            continue
        file = _reads_into(first, target)
        if file is not None:
            return file
    return None


def _reads_into(body: list[ast.stmt], target: str) -> str | None:
    """The file an assignment to ``target`` in ``body`` reads (``P.read_text()``, or a
    ``with open(P) as f`` around it), or None."""
    for stmt in body:
        if isinstance(stmt, (ast.With, ast.AsyncWith)) and _assigns(stmt.body, target):
            for item in stmt.items:
                opened = _opened(item.context_expr)
                if opened and not opened[1]:
                    return opened[0]
        for node in ast.walk(stmt):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and _assigns([node], target):
                for sub in ast.walk(node.value) if node.value is not None else ():
                    func = sub.func if isinstance(sub, ast.Call) else None
                    if isinstance(func, ast.Attribute) and func.attr in ("read_text", "read_bytes"):
                        return ast.unparse(func.value)
                    opened = _opened(sub) if isinstance(sub, ast.expr) else None
                    if opened and not opened[1]:
                        return opened[0]
    return None


def _assigns(body: list[ast.stmt], target: str) -> bool:
    for stmt in body:
        for node in ast.walk(stmt):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            if any(isinstance(t, ast.Name) and t.id == target for t in targets):
                return True
    return False


def _spans(body: list[ast.stmt], line: int) -> bool:
    return any(s.lineno <= line <= (s.end_lineno or s.lineno) for s in body)


def _mentions(node: ast.expr, names: set[str]) -> bool:
    return any(isinstance(sub, ast.Name) and sub.id in names for sub in ast.walk(node))


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def file_name(expression: str) -> str:
    """The file name a path expression ends with, from its last string constant
    (``os.path.join(BASE_DIR, "data", "secretkey.txt")`` → ``secretkey.txt``, ``DIR /
    "key.txt"`` → ``key.txt``), or ``""`` when it has none or one shorter than :data:`MIN_NAME`."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return ""
    found = sorted(
        (node.lineno, node.col_offset, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip("/")
    )
    name = found[-1][2].rstrip("/").rsplit("/", 1)[-1] if found else ""
    return name if len(name) >= MIN_NAME else ""


def project_writer(root: Path, key_file: str, generators: Iterable[str], skip: Iterable[Path] = ()) -> str:
    """The project file (POSIX, relative to ``root``) whose code writes a file named like the
    one ``key_file`` (an expression, as written) names, and calls one of ``generators`` (the
    random generators' last names): a command that creates the key file once. ``""`` when
    no such file is found; files under :data:`NOT_DEPLOYED` folders and ``skip`` (the
    settings modules themselves, judged by :func:`persistence`) do not count. Reads only
    the ``.py`` files whose text holds the file name; never raises for an unreadable one."""
    name = file_name(key_file)
    if not name:
        return ""
    wanted = set(generators)
    left_out = {p.resolve() for p in skip}
    for path in sorted(project_files(root)):
        rel = path.relative_to(root)
        if path.suffix != ".py" or NOT_DEPLOYED & set(rel.parts[:-1]) or path.resolve() in left_out:
            continue
        try:
            text = read_python(path)
            if name not in text:
                continue
            tree = ast.parse(text, filename=str(path))
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            continue
        if _writes_named(tree, name) and _calls_any(tree, wanted):
            return rel.as_posix()
    return ""


def _writes_named(tree: ast.Module, name: str) -> bool:
    """True when ``tree`` opens for writing (or ``write_text``s) a path whose expression holds
    ``name``, directly or through a variable assigned such an expression."""
    aliases = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _holds(node.value, name)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def named(expr: ast.expr) -> bool:
        return _holds(expr, name) or (isinstance(expr, ast.Name) and expr.id in aliases)

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("write_text", "write_bytes")
            and named(func.value)
        ):
            return True
        opened = _opened(node)
        if opened and opened[1]:
            if _dotted(func) in ("open", "io.open", "codecs.open"):
                target = node.args[0]
            elif isinstance(func, ast.Attribute):
                target = func.value
            else:
                continue
            if named(target):
                return True
    return False


def _holds(expr: ast.expr, name: str) -> bool:
    return any(
        isinstance(sub, ast.Constant) and isinstance(sub.value, str) and sub.value.rstrip("/").endswith(name)
        for sub in ast.walk(expr)
    )


def _calls_any(tree: ast.Module, names: set[str]) -> bool:
    return any(
        isinstance(node, ast.Call) and _dotted(node.func).rsplit(".", 1)[-1] in names
        for node in ast.walk(tree)
    )
