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

Modules: :mod:`.reader` (one module and its star-import chain, statement by statement),
:mod:`.expressions` (what an expression says: environment lookups, literals, random keys).
"""

from __future__ import annotations

import os
from pathlib import Path

from msgspec.structs import replace

from golive.collectors import CollectorError, CollectorSpec, Skip
from golive.collectors.cache_use import cache_uses
from golive.collectors.host_checks import host_checks
from golive.collectors.key_files import project_writer
from golive.collectors.source.expressions import RANDOM_GENERATORS
from golive.collectors.source.reader import ModuleReader
from golive.context import AuditContext
from golive.discovery import entry_point_defaults, module_file, settings_modules
from golive.facts.source import (
    Assignment,
    DeployedModule,
    EntryChain,
    ModuleSource,
    SentryInit,
    SourceFacts,
)
from golive.model import Location


def read_module_chain(
    ctx: AuditContext, module: str
) -> tuple[list[ModuleSource], list[Assignment], list[SentryInit]]:
    """Read ``module`` and its star-import chain: (modules, assignments, sentry inits)."""
    reader = ModuleReader(ctx)
    reader.read(module)
    return reader.modules, reader.assignments, reader.sentry


def settings_chain(ctx: AuditContext) -> tuple[list[ModuleSource], list[Assignment], list[SentryInit]]:
    """:func:`read_module_chain` of ``ctx.settings_module``, read once per audit: the source
    collector and the project collector's inventory (which lists the chain's files) share the
    reading through the audit's layout (:meth:`~golive.collectors.layout.Layout.once`); each
    caller gets lists of its own. A context without a layout reads at each call."""
    from golive.collectors.layout import Layout

    layout = getattr(ctx, "layout", None)
    if not isinstance(layout, Layout):
        return read_module_chain(ctx, ctx.settings_module)
    modules, assignments, sentry = layout.once(
        f"settings chain {ctx.settings_module}", lambda: read_module_chain(ctx, ctx.settings_module)
    )
    return list(modules), list(assignments), list(sentry)


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
    modules, assignments, sentry = settings_chain(ctx)
    broken = next((m for m in modules if m.error), None)
    if broken is not None:
        raise CollectorError(f"cannot read {broken.path}: {broken.error}: fix the file")
    for entry in ("wsgi", "asgi"):
        for path in sorted(ctx.django_dir.glob(f"*/{entry}.py")):
            mod = ".".join(path.relative_to(ctx.django_dir).with_suffix("").parts)
            _, _, more = read_module_chain(ctx, mod)
            sentry.extend(more)
    skip = [ctx.project_dir / m.path for m in modules]
    assignments = [_with_writer(ctx, a, skip) for a in assignments]
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
        host_checks=host_checks(ctx.django_dir, ctx.project_dir),
        settings_development=ctx.settings_development,
        deployed_modules=_deployed_modules(ctx),
    )


def _deployed_modules(ctx: AuditContext) -> tuple[DeployedModule, ...]:
    """Each production (or unknown) deployment file that sets DJANGO_SETTINGS_MODULE
    (:func:`golive.deployed_settings.named_by_deployment`), for the entry points' defaults."""
    from golive.collectors.layout import layout_of
    from golive.deployed_settings import named_by_deployment

    layout = layout_of(ctx)
    return tuple(
        DeployedModule(module=n.module, location=Location(path=n.path, line=n.line))
        for n in named_by_deployment(layout.repo, ctx.django_dir, layout)
    )


def _with_writer(ctx: AuditContext, a: Assignment, skip: list[Path]) -> Assignment:
    """``a`` with the project file that writes its read-first key file once
    (:func:`golive.collectors.key_files.project_writer`), when one does."""
    if a.persisted != "read-first" or a.key_writer:
        return a
    writer = project_writer(ctx.project_dir, a.key_file, RANDOM_GENERATORS, skip)
    return replace(a, key_writer=writer) if writer else a


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
