"""The nginx collector: the web server's configuration, parsed, followed and scanned by gixy-ng.

Inputs: ``--nginx FILE`` (repeatable; a configuration file or an ``nginx -T`` dump),
else discovery in the project: ``*.conf``/``*.nginx`` files and the files of
``nginx/``, ``sites-available/``, ``sites-enabled/``, ``conf.d/`` folders (anywhere in the
project, 4 levels deep: ``deploy/``, ``etc/``, ``conf/``, ``docker/``..., test folders
skipped) that parse as nginx; a file included by another is audited through it. ``include`` is followed (globs
too) relative to ``--nginx-prefix``, else the main file's directory, as nginx does; an
include whose file is not there is read from the repository (same path tail), else from
golive's copy of the stock file (``proxy_params``, ``fastcgi_params``, certbot's
``options-ssl-nginx.conf``...), else it is *unknown* and the rest is still audited, the
checks that depend on what it could set saying so (:mod:`golive.collectors.nginx.includes`).

For each file: the crossplane parser that gixy-ng ships checks syntax, argument counts
and known directive names (crossplane never raises on bad input: its status is read, and
a malformed, binary or unreadable file, an unknown directive or a missing include is an
error with file, line and message); gixy-ng builds the tree and runs every one of its
plugins in-process (its ``Manager``); where nginx is installed, ``nginx -t`` is run on a
copy that needs no root: once for all the fragments, in one main file that includes them
(each alone when nginx refuses them together), on a thread of its own while gixy-ng scans,
and not at all when a file is broken (the collector fails then); an answer is kept on disk
for the same files (:mod:`.test_cache`: ``[tool.golive.nginx] test_cache_hours``, default 12,
0 switches it off), so a second audit runs no nginx; gixy-ng's scan is kept there too, for
the same input and included files (:mod:`.scan_cache`), and each file is lexed once per audit
(:mod:`.lexing`). (Apache configurations:
:mod:`golive.collectors.appservers.unaudited`.)
The collector judges nothing: the checks are in :mod:`golive.checks.webserver`.

Modules: :mod:`.read` (what is an nginx file; the crossplane pass), :mod:`.inputs` (one
input's steps), :mod:`.scan` (gixy-ng), :mod:`.binary` (``nginx -t``), :mod:`.test_cache`
(its answers kept; :mod:`.test_reads`: what it reads, for their keys), :mod:`.scan_cache`
(gixy-ng's scans kept), :mod:`.lexing` (each text lexed once), :mod:`.includes` (include
files that are not where nginx would read them), :mod:`.context` (the Compose service that
runs a file, and its templates).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from golive.collectors import CollectorError, CollectorSpec, Skip
from golive.collectors.deployment_files import audit_files, display_path, shared_walk
from golive.collectors.layout import NGINX, Layout, layout_of
from golive.collectors.nginx.binary import test_inputs
from golive.collectors.nginx.context import ComposeContext
from golive.collectors.nginx.includes import IncludeResolver
from golive.collectors.nginx.inputs import (
    ALONE,
    WITH_OTHERS,
    Input,
    nginx_file,
    read_input,
    test_plan,
)
from golive.collectors.nginx.lexing import lexed_once
from golive.collectors.nginx.paths import resolved, resolved_once
from golive.collectors.nginx.read import candidates, classify, validate
from golive.collectors.nginx.scan_cache import gc_paused, scan
from golive.collectors.nginx.test_cache import AnswerCache, cache_for
from golive.context import AuditContext
from golive.facts.nginx import GixyResult, IncludeNote, NginxFacts, NginxFile, NginxTest

__all__ = [
    "SPEC",
    "GixyResult",
    "NginxFacts",
    "NginxFile",
    "collect",
    "collect_files",
    "discover",
    "not_included",
]


def discover(
    project_dir: Path, layout: Layout | None = None, files: Iterable[Path] | None = None
) -> list[Path]:
    """The project's files that parse as nginx (candidates: see the module docstring); with
    a ``layout``, only those it admits (production or unknown: :mod:`golive.collectors.layout`).
    ``files``: the project's files when already walked (every one, test folders included when
    a ``layout`` is given), else walked here."""
    found = [
        path
        for path in candidates(project_dir, every=layout is not None, files=files)
        if classify(path) == "nginx"
    ]
    return [path for path in found if layout is None or layout.admit(path, NGINX)]


def collect(ctx: AuditContext) -> NginxFacts:
    """Audit ``--nginx`` files, or the discovered ones. :class:`Skip` when there are none,
    :class:`CollectorError` when one cannot be read or parsed (see :func:`collect_files`).
    Each file is lexed once (:func:`golive.collectors.nginx.lexing.lexed_once`).
    """
    with lexed_once(), resolved_once(), shared_walk(ctx):  # the audit's walk (issue 15)
        return _collect(ctx)


def _collect(ctx: AuditContext) -> NginxFacts:
    project_dir = ctx.project_dir
    prefix = ctx.options.nginx_prefix.expanduser().resolve() if ctx.options.nginx_prefix else None
    layout = layout_of(ctx)
    if ctx.options.nginx:
        inputs = [
            (p if p.is_absolute() else Path.cwd() / p, f"given with --nginx {p}") for p in ctx.options.nginx
        ]
    else:
        found = discover(project_dir, layout, audit_files(ctx, every=True))  # the shared walk (issue 15)
        inputs = [(p, f"discovered {display_path(p, project_dir)}") for p in found]
    if not inputs:
        raise Skip("no nginx configuration found in the project (give --nginx FILE)" + layout.summary(NGINX))
    env_file = {k: ctx.env[k] for k in ctx.env_file_keys if k in ctx.env}
    context = ComposeContext(project_dir, env_file, audit_files(ctx))
    if not ctx.options.nginx:  # a discovered file that another includes is audited through it
        inputs = not_included(inputs, prefix, project_dir, context)
    cache = cache_for(ctx.env, ctx.config.section("nginx"))
    return collect_files(inputs, prefix, project_dir, context, cache)


def not_included(
    inputs: list[tuple[Path, str]], prefix: Path | None, project_dir: Path, context: ComposeContext | None
) -> list[tuple[Path, str]]:
    """The discovered inputs no other input includes (those are audited through it), includes
    followed as nginx would, through the Compose mounts of the service running each file."""
    included: set[Path] = set()
    for path, _ in inputs:
        resolver = IncludeResolver(project_dir, context.deployment_of(path) if context else None)
        try:
            found = validate(path, prefix or path.parent, project_dir, resolver=resolver)[1]
        except Exception:
            continue
        included.update(resolved(p) for p in found)
    return [(p, how) for p, how in inputs if resolved(p) not in included]


def collect_files(
    inputs: list[tuple[Path, str]],
    prefix: Path | None,
    project_dir: Path,
    context: ComposeContext | None = None,
    cache: AnswerCache | None = None,
) -> NginxFacts:
    """Audit ``(file, how it was found)`` inputs (with the project's Compose ``context``, if
    read). :class:`CollectorError` when any is broken (nginx would refuse to start): the
    first error with file, line and parser message.

    Every input is read and validated first; then ``nginx -t`` runs on a thread of its own
    (:func:`golive.collectors.nginx.binary.test_inputs`) while gixy-ng scans the inputs on
    this one. gixy-ng may find includes crossplane did not follow (those of a stock file):
    an input whose plan (:func:`golive.collectors.nginx.inputs.test_plan`) or missing
    includes changed is tested again afterwards, as are the fragments tested together when
    their set changed, so the answers are those of testing after the scan. ``cache``: the
    ``nginx -t`` answers kept on disk (:mod:`golive.collectors.nginx.test_cache`).
    """
    import gixy

    with lexed_once(), resolved_once():
        return _collect_files(inputs, prefix, project_dir, context, cache, str(getattr(gixy, "version", "")))


def _collect_files(
    inputs: list[tuple[Path, str]],
    prefix: Path | None,
    project_dir: Path,
    context: ComposeContext | None,
    cache: AnswerCache | None,
    gixy_version: str,
) -> NginxFacts:
    items = [read_input(path, how, prefix, project_dir, context) for path, how in inputs]
    readable = [i for i in items if i.unread is None]
    broken = any(i.unread is not None or i.errors for i in items)
    planned = {id(i): (test_plan(i), list(i.resolver.notes) if i.resolver else []) for i in readable}
    early: tuple[list[NginxTest], list[NginxTest]] = ([], [])
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="golive-nginx-t") as pool:
        future = None
        if not broken:  # a broken file fails the collector: nothing to test
            future = pool.submit(test_inputs, *_jobs(readable, planned), cache=cache)
        with gc_paused():  # allocation-heavy: a collection would walk every imported module
            for item in items:
                scan(item, project_dir, cache)  # gixy-ng, or its scan kept for the same files
        if future is not None:
            early = future.result()
    broken_files = [nginx_file(i, NginxTest(ran=False), project_dir) for i in items if i.unread or i.errors]
    if broken_files:
        first = broken_files[0].errors[0]
        more = sum(len(f.errors) for f in broken_files) - 1
        tail = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
        raise CollectorError(f"{first}{tail} (the nginx checks need every file to parse)")
    tests = _answers(readable, planned, early, cache)
    return NginxFacts(
        files=tuple(nginx_file(i, tests.get(id(i), NginxTest(ran=False)), project_dir) for i in items),
        gixy=tuple(r for i in items for r in i.gixy),
        gixy_version=gixy_version,
        compose_errors=tuple(context.errors) if context is not None else (),
    )


def _jobs(
    items: list[Input], plans: Mapping[int, tuple[NginxTest | str, list[IncludeNote]]]
) -> tuple[list[tuple[Path, bool]], list[tuple[Path, bool, IncludeResolver]]]:
    """The arguments of :func:`test_inputs` for ``items`` under ``plans`` (by ``id``: plan,
    missing includes then); each resolver is a copy holding those includes."""
    with_others = [(i.path, i.kind == "fragment") for i in items if plans[id(i)][0] == WITH_OTHERS]
    alone = []
    for i in items:
        plan, notes = plans[id(i)]
        if plan == ALONE and i.resolver is not None:
            resolver = copy.copy(i.resolver)
            resolver.notes = list(notes)
            alone.append((i.path, i.kind == "fragment", resolver))
    return with_others, alone


def _answers(
    items: list[Input],
    planned: Mapping[int, tuple[NginxTest | str, list[IncludeNote]]],
    early: tuple[list[NginxTest], list[NginxTest]],
    cache: AnswerCache | None = None,
) -> dict[int, NginxTest]:
    """Each input's ``nginx -t`` answer (by ``id``), from ``early`` (the answers to the
    ``planned`` tests) where the plan still holds after the scan, else from tests run now."""
    final = {id(i): (test_plan(i), list(i.resolver.notes) if i.resolver else []) for i in items}
    answers = {id(i): p for i in items if isinstance(p := final[id(i)][0], NginxTest)}
    together, single = early
    early_group = [id(i) for i in items if planned[id(i)][0] == WITH_OTHERS]
    group = [i for i in items if final[id(i)][0] == WITH_OTHERS]
    if [id(i) for i in group] != early_group:
        together = test_inputs(*_jobs(group, final), cache=cache)[0]
    answers.update(zip((id(i) for i in group), together, strict=True))
    early_alone = iter(single)
    for item in items:
        early_answer = next(early_alone) if planned[id(item)][0] == ALONE else None
        if final[id(item)][0] != ALONE:
            continue
        if early_answer is not None and planned[id(item)] == final[id(item)]:
            answers[id(item)] = early_answer
        else:
            answers[id(item)] = test_inputs(*_jobs([item], final), cache=cache)[1][0]
    return answers


SPEC = CollectorSpec(
    name="nginx",
    produces=NginxFacts,
    collect=collect,
    description="nginx configuration (crossplane, gixy-ng, nginx -t)",
)
