"""Writers: Records out as RIS, BibTeX, CSL-JSON or CSV, and the CSL-JSON item used for citations.

Every export reads back with litwatch's own readers (export -> import round-trips titles, ids,
authors, years and abstracts). The year written is the citation year: the journal issue date
when there is one, else the record's best date (electronic, PubMed listing, trial posting).
Abstract sections are written as their texts joined by "\n" (labels dropped), so
`Record.abstract_text` is the same after the round trip.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import IO, Any

from litwatch.errors import UsageError
from litwatch.records import Author, DateValue, Record

__all__ = ["EXPORT_FORMATS", "write_records", "to_csl_item", "citation_date", "record_key", "bib_escape", "csv_cell",
           "FORMULA_STARTS"]

EXPORT_FORMATS: tuple[str, ...] = ("ris", "bibtex", "csl-json", "csv")

CSV_COLUMNS: tuple[str, ...] = (
    "record_id", "kind", "title", "abstract", "authors", "year", "journal", "volume", "issue",
    "pages", "doi", "pmid", "pmcid", "nct", "url", "keywords", "label_included",
)

_CSL_TYPE_BY_KIND = {"article": "article-journal", "preprint": "article", "trial": "report", "other": "article"}


# -- shared views of a record --------------------------------------------------------------
def citation_date(record: Record) -> DateValue | None:
    """The date a citation shows: the issue date, else the record's best date."""
    return record.dates.get("issue") or record.best_date()


def record_key(record: Record) -> str:
    """A stable citation key: the best id ("PMID:123", "NCT0...", "doi:10..."), else a content hash."""
    return record.ids.best() or "record-" + record.content_hash()[:10]


def _date_parts(d: DateValue) -> list[int]:
    y, m, day = (int(x) for x in d.value[:10].split("-"))
    if d.precision == "day":
        return [y, m, day]
    if d.precision == "month":
        return [y, m]
    return [y]  # year or season: a season is not a month


def _record_url(record: Record) -> str | None:
    if record.trial is not None and record.trial.url:
        return record.trial.url
    if record.extra.get("url"):
        return str(record.extra["url"])
    if record.ids.doi:
        return f"https://doi.org/{record.ids.doi}"
    if record.ids.pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{record.ids.pmid}/"
    if record.ids.nct:
        return f"https://clinicaltrials.gov/study/{record.ids.nct}"
    return None


def _csl_name(author: Author) -> dict[str, str] | None:
    if author.collective:
        return {"literal": author.collective}
    given = author.given or author.initials
    if author.family and given:
        return {"family": author.family, "given": given}
    if author.family:
        return {"family": author.family}
    if given:
        return {"literal": given}
    return None


# -- CSL-JSON ------------------------------------------------------------------------------
def to_csl_item(record: Record) -> dict[str, Any]:
    """A CSL-JSON item for `record`, holding only variables citeproc-py knows (no warnings)."""
    item: dict[str, Any] = {
        "id": record_key(record),
        "type": record.extra.get("csl_type") or _CSL_TYPE_BY_KIND.get(record.kind, "article"),
    }
    if record.title:
        item["title"] = record.title
    names = [n for n in (_csl_name(a) for a in record.authors) if n]
    if names:
        item["author"] = names
    d = citation_date(record)
    if d is not None:
        item["issued"] = {"date-parts": [_date_parts(d)]}
    j = record.journal
    _put(item, "container-title", j.title)
    _put(item, "container-title-short", j.iso_abbrev)
    _put(item, "volume", j.volume)
    _put(item, "issue", j.issue)
    _put(item, "page", j.pages)
    _put(item, "ISSN", j.issn_print or j.issn_electronic)
    _put(item, "publisher", j.publisher)
    _put(item, "DOI", record.ids.doi)
    _put(item, "PMID", record.ids.pmid)
    _put(item, "PMCID", record.ids.pmcid)
    if record.kind == "preprint":
        item["genre"] = "preprint"  # CSL 1.0.1 has no preprint type; styles print "[Preprint]"
    if record.trial is not None:
        _put(item, "number", record.ids.nct)
        item.setdefault("publisher", "ClinicalTrials.gov")
        _put(item, "status", record.trial.status)
    elif record.ids.nct:
        _put(item, "number", record.ids.nct)
    _put(item, "URL", _record_url(record))
    if record.abstract:
        item["abstract"] = record.abstract_text
    if record.keywords:
        item["keyword"] = ", ".join(record.keywords)
    _put(item, "language", record.language)
    return item


def _put(item: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", []):
        item[key] = value


# -- RIS -----------------------------------------------------------------------------------
_RIS_TYPE_BY_KIND = {"article": "JOUR", "preprint": "UNPB", "trial": "RPRT", "other": "GEN"}


def _ris_line_value(text: str) -> str:
    # RIS is line based: one field per line, so inner line breaks become spaces
    return re.sub(r"\s*\n\s*", " ", text).strip()


def _ris_entry(record: Record) -> list[tuple[str, str]]:
    tags: list[tuple[str, str]] = [("TY", record.extra.get("ris_type") or _RIS_TYPE_BY_KIND[record.kind])]
    if record.title:
        tags.append(("TI", _ris_line_value(record.title)))
    for a in record.authors:
        if a.collective:
            tags.append(("AU", "{" + a.collective + "}"))  # braces: a group, not "Family Given"
        elif a.family:
            given = a.given or a.initials
            tags.append(("AU", f"{a.family}, {given}" if given else a.family))
    j = record.journal
    for tag, value in (("T2", j.title), ("J2", j.iso_abbrev), ("VL", j.volume), ("IS", j.issue),
                       ("SN", j.issn_print or j.issn_electronic), ("PB", j.publisher)):
        if value:
            tags.append((tag, _ris_line_value(value)))
    if j.pages:
        first, _, last = j.pages.partition("-")
        tags.append(("SP", first.strip()))
        if last.strip():
            tags.append(("EP", last.strip()))
    d = citation_date(record)
    if d is not None:
        tags.append(("PY", str(d.year)))
        tags.append(("DA", _ris_date(d)))
    if record.ids.doi:
        tags.append(("DO", record.ids.doi))
    if record.ids.pmid:
        tags += [("AN", record.ids.pmid), ("DB", "PubMed")]
    elif record.ids.nct:
        tags += [("AN", record.ids.nct), ("DB", "ClinicalTrials.gov")]
    if record.ids.pmcid:
        tags.append(("C2", record.ids.pmcid))
    if record.ids.nct and record.ids.pmid:
        tags.append(("M3", record.ids.nct))
    url = _record_url(record)
    if url:
        tags.append(("UR", url))
    # one AB line per section keeps the section breaks; the reader joins AB lines with "\n"
    for section in record.abstract:
        tags.append(("AB", _ris_line_value(section.text)))
    tags += [("KW", _ris_line_value(k)) for k in record.keywords]
    if record.language:
        tags.append(("LA", record.language))
    if "prior_label" in record.extra:
        tags.append(("N1", f"litwatch prior_label: {record.extra['prior_label']}"))
    tags.append(("ER", ""))
    return tags


def _ris_date(d: DateValue) -> str:
    """RIS DA: 'YYYY/MM/DD/other', missing parts left empty ('2019/06//')."""
    parts = [str(p) if i == 0 else f"{p:02d}" for i, p in enumerate(_date_parts(d))]
    parts += [""] * (3 - len(parts))
    return "/".join(parts) + "/"


def _write_ris(records: Iterable[Record], out: IO[str]) -> int:
    n = 0
    for record in records:
        for tag, value in _ris_entry(record):
            out.write(f"{tag}  - {value}".rstrip() + "\n")
        out.write("\n")
        n += 1
    return n


# -- BibTeX --------------------------------------------------------------------------------
_BIB_TYPE_BY_KIND = {"article": "article", "preprint": "unpublished", "trial": "misc", "other": "misc"}
_BIB_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#",
    "$": r"\$", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_BIB_SPECIAL_RE = re.compile(r"[\\{}%&#$_~^]")
# TeX ligatures that would not read back as typed: -- ``, '', ?` and !`
_BIB_LIGATURE_RE = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=[?!])(?=`)")


def bib_escape(text: str) -> str:
    """Plain text as a BibTeX value body that our reader (pylatexenc) turns back into the same text."""
    text = _BIB_SPECIAL_RE.sub(lambda m: _BIB_SPECIAL[m.group(0)], text)
    return _BIB_LIGATURE_RE.sub("{}", text)


def _bib_value(text: str) -> str:
    return "{" + bib_escape(text) + "}"


def _bib_author(a: Author) -> str:
    if a.collective:
        return "{" + bib_escape(a.collective) + "}"
    given = a.given or a.initials
    family = bib_escape(a.family or "")
    if " " in family or "," in family or re.search(r"\band\b", family, re.I):
        family = "{" + family + "}"  # "van der Berg" or "Smith Jr" kept as one family name
    if not given:
        return family
    given = bib_escape(given)
    if "," in given or re.search(r"\band\b", given, re.I):
        given = "{" + given + "}"  # keep a malformed given name from splitting the author list
    return f"{family}, {given}"


_BIB_VERBATIM = {"doi", "url", "pmid", "pmcid", "eprint", "pages", "issn"}


def _bib_key(record: Record, used: set[str]) -> str:
    first = record.first_author
    base = re.sub(r"[^A-Za-z0-9]", "", (first.family or first.collective or "") if first else "") or "anon"
    d = citation_date(record)
    base += str(d.year) if d else ""
    if record.ids.pmid:
        base += f"_{record.ids.pmid}"
    elif record.ids.nct:
        base += f"_{record.ids.nct}"
    key, i = base, 1
    while key in used:
        i += 1
        key = f"{base}_{i}"
    used.add(key)
    return key


def _bib_fields(record: Record) -> list[tuple[str, str]]:
    f: list[tuple[str, str]] = []
    if record.title:
        f.append(("title", record.title))
    authors = [s for s in (_bib_author(a) for a in record.authors) if s]
    if authors:
        f.append(("author", " and ".join(authors)))
    j = record.journal
    container = "journal" if record.kind == "article" else "howpublished"
    for name, value in ((container, j.title), ("shortjournal", j.iso_abbrev), ("volume", j.volume),
                        ("number", j.issue), ("pages", j.pages), ("issn", j.issn_print or j.issn_electronic),
                        ("publisher", j.publisher)):
        if value:
            f.append((name, value))
    d = citation_date(record)
    if d is not None:
        f.append(("year", str(d.year)))
        if d.precision in ("day", "month"):
            f.append(("month", str(int(d.value[5:7]))))
        f.append(("date", d.value[: {"day": 10, "month": 7}.get(d.precision, 4)]))
    for name, value in (("doi", record.ids.doi), ("pmid", record.ids.pmid), ("pmcid", record.ids.pmcid),
                        ("eprint", record.ids.nct), ("url", _record_url(record))):
        if value:
            f.append((name, value))
    if record.ids.nct:
        f.append(("eprinttype", "clinicaltrials"))
    if record.abstract:
        f.append(("abstract", record.abstract_text))
    if record.keywords:
        f.append(("keywords", ", ".join(record.keywords)))
    if record.language:
        f.append(("language", record.language))
    if "prior_label" in record.extra:
        f.append(("note", f"litwatch prior_label: {record.extra['prior_label']}"))
    return f


def _write_bibtex(records: Iterable[Record], out: IO[str]) -> int:
    # Written by hand rather than with bibtexparser's writer: that one needs a whole Library in
    # memory, and an export of the store must stream.
    used: set[str] = set()
    n = 0
    for record in records:
        bibtype = record.extra.get("bibtex_type") or _BIB_TYPE_BY_KIND[record.kind]
        out.write(f"@{bibtype}{{{_bib_key(record, used)},\n")
        for name, value in _bib_fields(record):
            if name == "author" or name in _BIB_VERBATIM:
                out.write(f"  {name} = {{{value}}},\n")  # names are escaped already; ids stay as written
            else:
                out.write(f"  {name} = {_bib_value(value)},\n")
        out.write("}\n\n")
        n += 1
    return n


# -- CSL-JSON file and CSV -----------------------------------------------------------------
def _write_csl_json(records: Iterable[Record], out: IO[str]) -> int:
    out.write("[")
    n = 0
    for record in records:
        item = to_csl_item(record)
        if "prior_label" in record.extra:
            item["note"] = f"litwatch prior_label: {record.extra['prior_label']}"
        if record.ids.europepmc:
            item["source"] = f"Europe PMC {record.ids.europepmc}"
        out.write(("," if n else "") + "\n  " + json.dumps(item, ensure_ascii=False))
        n += 1
    out.write("\n]\n")
    return n


def _write_csv(records: Iterable[Record], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for i, record in enumerate(records, 1):
        d = citation_date(record)
        j = record.journal
        label = record.extra.get("prior_label")
        writer.writerow([csv_cell(v) for v in (
            i, record.kind, record.title or "", record.abstract_text, _csv_authors(record.authors),
            d.year if d else "", j.title or "", j.volume or "", j.issue or "", j.pages or "",
            record.ids.doi or "", record.ids.pmid or "", record.ids.pmcid or "", record.ids.nct or "",
            _record_url(record) or "", "; ".join(record.keywords), "" if label is None else label,
        )])
        n += 1
    return n


# A spreadsheet takes a cell starting with one of these for a formula (OWASP, "CSV Injection"):
# such a cell is written with a ' in front; a cell that starts with ' gets another, so reading
# the file back (formats.csv_table.unescape_cell) gives every cell exactly as it was.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def csv_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula (see FORMULA_STARTS)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_authors(authors: list[Author]) -> str:
    # always ";"-separated (a single author ends with ";"): "Family, Given" is then never two names
    text = "; ".join(_csv_author(a) for a in authors)
    return text + ";" if len(authors) == 1 else text


def _csv_author(a: Author) -> str:
    if a.collective:
        return "{" + a.collective + "}"
    given = a.given or a.initials
    return f"{a.family}, {given}" if given else (a.family or "")


_WRITERS = {"ris": _write_ris, "bibtex": _write_bibtex, "csl-json": _write_csl_json, "csv": _write_csv}


def write_records(records: Iterable[Record], fmt: str, stream: IO[Any]) -> int:
    """Write `records` to `stream` (text or binary; binary gets UTF-8) as `fmt`; returns the count."""
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise UsageError(f"unknown export format {fmt!r}", hint="choose one of: " + ", ".join(EXPORT_FORMATS))
    if isinstance(stream, io.TextIOBase):
        return writer(records, stream)
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    try:
        return writer(records, text)
    finally:
        text.flush()
        text.detach()  # leave the caller's stream open
