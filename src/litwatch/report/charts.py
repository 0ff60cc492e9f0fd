"""Charts as SVG strings, drawn by hand: no browser and no plotting library needed."""

from __future__ import annotations

from litwatch.report.svg import OTHER, PALETTE, rect, svg_doc, text, text_width

__all__ = ["stacked_bars_svg", "evidence_map_svg", "MAX_WIDTH", "FONT"]


# Print pages are 178 mm (about 670 CSS px) wide: a chart no wider than MAX_WIDTH is never scaled
# down, so its smallest text (FONT px = 9 pt) stays readable on paper.
MAX_WIDTH = 660
FONT = 12


def stacked_bars_svg(
    month_labels: list[str],
    series: list[tuple[str, list[int]]],
    title: str,
    lang: str,
    empty_text: str = "",
    other: str | None = None,
) -> str:
    """Bars per month (or year), stacked by series (study design); a legend under the plot.

    The series named `other` (e.g. "other / unclassified") is drawn in grey.
    """
    colours = _colours([name for name, _ in series], other)
    n = max(len(month_labels), 1)
    totals = [sum(s[1][i] for s in series) for i in range(len(month_labels))]
    top = max(totals + [1])
    left, plot_h, bar_gap = 40, 170, 4
    bar_w = max(10.0, min(48.0, (MAX_WIDTH - left - 20) / n - bar_gap))
    width = min(MAX_WIDTH, max(480.0, left + n * (bar_w + bar_gap) + 20))
    body = [text(left, 18, _fit(title, FONT + 2, width - left), FONT + 2, weight="bold")]
    y0 = 34 + plot_h
    for tick in _ticks(top):
        y = y0 - plot_h * tick / top
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(text(left - 5, y + 4, str(tick), FONT, anchor="end", fill="#555"))
    # label every bar when they fit, else every k-th
    step = max(1, int((FONT * 1.25) // (bar_w + bar_gap)) + 1) if bar_w + bar_gap < FONT * 1.25 else 1
    for i, label in enumerate(month_labels):
        x = left + bar_gap / 2 + i * (bar_w + bar_gap)
        y = y0
        for k, (name, counts) in enumerate(series):
            c = counts[i]
            if c:
                h = plot_h * c / top
                y -= h
                body.append(rect(x, y, bar_w, h, colours[k], title=f"{label}: {name} {c}"))
        if totals[i] and bar_w >= FONT * 0.9:
            body.append(text(x + bar_w / 2, y - 3, str(totals[i]), FONT, anchor="middle"))
        if i % step == 0:
            body.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y0 + 14:.1f}" font-size="{FONT}" text-anchor="end" fill="#333" '
                f'transform="rotate(-45 {x + bar_w / 2:.1f} {y0 + 14:.1f})">{_esc(label)}</text>'
            )
    if not any(totals) and empty_text:
        body.append(text(width / 2, 34 + plot_h / 2, empty_text, FONT, anchor="middle", fill="#777"))
    y = y0 + 30 + 0.72 * max([text_width(m, FONT) for m in month_labels] + [0])
    x = left
    for k, (name, _) in enumerate(series):
        w = 18 + text_width(name, FONT) + 16
        if x + w > width - 10 and x > left:
            x, y = left, y + 20
        body.append(rect(x, y - 11, 12, 12, colours[k]))
        body.append(text(x + 17, y, name, FONT))
        x += w
    return svg_doc(width, y + 12, body, lang, title)


def _fit(s: str, size: float, width: float) -> str:
    """`s` cut with an ellipsis to fit `width` (the full text stays in the chart's aria-label)."""
    if text_width(s, size) <= width:
        return s
    while s and text_width(s + "…", size) > width:
        s = s[:-1]
    return s + "…"


def evidence_map_svg(
    row_labels: list[str],
    col_labels: list[str],
    counts: list[list[int]],
    title: str,
    lang: str,
    empty_text: str = "",
) -> str:
    """A grid of counts (rows: cell sources, columns: outcomes/mechanisms), shaded by count."""
    row_labels, col_labels = row_labels[:8], col_labels[:8]
    counts = [row[:8] for row in counts[:8]]
    top = max([c for row in counts for c in row] + [1])
    cell = 38
    rows = [_fit(r, FONT, 210) for r in row_labels]
    cols = [_fit(c, FONT, 190) for c in col_labels]
    label_w = max([text_width(r, FONT) for r in rows] + [60]) + 12
    longest = max([text_width(c, FONT) for c in cols] + [20])
    head_h = 34 + 0.72 * longest  # column labels are drawn at -45 degrees, clear of the title
    width = min(MAX_WIDTH, max(360.0, label_w + cell * len(cols) + 20 + 0.72 * longest))
    height = head_h + cell * len(rows) + 16
    body = [text(8, 18, _fit(title, FONT + 2, width - 16), FONT + 2, weight="bold")]
    if not rows or not cols:
        body.append(text(width / 2, 60, empty_text, FONT, anchor="middle", fill="#777"))
        return svg_doc(width, 90, body, lang, title)
    for j, (col, full) in enumerate(zip(cols, col_labels)):
        cx, cy = label_w + j * cell + cell / 2, head_h - 6
        body.append(
            f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="{FONT}" transform="rotate(-45 {cx:.1f} {cy:.1f})" '
            f'fill="#222"><title>{_esc(full)}</title>{_esc(col)}</text>'
        )
    for i, (row, full) in enumerate(zip(rows, row_labels)):
        y = head_h + i * cell
        body.append(text(label_w - 8, y + cell / 2 + 4, row, FONT, anchor="end"))
        for j, col in enumerate(col_labels):
            c = counts[i][j]
            shade = _shade(c / top) if c else "#f6f6f6"
            body.append(rect(label_w + j * cell + 1, y + 1, cell - 2, cell - 2, shade, title=f"{full} × {col}: {c}"))
            if c:
                fill = "#fff" if c / top > 0.5 else "#111"
                body.append(text(label_w + j * cell + cell / 2, y + cell / 2 + 4, str(c), FONT, "middle", fill=fill))
    return svg_doc(width, height, body, lang, title)


def _colours(names: list[str], other: str | None) -> list[str]:
    out, k = [], 0
    for name in names:
        if name == other:
            out.append(OTHER)
        else:
            out.append(PALETTE[k % len(PALETTE)])
            k += 1
    return out


def _ticks(top: int) -> list[int]:
    step = max(1, round(top / 4))
    return list(range(0, top + 1, step))


def _shade(f: float) -> str:
    # from light blue to dark blue
    lo, hi = (222, 235, 247), (8, 69, 148)
    rgb = [round(a + (b - a) * f) for a, b in zip(lo, hi)]
    return "#%02x%02x%02x" % tuple(rgb)


def _esc(s: str) -> str:
    from xml.sax.saxutils import escape

    return escape(s)
