"""Server-side SVG charts: no JavaScript, no external assets, readable without CSS."""

import datetime
import math
from collections.abc import Iterable

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

NOT_ENOUGH_HISTORY = "Not enough history yet"
LINE_COLOR = "#6d28d9"
GRID_COLOR = "#e2e8f0"
LABEL_COLOR = "#64748b"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"


def _scaled_text(scaled: float) -> str:
    return f"{scaled:.1f}".removesuffix(".0") if scaled < 100 else f"{scaled:.0f}"


def compact_number(value: float) -> str:
    """12_345 → "12.3K", 1_200_000 → "1.2M"; numbers below 1,000 as they are."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value < 1000:
        return f"{sign}{int(value)}" if value == int(value) else f"{sign}{value:.1f}"
    for threshold, suffix in ((1_000, "K"), (1_000_000, "M")):
        text = _scaled_text(value / threshold)
        if float(text) < 1000:  # 999_960 would round to "1000K": the next unit says "1M"
            return f"{sign}{text}{suffix}"
    return f"{sign}{_scaled_text(value / 1_000_000_000)}B"


UNITS = ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K"), (1, ""))


def tick_labels(ticks: list[float]) -> list[str]:
    """Compact labels in one unit, exact to at most two decimals (a smaller unit when they would not be)."""
    top = max(abs(tick) for tick in ticks)
    units = [(size, name) for size, name in UNITS if top >= size or size == 1]
    for unit, suffix in units:
        for decimals in range(3):
            texts = [f"{tick / unit:.{decimals}f}" for tick in ticks]
            if all(abs(float(text) * unit - tick) < 0.5 for text, tick in zip(texts, ticks, strict=True)):
                texts = [text.rstrip("0").rstrip(".") if "." in text else text for text in texts]
                return [text if text == "0" else f"{text}{suffix}" for text in texts]
    return [compact_number(tick) for tick in ticks]


def _short_date(day: datetime.date, *, with_year: bool) -> str:
    text = f"{day:%b} {day.day}"
    return f"{text}, {day.year}" if with_year else text


def _nice_step(span: float, ticks: int) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) that cuts `span` into about `ticks` intervals."""
    raw = max(span / max(ticks, 1), 1)  # counts are whole numbers: no step below 1
    magnitude = 10 ** math.floor(math.log10(raw))
    factors = (1, 2, 2.5, 5, 10) if magnitude >= 10 else (1, 2, 5, 10)
    return next(factor * magnitude for factor in factors if raw <= factor * magnitude)


def y_ticks(low: int, high: int, *, count: int = 4) -> list[float]:
    """Round tick values covering [low, high]; a flat series gets a small band around its value."""
    bottom, top = low, high
    if top == bottom:
        pad = max(abs(top) * 0.05, 1)
        bottom, top = bottom - pad, top + pad
    step = _nice_step(top - bottom, count)
    start = math.floor(bottom / step) * step
    end = math.ceil(top / step) * step
    ticks = []
    value = start
    while value <= end + step / 2:
        ticks.append(value)
        value += step
    if ticks[0] < 0 <= low:
        ticks = [tick for tick in ticks if tick >= 0]  # follower counts never go below zero
    return ticks


def _empty_chart(width: int, height: int, title: str, message: str) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-empty" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f"<title>{escape(title)}</title><desc>{escape(message)}</desc>"
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="10" fill="#f8fafc" '
        f'stroke="{GRID_COLOR}" stroke-dasharray="4 4"/>'
        f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" dominant-baseline="middle" '
        f'font-family="{FONT}" font-size="14" fill="{LABEL_COLOR}">{escape(message)}</text></svg>'
    )


def followers_chart_svg(
    series: Iterable[tuple[datetime.date, int]],
    *,
    width: int = 440,
    height: int = 200,
    title: str = "Followers over time",
) -> SafeString:
    """A line chart of (date, followers) points as inline SVG, safe to put in a template.

    Points are sorted by date and placed by date (gaps in the history show as gaps), the y axis gets a
    few round ticks in compact numbers, the x axis the first and last dates. Fewer than two points
    draw a "Not enough history yet" placeholder. All text is escaped before the markup is marked safe.
    """
    points = sorted(series, key=lambda point: point[0])
    if len(points) < 2:
        return _empty_chart(width, height, title, NOT_ENOUGH_HISTORY)

    first_day, last_day = points[0][0], points[-1][0]
    values = [int(value) for _, value in points]
    ticks = y_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    labels = tick_labels(ticks)

    font_size = 13
    left = 14 + max(len(label) for label in labels) * font_size * 0.62
    right, top, bottom = 14, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    days = (last_day - first_day).days or 1

    def x_of(day: datetime.date) -> float:
        return left + (day - first_day).days / days * plot_w

    def y_of(value: float) -> float:
        return top + (1 - (value - low) / (high - low)) * plot_h

    coords = [(x_of(day), y_of(value)) for (day, _), value in zip(points, values, strict=True)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    baseline = top + plot_h
    area = f"{coords[0][0]:.1f},{baseline:.1f} {line} {coords[-1][0]:.1f},{baseline:.1f}"

    with_year = first_day.year != last_day.year or first_day.year != timezone.localdate().year
    first_label = _short_date(first_day, with_year=with_year)
    last_label = _short_date(last_day, with_year=with_year)
    change = values[-1] - values[0]
    percent = f" ({change / values[0]:+.1%})" if values[0] else ""
    description = (
        f"{compact_number(values[0])} on {_short_date(first_day, with_year=True)}, "
        f"{compact_number(values[-1])} on {_short_date(last_day, with_year=True)}{percent}; "
        f"{len(points)} daily readings."
    )

    grid = []
    for tick, label in zip(ticks, labels, strict=True):
        y = y_of(tick)
        grid.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID_COLOR}"/>'
            f'<text x="{left - 8:.1f}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle">{escape(label)}</text>'
        )
    last_x, last_y = coords[-1]
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}">'
        ),
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>",
        f'<g font-family="{FONT}" font-size="{font_size}" fill="{LABEL_COLOR}" aria-hidden="true">',
        *grid,
        (
            f'<line class="axis" x1="{left:.1f}" y1="{baseline:.1f}" x2="{width - right}" y2="{baseline:.1f}" '
            f'stroke="#cbd5e1"/>'
        ),
        f'<text x="{left:.1f}" y="{height - 8}" text-anchor="start">{escape(first_label)}</text>',
        f'<text x="{width - right}" y="{height - 8}" text-anchor="end">{escape(last_label)}</text>',
        "</g>",
        f'<polygon class="area" points="{area}" fill="{LINE_COLOR}" fill-opacity="0.08"/>',
        (
            f'<polyline class="line" points="{line}" fill="none" stroke="{LINE_COLOR}" stroke-width="2.5" '
            f'stroke-linejoin="round" stroke-linecap="round"/>'
        ),
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="4" fill="#fff" stroke="{LINE_COLOR}" stroke-width="2.5"/>',
        "</svg>",
    ]
    return mark_safe("".join(parts))
