"""Line charts drawn on the server as SVG: no script, scalable to 390 px, gaps for no data.

A chart is a `viewBox` that the page scales to its width; each series is a polyline broken
where a figure is not available (never drawn as 0). The same numbers are shown as a table
next to it for screen readers (templates/metrics/_chart.html).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 360, 200  # drawn about 300-420 px wide: labels stay 10-14 px
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 10, 24
COLOURS = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2")


@dataclass
class Series:
    """One line: a label and its value per day (None: not available)."""

    label: str
    points: list[tuple[dt.date, int | None]]


def short(value: float) -> str:
    """1234567 → 1.2M; for axis labels."""
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + unit
    return f"{value:.0f}"


def line_chart(title: str, series: list[Series]) -> Markup:
    """An SVG line chart of `series` over their days, titled for assistive technology."""
    days = sorted({d for s in series for d, _v in s.points})
    values = [v for s in series for _d, v in s.points if v is not None]
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'preserveAspectRatio="xMidYMid meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if not days or not values:
        parts.append(_empty())
        return Markup("".join(parts) + "</svg>")
    low, high = min(0, min(values)), max(values)
    high = high if high > low else low + 1
    x = _scale_x(days)

    def y(value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value - low) / (high - low))

    parts.extend(_axes(days, x, low, high, y))
    for index, line in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        for run in _runs(line.points):
            coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in run)
            if len(run) == 1:
                cx, cy = coords.split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
            else:
                parts.append(
                    f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                    'stroke-width="2.5" stroke-linejoin="round"/>'
                )
    return Markup("".join(parts) + "</svg>")


def colour(index: int) -> str:
    """The colour of the index-th series (for the legend)."""
    return COLOURS[index % len(COLOURS)]


def _scale_x(days: list[dt.date]):
    first, span = days[0], max((days[-1] - days[0]).days, 1)

    def x(day: dt.date) -> float:
        if len(days) == 1:
            return (LEFT + WIDTH - RIGHT) / 2
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span

    return x


def _axes(days, x, low, high, y) -> list[str]:
    out = []
    for fraction in (0, 0.5, 1):
        value = low + (high - low) * fraction
        pos = y(value)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{pos:.1f}" y2="{pos:.1f}" '
            'stroke="#d1d5db" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{pos + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#4b5563">{short(value)}</text>'
        )
    labels = [days[0], days[-1]] if len(days) > 1 else days
    for index, day in enumerate(labels):
        anchor = "start" if index == 0 and len(labels) > 1 else "end"
        anchor = "middle" if len(labels) == 1 else anchor
        out.append(
            f'<text x="{x(day):.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}" font-size="12" '
            f'fill="#4b5563">{day:%d %b}</text>'
        )
    return out


def _runs(points: list[tuple[dt.date, int | None]]) -> list[list[tuple[dt.date, int]]]:
    """Consecutive known points; a missing figure breaks the line."""
    runs: list[list[tuple[dt.date, int]]] = [[]]
    for day, value in sorted(points):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((day, value))
    return [r for r in runs if r]


def _empty() -> str:
    return (
        f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="15" '
        'fill="#4b5563">No figures in this range yet</text>'
    )
