"""mash.charts: SVG with its title and summary, scaled bars and lines, gaps, escaping."""

import re
import xml.etree.ElementTree as ET

import pytest

from mash.charts import Series, bar_chart, hbar_chart, line_chart, nice_max

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg):
    return ET.fromstring(str(svg))  # noqa: S314  (our own output)


def test_nice_max():
    assert [nice_max(v) for v in (0, 0.3, 1, 7, 12, 21, 26, 99, 100, 101)] == [
        1,
        0.5,
        1,
        10,
        20,
        25,
        50,
        100,
        100,
        200,
    ]


def test_bar_chart_is_a_labelled_image_with_scaled_bars():
    svg = bar_chart("contacts", "Contacts a week", ["1 Jan", "8 Jan", "15 Jan"], [10, 20, None])
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "contacts-title contacts-desc"
    assert root.find("s:title", NS).text == "Contacts a week"
    desc = root.find("s:desc", NS).text
    assert desc == "From 1 Jan to 15 Jan. Contacts a week: highest 20 (8 Jan), lowest 10 (1 Jan)."
    bars = root.findall("s:rect", NS)
    assert len(bars) == 2  # None leaves a gap
    heights = [float(b.get("height")) for b in bars]
    assert heights[1] == 2 * heights[0]  # the axis tops at 20
    assert heights[1] == 280 - 12 - 48
    assert "<script" not in str(svg)


def test_line_chart_two_series_with_gap_and_key():
    svg = line_chart(
        "rates",
        "Timeliness",
        ["a", "b", "c", "d"],
        [Series("In time", [50, None, 75, 100]), Series("Messages", [100, 90, 80, 70])],
        unit="%",
        top=100,
    )
    root = parse(svg)
    lines = root.findall("s:polyline", NS)
    assert len(lines) == 3  # the first series is broken by its gap
    assert lines[2].get("stroke-dasharray") == "8 4"  # the second is dashed, not colour alone
    texts = [t.text for t in root.findall("s:text", NS)]
    assert "In time" in texts and "Messages" in texts and "100%" in texts
    ys = [float(y) for y in re.findall(r"[\d.]+,([\d.]+)", lines[0].get("points"))]
    assert ys == [12 + 220 * 0.5]


def test_hbar_chart_and_escaping():
    svg = hbar_chart("sources", "Where <contacts> came from", ["Police & co", "Schools"], [3, 1])
    root = parse(svg)  # well-formed: the & and < are escaped
    assert root.find("s:title", NS).text == "Where <contacts> came from"
    widths = [float(r.get("width")) for r in root.findall("s:rect", NS)]
    assert widths[0] == pytest.approx(3 * widths[1], abs=0.1)
    assert [t.text for t in root.findall("s:text", NS)][:2] == ["Police & co", "3"]


def test_no_figures():
    root = parse(bar_chart("x", "Nothing", ["a"], [None]))
    assert root.find("s:desc", NS).text == "From a to a. Nothing: no figures."
