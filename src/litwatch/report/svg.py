"""A tiny helper for hand-written SVG: escaped text, width estimates, fonts per language."""

from __future__ import annotations

import unicodedata
from xml.sax.saxutils import escape, quoteattr

__all__ = ["OTHER", "font_family", "text_width", "text", "rect", "line", "svg_doc", "PALETTE", "wrap"]

# colour-blind safe (Okabe-Ito), in the order designs are drawn
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
    "#332288", "#44AA99", "#882255", "#117733", "#AA4499",
)
OTHER = "#BBBBBB"  # "other / unclassified" always grey


def font_family(lang: str) -> str:
    # cairo (used for DOCX pictures) takes only the first family, so Chinese puts its CJK font first
    cjk = {"zh-Hant": "Noto Sans CJK TC", "zh-Hant-HK": "Noto Sans CJK HK"}.get(lang, "Noto Sans CJK SC")
    if lang.startswith("zh"):
        return f"'{cjk}', sans-serif"
    return f"'DejaVu Sans', '{cjk}', sans-serif"


def text_width(s: str, size: float) -> float:
    """Rough rendered width: wide (CJK) glyphs take a full em, others a little over half."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.62 for c in s)


def wrap(s: str, size: float, width: float) -> list[str]:
    """Break `s` into lines no wider than `width` (on spaces, or anywhere in CJK text)."""
    lines, cur = [], ""
    tokens = s.split(" ") if " " in s else list(s)
    sep = " " if " " in s else ""
    for tok in tokens:
        trial = f"{cur}{sep}{tok}" if cur else tok
        if cur and text_width(trial, size) > width:
            lines.append(cur)
            cur = tok
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines or [""]


def text(x: float, y: float, s: str, size: float = 12, anchor: str = "start", weight: str = "normal",
         fill: str = "#222") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}">{escape(s)}</text>'
    )


def rect(x: float, y: float, w: float, h: float, fill: str, stroke: str = "none", title: str | None = None,
         rx: float = 0) -> str:
    tip = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{rx}" fill="{fill}" '
        f'stroke="{stroke}">{tip}</rect>'
    )


def line(x1: float, y1: float, x2: float, y2: float, stroke: str = "#444", marker: bool = False) -> str:
    end = ' marker-end="url(#arrow)"' if marker else ""
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}"{end}/>'


def svg_doc(width: float, height: float, body: list[str], lang: str, label: str) -> str:
    defs = (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label={quoteattr(label)} '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="{font_family(lang)}">{defs}' + "".join(body) + "</svg>"
    )
