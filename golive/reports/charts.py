"""Pictures for the HTML report (issue 14): the failing findings by checklist section and
severity as an inline SVG bar chart, and which screenshot proves which finding.

The SVG is built with :mod:`xml.etree.ElementTree`, which escapes every text and attribute
(a section heading, a count), so nothing from an audit can become markup; it needs no
script, stylesheet or network, and prints as it shows.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from golive.model import Finding, Section, Severity

SVG_NS = "http://www.w3.org/2000/svg"
#: Bar colours by severity (the report's own palette).
COLOURS = {
    Severity.CRITICAL: "#82071e",
    Severity.HIGH: "#cf222e",
    Severity.MEDIUM: "#bc4c00",
    Severity.LOW: "#0969da",
    Severity.INFO: "#6e7781",
}
#: Screenshot name (:func:`golive.collectors.live.screenshots.plan`) → the checks whose failure it shows,
#: most telling first: the DEBUG page beside GL831, the admin login beside GL840.
PROVES = {
    "debug": ("GL831", "GL830"),
    "404": ("GL831", "GL870", "GL872"),
    "admin-login": ("GL840", "GL841"),
}


def failing_by_section(findings: Iterable[Finding]) -> list[tuple[Section, dict[Severity, int]]]:
    """Sections with failing findings, in checklist order, each with its count per severity
    (highest first; severities without a failing finding left out)."""
    table: dict[Section, dict[Severity, int]] = {}
    for f in findings:
        if f.failing:
            row = table.setdefault(f.section, {})
            row[f.severity] = row.get(f.severity, 0) + 1
    return [(s, dict(sorted(table[s].items(), key=lambda kv: -int(kv[0])))) for s in Section if s in table]


def section_chart(findings: Sequence[Finding], *, width: int = 720) -> str:
    """An SVG bar chart: one bar per section with failing findings, stacked by severity, the
    count at its end, a legend below; ``""`` when nothing fails."""
    rows = failing_by_section(findings)
    if not rows:
        return ""
    longest = max(len(section.heading) for section, _ in rows)
    label_w, row_h, bar_h, pad = int(min(360, 16 + 7 * longest)), 22, 14, 8
    most = max(sum(counts.values()) for _, counts in rows)
    scale = (width - label_w - 40) / most
    height = pad + row_h * len(rows) + 28
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {width} {height}",
            "width": str(width),
            "height": str(height),
            "role": "img",
            "aria-label": "Failing findings by checklist section and severity",
            "font-family": "DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif",
            "font-size": "12",
        },
    )
    ET.SubElement(svg, "title").text = "Failing findings by checklist section and severity"
    for i, (section, counts) in enumerate(rows):
        y = pad + i * row_h
        label = ET.SubElement(
            svg, "text", {"x": str(label_w - 8), "y": str(y + bar_h - 2), "text-anchor": "end"}
        )
        label.text = section.heading
        x = float(label_w)
        for severity, n in counts.items():
            w = n * scale
            rect = ET.SubElement(
                svg,
                "rect",
                {
                    "x": f"{x:.1f}",
                    "y": str(y),
                    "width": f"{w:.1f}",
                    "height": str(bar_h),
                    "fill": COLOURS[severity],
                },
            )
            ET.SubElement(rect, "title").text = f"{section.heading}: {n} {severity.label}"
            x += w
        total = ET.SubElement(
            svg, "text", {"x": f"{x + 5:.1f}", "y": str(y + bar_h - 2), "font-weight": "bold"}
        )
        total.text = str(sum(counts.values()))
    x, y = float(label_w), pad + row_h * len(rows) + 12
    for severity in sorted(Severity, reverse=True):
        ET.SubElement(
            svg,
            "rect",
            {"x": f"{x:.0f}", "y": str(y - 9), "width": "10", "height": "10", "fill": COLOURS[severity]},
        )
        key = ET.SubElement(svg, "text", {"x": f"{x + 14:.0f}", "y": str(y)})
        key.text = severity.label
        x += 24 + 7.5 * len(severity.label)
    return ET.tostring(svg, encoding="unicode")


def proofs(findings: Iterable[Finding], shot_names: Sequence[str]) -> dict[str, list[int]]:
    """Which screenshots to show beside which failing finding: ``{check id: [indexes into
    shot_names]}``, each screenshot beside the first of its :data:`PROVES` checks that fails."""
    failing = {f.id for f in findings if f.failing}
    out: dict[str, list[int]] = {}
    for index, name in enumerate(shot_names):
        target = next((cid for cid in PROVES.get(name, ()) if cid in failing), None)
        if target is not None:
            out.setdefault(target, []).append(index)
    return out
