"""One nginx input of the collector, in three steps: read and validated (:func:`read_input`),
scanned by gixy-ng (:func:`scan_input`), then the :class:`NginxFile` with its ``nginx -t``
answer (:func:`nginx_file`). Helpers of :mod:`golive.collectors.nginx` (which documents the
behaviour); split so that the collector can run ``nginx -t`` while gixy-ng scans.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from golive.collectors.nginx.context import ComposeContext, is_template, render
from golive.collectors.nginx.includes import IncludeResolver
from golive.collectors.nginx.paths import resolved
from golive.collectors.nginx.paths import shown as show
from golive.collectors.nginx.read import (
    APACHE_RE,
    DUMP_MARKER,
    clean_dump,
    is_dump,
    not_regular,
    read_text,
    top_level,
    validate_root,
)
from golive.collectors.nginx.scan import run_gixy
from golive.facts.nginx import STOCK_SOURCE, GixyResult, IncludeNote, NginxFile, NginxTest, ParseError
from golive.facts.nginx_tree import Node, from_gixy, walk
from golive.model import Location


class Input(Struct, kw_only=True, eq=False):
    """One input as the steps see it. ``unread`` is the final answer for an input that is
    never parsed (missing, not a regular file, unreadable, Apache); the other fields are
    filled by :func:`read_input` (``text`` the file's text, rendered for a template;
    ``dump_text`` the cleaned dump; ``base`` the prefix includes resolve against), then
    :func:`scan_input` (``root``, ``gixy``, ``notes``; ``errors`` may grow)."""

    path: Path
    found: str
    shown: str
    unread: NginxFile | None = None
    text: str = ""
    dump: bool = False
    dump_text: str | None = None
    base: Path = Path()
    resolver: IncludeResolver | None = None
    template: str = ""
    rendered: str | None = None
    errors: list[ParseError] = field(default_factory=list)
    included: list[Path] = field(default_factory=list)
    kind: str = "config"
    root: Node | None = None
    gixy: list[GixyResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _unread(path: Path, found: str, shown: str, message: str) -> Input:
    err = ParseError(path=shown, line=None, message=message)
    nfile = NginxFile(path=shown, found=found, kind="config", prefix="", errors=(err,))
    return Input(path=path, found=found, shown=shown, unread=nfile)


def read_input(
    path: Path, found: str, prefix: Path | None, project_dir: Path, context: ComposeContext | None = None
) -> Input:
    """Read and validate one input (crossplane, its includes followed); with a Compose
    ``context``, the file's deployment is found, and a ``*.template`` is read as the official
    image's envsubst would render it (:mod:`golive.collectors.nginx.context`)."""
    shown = show(path, project_dir)
    problem = not_regular(path)  # "no such file", "not a regular file (a FIFO)": never opened
    if problem is not None:
        return _unread(path, found, shown, problem)
    try:
        text = read_text(path)
    except (OSError, ValueError) as exc:
        message = str(exc) if isinstance(exc, ValueError) else f"cannot read it: {exc.strerror or exc}"
        return _unread(path, found, shown, message)
    if APACHE_RE.search(text):
        return _unread(path, found, shown, "an Apache configuration, not nginx (not audited yet)")
    dump = is_dump(text)
    dump_text = clean_dump(text) if dump else None
    base = prefix or resolved(path.parent)
    deployment = context.deployment_of(path) if context is not None else None
    resolver = IncludeResolver(project_dir, deployment)
    template, rendered = "", None
    if is_template(path) and not dump:
        text, template = render(text, deployment)
        rendered = text
    # the text read above is the root's (rendered for a template): validate does not read it again
    errors, included, top = validate_root(resolved(path), base, project_dir, dump_text, resolver, text)
    kind = "dump" if dump else "config"
    if not dump:
        top = (top_level(text) if top is None else top) if not errors else []
        if top and not any(s.get("directive") in ("http", "events") for s in top):
            kind = "fragment"
    return Input(
        path=path,
        found=found,
        shown=shown,
        text=text,
        dump=dump,
        dump_text=dump_text,
        base=base,
        resolver=resolver,
        template=template,
        rendered=rendered,
        errors=errors,
        included=included,
        kind=kind,
    )


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


def scan_input(item: Input, project_dir: Path) -> None:
    """Parse a valid input with gixy-ng and run its plugins, filling ``root``, ``gixy`` and
    ``notes`` (gixy-ng's warnings); a file gixy-ng cannot read gets an error instead."""
    if item.unread is not None or item.errors or item.resolver is None:
        return
    resolver = item.resolver
    marker = DUMP_MARKER.search(item.text) if item.dump else None
    first = marker.group(1) if marker else ""
    real = resolved(item.path)
    real_name = str(real)
    shown_as: dict[str | None, tuple[str, str]] = {}

    def display(file: str | None) -> tuple[str, str]:
        if file not in shown_as:
            if file in resolver.sites:  # a stock file's directive: shown at its include
                site, _, stock = resolver.sites[file]
                shown_as[file] = (show(Path(site), project_dir), f"{STOCK_SOURCE}{stock.label}")
            elif item.dump:  # gixy attributes the dump's first file to the dump itself
                shown_as[file] = (item.shown, first if not file or file == real_name else file)
            else:
                shown_as[file] = ((show(Path(file), project_dir) if file else item.shown), "")
        return shown_as[file]

    try:
        groot, reports, item.notes = run_gixy(real, item.base, item.dump_text, resolver, item.rendered)
    except Exception as exc:
        from golive.parse_errors import describe  # here: only a file gixy-ng cannot read

        message = f"gixy-ng could not read it: {describe(exc)}"
        item.errors.append(ParseError(path=item.shown, line=None, message=message))
    else:
        item.root = from_gixy(groot, display)
        item.gixy = [_gixy_result(r, display, _directives_by_line(item.root)) for r in reports]


#: A test plan (:func:`test_plan`): run ``nginx -t`` with the other inputs (one main file for
#: the fragments, :func:`golive.collectors.nginx.binary.nginx_test_all`).
WITH_OTHERS = "with the other inputs"
#: A test plan: run ``nginx -t`` alone, in a scratch prefix holding golive's copies of the
#: relative stock includes (:meth:`IncludeResolver.materialise`).
ALONE = "alone, with its stock includes"


def test_plan(item: Input) -> NginxTest | str:
    """How ``item`` is tested by nginx: :data:`WITH_OTHERS`, :data:`ALONE`, or the answer when
    it is not run (a dump, a template, includes nginx would not find where they are, includes
    that resolve against the prefix rather than a wrapper, a broken file)."""
    resolver = item.resolver
    assert resolver is not None
    if item.template:
        return NginxTest(ran=False, output="not run on a template")
    if resolver.notes and not (item.kind == "fragment" and resolver.relative_stock_only()):
        return NginxTest(ran=False, output="not run: some includes are not where nginx would read them")
    if item.included and (item.kind == "fragment" or item.base != resolved(item.path.parent)):
        return NginxTest(ran=False, output="not run: its includes resolve against the prefix, not a wrapper")
    if item.dump or item.errors:
        return NginxTest(ran=False, output="not run on an nginx -T dump" if item.dump else "")
    return ALONE if resolver.notes else WITH_OTHERS


def includes_of(item: Input) -> tuple[IncludeNote, ...]:
    """The missing includes of ``item``, in file and line order."""
    notes = item.resolver.notes if item.resolver is not None else []
    return tuple(sorted(notes, key=lambda n: (n.path, n.line or 0)))


def nginx_file(item: Input, test: NginxTest, project_dir: Path) -> NginxFile:
    """The input's facts, with its ``nginx -t`` answer."""
    if item.unread is not None:
        return item.unread
    return NginxFile(
        path=item.shown,
        found=item.found,
        kind=item.kind,
        prefix=str(item.base),
        included=tuple(show(p, project_dir) for p in item.included),
        root=item.root,
        errors=tuple(item.errors),
        nginx_test=test,
        notes=tuple(item.notes),
        includes=includes_of(item),
        deployment=item.resolver.deployment if item.resolver is not None else None,
        template=item.template,
    )
