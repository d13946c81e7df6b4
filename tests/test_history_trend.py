"""The trend: the terminal sparkline and the inline SVG chart (escaping included)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from golive.history.trend import SVG_NS, sparkline, sparkline_text, trend_svg

NS = {"svg": SVG_NS}


def test_sparkline_scales_from_zero_to_the_largest_value() -> None:
    assert sparkline([0, 3, 7, 14]) == "▁▃▅█"
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([5]) == "█"
    assert sparkline([-2, 4]) == "▁█"
    assert sparkline([]) == ""


def test_sparkline_text_colours_each_block_by_grade() -> None:
    text = sparkline_text([{"failing": 4, "grade": "F"}, {"failing": 0, "grade": "A"}])
    assert text.plain == "█▁"
    assert [(span.start, str(span.style)) for span in text.spans] == [(0, "#cf222e"), (1, "#1a7f37")]


def test_svg_has_one_point_per_audit_with_tooltips() -> None:
    points = [
        {"id": 1, "started_at": "2026-10-01T09:00:00+00:00", "failing": 6, "score": 20, "grade": "F"},
        {"id": 2, "started_at": "2026-11-01T09:00:00+00:00", "failing": 2, "score": 80, "grade": "B"},
        {
            "id": None,
            "started_at": "2026-11-22T09:00:00+00:00",
            "failing": 0,
            "score": 100,
            "grade": "A",
            "incomplete": True,
        },
    ]
    root = ET.fromstring(trend_svg(points, width=300, height=100))
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert root.get("viewBox") == "0 0 300 100"
    dots = root.findall("svg:circle", NS)
    assert [d.findtext("svg:title", namespaces=NS) for d in dots] == [
        "#1 2026-10-01: 6 failing, grade F",
        "#2 2026-11-01: 2 failing, grade B",
        "2026-11-22: 0 failing, grade A (incomplete)",
    ]
    # oldest left, highest count at the top of the plot, zero on the axis
    xs = [float(d.get("cx") or 0) for d in dots]
    ys = [float(d.get("cy") or 0) for d in dots]
    assert xs == sorted(xs) and ys[0] < ys[1] < ys[2]
    labels = [t.text for t in root.findall("svg:text", NS)]
    assert labels[-1] == "2026-11-22: 0 failing, grade A"
    assert root.find("svg:polyline", NS) is not None


def test_svg_escapes_hostile_values_and_needs_no_network() -> None:
    hostile = '<script>alert("x")</script>&"'
    text = trend_svg([{"id": 1, "started_at": hostile, "failing": 1, "grade": hostile}])
    assert "<script" not in text
    assert "&lt;script&gt;" in text
    root = ET.fromstring(text)  # still well-formed
    assert not [el for el in root.iter() if el.tag.endswith("script") or el.get("href")]
    assert "http" not in text.replace(SVG_NS, "")


def test_empty_trend_says_so() -> None:
    root = ET.fromstring(trend_svg([]))
    assert [t.text for t in root.findall("svg:text", NS)] == ["no audits yet"]
