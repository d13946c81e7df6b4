"""The trend of failing findings over past audits: a terminal sparkline and an inline SVG chart.

Both take the ``trend`` points of :attr:`golive.model.Audit.history` (oldest first, each
``{"id", "started_at", "failing", "score", "grade", "incomplete"}``). The SVG is built with
:mod:`xml.etree.ElementTree`, which escapes every text and attribute, so a value from an
audit can never become markup; it needs no script, stylesheet or network.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from rich.text import Text

from golive.model import TrendPoint

#: Eight block characters, lowest first (U+2581..U+2588).
BLOCKS = "▁▂▃▄▅▆▇█"
SVG_NS = "http://www.w3.org/2000/svg"
GRADE_COLOURS = {"A": "#1a7f37", "B": "#4d8f1f", "C": "#b08800", "D": "#d1580c", "F": "#cf222e"}


def sparkline(values: Sequence[int | float]) -> str:
    """One block character per value, scaled from 0 to the largest value.

    ``[0, 3, 6]`` → ``"▁▄█"``; all zeros → all ``▁``; empty → ``""``. Negative values count as 0.
    """
    top = max((max(v, 0) for v in values), default=0)
    if top <= 0:
        return BLOCKS[0] * len(values)
    steps = len(BLOCKS) - 1
    return "".join(BLOCKS[round(max(v, 0) / top * steps)] for v in values)


def sparkline_text(points: Sequence[TrendPoint]) -> Text:
    """A Rich :class:`Text`: the sparkline of ``failing``, each block coloured by its grade."""
    line = sparkline([int(p.get("failing") or 0) for p in points])
    text = Text()
    for char, point in zip(line, points, strict=True):
        text.append(char, style=GRADE_COLOURS.get(str(point.get("grade")), ""))
    return text


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def trend_svg(points: Sequence[TrendPoint], *, width: int = 640, height: int = 160) -> str:
    """An SVG line chart of failing findings per audit (oldest left), as a string.

    Each point carries a ``<title>`` tooltip (``#12 2026-11-22: 3 failing, grade B``); the
    last point is labelled. ``width``/``height`` are in CSS pixels; the chart scales with
    its container (``viewBox``). An empty ``points`` gives a chart saying "no audits yet".
    """
    pad_left, pad_right, pad_top, pad_bottom = 36, 16, 14, 28
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {width} {height}",
            "width": str(width),
            "height": str(height),
            "role": "img",
            "class": "golive-trend",
            "font-family": "sans-serif",
            "font-size": "11",
        },
    )
    ET.SubElement(svg, "title").text = "Failing findings per audit"
    plot_w, plot_h = width - pad_left - pad_right, height - pad_top - pad_bottom
    if not points:
        ET.SubElement(
            svg, "text", {"x": _fmt(width / 2), "y": _fmt(height / 2), "text-anchor": "middle"}
        ).text = "no audits yet"
        return ET.tostring(svg, encoding="unicode")
    values = [max(int(p.get("failing") or 0), 0) for p in points]
    top = max(max(values), 1)
    x0, y0 = pad_left, pad_top + plot_h

    def x(i: int) -> float:
        return x0 + (plot_w * i / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    def y(v: int) -> float:
        return y0 - plot_h * v / top

    axes = {"stroke": "#8c959f", "stroke-width": "1"}
    ET.SubElement(svg, "line", {"x1": str(x0), "y1": str(y0), "x2": str(x0 + plot_w), "y2": str(y0), **axes})
    ET.SubElement(svg, "line", {"x1": str(x0), "y1": str(pad_top), "x2": str(x0), "y2": str(y0), **axes})
    for v in sorted({0, top}):
        ET.SubElement(svg, "text", {"x": str(x0 - 6), "y": _fmt(y(v) + 4), "text-anchor": "end"}).text = str(
            v
        )
    coords = " ".join(f"{_fmt(x(i))},{_fmt(y(v))}" for i, v in enumerate(values))
    ET.SubElement(
        svg, "polyline", {"points": coords, "fill": "none", "stroke": "#0969da", "stroke-width": "2"}
    )
    for i, (point, v) in enumerate(zip(points, values, strict=True)):
        grade = str(point.get("grade") or "–")  # None: no grade (an incomplete audit)
        dot = ET.SubElement(
            svg,
            "circle",
            {"cx": _fmt(x(i)), "cy": _fmt(y(v)), "r": "4", "fill": GRADE_COLOURS.get(grade, "#57606a")},
        )
        ident = f"#{point['id']} " if point.get("id") is not None else ""
        date = str(point.get("started_at") or "")[:10]
        flag = " (incomplete)" if point.get("incomplete") else ""
        ET.SubElement(dot, "title").text = f"{ident}{date}: {v} failing, grade {grade}{flag}"
    first, last = points[0], points[-1]
    ET.SubElement(svg, "text", {"x": str(x0), "y": str(height - 8)}).text = str(
        first.get("started_at") or ""
    )[:10]
    ET.SubElement(
        svg, "text", {"x": str(x0 + plot_w), "y": str(height - 8), "text-anchor": "end"}
    ).text = (
        f"{str(last.get('started_at') or '')[:10]}: {values[-1]} failing, grade {last.get('grade') or '–'}"
    )
    return ET.tostring(svg, encoding="unicode")
