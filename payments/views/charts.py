"""Money per month as a server-side SVG bar chart (the house way: creators.charts; no JavaScript)."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from creators.charts import FONT, GRID_COLOR, LABEL_COLOR, LINE_COLOR, tick_labels, y_ticks

from payments.selectors.documents import MonthTotal

NOTHING_YET = "Nothing here yet"
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "AUD": "A$", "CAD": "C$", "SGD": "S$"}


def money_text(amount: Decimal, currency: str) -> str:
    symbol = SYMBOLS.get(currency)
    number = f"{amount:,.2f}".removesuffix(".00")
    return f"{symbol}{number}" if symbol else f"{currency} {number}"


def _empty(width: int, height: int, title: str, message: str) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-empty" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><title>{escape(title)}</title><desc>{escape(message)}</desc>'
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" rx="10" fill="#f8fafc" stroke="{GRID_COLOR}" '
        f'stroke-dasharray="4 4"/><text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" '
        f'dominant-baseline="middle" font-family="{FONT}" font-size="14" fill="{LABEL_COLOR}">{escape(message)}</text>'
        "</svg>"
    )


def monthly_bars_svg(months: list[MonthTotal], *, title: str, empty: str = NOTHING_YET, width: int = 560,
                     height: int = 220) -> SafeString:
    """Bars of one currency's amount per month (oldest first), a few round y ticks, every other month labelled.

    A series that is all zero draws the `empty` placeholder. Each bar carries its month and amount as a
    <title> (a tooltip, and read by screen readers); all text is escaped before the markup is marked safe.
    """
    if not months or not any(month.amount for month in months):
        return _empty(width, height, title, empty)
    currency = months[0].currency
    values = [float(month.amount) for month in months]
    ticks = y_ticks(0, int(max(values)) + 1)
    labels = tick_labels(ticks)
    high = ticks[-1] or 1
    font_size = 12
    left = 12 + max(len(label) for label in labels) * font_size * 0.62
    right, top, bottom = 8, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / len(months)
    bar_w = max(4.0, slot * 0.62)
    baseline = top + plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bars" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
        "<desc>" + escape("; ".join(f"{m.month:%b %Y}: {money_text(m.amount, currency)}" for m in months)) + "</desc>",
        f'<g font-family="{FONT}" font-size="{font_size}" fill="{LABEL_COLOR}" aria-hidden="true">',
    ]
    for tick, label in zip(ticks, labels, strict=True):
        y = top + (1 - tick / high) * plot_h
        parts.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID_COLOR}"/>'
                     f'<text x="{left - 6:.1f}" y="{y:.1f}" text-anchor="end" dominant-baseline="middle">'
                     f"{escape(label)}</text>")
    step = 1 if len(months) <= 6 else 2
    for index, month in enumerate(months):
        if (len(months) - 1 - index) % step == 0:  # the current month is always labelled
            x = left + slot * index + slot / 2
            parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{month.month:%b}</text>')
    parts.append("</g>")
    for index, month in enumerate(months):
        if not month.amount:
            continue
        bar_h = max(1.5, float(month.amount) / high * plot_h)
        x = left + slot * index + (slot - bar_w) / 2
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{baseline - bar_h:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
            f'rx="3" fill="{LINE_COLOR}"><title>{escape(f"{month.month:%B %Y}: {money_text(month.amount, currency)}")}'
            "</title></rect>"
        )
    parts.append(f'<line x1="{left:.1f}" y1="{baseline:.1f}" x2="{width - right}" y2="{baseline:.1f}" '
                 'stroke="#cbd5e1"/></svg>')
    return mark_safe("".join(parts))


WIDE, NARROW = (880, 240), (360, 220)  # drawn twice: a phone shows the narrow one, so its labels stay readable


def charts_by_currency(months: list[MonthTotal], *, title: str, empty: str = NOTHING_YET) -> list[dict]:
    """One chart per currency that has money in the period (an empty placeholder when none has), each as a wide
    and a narrow SVG."""
    currencies = sorted({month.currency for month in months}) or [""]

    def draw(series, name, size):
        return monthly_bars_svg(series, title=name, empty=empty, width=size[0], height=size[1])

    charts = []
    for currency in currencies:
        series = [month for month in months if month.currency == currency]
        name = f"{title} ({currency})" if currency else title
        charts.append({"currency": currency, "wide": draw(series, name, WIDE), "narrow": draw(series, name, NARROW)})
    return charts
