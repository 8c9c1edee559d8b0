"""Server-side SVG bar charts: no JavaScript, no inline style (strict CSP). Each chart has a
<title> and is paired on the page with a table holding the same figures (WCAG 1.1.1)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = 22
GAP = 6
LABEL_W = 230
LABEL_CHARS = 30
CHART_W = 360


def bar_chart(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, float]],
    fmt: str = "{:g}",
    peak: float | None = None,
) -> Markup:
    """A horizontal bar chart; ``items`` are (label, value) pairs, values >= 0. ``peak``: the
    value of a full-width bar (100 for percentages), else the largest value."""
    peak = peak or max((v for _, v in items), default=0) or 1
    height = max(1, len(items)) * (BAR + GAP) + GAP
    width = LABEL_W + CHART_W + 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{chart_id}-t" viewBox="0 0 {width} {height}" width="100%">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
    ]
    for i, (full, value) in enumerate(items):
        label = full if len(full) <= LABEL_CHARS else full[: LABEL_CHARS - 1] + "…"
        y = GAP + i * (BAR + GAP)
        w = round(CHART_W * value / peak, 1)
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + BAR * 0.7:.1f}" text-anchor="end" '
            f'font-size="13" fill="#1b1f23">{escape(label)}</text>'
            f'<rect x="{LABEL_W}" y="{y}" width="{w}" height="{BAR}" fill="#14532d"></rect>'
            f'<text x="{LABEL_W + w + 6}" y="{y + BAR * 0.7:.1f}" font-size="13" '
            f'fill="#1b1f23">{escape(fmt.format(value))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above
