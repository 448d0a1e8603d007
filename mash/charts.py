"""Small server-rendered SVG charts for the dashboard: no script, no canvas, GOV.UK colours.

Each chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>` (the desc says
what the chart shows in words: the range and the highest and lowest values), so a screen
reader announces one image with a summary; the numbers themselves are in the table the page
puts beside it. The SVG scales with its container (viewBox, width 100%), so it stays inside the
page at 400% zoom. Values of None (nothing to show for that week) leave a gap.

Three shapes: `bar_chart` (one bar per label, e.g. contacts a week), `line_chart` (one or two
series, e.g. percentages a week) and `hbar_chart` (one bar per category, labels at the left).
Text is escaped (`django.utils.html.escape`); the output is marked safe for templates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# govuk-frontend's palette: blue, then orange for a second series; grid mid-grey; text black.
COLOURS = ("#1d70b8", "#f47738")
GRID = "#b1b4b6"
TEXT = "#0b0c0c"
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 48
FONT = 'font-family="arial, sans-serif" font-size="14"'


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def nice_max(value: float) -> float:
    """A round top for the axis at or above `value`: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover  (the loop always returns)


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) or abs(value) >= 100 else f"{value:.1f}"


def _describe(labels, series: Sequence[Series], unit: str) -> str:
    parts = []
    for s in series:
        known = [(v, label) for v, label in zip(s.values, labels, strict=True) if v is not None]
        if not known:
            parts.append(f"{s.name}: no figures.")
            continue
        high, low = max(known, key=lambda p: p[0]), min(known, key=lambda p: p[0])
        parts.append(
            f"{s.name}: highest {_number(high[0])}{unit} ({high[1]}), "
            f"lowest {_number(low[0])}{unit} ({low[1]})."
        )
    span = f"From {labels[0]} to {labels[-1]}. " if labels else ""
    return span + " ".join(parts)


def _open(chart_id: str, title: str, desc: str, height: int = HEIGHT) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]


def _axis(top: float, unit: str, plot_h: float) -> list[str]:
    """Horizontal grid lines at 0, half and the top, with their values at the left."""
    out = []
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 5:.1f}" text-anchor="end" fill="{TEXT}" {FONT}>'
            f"{escape(_number(top * fraction))}{escape(unit)}</text>"
        )
    return out


def _x_labels(labels: Sequence[str], xs: Sequence[float], plot_h: float) -> list[str]:
    """Labels under the plot: every one when they fit, else every n-th (the table has all)."""
    every = max(1, math.ceil(len(labels) / 6))
    y = TOP + plot_h + 22
    return [
        f'<text x="{x:.1f}" y="{y}" text-anchor="middle" fill="{TEXT}" {FONT}>'
        f"{escape(label)}</text>"
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % every == 0
    ]


def bar_chart(
    chart_id: str, title: str, labels: Sequence[str], values: Sequence[float | None], unit=""
) -> SafeString:
    """One vertical bar per label."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_max(max((v for v in values if v is not None), default=0))
    slot = plot_w / max(len(labels), 1)
    xs = [LEFT + slot * (i + 0.5) for i in range(len(labels))]
    out = _open(chart_id, title, _describe(labels, [Series(title, values)], unit))
    out += _axis(top, unit, plot_h)
    for x, value in zip(xs, values, strict=True):
        if value is None:
            continue
        h = plot_h * value / top
        out.append(
            f'<rect x="{x - slot * 0.35:.1f}" y="{TOP + plot_h - h:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{COLOURS[0]}"/>'
        )
    out += _x_labels(labels, xs, plot_h)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  (every text above is escaped)


def line_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit="",
    top: float | None = None,
) -> SafeString:
    """One line per series (at most two, told apart by colour and by dash and marker shape,
    with a key), with a gap where a value is None."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    highest = max((v for s in series for v in s.values if v is not None), default=0)
    top = top or nice_max(highest)
    slot = plot_w / max(len(labels), 1)
    xs = [LEFT + slot * (i + 0.5) for i in range(len(labels))]
    out = _open(chart_id, title, _describe(labels, series, unit))
    out += _axis(top, unit, plot_h)
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        dash = ' stroke-dasharray="8 4"' if n else ""
        runs, run = [], []
        for x, value in zip(xs, s.values, strict=True):
            if value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append((x, TOP + plot_h * (1 - value / top)))
        if run:
            runs.append(run)
        for points in runs:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"{dash}/>'
            )
            for x, y in points:
                if n:
                    out.append(
                        f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" '
                        f'fill="{colour}"/>'
                    )
                else:
                    out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>')
    out += _x_labels(labels, xs, plot_h)
    if len(series) > 1:
        x = LEFT
        for n, s in enumerate(series):
            colour = COLOURS[n % len(COLOURS)]
            dash = ' stroke-dasharray="8 4"' if n else ""
            y = HEIGHT - 8
            out.append(
                f'<line x1="{x}" x2="{x + 24}" y1="{y - 5}" y2="{y - 5}" stroke="{colour}" '
                f'stroke-width="3"{dash}/>'
            )
            out.append(f'<text x="{x + 30}" y="{y}" fill="{TEXT}" {FONT}>{escape(s.name)}</text>')
            x += 40 + 8 * len(s.name)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  (every text above is escaped)


def hbar_chart(
    chart_id: str, title: str, labels: Sequence[str], values: Sequence[float], unit=""
) -> SafeString:
    """One horizontal bar per category, its label above it and its value at its end."""
    row = 40
    height = TOP + row * len(labels) + 8
    left, plot_w = 8, WIDTH - 8 - 80
    top = nice_max(max(values, default=0))
    out = _open(chart_id, title, _describe(labels, [Series(title, values)], unit), height)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + row * i
        w = plot_w * value / top
        out.append(f'<text x="{left}" y="{y + 12}" fill="{TEXT}" {FONT}>{escape(label)}</text>')
        out.append(
            f'<rect x="{left}" y="{y + 17}" width="{w:.1f}" height="16" fill="{COLOURS[0]}"/>'
        )
        out.append(
            f'<text x="{left + w + 6:.1f}" y="{y + 30}" fill="{TEXT}" {FONT}>'
            f"{escape(_number(value))}{escape(unit)}</text>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  (every text above is escaped)
