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
copy that needs no root. (Apache configurations: :mod:`golive.collectors.appservers.unaudited`.)
The collector judges nothing: the checks are in :mod:`golive.checks.webserver`.

Modules: :mod:`.read` (what is an nginx file; crossplane, gixy-ng and ``nginx -t``),
:mod:`.includes` (include files that are not where nginx would read them), :mod:`.context`
(the Compose service that runs a file, and its templates).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from golive.collectors import CollectorError, CollectorSpec, Skip
from golive.collectors.deployment_files import display_path
from golive.collectors.layout import NGINX, Layout, layout_of
from golive.collectors.nginx.context import ComposeContext, is_template, render
from golive.collectors.nginx.includes import IncludeResolver
from golive.collectors.nginx.read import (
    APACHE_RE,
    DUMP_MARKER,
    NginxTest,
    ParseError,
    _candidates,
    _clean_dump,
    _read_text,
    _top_level,
    classify,
    is_dump,
    nginx_test,
    nginx_test_all,
    not_regular,
    run_gixy,
    validate,
)
from golive.context import AuditContext
from golive.facts.nginx import STOCK_SOURCE, GixyResult, NginxFacts, NginxFile
from golive.facts.nginx_tree import Node, from_gixy, walk
from golive.model import Location
from golive.parse_errors import describe

# --- the collector ---------------------------------------------------------------------------


def _directives_by_line(root: Node) -> dict[tuple[str, int | None], str]:
    """(path, line) → the name of the directive there (a map/geo entry counts as its block);
    (path, line, source) → each name there too, for the many directives of a stock file
    shown at its ``include`` line."""
    out: dict[Any, Any] = {}
    for chain in walk((root,)):
        node = chain[-1]
        name = chain[-2].name if len(chain) > 2 and chain[-2].name in ("map", "geo") else node.name
        out.setdefault((node.path, node.line), name)
        if node.source.startswith(STOCK_SOURCE):
            out.setdefault((node.path, node.line, node.source), []).append(name)
    return out


def _directive(names: Mapping[Any, Any], where: Location, source: str, excerpt: str) -> str:
    """The name of the directive a gixy-ng report is about: the one at its line, or among a
    stock file's directives (all at the include's line) the one its excerpt shows."""
    stock = names.get((where.path, where.line, source)) or []
    shown = [line.strip().split(" ", 1)[0].rstrip(";") for line in excerpt.splitlines()]
    named = next((n for n in reversed(shown) if n in stock), "")
    return named or str(names.get((where.path, where.line), ""))


def _gixy_result(report: Mapping[str, Any], display: Any, names: Mapping[Any, Any]) -> GixyResult:
    loc = report.get("location") or {}
    where: Location | None = None
    source = ""
    if loc.get("file") or loc.get("line"):
        path, source = display(loc.get("file"))
        where = Location(path=path, line=loc.get("line"))
    return GixyResult(
        plugin=str(report.get("plugin", "")),
        severity=str(report.get("severity", "UNSPECIFIED")),
        summary=str(report.get("summary") or ""),
        description=str(report.get("description") or ""),
        reason=str(report.get("reason") or ""),
        help_url=str(report.get("help_url") or ""),
        excerpt=str(report.get("config") or "").strip(),
        location=where,
        source=source,
        directive=_directive(names, where, source, str(report.get("config") or "")) if where else "",
    )


#: ``NginxFile.nginx_test`` of a fragment whose ``nginx -t`` :func:`collect_files` runs with
#: the other fragments' (:func:`golive.collectors.nginx.read.nginx_test_all`).
_DEFERRED = NginxTest(ran=False, output="deferred: tested with the other fragments")


def audit_file(
    path: Path,
    found: str,
    prefix: Path | None,
    project_dir: Path,
    context: ComposeContext | None = None,
    *,
    defer_test: bool = False,
) -> tuple[NginxFile, list[GixyResult]]:
    """Validate, parse and scan one input; a broken input gives a file with ``errors``. With
    a Compose ``context``, the file's deployment is found, and a ``*.template`` is audited as
    the official image's envsubst would render it (:mod:`golive.collectors.nginx.context`).
    With ``defer_test``, a file that needs nothing written beside it gets :data:`_DEFERRED`
    instead of its own ``nginx -t`` (the caller runs them all at once)."""
    shown = display_path(path, project_dir)
    problem = not_regular(path)  # "no such file", "not a regular file (a FIFO)": never opened
    if problem is not None:
        err = ParseError(path=shown, line=None, message=problem)
        return NginxFile(path=shown, found=found, kind="config", prefix="", errors=(err,)), []
    try:
        text = _read_text(path)
    except (OSError, ValueError) as exc:
        message = str(exc) if isinstance(exc, ValueError) else f"cannot read it: {exc.strerror or exc}"
        err = ParseError(path=shown, line=None, message=message)
        return NginxFile(path=shown, found=found, kind="config", prefix="", errors=(err,)), []
    if APACHE_RE.search(text):
        err = ParseError(
            path=shown, line=None, message="an Apache configuration, not nginx (not audited yet)"
        )
        return NginxFile(path=shown, found=found, kind="config", prefix="", errors=(err,)), []
    dump = is_dump(text)
    dump_text = _clean_dump(text) if dump else None
    base = prefix or path.parent.resolve()
    deployment = context.deployment_of(path) if context is not None else None
    resolver = IncludeResolver(project_dir, deployment)
    template, rendered = "", None
    if is_template(path) and not dump:
        text, template = render(text, deployment)
        rendered = text
    errors, included = validate(path.resolve(), base, project_dir, dump_text, resolver, rendered)
    kind = "dump" if dump else "config"
    if not dump:
        top = _top_level(text) if not errors else []
        if top and not any(s.get("directive") in ("http", "events") for s in top):
            kind = "fragment"

    marker = DUMP_MARKER.search(text) if dump else None
    first = marker.group(1) if marker else ""

    resolved = str(path.resolve())
    shown_as: dict[str | None, tuple[str, str]] = {}

    def display(file: str | None) -> tuple[str, str]:
        if file not in shown_as:
            if file in resolver.sites:  # a stock file's directive: shown at its include
                site, _, stock = resolver.sites[file]
                shown_as[file] = (display_path(Path(site), project_dir), f"{STOCK_SOURCE}{stock.label}")
            elif dump:  # gixy attributes the dump's first file to the dump itself
                shown_as[file] = (shown, first if not file or file == resolved else file)
            else:
                shown_as[file] = ((display_path(Path(file), project_dir) if file else shown), "")
        return shown_as[file]

    root = None
    notes: list[str] = []
    gixy: list[GixyResult] = []
    if not errors:
        try:
            groot, reports, notes = run_gixy(path.resolve(), base, dump_text, resolver, rendered)
        except Exception as exc:
            errors.append(
                ParseError(path=shown, line=None, message=f"gixy-ng could not read it: {describe(exc)}")
            )
        else:
            root = from_gixy(groot, display)
            gixy = [_gixy_result(r, display, _directives_by_line(root)) for r in reports]
    test = NginxTest(ran=False, output="not run on an nginx -T dump" if dump else "")
    if template:
        test = NginxTest(ran=False, output="not run on a template")
    elif resolver.notes and not (kind == "fragment" and resolver.relative_stock_only()):
        test = NginxTest(ran=False, output="not run: some includes are not where nginx would read them")
    elif included and (kind == "fragment" or base != path.parent.resolve()):
        test = NginxTest(ran=False, output="not run: its includes resolve against the prefix, not a wrapper")
    elif defer_test and not dump and not errors and not resolver.notes:
        test = _DEFERRED
    elif not dump and not errors:
        with tempfile.TemporaryDirectory(prefix="golive-nginx-") as tmp:
            resolver.materialise(Path(tmp))  # a fragment's wrapper reads relative includes there
            test = nginx_test(path, fragment=kind == "fragment", workdir=Path(tmp))
    nfile = NginxFile(
        path=shown,
        found=found,
        kind=kind,
        prefix=str(base),
        included=tuple(display_path(p, project_dir) for p in included),
        root=root,
        errors=tuple(errors),
        nginx_test=test,
        notes=tuple(notes),
        includes=tuple(sorted(resolver.notes, key=lambda n: (n.path, n.line or 0))),
        deployment=deployment,
        template=template,
    )
    return nfile, gixy


def discover(project_dir: Path, layout: Layout | None = None) -> list[Path]:
    """The project's files that parse as nginx (candidates: see the module docstring); with
    a ``layout``, only those it admits (production or unknown: :mod:`golive.collectors.layout`)."""
    found = [path for path in _candidates(project_dir, every=layout is not None) if classify(path) == "nginx"]
    return [path for path in found if layout is None or layout.admit(path, NGINX)]


def collect(ctx: AuditContext) -> NginxFacts:
    """Audit ``--nginx`` files, or the discovered ones. :class:`Skip` when there are none,
    :class:`CollectorError` when one cannot be read or parsed (see :func:`collect_files`).
    """
    project_dir = ctx.project_dir
    prefix = ctx.options.nginx_prefix.expanduser().resolve() if ctx.options.nginx_prefix else None
    layout = layout_of(ctx)
    if ctx.options.nginx:
        inputs = [
            (p if p.is_absolute() else Path.cwd() / p, f"given with --nginx {p}") for p in ctx.options.nginx
        ]
    else:
        found = discover(project_dir, layout)
        inputs = [(p, f"discovered {display_path(p, project_dir)}") for p in found]
    if not inputs:
        raise Skip("no nginx configuration found in the project (give --nginx FILE)" + layout.summary(NGINX))
    env_file = {k: ctx.env[k] for k in ctx.env_file_keys if k in ctx.env}
    context = ComposeContext(project_dir, env_file)
    if not ctx.options.nginx:  # a discovered file that another includes is audited through it
        inputs = not_included(inputs, prefix, project_dir, context)
    return collect_files(inputs, prefix, project_dir, context)


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
        included.update(p.resolve() for p in found)
    return [(p, how) for p, how in inputs if p.resolve() not in included]


def collect_files(
    inputs: list[tuple[Path, str]],
    prefix: Path | None,
    project_dir: Path,
    context: ComposeContext | None = None,
) -> NginxFacts:
    """Audit ``(file, how it was found)`` inputs (with the project's Compose ``context``, if
    read). :class:`CollectorError` when any is broken (nginx would refuse to start): the
    first error with file, line and parser message.
    """
    import gixy

    files: list[NginxFile] = []
    results: list[GixyResult] = []
    deferred: list[tuple[int, Path]] = []
    for path, how in inputs:
        nfile, gixy_results = audit_file(path, how, prefix, project_dir, context, defer_test=True)
        if nfile.nginx_test is _DEFERRED:
            deferred.append((len(files), path))
        files.append(nfile)
        results += gixy_results
    if deferred:  # one nginx -t for all the fragments, unless nginx refuses them together
        with tempfile.TemporaryDirectory(prefix="golive-nginx-") as tmp:
            tests = nginx_test_all([(p, files[i].kind == "fragment") for i, p in deferred], workdir=Path(tmp))
        for (index, _), test in zip(deferred, tests, strict=True):
            files[index] = replace(files[index], nginx_test=test)
    broken = [f for f in files if f.errors]
    if broken:
        first = broken[0].errors[0]
        more = sum(len(f.errors) for f in broken) - 1
        tail = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
        raise CollectorError(f"{first}{tail} (the nginx checks need every file to parse)")
    return NginxFacts(
        files=tuple(files),
        gixy=tuple(results),
        gixy_version=str(getattr(gixy, "version", "")),
        compose_errors=tuple(context.errors) if context is not None else (),
    )


SPEC = CollectorSpec(
    name="nginx",
    produces=NginxFacts,
    collect=collect,
    description="nginx configuration (crossplane, gixy-ng, nginx -t)",
)
