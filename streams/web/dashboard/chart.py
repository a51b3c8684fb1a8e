"""An inline SVG bar chart, drawn on the server: no script, no CDN, readable offline.

Each bar carries its label and value as ``data-`` attributes and a ``<title>`` (the
browser's tooltip), so a test or a screen reader reads the numbers, not the pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 640, 220
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 48, 36, 16


def bar_chart(
    bars: Sequence[tuple[str, float | None]],
    *,
    chart_id: str,
    unit: str,
    target: float | None = None,
) -> str:
    """Bars of ``(label, value)``; a None value (nothing measured) draws no bar.

    ``target`` draws a dashed line (the SLA's limit) so a bar over it stands out.
    """
    values = [v for _, v in bars if v is not None]
    top = max([*values, target or 0.0, 1.0]) * 1.1
    plot_h = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    plot_w = WIDTH - MARGIN_LEFT - 8
    slot = plot_w / max(len(bars), 1)

    def y(value: float) -> float:
        return MARGIN_TOP + plot_h * (1 - value / top)

    parts = [
        f'<svg id="{escape(chart_id)}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">',
        f'<line x1="{MARGIN_LEFT}" y1="{y(0):.1f}" x2="{WIDTH - 8}" y2="{y(0):.1f}" '
        'stroke="#555"/>',
        f'<text x="4" y="{MARGIN_TOP + 4}" font-size="11">{top:.0f} {escape(unit)}</text>',
    ]
    if not bars:
        parts.append(f'<text x="{MARGIN_LEFT}" y="{HEIGHT / 2:.0f}">nothing measured yet</text>')
    for index, (label, value) in enumerate(bars):
        x = MARGIN_LEFT + index * slot + slot * 0.15
        width = slot * 0.7
        text_x = x + width / 2
        parts.append(
            f'<text x="{text_x:.1f}" y="{HEIGHT - 18}" font-size="11" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
        if value is None:
            continue
        shown = f"{value:g}"
        parts.append(
            f'<rect class="bar" data-label="{escape(label)}" data-value="{shown}" '
            f'x="{x:.1f}" y="{y(value):.1f}" width="{width:.1f}" '
            f'height="{y(0) - y(value):.1f}" fill="#3b6ea8">'
            f"<title>{escape(label)}: {shown} {escape(unit)}</title></rect>"
        )
        parts.append(
            f'<text x="{text_x:.1f}" y="{y(value) - 4:.1f}" font-size="11" '
            f'text-anchor="middle">{shown}</text>'
        )
    if target is not None:
        parts.append(
            f'<line class="target" data-value="{target:g}" x1="{MARGIN_LEFT}" '
            f'y1="{y(target):.1f}" x2="{WIDTH - 8}" y2="{y(target):.1f}" stroke="#c0392b" '
            f'stroke-dasharray="6 4"><title>target: {target:g} {escape(unit)}</title></line>'
        )
    parts.append("</svg>")
    return "".join(parts)
