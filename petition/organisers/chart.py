"""A bar chart of signatures per day as plain SVG: drawn on the server, readable without script."""

from flask_babel import format_date, gettext
from markupsafe import Markup, escape

from petition.i18n.languages import format_number
from petition.petitions.stats import Day

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 28


def _nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least value (a readable axis top)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= value:
                return factor * step
        step *= 10


def daily_chart(days: list[Day], title: str | None = None) -> Markup:
    """Stacked bars per day: confirmed signatures, and on top those still awaiting confirmation."""
    if not days:
        return Markup("")
    title = title or gettext("Signatures per day")
    top = _nice_ceiling(max(1, max(day.signed for day in days)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(days)
    bar = min(40.0, max(1.0, slot * 0.8))  # one day alone is a bar, not a wall

    def y(count: int) -> float:
        return TOP + plot_h - plot_h * count / top

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<line class="axis" x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{y(0):.1f}"/>',
        f'<line class="grid" x1="{LEFT}" y1="{y(top):.1f}" x2="{WIDTH - RIGHT}" y2="{y(top):.1f}"/>',
        f'<text class="label" x="{LEFT - 6}" y="{y(top) + 4:.1f}" text-anchor="end">{format_number(top)}</text>',
        f'<text class="label" x="{LEFT - 6}" y="{y(0) + 4:.1f}" text-anchor="end">0</text>',
    ]
    for index, day in enumerate(days):
        x = LEFT + index * slot + (slot - bar) / 2
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
    for day, anchor, x in ((days[0], "start", LEFT), (days[-1], "end", WIDTH - RIGHT)):
        parts.append(
            f'<text class="label" x="{x}" y="{HEIGHT - 8}" text-anchor="{anchor}">'
            f"{escape(format_date(day.day, 'dd MMM y'))}</text>"
        )
    parts.append("</svg>")
    # Built from numbers, dates and our own words, escaped above: nothing a person typed reaches it.
    return Markup("".join(parts))  # nosec B704
