"""The HTML report: one self-contained file (inline CSS, no script, nothing loaded from the network).

Rendered by Jinja2 (``templates/report.html.j2``) with autoescaping on, so every string
from the audit (titles, evidence, subjects, paths, the author) is escaped, and with a
``finalize`` hook (:func:`visible_controls`) that writes the control characters of every
printed value as visible escapes (``\\x1b``): HTML forbids C0 controls other than tab,
newline, form feed and carriage return in a document and C1 controls anywhere
(https://html.spec.whatwg.org/multipage/syntax.html#text), and a raw ``ESC`` in the file
still acts in a terminal that shows it. The only
markup inserted unescaped is Rich's SVG export of Django's check output, whose text Rich
escapes itself (and from which the web-font URLs are removed). Screenshots are embedded
as ``data:image/png;base64`` URIs. A print stylesheet (``@media print``) keeps findings
whole on a page and shows the passes that are folded into ``<details>`` on screen, so the
page prints cleanly to PDF.

Sources: Jinja2 autoescaping (https://jinja.palletsprojects.com/en/stable/api/#autoescaping),
Rich's SVG export (https://rich.readthedocs.io/en/stable/console.html#exporting),
data URIs (RFC 2397).
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from msgspec import Struct
from rich.console import Console
from rich.text import Text

from golive.checklist import checklist
from golive.history.grade import grade_line
from golive.history.trend import trend_svg
from golive.model import Audit, Finding, Screenshot, Section, Status, VerdictWord
from golive.provenance import note as placeholder_note
from golive.reports import charts, marks
from golive.reports.controls import visible
from golive.reports.signoff_block import block as signoff_block
from golive.verdict import how_to_sign

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: Largest screenshot embedded, in bytes (a bigger file is referenced by a note instead).
MAX_SCREENSHOT_BYTES = 8 * 1024 * 1024
#: Statuses shown in full (the rest are folded).
OPEN = (Status.FAIL, Status.ERROR, Status.MANUAL)

_env: Environment | None = None


def visible_controls(value: object) -> object:
    """Jinja2's ``finalize``: each value a template prints, control characters (but tab
    and newline) written as visible escapes (:func:`golive.reports.controls.visible`).

    Strings come back as strings and :class:`~markupsafe.Markup` as Markup (an escape adds
    no markup character); other objects (a ``Location``) are turned into their text first;
    numbers and None are returned as they are.
    """
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Markup):
        return Markup(visible(str(value), keep="\n\t"))
    return visible(str(value), keep="\n\t")


def environment() -> Environment:
    """The Jinja2 environment: package templates, autoescaping, control characters made
    visible (:func:`visible_controls`), undefined names raise."""
    global _env
    if _env is None:
        _env = Environment(
            loader=PackageLoader("golive.reports", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
            undefined=StrictUndefined,
            finalize=visible_controls,
            trim_blocks=True,
            lstrip_blocks=True,
        )
    return _env


class SectionView(Struct, frozen=True):
    """One checklist section as the template shows it."""

    section: Section
    open: list[Finding]
    folded: list[Finding]

    @property
    def tally(self) -> dict[str, int]:
        """Number of findings per status (only the statuses present)."""
        out: dict[str, int] = {}
        for f in self.open + self.folded:
            out[f.status.value] = out.get(f.status.value, 0) + 1
        return out


class ShotView(Struct, frozen=True):
    """A screenshot: ``data_uri`` set when the PNG could be read, else ``note`` says why."""

    shot: Screenshot
    data_uri: str | None
    note: str


def folded_groups(folded: list[Finding]) -> list[tuple[str, list[Finding]]]:
    """The folded findings of a section for the printed appendix, by mark: ``passed``,
    ``skipped``, ``not audited``, ``note``... (:func:`golive.reports.marks.kind_of`), in
    their order of first appearance."""
    out: dict[str, list[Finding]] = {}
    for f in folded:
        out.setdefault(marks.LABEL[marks.kind_of(f)], []).append(f)
    return list(out.items())


def _sections(audit: Audit) -> list[SectionView]:
    out = []
    for section in Section:
        items = [f for f in audit.findings if f.section is section]
        if items:
            out.append(
                SectionView(
                    section,
                    [f for f in items if f.status in OPEN],
                    [f for f in items if f.status not in OPEN],
                )
            )
    return out


def _screenshot(shot: Screenshot, base: Path) -> ShotView:
    path = Path(shot.path)
    if not path.is_absolute():
        path = base / path
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ShotView(
            shot, None, f"screenshot not embedded: cannot read {shot.path} ({exc.strerror or exc})"
        )
    if not data.startswith(PNG_MAGIC):
        return ShotView(shot, None, f"screenshot not embedded: {shot.path} is not a PNG file")
    if len(data) > MAX_SCREENSHOT_BYTES:
        return ShotView(shot, None, f"screenshot not embedded: {shot.path} is over 8 MiB")
    return ShotView(shot, "data:image/png;base64," + base64.b64encode(data).decode("ascii"), "")


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}\s*")
_COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
_CHECK_ID = re.compile(r"\((?:[a-z_]+\.)?[A-Z]\d{3}\)")


def terminal_svg(output: str, title: str = "manage.py check --deploy") -> Markup:
    """``output`` as a terminal screenshot: Rich's SVG export, safe to inline in the page.

    Control characters (but newlines and tabs) are made visible first. Rich escapes the
    text it writes into the SVG (``<`` → ``&lt;``); the ``@font-face``
    rules that would fetch a web font from a CDN and the generator comment are removed, so
    the page loads nothing. Check ids and ``HINT:`` are highlighted.
    """
    console = Console(
        record=True, width=100, file=io.StringIO(), color_system="truecolor", force_terminal=True
    )
    text = Text(visible(output, keep="\n\t").expandtabs(4))
    text.highlight_regex(_CHECK_ID, "bold yellow")
    text.highlight_regex(r"HINT:", "cyan")
    text.highlight_regex(r"System check identified[^\n]*", "bold")
    console.print(text, soft_wrap=False, overflow="fold", highlight=False, markup=False)
    svg = console.export_svg(title=title)
    svg = _FONT_FACE.sub("", svg)
    svg = _COMMENT.sub("", svg)
    svg = svg.replace(
        "font-family: Fira Code, monospace;", 'font-family: "DejaVu Sans Mono", Menlo, monospace;'
    )
    # Rich escaped every text node (tests feed it hostile strings).
    return Markup(svg)


def _trend(audit: Audit) -> Markup | None:
    """The inline SVG trend chart of the stored audits (:mod:`golive.history.trend`), if stored."""
    if not audit.history or len(audit.history.get("trend") or ()) < 2:
        return None  # a trend needs a second audit (issue 14)
    # ElementTree escaped every text and attribute value of the chart.
    return Markup(trend_svg(list(audit.history.get("trend") or [])))


#: Verdict word → the CSS class of its banner.
VERDICT_CLASS = {
    VerdictWord.GO: "ok",
    VerdictWord.GO_WITH_CONDITIONS: "conditions",
    VerdictWord.NO_GO: "fail",
    VerdictWord.INCOMPLETE: "incomplete",
}


def render_to(audit: Audit, output_path: Path | None) -> str:
    """The HTML page; relative screenshot paths are read from ``output_path``'s directory.

    With ``output_path`` None they are read relative to the current directory. A missing
    or unreadable screenshot gives a note in the page, never an exception.
    """
    base = output_path.parent if output_path is not None else Path.cwd()
    verdict = audit.decision
    shots = [_screenshot(s, base) for s in audit.screenshots]
    proven = charts.proofs(audit.findings, [s.name for s in audit.screenshots])  # beside their finding
    template = environment().get_template("report.html.j2")
    return template.render(
        audit=audit,
        v=verdict,
        verdict_class=VERDICT_CLASS[verdict.word],
        counts=audit.counts(),
        failing=audit.failing_by_severity(),
        checklist=checklist(audit.findings),
        sections=_sections(audit),
        shots=shots,
        proofs={cid: [shots[i] for i in indexes] for cid, indexes in proven.items()},
        shown_beside={i for indexes in proven.values() for i in indexes},
        section_svg=Markup(charts.section_chart(audit.findings)),  # ElementTree escaped it
        check_svg=terminal_svg(audit.django_check_output) if audit.django_check_output else None,
        trend_svg=_trend(audit),
        Status=Status,
        kind_of=marks.kind_of,
        row_kind=marks.row_kind,
        MARK=marks.MARK,
        LABEL=marks.LABEL,
        how_to_sign=how_to_sign,
        grade_line=grade_line,
        signoff=signoff_block(audit),
        folded_groups=folded_groups,
        placeholder_note=placeholder_note(audit),
    )


def render(audit: Audit) -> str:
    """The HTML page (screenshots relative to the current directory)."""
    return render_to(audit, None)
