"""Which settings module to audit, and why.

Order (issue "core pipeline", DESIGN.md; issue 13): ``--settings``; ``[tool.golive]
settings``; ``DJANGO_SETTINGS_MODULE`` in the ``--env-file`` or golive's environment (the
variable wins over ``wsgi.py``'s default in production too); the module a production
deployment file sets it to (:mod:`golive.deployed_settings`); else the module
``manage.py``, ``wsgi.py`` or ``asgi.py`` default to
(``os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)``, read with :mod:`ast`, never
run; ``wsgi.py``'s, the module the application server imports, when it differs from
``manage.py``'s and does not look like development settings), replaced by a
production-looking sibling when one exists (``production.py``, ``prod.py``,
``settings/production/``...), since ``manage.py`` usually points at development settings.
"""

from __future__ import annotations

import ast
import contextlib
import os
import tokenize
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct

if TYPE_CHECKING:
    from golive.collectors.layout import Layout

PRODUCTION_NAMES = ("production", "prod", "live", "deploy")
SKIP_DIRS = {".git", ".venv", "venv", "env", "node_modules", "__pycache__", ".tox", "build", "dist"}


class DiscoveryError(Exception):
    """No settings module can be found (exit status 2); the message says what to pass."""


class SettingsChoice(Struct, frozen=True, kw_only=True):
    """The module to audit and a one-line reason shown in the report."""

    module: str
    reason: str


def read_python(path: Path) -> str:
    """The text of Python source file ``path``, decoded as Python decodes it: the PEP 263
    ``coding`` declaration or a UTF-8 byte-order mark, else UTF-8 (:func:`tokenize.open`;
    https://peps.python.org/pep-0263/).

    Raises ``OSError`` when the file cannot be read, ``SyntaxError`` for an unknown encoding
    name and ``UnicodeDecodeError`` for bytes the declared encoding cannot decode: callers
    give up on that file only.
    """
    with tokenize.open(path) as handle:
        return handle.read()


def module_file(project_dir: Path, module: str) -> Path | None:
    """The file of dotted ``module`` under ``project_dir`` (``pkg/__init__.py`` for a package)."""
    base = project_dir.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def default_from_entry_points(project_dir: Path, shown_from: Path | None = None) -> tuple[str, str] | None:
    """``(module, file name)`` from the first of manage.py/wsgi.py/asgi.py that sets a default;
    the file name relative to ``shown_from`` (the repository root) when given, else to ``project_dir``."""
    candidates = [project_dir / "manage.py"]
    for pattern in ("*/wsgi.py", "*/asgi.py"):
        candidates += sorted(project_dir.glob(pattern))
    for path in candidates:
        module = settings_module_default(path)
        if module:
            return module, str(path.relative_to(shown_from or project_dir))
    return None


class EntryDefault(Struct, frozen=True, kw_only=True):
    """``os.environ.setdefault("DJANGO_SETTINGS_MODULE", module)`` at ``path:line`` (relative
    to the project) of an entry point: ``manage.py``, ``*/wsgi.py`` or ``*/asgi.py``."""

    path: str
    line: int
    module: str

    @property
    def server(self) -> bool:
        """True for wsgi.py and asgi.py, the modules an application server imports."""
        return not self.path.endswith("manage.py")


def entry_point_defaults(project_dir: Path) -> list[EntryDefault]:
    """Every entry point that defaults DJANGO_SETTINGS_MODULE, in :func:`default_from_entry_points` order.

    Django's WSGI how-to: the module that ``wsgi.py`` passes to ``os.environ.setdefault`` is
    the one used when DJANGO_SETTINGS_MODULE is not set
    (https://docs.djangoproject.com/en/stable/howto/deployment/wsgi/#configuring-the-settings-module).
    """
    candidates = [project_dir / "manage.py"]
    for pattern in ("*/wsgi.py", "*/asgi.py"):
        candidates += sorted(project_dir.glob(pattern))
    found = []
    for path in candidates:
        hit = _setdefault_node(path)
        if hit:
            found.append(EntryDefault(path=str(path.relative_to(project_dir)), line=hit[1], module=hit[0]))
    return found


def settings_module_default(path: Path) -> str | None:
    """The module of ``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x")`` or of
    ``os.environ["DJANGO_SETTINGS_MODULE"] = "x"`` in ``path``, read with ast, never run."""
    hit = _setdefault_node(path)
    return hit[0] if hit else None


def _setdefault_node(path: Path) -> tuple[str, int] | None:
    """(module, line) of the DJANGO_SETTINGS_MODULE default in ``path``
    (see :func:`settings_module_default`)."""
    if not path.is_file():
        return None
    try:
        tree = ast.parse(read_python(path), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
            and len(node.args) == 2
            and _is_dsm(node.args[0])
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            return node.args[1].value, node.lineno
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Subscript)
            and _is_dsm(node.targets[0].slice)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value, node.lineno
    return None


def _is_dsm(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == "DJANGO_SETTINGS_MODULE"


def production_sibling(project_dir: Path, module: str) -> str | None:
    """A production-looking module next to (or inside) ``module``, if one exists.

    ``mysite.settings`` as a package → ``mysite.settings.production``;
    ``mysite.settings.dev`` → ``mysite.settings.production``;
    ``mysite.settings`` as a module → ``mysite.settings_production`` or
    ``mysite.production_settings``.
    """
    parts = module.split(".")
    base = project_dir.joinpath(*parts)
    if base.is_dir():
        package = parts
    else:
        package = parts[:-1]
        if parts[-1] in PRODUCTION_NAMES:
            return None
    pkg_dir = project_dir.joinpath(*package)
    for name in PRODUCTION_NAMES:
        for candidate in (pkg_dir / f"{name}.py", pkg_dir / name / "__init__.py"):
            if candidate.is_file():
                return ".".join([*package, name])
    if not base.is_dir():
        leaf = parts[-1]
        for name in PRODUCTION_NAMES:
            for stem in (f"{leaf}_{name}", f"{name}_{leaf}"):
                if (pkg_dir / f"{stem}.py").is_file():
                    return ".".join([*package, stem])
    return None


def require_module(django_root: Path, module: str, given: str, shown_from: Path | None = None) -> None:
    """Raise :class:`DiscoveryError` when the settings module the user named (``given``:
    ``--settings`` or the configuration) has no file under the Django root: a typo is a
    usage error (exit 2, nothing audited, nothing stored), not an audit whose settings did
    not load (issue 14). A module that exists
    and raises when imported is an INCOMPLETE audit instead (the runtime collector)."""
    if module_file(django_root, module) is not None:
        return
    shown = django_root
    if shown_from is not None:
        with contextlib.suppress(ValueError):
            shown = django_root.relative_to(shown_from)
    tail = "/".join(module.split("."))
    where = "the project directory" if str(shown) == "." else f"{shown}/"
    raise DiscoveryError(
        f"{given}: no module {module} in {where} (neither {tail}.py nor {tail}/__init__.py):"
        " check the name, or pass --django-root"
    )


def choose_settings(
    project_dir: Path,
    explicit: str | None,
    configured: str | None,
    config_name: str = "",
    *,
    shown_from: Path | None = None,
    environment: Mapping[str, str] | None = None,
    env_sources: Mapping[str, str] | None = None,
    layout: Layout | None = None,
) -> SettingsChoice:
    """Decide which settings module to audit under ``project_dir`` (the Django root); the
    reason names files relative to ``shown_from`` (the repository root) when given. Raises
    :class:`DiscoveryError` if none.

    ``environment`` is the environment the audit runs the project with (golive's own plus
    the ``--env-file``); ``env_sources`` says where a variable of it came from (``"the
    --env-file .env"``; default "golive's environment"). ``layout`` classifies the
    repository's deployment files (:mod:`golive.deployed_settings`); without it they are
    not read. A ``DJANGO_SETTINGS_MODULE`` naming no module of the project is passed over,
    and the reason says so.
    """
    if explicit:
        return SettingsChoice(module=explicit, reason="given with --settings")
    if configured:
        where = config_name or "the configuration"
        return SettingsChoice(module=configured, reason=f"[tool.golive] settings in {where}")
    from golive.deployed_settings import DSM, module_exists, named_by_deployment

    note = ""
    named = (environment or {}).get(DSM, "").strip()
    if named:
        source = (env_sources or {}).get(DSM, "golive's environment")
        if module_exists(project_dir, named):
            return SettingsChoice(module=named, reason=f"{DSM} in {source}")
        note = f"; {DSM}={named} in {source} names no module of the project: passed over"
    if layout is not None:
        deployed = named_by_deployment(layout.repo, project_dir, layout)
        if deployed:
            first = deployed[0]
            others = sorted({f"{n.module} ({n.path}:{n.line})" for n in deployed if n.module != first.module})
            also = f"; other files set {', '.join(others[:3])}" if others else ""
            return SettingsChoice(module=first.module, reason=first.reason + also + note)
    found = default_from_entry_points(project_dir, shown_from)
    if found is None:
        if not (project_dir / "manage.py").is_file() and not list(project_dir.glob("*/settings*")):
            raise DiscoveryError(
                f"{project_dir} does not look like a Django project (no manage.py, no settings):"
                " pass the project directory or --settings"
            )
        raise DiscoveryError(
            "no settings module found: manage.py, wsgi.py and asgi.py set no"
            " DJANGO_SETTINGS_MODULE default; pass --settings"
        )
    server = _server_default(project_dir, shown_from)
    if server is not None:
        return SettingsChoice(module=server.module, reason=server.reason + note)
    module, source = found
    sibling = production_sibling(project_dir, module)
    if sibling and sibling != module:
        return SettingsChoice(
            module=sibling,
            reason=f"production-looking sibling of {module} (the default in {source}){note}",
        )
    return SettingsChoice(module=module, reason=f"default in {source}{note}")


def _server_default(project_dir: Path, shown_from: Path | None) -> SettingsChoice | None:
    """The module ``wsgi.py``/``asgi.py`` default to when it differs from ``manage.py``'s and
    does not itself look like development or test settings (issue 13: Kiwi TCMS's manage.py
    defaults to ``tcms.settings.devel``, its wsgi.py to ``tcms.settings.product``). The
    application server imports wsgi.py, so its default is the module production runs when
    the environment does not say otherwise (Django's WSGI how-to, "Configuring the settings
    module": https://docs.djangoproject.com/en/stable/howto/deployment/wsgi/#configuring-the-settings-module)."""
    from golive.collectors.layout import DEV_WORDS, TEST_WORDS, words

    entries = entry_point_defaults(project_dir)
    manage = next((e for e in entries if not e.server), None)
    servers = [e for e in entries if e.server and module_file(project_dir, e.module) is not None]
    if manage is None or not servers or servers[0].module == manage.module:
        return None
    server = servers[0]
    if set(words(server.module.rsplit(".", 1)[-1])) & (DEV_WORDS | TEST_WORDS):
        return None

    def shown(rel: str) -> str:
        return str((project_dir / rel).relative_to(shown_from)) if shown_from else rel

    return SettingsChoice(
        module=server.module,
        reason=f"the default in {shown(server.path)}, the module the application server imports"
        f" ({shown(manage.path)} defaults to {manage.module})",
    )


def settings_modules(project_dir: Path, audited: str) -> list[str]:
    """Every other settings-looking module in the project (``*/settings*.py``, ``settings/*``).

    Used to compare SECRET_KEY fingerprints across modules: a key shared with a
    development module is a key that lives in source control.
    """
    found: set[str] = set()
    # os.walk, pruned as it goes: Path.rglob would list every folder of .git, a virtualenv
    # inside the project or node_modules before the filter threw their files away (issue 15)
    for folder, dirs, files in os.walk(project_dir):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")]
        for name in files:
            if not name.endswith(".py"):
                continue  # the path is made only for the modules
            module = _settings_module(Path(folder, name).relative_to(project_dir))
            if module:
                found.add(module)
    found.discard(audited)
    return sorted(found)


def _settings_module(rel: Path) -> str | None:
    """The dotted module of ``rel`` (a ``.py`` file, relative to the project) when it looks
    like settings, else None."""
    in_settings_pkg = any(p.startswith("settings") for p in rel.parts[:-1])
    if not (in_settings_pkg or rel.name.startswith("settings") or "settings" in rel.stem):
        return None
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or None
