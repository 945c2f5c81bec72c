"""Charts drawn on the server as inline SVG (no script, no library): bars, grouped bars, lines.

Each function returns markup safe to embed; labels are escaped. Colours come from CSS classes
(static/admin/admin.css), so the charts also print in black and white.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 16, 34


def _nice_max(value: float) -> float:
    """A round axis maximum at or above `value`: four equal steps of 1, 2, 2.5 or 5 × 10ⁿ."""
    if value <= 0:
        return 4.0
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= raw:
            return float(step * power * 4)
    return float(40 * power)


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 1 else f"{value:.2f}".rstrip("0")


def _frame(height: int, title: str, body: list[str], label: str) -> Markup:
    # Every piece of text in `body` went through escape() where it was drawn.
    return Markup(  # noqa: S704
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(label)}" preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _grid(top: float, height: float, maximum: float, right: float) -> list[str]:
    lines = []
    for i in range(5):
        value = maximum * i / 4
        y = top + height - height * i / 4
        lines.append(f'<line class="grid" x1="{PAD_LEFT}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}"/>')
        lines.append(
            f'<text class="axis" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{_number(value)}</text>'
        )
    return lines


def bar_chart(
    items: Sequence[tuple[str, float]], title: str, unit: str, height: int = 220
) -> Markup:
    """Vertical bars, one per item (e.g. tickets issued per hour)."""
    plot_h = height - PAD_TOP - PAD_BOTTOM
    right = WIDTH - PAD_RIGHT
    maximum = _nice_max(max((v for _, v in items), default=0))
    body = _grid(PAD_TOP, plot_h, maximum, right)
    slot = (right - PAD_LEFT) / max(1, len(items))
    for index, (label, value) in enumerate(items):
        bar_h = plot_h * value / maximum
        x = PAD_LEFT + index * slot + slot * 0.15
        y = PAD_TOP + plot_h - bar_h
        body.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{bar_h:.1f}"><title>{escape(label)}: {_number(value)} {escape(unit)}'
            f"</title></rect>"
        )
        if value:
            body.append(
                f'<text class="value" x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" '
                f'text-anchor="middle">{_number(value)}</text>'
            )
        body.append(
            f'<text class="axis" x="{x + slot * 0.35:.1f}" y="{height - 14}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    return _frame(height, title, body, title)


@dataclass(frozen=True)
class DurationBar:
    """One service in the waits chart: its label, three durations (minutes) and its target."""

    label: str
    average: float | None
    median: float | None
    p90: float | None
    target: float | None


def duration_chart(
    rows: Sequence[DurationBar],
    title: str,
    legend: tuple[str, str, str],
    target_label: str,
    unit: str,
) -> Markup:
    """Horizontal bars per service: average, median and 90th percentile, with the target."""
    label_w = 170
    row_h = 40
    height = PAD_TOP + row_h * max(1, len(rows)) + 40
    right = WIDTH - PAD_RIGHT
    values = [v for r in rows for v in (r.average, r.median, r.p90, r.target) if v is not None]
    maximum = _nice_max(max(values, default=0))
    scale = (right - label_w) / maximum
    body: list[str] = []
    for i in range(5):
        x = label_w + (right - label_w) * i / 4
        body.append(
            f'<line class="grid" x1="{x:.1f}" y1="{PAD_TOP}" x2="{x:.1f}" y2="{height - 34}"/>'
        )
        body.append(
            f'<text class="axis" x="{x:.1f}" y="{height - 20}" text-anchor="middle">'
            f"{_number(maximum * i / 4)}</text>"
        )
    for index, row in enumerate(rows):
        top = PAD_TOP + index * row_h
        name = row.label if len(row.label) <= 26 else row.label[:25] + "…"
        body.append(
            f'<text class="label" x="{label_w - 8}" y="{top + row_h / 2 + 4:.1f}" '
            f'text-anchor="end"><title>{escape(row.label)}</title>{escape(name)}</text>'
        )
        for offset, (kind, value) in enumerate(
            (("average", row.average), ("median", row.median), ("p90", row.p90))
        ):
            if value is None:
                continue
            body.append(
                f'<rect class="bar {kind}" x="{label_w}" y="{top + 5 + offset * 10:.1f}" '
                f'width="{value * scale:.1f}" height="9"><title>{escape(row.label)} – '
                f"{escape(legend[offset])}: {_number(value)} {escape(unit)}</title></rect>"
            )
        if row.target is not None:
            x = label_w + row.target * scale
            body.append(
                f'<line class="target" x1="{x:.1f}" y1="{top + 2}" x2="{x:.1f}" '
                f'y2="{top + row_h - 6}"><title>{escape(target_label)}: '
                f"{_number(row.target)} {escape(unit)}</title></line>"
            )
    legend_y = height - 6
    items = [("average", legend[0]), ("median", legend[1]), ("p90", legend[2])]
    for index, (kind, text) in enumerate(items):
        x = PAD_LEFT + index * 130
        body.append(
            f'<rect class="bar {kind}" x="{x}" y="{legend_y - 9}" width="12" '
            f'height="9"/><text class="axis" x="{x + 16}" y="{legend_y}">'
            f"{escape(text)}</text>"
        )
    x = PAD_LEFT + 3 * 130
    body.append(
        f'<line class="target" x1="{x + 6}" y1="{legend_y - 11}" x2="{x + 6}" '
        f'y2="{legend_y + 1}"/><text class="axis" x="{x + 16}" y="{legend_y}">'
        f"{escape(target_label)}</text>"
    )
    return _frame(height, title, body, title)


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    title: str,
    height: int = 220,
) -> Markup:
    """Lines over days (or any ordered labels): each series is (name, css class, values)."""
    plot_h = height - PAD_TOP - PAD_BOTTOM - 14
    right = WIDTH - PAD_RIGHT
    values = [v for _, _, vs in series for v in vs if v is not None]
    maximum = _nice_max(max(values, default=0))
    body = _grid(PAD_TOP, plot_h, maximum, right)
    count = len(labels)
    step = (right - PAD_LEFT) / max(1, count - 1)

    def x_of(index: int) -> float:
        return PAD_LEFT + (index * step if count > 1 else (right - PAD_LEFT) / 2)

    every = max(1, math.ceil(count / 10))
    for index, label in enumerate(labels):
        if index % every == 0 or index == count - 1:
            anchor = (
                "start"
                if index == 0 and count > 1
                else "end"
                if index == count - 1 and count > 1
                else "middle"
            )
            body.append(
                f'<text class="axis" x="{x_of(index):.1f}" y="{PAD_TOP + plot_h + 16}" '
                f'text-anchor="{anchor}">{escape(label)}</text>'
            )
    for number, (name, css, points) in enumerate(series):
        path: list[str] = []
        for index, value in enumerate(points):
            if value is None:
                continue
            y = PAD_TOP + plot_h - plot_h * value / maximum
            path.append(f"{'M' if not path else 'L'}{x_of(index):.1f},{y:.1f}")
            if count <= 62:
                body.append(
                    f'<circle class="dot {css}" cx="{x_of(index):.1f}" cy="{y:.1f}" '
                    f'r="2.5"><title>{escape(labels[index])} – {escape(name)}: '
                    f"{_number(value)}</title></circle>"
                )
        if path:
            body.append(f'<path class="line {css}" d="{" ".join(path)}"/>')
        lx = PAD_LEFT + number * 170
        body.append(
            f'<line class="line {css}" x1="{lx}" y1="{height - 7}" x2="{lx + 18}" '
            f'y2="{height - 7}"/><text class="axis" x="{lx + 24}" y="{height - 3}">'
            f"{escape(name)}</text>"
        )
    return _frame(height, title, body, title)
