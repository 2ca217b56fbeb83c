"""A bar chart of signatures per day: bars in SVG, labels in HTML, drawn on the server, no script.

The bars stretch to the width they are given; the labels are page text beside them, so they keep
the page's font size on a phone instead of shrinking with the drawing.
"""

from flask_babel import format_date, gettext
from markupsafe import Markup, escape

from petition.i18n.languages import format_number
from petition.petitions.stats import Day

WIDTH, HEIGHT = 720, 200
TOP, BOTTOM = 4, 0


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least value (a readable axis top)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= value:
                return factor * step
        step *= 10


def _bars(days: list[Day], top: int, title: str) -> str:
    """The drawing: one stacked bar per day, the axis and the top grid line."""
    plot_h = HEIGHT - TOP - BOTTOM
    slot = WIDTH / len(days)
    bar = min(40.0, max(1.0, slot * 0.8))  # one day alone is a bar, not a wall

    def y(count: int) -> float:
        return TOP + plot_h - plot_h * count / top

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="none" role="img" '
        'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<line class="grid" x1="0" y1="{y(top):.1f}" x2="{WIDTH}" y2="{y(top):.1f}"/>',
    ]
    for index, day in enumerate(days):
        x = index * slot + (slot - bar) / 2
        pending = day.signed - day.verified
        label = gettext(
            "%(day)s: %(confirmed)s confirmed, %(pending)s awaiting",
            day=format_date(day.day, "dd MMM y"),
            confirmed=format_number(day.verified),
            pending=format_number(pending),
        )
        parts.append(f'<g data-day="{day.day.isoformat()}"><title>{escape(label)}</title>')
        if day.verified:
            height = y(0) - y(day.verified)
            parts.append(
                f'<rect class="verified" x="{x:.1f}" y="{y(day.verified):.1f}" '
                f'width="{bar:.1f}" height="{height:.1f}" data-count="{day.verified}"/>'
            )
        if pending:
            height = y(day.verified) - y(day.signed)
            parts.append(
                f'<rect class="pending" x="{x:.1f}" y="{y(day.signed):.1f}" '
                f'width="{bar:.1f}" height="{height:.1f}" data-count="{pending}"/>'
            )
        parts.append("</g>")
    parts.append(f'<line class="axis" x1="0" y1="{y(0):.1f}" x2="{WIDTH}" y2="{y(0):.1f}"/>')
    parts.append("</svg>")
    return "".join(parts)


def daily_chart(days: list[Day], title: str | None = None) -> Markup:
    """Stacked bars per day: confirmed signatures, and on top those still awaiting confirmation."""
    if not days:
        return Markup("")
    top = _nice_ceiling(max(1, max(day.signed for day in days)))
    first, last = (escape(format_date(day.day, "dd MMM y")) for day in (days[0], days[-1]))
    # The labels repeat what the table beside the chart says, so screen readers skip them.
    html = (
        '<div class="chart-area">'
        f'<div class="chart-y" aria-hidden="true"><span>{format_number(top)}</span><span>0</span></div>'
        f'<div class="chart-plot">{_bars(days, top, title or gettext("Signatures per day"))}'
        f'<div class="chart-x" aria-hidden="true"><span>{first}</span><span>{last}</span></div>'
        "</div></div>"
    )
    # Built from numbers, dates and our own words, escaped above: nothing a person typed reaches it.
    return Markup(html)  # nosec B704
