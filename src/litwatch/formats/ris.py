"""RIS files (Zotero, EndNote, Mendeley, publisher and database exports) as Records.

The file is cut into references (TY ... ER) here, so it streams and every problem names its
line; each reference's tags are read by rispy. Tags "TY - " written with one space are
accepted. A reference cut off by the end of the file (no ER) is still read.

Identifiers: DO (or a doi.org URL) -> doi; AN with a PubMed/MEDLINE DB -> pmid; "PMID: n",
"PMCID: PMCn" in AN/N1/M1/M3/C1-C8; C2 holding a PMCID (EndNote from PubMed); NCT numbers in
AN/M3/ID. AB and N2 lines become abstract sections (one per line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import rispy

from litwatch.errors import ParseError
from litwatch.formats._readers_common import ITEM_ERRORS, clean, make_provenance, parse_date_text, person, date_from_parts
from litwatch.formats.base import ParseIssue
from litwatch.formats.detect import text_lines
from litwatch.records import (
    AbstractSection, Ids, Journal, Record, Trial, normalize_doi, normalize_nct, normalize_pmcid,
)

__all__ = ["read_stream", "record_from_ris"]

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])\s{1,2}-(?: (.*)|\s*)$")
_LIST_TAGS = ["A1", "A2", "A3", "A4", "AU", "KW", "N1", "UR", "AB", "N2", "SN", "M1", "M3", "AN",
              "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "ID", "LA", "DO", "DB"]
_ARTICLE_TYPES = {"JOUR", "EJOUR", "JFULL", "MGZN", "ABST", "INPR", "NEWS"}
_CSL_TYPE = {
    "BOOK": "book", "EBOOK": "book", "EDBOOK": "book", "CHAP": "chapter", "ECHAP": "chapter",
    "CONF": "paper-conference", "CPAPER": "paper-conference", "THES": "thesis", "RPRT": "report",
    "DATA": "dataset", "ELEC": "webpage", "ICOMM": "webpage", "BLOG": "post-weblog", "PAT": "patent",
    "GEN": "article", "COMP": "article", "STAT": "legislation", "CASE": "legal_case",
}
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.I)
_PMCID = re.compile(r"\b(PMC\d+)\b", re.I)
_ISSN = re.compile(r"\b(\d{4}-?\d{3}[\dXx])\b")
_LABEL = re.compile(r"litwatch prior_label:\s*(-?\d+)")


def _values(entry: dict[str, Any], *names: str) -> list[str]:
    out: list[str] = []
    for name in names:
        value = entry.get(name)
        if value is None:
            continue
        for v in value if isinstance(value, list) else [value]:
            v = clean(v)
            if v:
                out.append(v)
    return out


def _first(entry: dict[str, Any], *names: str) -> str | None:
    vals = _values(entry, *names)
    return vals[0] if vals else None


def _ris_date(text: str | None) -> Any:
    """RIS dates: '2019', '2019/06/03/', '2019/06//', '2019///Spring', else free text."""
    text = clean(text)
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})/(\d{0,2})/(\d{0,2})/?(.*)", text)
    if m:
        d = date_from_parts(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] and m[2] else None)
        return d or parse_date_text(text[:4])
    return parse_date_text(text)


def _ids(entry: dict[str, Any]) -> Ids:
    ids = Ids()
    dois = [normalize_doi(d) for d in _values(entry, "doi")]
    dois += [normalize_doi(u) for u in _values(entry, "urls") if "doi.org/" in u]
    ids.doi = next((d for d in dois if d), None)
    databases = " ".join(_values(entry, "name_of_database", "database_provider")).lower()
    id_fields = _values(entry, "accession_number", "notes", "note", "type_of_work", "id",
                        *[f"custom{i}" for i in range(1, 9)])
    for an in _values(entry, "accession_number"):
        if an.isdigit() and any(k in databases for k in ("pubmed", "medline", "nlm")):
            ids.pmid = an
    for text in id_fields:
        if not ids.pmid and (m := _PMID.search(text)):
            ids.pmid = m.group(1)
        if not ids.pmcid and (m := _PMCID.search(text)):
            ids.pmcid = normalize_pmcid(m.group(1))
        if not ids.nct and normalize_nct(text):
            ids.nct = normalize_nct(text)
    return ids


def _issns(values: list[str]) -> tuple[str | None, str | None]:
    """(print, electronic) from SN values such as "1939-4586 (Electronic)", "1059-1524 (Linking)"."""
    found: list[tuple[str, str]] = []
    for m in _ISSN.finditer(" ".join(values)):
        issn = m.group(1).upper()
        issn = issn if "-" in issn else f"{issn[:4]}-{issn[4:]}"
        after = m.string[m.end(): m.end() + 14].lower()
        found.append((issn, "electronic" if "electronic" in after else "linking" if "linking" in after else "print"))
    electronic = next((i for i, k in found if k == "electronic"), None)
    printed = next((i for i, k in found if k == "print"), None)
    if printed is None and electronic is None:
        printed = next((i for i, k in found if k == "linking"), None)
    return printed, electronic


def _journal(entry: dict[str, Any], ty: str) -> Journal:
    full = _first(entry, "alternate_title3", "journal_name") if ty in _ARTICLE_TYPES else None
    secondary = _first(entry, "secondary_title")
    abbrev = _first(entry, "alternate_title1", "alternate_title2")
    if not abbrev and full and _first(entry, "journal_name") and _first(entry, "journal_name") != full:
        abbrev = _first(entry, "journal_name")
    issn_print, issn_e = _issns(_values(entry, "issn"))
    start, end = _first(entry, "start_page"), _first(entry, "end_page")
    pages = start
    if start and end and "-" not in start:
        pages = f"{start}-{end}"
    return Journal(
        title=full or secondary,
        iso_abbrev=abbrev,
        issn_print=issn_print,
        issn_electronic=issn_e,
        volume=_first(entry, "volume"),
        issue=_first(entry, "number"),
        pages=pages,
        publisher=_first(entry, "publisher"),
    )


def record_from_ris(entry: dict[str, Any], *, origin: str, location: str | None = None) -> Record:
    """One reference as rispy reads it (its default tag names) as a Record."""
    ty = (clean(entry.get("type_of_reference")) or "GEN").upper()
    ids = _ids(entry)
    title = _first(entry, "title", "primary_title", "translated_title")
    if ty not in _ARTICLE_TYPES and not title:
        title = _first(entry, "secondary_title")
    if not title and not ids.strong():
        raise ValueError("reference without a title or an identifier")
    databases = " ".join(_values(entry, "name_of_database")).lower()
    if "clinicaltrials" in databases and ids.nct:
        kind = "trial"
    elif ty in _ARTICLE_TYPES:
        kind = "article"
    elif ty in ("UNPB", "PREPRINT"):
        kind = "preprint"
    else:
        kind = "other"
    extra: dict[str, Any] = {"ris_type": ty}
    if kind == "other" and ty in _CSL_TYPE:
        extra["csl_type"] = _CSL_TYPE[ty]
    urls = [u for u in _values(entry, "urls") if "doi.org/" not in u]
    if urls:
        extra["url"] = urls[0]
    for note in _values(entry, "notes"):
        if m := _LABEL.search(note):
            extra["prior_label"] = int(m.group(1))
    dates = {}
    issue = _ris_date(_first(entry, "date")) or _ris_date(_first(entry, "year", "publication_year"))
    year = _ris_date(_first(entry, "year", "publication_year"))
    if issue and year and issue.year != year.year:
        issue = year  # DA is sometimes an access or entry date; PY is the publication year
    if issue:
        dates["issue"] = issue
    authors = [a for a in (person(n) for n in _values(entry, "authors", "first_authors")) if a]
    return Record(
        kind=kind,
        ids=ids,
        title=title,
        abstract=[AbstractSection(text=t) for t in _values(entry, "abstract", "notes_abstract")],
        authors=authors,
        journal=_journal(entry, ty),
        dates=dates,
        keywords=_values(entry, "keywords"),
        language=_first(entry, "language"),
        trial=Trial(url=urls[0] if urls else None) if kind == "trial" else None,
        provenance=[make_provenance("file:ris", origin, entry_to_text(entry), location)],
        extra=extra,
    )


def entry_to_text(entry: dict[str, Any]) -> str:
    return repr(sorted((k, v if not isinstance(v, dict) else sorted(v.items())) for k, v in entry.items()))


def _references(lines: Iterator[str]) -> Iterator[tuple[int, list[str]]]:
    """(first line number, tag lines normalised to 'XX  - value') of each TY ... ER reference."""
    current: list[str] | None = None
    start = 0
    for lineno, line in enumerate(lines, 1):
        line = line.rstrip("\r\n").lstrip("\ufeff")
        m = _TAG_LINE.match(line)
        if m:
            tag, value = m.group(1), (m.group(2) or "")
            if tag == "TY":
                if current:
                    yield start, current + ["ER  - "]  # a reference without its ER
                current, start = [f"TY  - {value}"], lineno
            elif current is not None:
                current.append(f"{tag}  - {value}")
                if tag == "ER":
                    yield start, current
                    current = None
        elif current is not None and line.strip():
            current.append(line)  # a continuation line of the previous tag
    if current:
        yield start, current + ["ER  - "]


def read_stream(stream: BinaryIO, *, origin: str) -> Iterator[Record | ParseIssue]:
    """Records from an RIS file, one per TY ... ER reference."""
    issues: list[ParseIssue] = []
    parser = rispy.RisParser(list_tags=_LIST_TAGS)
    seen = 0
    content = [False]

    def lines_seen() -> Iterator[str]:
        for line in text_lines(stream, origin, issues):
            content[0] = content[0] or bool(line.strip())
            yield line

    for n, (lineno, lines) in enumerate(_references(lines_seen()), 1):
        seen += 1
        while issues:
            yield issues.pop(0)
        where = f"reference {n} (line {lineno})"
        try:
            entries = parser.parse_lines(iter(lines))
            if not entries:
                raise ValueError("no tags")
            yield record_from_ris(entries[0], origin=origin, location=where)
        except ITEM_ERRORS as exc:
            yield ParseIssue(origin, where, f"cannot read reference: {exc}")
    while issues:
        yield issues.pop(0)
    if not seen:
        raise ParseError("no RIS references (no 'TY  - ' line)" if content[0] else "empty file", path=origin)
