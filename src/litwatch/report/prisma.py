"""A PRISMA 2020-style flow diagram as SVG: identified per source -> duplicates -> screened -> included."""

from __future__ import annotations

from typing import Any

from litwatch.report.svg import line, rect, svg_doc, text, wrap
from litwatch.report.texts import has, t

__all__ = ["prisma_svg", "prisma_rows", "source_name"]

_BOX_W, _SIDE_W, _GAP = 300, 230, 60


def source_name(source: str, lang: str) -> str:
    """'file:ctgov-csv' -> 'ClinicalTrials.gov CSV file'; unknown sources as they are."""
    key = f"source_names.{source}"
    return t(key, lang) if has(key, lang) else source


def prisma_rows(counts: dict[str, Any], lang: str) -> list[tuple[str, list[str], str, list[str]]]:
    """The flow as (main box title, main lines, side box title, side lines) stages: also used by DOCX/MD."""
    identified = counts.get("identified") or {}
    total = sum(identified.values())
    excluded = counts.get("excluded") or {}
    n_excl = sum(excluded.values())
    src_lines = [f"{source_name(name, lang)}: {n}" for name, n in identified.items()]
    kinds = counts.get("included_by_kind") or {}
    included_lines = [f"{kinds[k]} {t('method.included_' + k + 's', lang)}" for k in ("paper", "trial") if kinds.get(k)]
    return [
        (f"{t('method.identified', lang)} (n = {total})", src_lines,
         f"{t('method.duplicates', lang)} (n = {counts.get('duplicates_removed', 0)})", []),
        (f"{t('method.screened', lang)} (n = {counts.get('screened', 0)})", [],
         f"{t('method.excluded', lang)} (n = {n_excl})",
         [f"{t('method.by_' + k, lang)}: {excluded.get(k, 0)}" for k in ("rule", "model", "person")]),
        (f"{t('method.included', lang)} (n = {counts.get('included', 0)})", included_lines, "", []),
    ]


def _box(x: float, y: float, w: float, title: str, lines: list[str], fill: str) -> tuple[list[str], float]:
    wrapped = [(ln, True) for ln in wrap(title, 12, w - 16)] + [
        (part, False) for ln in lines for part in wrap(ln, 11, w - 24)
    ]
    h = 14 + 16 * len(wrapped)
    out = [rect(x, y, w, h, fill, stroke="#335", rx=4)]
    for k, (s, bold) in enumerate(wrapped):
        out.append(text(x + (8 if bold else 16), y + 20 + 16 * k, s, 12 if bold else 11,
                        weight="bold" if bold else "normal"))
    return out, h


def prisma_svg(counts: dict[str, Any], lang: str) -> str:
    x_main, x_side = 10, 10 + _BOX_W + _GAP
    y, body = 10, []
    prev_bottom = None
    for title, lines, side_title, side_lines in prisma_rows(counts, lang):
        parts, h = _box(x_main, y, _BOX_W, title, lines, "#eef3fb")
        body += parts
        if prev_bottom is not None:
            body.append(line(x_main + _BOX_W / 2, prev_bottom, x_main + _BOX_W / 2, y, marker=True))
        if side_title:
            sparts, sh = _box(x_side, y, _SIDE_W, side_title, side_lines, "#f7f7f7")
            body += sparts
            body.append(line(x_main + _BOX_W, y + min(h, sh) / 2, x_side, y + min(h, sh) / 2, marker=True))
            h = max(h, sh)
        prev_bottom = y + h if not side_title else y + _box(0, 0, _BOX_W, title, lines, "")[1]
        y += h + 40
    return svg_doc(x_side + _SIDE_W + 10, y - 30, body, lang, t("method.prisma", lang))
