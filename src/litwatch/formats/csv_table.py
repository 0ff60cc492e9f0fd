"""CSV tables with title/abstract columns (ASReview / SYNERGY screening sets, spreadsheet exports).

Column names are matched case-insensitively, with common aliases (`pubmedID` -> pmid,
`primary_title` -> title, ...). Authors are ";"-separated, "A and B", or "Given Family,
Given Family". A label column (`label_included`, `included`, `label`) is kept as
`extra["prior_label"]` (1 include / 0 exclude); `label_abstract_screening` as
`extra["label_abstract_screening"]`. A table without a title column is refused with the list
of columns it has. The delimiter (comma, semicolon or tab) is taken from the header line.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO

from litwatch.errors import ParseError
from litwatch.formats._readers_common import (
    clean, csv_records, make_provenance, parse_date_text, split_authors,
)
from litwatch.formats.base import ParseIssue
from litwatch.formats.detect import text_lines
from litwatch.records import (
    AbstractSection, Ids, Journal, Record, Trial, normalize_doi, normalize_nct, normalize_pmcid,
)

__all__ = ["read_stream", "COLUMN_ALIASES", "parse_label", "unescape_cell"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # abstracts can exceed the 128 KB default

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "primary title", "article title", "document title", "ti", "title clean"),
    "title_clean": ("title clean",),
    "abstract": ("abstract", "abstract note", "abstracttext", "ab", "notes abstract", "summary"),
    "authors": ("authors", "author", "au", "author names", "first authors"),
    "year": ("year", "publication year", "pubyear", "py", "pub year", "date", "publication date"),
    "doi": ("doi", "do"),
    "pmid": ("pmid", "pubmedid", "pubmed id", "pubmed"),
    "pmcid": ("pmcid", "pmc id"),
    "nct": ("nct", "nct id", "nct number", "nctid"),
    "record_id": ("record id", "id", "key"),
    "label": ("label included", "included", "label", "final included", "label final", "inclusion"),
    "label_abstract": ("label abstract screening", "label abstract included", "abstract included"),
    "journal": ("journal", "journal name", "secondary title", "source title", "container title", "publication title"),
    "volume": ("volume",),
    "issue": ("issue", "number"),
    "pages": ("pages", "page"),
    "keywords": ("keywords", "keyword", "kw", "author keywords"),
    "url": ("url", "link"),
    "kind": ("kind",),
    "language": ("language",),
    "duplicate": ("duplicate record id",),
}
_TRUE = {"1", "1.0", "true", "yes", "y", "include", "included"}
_FALSE = {"0", "0.0", "false", "no", "n", "exclude", "excluded"}
_EMPTY = {"", "nan", "none", "null", "na", "n/a"}


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-.]+", " ", name.strip().strip('"').lstrip("\ufeff").lower()).strip()


def _column_map(header: list[str]) -> dict[str, str]:
    """field -> header name for the first alias (in alias order) found in the header."""
    normalized = {}
    for name in header:
        normalized.setdefault(_norm(name), name)
    out = {}
    for field, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in normalized:
                out[field] = normalized[alias]
                break
    return out


def parse_label(value: str | None) -> int | None:
    """'1', '1.0', 'yes', 'included' -> 1; '0', 'no', 'excluded' -> 0; anything else -> None."""
    v = (value or "").strip().lower()
    if v in _TRUE:
        return 1
    if v in _FALSE:
        return 0
    return None


def unescape_cell(value: str | None) -> str | None:
    """A cell as it was before litwatch's export guarded it against spreadsheet formulas: one
    leading ' taken off where it stands before =, +, -, @, a tab, a CR or another '."""
    if value and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r'":
        return value[1:]
    return value


def _value(row: dict[str, Any], cols: dict[str, str], field: str, *, numeric: bool = False) -> str | None:
    name = cols.get(field)
    v = clean(unescape_cell(row.get(name))) if name else None
    if v is None or (numeric or field in ("doi", "pmid", "pmcid", "nct", "year")) and v.lower() in _EMPTY:
        return None
    return v


def _record(row: dict[str, Any], cols: dict[str, str], origin: str, where: str) -> Record:
    pmid = _value(row, cols, "pmid")
    if pmid and re.fullmatch(r"\d+(\.0)?", pmid):
        pmid = pmid.split(".")[0]
    else:
        pmid = None
    ids = Ids(pmid=pmid, doi=normalize_doi(_value(row, cols, "doi")), pmcid=normalize_pmcid(_value(row, cols, "pmcid")),
              nct=normalize_nct(_value(row, cols, "nct")))
    title = _value(row, cols, "title") or _value(row, cols, "title_clean")
    if not title and not ids.strong():
        raise ValueError("no title and no identifier")
    extra: dict[str, Any] = {}
    for field, key in (("label", "prior_label"), ("label_abstract", "label_abstract_screening")):
        label = parse_label(_value(row, cols, field))
        if label is not None:
            extra[key] = label
    for field, key in (("record_id", "record_id"), ("duplicate", "duplicate_record_id"), ("url", "url")):
        v = _value(row, cols, field)
        if v and v.lower() not in _EMPTY:
            extra[key] = v
    kind = _value(row, cols, "kind")
    kind = kind if kind in ("article", "preprint", "trial", "other") else ("trial" if ids.nct and not ids.pmid else "article")
    year = _value(row, cols, "year")
    date = parse_date_text(year)
    abstract_text = unescape_cell(row.get(cols.get("abstract", ""), "")) or ""
    abstract = [AbstractSection(text=t) for t in (clean(x) for x in abstract_text.split("\n")) if t]
    return Record(
        kind=kind,  # type: ignore[arg-type]
        ids=ids,
        title=title,
        abstract=abstract,
        authors=split_authors(_value(row, cols, "authors")),
        journal=Journal(title=_value(row, cols, "journal"), volume=_value(row, cols, "volume"),
                        issue=_value(row, cols, "issue"), pages=_value(row, cols, "pages")),
        dates={"issue": date} if date else {},
        keywords=[k for k in (clean(x) for x in re.split(r";", _value(row, cols, "keywords") or "")) if k],
        language=_value(row, cols, "language"),
        trial=Trial(url=extra.get("url")) if kind == "trial" else None,
        provenance=[make_provenance("file:csv", origin, row, where)],
        extra=extra,
    )


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def read_stream(stream: BinaryIO, *, origin: str) -> Iterator[Record | ParseIssue]:
    """Records from a CSV table with a title column, one per row."""
    issues: list[ParseIssue] = []
    lines = text_lines(stream, origin, issues)
    first = next(lines, None)
    while first is not None and not first.strip():
        first = next(lines, None)
    if first is None:
        raise ParseError("empty file", path=origin)
    delimiter = _delimiter(first)

    def all_lines() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.DictReader(all_lines(), delimiter=delimiter)
    try:
        header = [h for h in (reader.fieldnames or []) if h is not None]
    except csv.Error as exc:
        raise ParseError(f"cannot read the CSV header: {exc}", path=origin, location="line 1") from None
    cols = _column_map(header)
    if "title" not in cols:
        raise ParseError("CSV without a title column", path=origin,
                         hint=f"columns found: {', '.join(header) or '(none)'}; name one 'title'")
    yield from csv_records(reader, header, origin, issues, lambda row, where: _record(row, cols, origin, where), "row")
