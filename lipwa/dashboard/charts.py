"""Server-rendered SVG bar charts: no script, nothing fetched, readable by screen readers.

Heights are integers computed from integer data (no floats near money). Each chart carries a <title> and
an aria-label that states every value, and the page shows the same numbers in a table beside it.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 600
HEIGHT = 160
LABEL_SPACE = 18
LABELS_SHOWN_MAX = 10


def bar_heights(values: list[int | None], *, scale_max: int | None = None, height: int = HEIGHT) -> list[int]:
    """Bar heights in 0..height, proportional to `values` (None and negatives count as 0), rounded down."""
    top = scale_max if scale_max is not None else max([v for v in values if v] or [0])
    if top <= 0:
        return [0 for _ in values]
    return [min(height, max(0, v or 0) * height // top) for v in values]


def bar_chart(rows: list[tuple[str, int | None]], *, title: str, scale_max: int | None = None,
              unit: str = "", colour: str = "#0a7c3f") -> SafeString:
    """A vertical bar per (label, value); None draws no bar and is read out as "no data"."""
    if not rows:
        return mark_safe(f'<p class="muted">{escape(title)}: no payments yet.</p>')
    plot = HEIGHT - LABEL_SPACE
    heights = bar_heights([v for _, v in rows], scale_max=scale_max, height=plot)
    slot = WIDTH // len(rows)
    gap = max(1, slot // 5)
    every = max(1, -(-len(rows) // LABELS_SHOWN_MAX))  # ceiling division: at most ~10 labels
    spoken = ", ".join(f"{label}: {'no data' if value is None else f'{value}{unit}'}" for label, value in rows)
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}. '
             f'{escape(spoken)}" preserveAspectRatio="none"><title>{escape(title)}</title>',
             f'<line x1="0" y1="{plot}" x2="{WIDTH}" y2="{plot}" stroke="#98a2b3" stroke-width="1"/>']
    for index, ((label, value), bar) in enumerate(zip(rows, heights, strict=True)):
        x = index * slot + gap // 2
        if bar:
            parts.append(f'<rect x="{x}" y="{plot - bar}" width="{slot - gap}" height="{bar}" fill="{colour}">'
                         f'<title>{escape(label)}: {value}{escape(unit)}</title></rect>')
        if index % every == 0:
            parts.append(f'<text x="{x}" y="{HEIGHT - 4}" font-size="11" fill="#475467">'
                         f'{escape(label[-5:] if len(rows) > LABELS_SHOWN_MAX else label[:14])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
