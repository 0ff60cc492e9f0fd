"""A PRISMA 2020-style flow diagram as SVG: identified per source -> duplicates -> screened -> included."""

from __future__ import annotations

from typing import Any

from litwatch.report.svg import line, rect, svg_doc, text, wrap
from litwatch.report.texts import has, t, to_lang
from litwatch.services import SOURCES

__all__ = ["prisma_svg", "prisma_rows", "source_name"]

_BOX_W, _SIDE_W, _GAP = 300, 230, 60


def source_name(source: str, lang: str) -> str:
    """'pubmed' -> 'PubMed' (the Source table's label), 'file:ctgov-csv' -> 'ClinicalTrials.gov CSV
    file' (the report's texts); unknown sources as they are."""
    if source in SOURCES:
        return to_lang(SOURCES[source].label_in(lang), lang)
    key = f"source_names.{source}"
    return t(key, lang) if has(key, lang) else source


def _n(key: str, n: int, lang: str) -> str:
    return f"{t(key, lang)}（n = {n}）" if lang.startswith("zh") else f"{t(key, lang)} (n = {n})"


def prisma_rows(counts: dict[str, Any], lang: str) -> list[tuple[str, list[str], str, list[str]]]:
    """The flow as (main box title, main lines, side box title, side lines) stages: also used by DOCX/MD."""
    identified = counts.get("identified") or {}
    total = sum(identified.values())
    excluded = counts.get("excluded") or {}
    n_excl = sum(excluded.values())
    colon = "：" if lang.startswith("zh") else ": "
    src_lines = [f"{source_name(name, lang)}{colon}{n}" for name, n in identified.items()]
    kinds = counts.get("included_by_kind") or {}
    sep = "" if lang.startswith("zh") else " "
    included_lines = [f"{kinds[k]}{sep}{t('method.included_' + k + 's', lang)}" for k in ("paper", "trial") if kinds.get(k)]
    by = counts.get("included_by") or {}
    colon = "：" if lang.startswith("zh") else ": "
    included_lines += [f"{t('method.included_by_' + k, lang)}{colon}{by.get(k, 0)}" for k in ("rule", "model", "person")
                       if by]
    screened_lines = [f"{t('method.undecided', lang)}{colon}{counts['undecided']}"] if counts.get("undecided") else []
    return [
        (_n('method.identified', total, lang), src_lines,
         _n('method.duplicates', counts.get('duplicates_removed', 0), lang), []),
        (_n('method.screened', counts.get('screened', 0), lang), screened_lines,
         _n('method.excluded', n_excl, lang),
         [f"{t('method.by_' + k, lang)}{colon}{excluded.get(k, 0)}" for k in ("rule", "model", "person")]),
        (_n('method.included', counts.get('included', 0), lang), included_lines, "", []),
    ]


def _box(x: float, y: float, w: float, title: str, lines: list[str], fill: str) -> tuple[list[str], float]:
    wrapped = [(ln, True) for ln in wrap(title, 13, w - 16)] + [
        (part, False) for ln in lines for part in wrap(ln, 12, w - 24)
    ]
    h = 14 + 17 * len(wrapped)
    out = [rect(x, y, w, h, fill, stroke="#335", rx=4)]
    for k, (s, bold) in enumerate(wrapped):
        out.append(text(x + (8 if bold else 16), y + 20 + 17 * k, s, 13 if bold else 12,
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
