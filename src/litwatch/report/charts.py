"""Charts as SVG strings, drawn by hand: no browser and no plotting library needed."""

from __future__ import annotations

from litwatch.report.svg import OTHER, PALETTE, rect, svg_doc, text, text_width

__all__ = ["stacked_bars_svg", "evidence_map_svg"]


def stacked_bars_svg(
    month_labels: list[str],
    series: list[tuple[str, list[int]]],
    title: str,
    lang: str,
    empty_text: str = "",
    other: str | None = None,
) -> str:
    """Bars per month, stacked by series (study design); a legend under the plot.

    The series named `other` (e.g. "other / unclassified") is drawn in grey.
    """
    colours = _colours([name for name, _ in series], other)
    n = max(len(month_labels), 1)
    totals = [sum(s[1][i] for s in series) for i in range(len(month_labels))]
    top = max(totals + [1])
    left, plot_h, bar_gap = 36, 180, 6
    bar_w = max(14.0, min(48.0, 640 / n - bar_gap))
    width = max(560.0, left + n * (bar_w + bar_gap) + 20, text_width(title, 13) + left + 10)
    body = [text(left, 16, title, 13, weight="bold")]
    y0 = 30 + plot_h
    for tick in _ticks(top):
        y = y0 - plot_h * tick / top
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(text(left - 4, y + 4, str(tick), 10, anchor="end", fill="#555"))
    for i, label in enumerate(month_labels):
        x = left + bar_gap / 2 + i * (bar_w + bar_gap)
        y = y0
        for k, (name, counts) in enumerate(series):
            c = counts[i]
            if c:
                h = plot_h * c / top
                y -= h
                body.append(rect(x, y, bar_w, h, colours[k], title=f"{label}: {name} {c}"))
        if totals[i]:
            body.append(text(x + bar_w / 2, y - 3, str(totals[i]), 10, anchor="middle"))
        body.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y0 + 12:.1f}" font-size="9.5" text-anchor="end" fill="#333" '
            f'transform="rotate(-40 {x + bar_w / 2:.1f} {y0 + 12:.1f})">{_esc(label)}</text>'
        )
    if not any(totals) and empty_text:
        body.append(text(width / 2, 30 + plot_h / 2, empty_text, 12, anchor="middle", fill="#777"))
    y = y0 + 24 + 0.65 * max([text_width(m, 9.5) for m in month_labels] + [0])
    x = left
    for k, (name, _) in enumerate(series):
        w = 18 + text_width(name, 11) + 14
        if x + w > width - 10:
            x, y = left, y + 18
        body.append(rect(x, y - 10, 12, 12, colours[k]))
        body.append(text(x + 16, y, name, 11))
        x += w
    return svg_doc(width, y + 12, body, lang, title)


def evidence_map_svg(
    row_labels: list[str],
    col_labels: list[str],
    counts: list[list[int]],
    title: str,
    lang: str,
    empty_text: str = "",
) -> str:
    """A grid of counts (rows: cell sources, columns: outcomes/mechanisms), shaded by count."""
    top = max([c for row in counts for c in row] + [1])
    label_w = max([text_width(r, 11) for r in row_labels] + [60]) + 12
    cell = 42
    longest = max([text_width(c, 10) for c in col_labels] + [20])
    head_h = 30 + 0.72 * longest  # column labels are drawn at -45 degrees
    width = max(360.0, label_w + cell * len(col_labels) + 20 + 0.7 * longest, text_width(title, 13) + 20)
    height = head_h + cell * len(row_labels) + 16
    body = [text(8, 16, title, 13, weight="bold")]
    if not row_labels or not col_labels:
        body.append(text(width / 2, 60, empty_text, 12, anchor="middle", fill="#777"))
        return svg_doc(width, 90, body, lang, title)
    for j, col in enumerate(col_labels):
        cx, cy = label_w + j * cell + cell / 2, head_h - 6
        body.append(
            f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="10" transform="rotate(-45 {cx:.1f} {cy:.1f})" '
            f'fill="#222">{_esc(col)}</text>'
        )
    for i, row in enumerate(row_labels):
        y = head_h + i * cell
        body.append(text(label_w - 8, y + cell / 2 + 4, row, 11, anchor="end"))
        for j, col in enumerate(col_labels):
            c = counts[i][j]
            shade = _shade(c / top) if c else "#f6f6f6"
            body.append(rect(label_w + j * cell + 1, y + 1, cell - 2, cell - 2, shade, title=f"{row} × {col}: {c}"))
            if c:
                fill = "#fff" if c / top > 0.5 else "#111"
                body.append(text(label_w + j * cell + cell / 2, y + cell / 2 + 4, str(c), 11, "middle", fill=fill))
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
