"""Inline SVG charts for the HTML report: no script, no library, every label escaped.

Each function returns `markupsafe.Markup` built only from escaped text and numbers, so the
template can embed it as is.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

LABEL_W, BAR_W, ROW_H, PAD = 230, 380, 22, 8
COLORS = ("#2f6fb0", "#e08a1e", "#5a9e4b", "#b0413e", "#8a8a8a")


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")  # built from escaped parts only


def stacked_bars(
    title: str, rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[str]
) -> Markup:
    """Horizontal bars, one per row, stacked by series (e.g. individuals and collectives)."""
    top = 24
    width = LABEL_W + BAR_W + 60
    height = top + ROW_H * max(len(rows), 1) + PAD
    biggest = max((sum(values) for _, values in rows), default=0) or 1
    body: list[str] = []
    x = LABEL_W
    for i, name in enumerate(series):
        color = COLORS[i % len(COLORS)]
        body.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{color}"/>')
        body.append(f'<text x="{x + 14}" y="15" class="legend">{escape(name)}</text>')
        x += 14 + 8 * len(name) + 16
    for row, (label, values) in enumerate(rows):
        y = top + row * ROW_H
        body.append(
            f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" class="label">'
            f"<title>{escape(label)}</title>{escape(_short(label))}</text>"
        )
        x0 = float(LABEL_W)
        for i, value in enumerate(values):
            if value <= 0:
                continue
            w = BAR_W * value / biggest
            body.append(
                f'<rect x="{x0:.1f}" y="{y + 3}" width="{w:.1f}" height="{ROW_H - 6}" '
                f'fill="{COLORS[i % len(COLORS)]}"><title>{escape(label)} — '
                f"{escape(series[i])}: {value}</title></rect>"
            )
            x0 += w
        body.append(f'<text x="{x0 + 4:.1f}" y="{y + 15}" class="value">{sum(values)}</text>')
    return _svg(width, height, title, body)


def share_bar(title: str, part: int, whole: int, caption: str, percent: str) -> Markup:
    """One bar showing part / whole, with `percent` (already formatted) beside it."""
    width, height = LABEL_W + BAR_W + 60, 46
    share = part / whole if whole else 0.0
    filled = BAR_W * share
    body = [
        f'<rect x="{LABEL_W}" y="6" width="{BAR_W}" height="18" fill="#e6e6e6"/>',
        f'<rect x="{LABEL_W}" y="6" width="{filled:.1f}" height="18" fill="{COLORS[2]}"/>',
        f'<text x="{LABEL_W - 6}" y="20" text-anchor="end" class="label">'
        f"{escape(_short(title))}</text>",
        f'<text x="{LABEL_W + BAR_W + 6}" y="20" class="value">{escape(percent)}</text>',
        f'<text x="{LABEL_W}" y="40" class="legend">{escape(caption)}</text>',
    ]
    return _svg(width, height, title, body)


def tally_bar(
    title: str, yes: int, no: int, members: int, threshold: float, passed: bool
) -> Markup:
    """Yes, no and not voting out of all members, with the threshold marked."""
    width, height = BAR_W + 120, 26
    scale = BAR_W / members if members else 0.0
    parts = ((yes, "#5a9e4b"), (no, "#b0413e"), (max(members - yes - no, 0), "#d0d0d0"))
    body, x = [], 0.0
    for value, color in parts:
        if value:
            body.append(
                f'<rect x="{x:.1f}" y="4" width="{value * scale:.1f}" height="16" fill="{color}"/>'
            )
            x += value * scale
    mark = BAR_W * threshold
    body.append(
        f'<line x1="{mark:.1f}" y1="0" x2="{mark:.1f}" y2="24" stroke="#111" '
        'stroke-width="2" stroke-dasharray="3,2"/>'
    )
    symbol = "✔" if passed else "✘"
    body.append(f'<text x="{BAR_W + 8}" y="17" class="value">{yes}/{members} {symbol}</text>')
    return _svg(width, height, title, body)
