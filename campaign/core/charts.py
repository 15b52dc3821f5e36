"""Charts drawn on the server as SVG: no JavaScript, nothing loaded from elsewhere."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 600, 160, 40


def daily_bars(per_day: list[tuple[date, int]], *, label: str) -> Markup:
    """A bar chart of counts per day, with the label as its accessible name."""
    if not per_day:
        return Markup("")
    peak = max(n for _, n in per_day) or 1
    slot = (WIDTH - PAD) / len(per_day)
    bar = max(1.0, slot * 0.8)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT + PAD}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{PAD}" y1="{HEIGHT}" x2="{WIDTH}" y2="{HEIGHT}" stroke="#55554f"/>',
        f'<text x="0" y="16" font-size="16" fill="#55554f">{peak}</text>',
    ]
    for index, (day, n) in enumerate(per_day):
        height = (HEIGHT - 16) * n / peak
        x = PAD + index * slot
        parts.append(
            f'<rect x="{x:.1f}" y="{HEIGHT - height:.1f}" width="{bar:.1f}" height="{height:.1f}" '
            f'fill="#1f4e8c"><title>{day.isoformat()}: {n}</title></rect>'
        )
    first, last = per_day[0][0].isoformat(), per_day[-1][0].isoformat()
    label_y = HEIGHT + 20
    parts.append(f'<text x="{PAD}" y="{label_y}" font-size="16" fill="#55554f">{first}</text>')
    parts.append(
        f'<text x="{WIDTH}" y="{label_y}" font-size="16" fill="#55554f" '
        f'text-anchor="end">{last}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every inserted value is a number, a date or escaped
