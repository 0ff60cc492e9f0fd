"""RIS files (Zotero, EndNote, Mendeley, publisher and database exports) as Records.

The file is cut into references (TY ... ER) here, so it streams and every problem names its
line; each reference's tags are read by rispy. Tags "TY - " written with one space are
accepted. A reference cut off by the end of the file (no ER) is still read.

Identifiers: DO (or a doi.org URL) -> doi; AN -> pmid when DB (else DP) names PubMed/MEDLINE, or
when neither tag is there and AN is a plausible PMID (1-9 digits) the reference gives no other
PMID for; never when DB/DP names another database (Embase, CINAHL and Scopus accession numbers
are digits too; PubMed Central's are PMCIDs). "PMID: n", "PMCID: PMCn" in AN/N1/M1/M3/C1-C8; C2
holding a PMCID (EndNote from PubMed); NCT numbers in AN/M3/ID. AB and N2 lines become abstract
sections (one per line).

Authors' addresses (AD): where a reference ties them to authors, an AD line right after the
author it belongs to (AU, AD, AU, AD ..., as MEDLINE and PubMed records are written), each
author gets the addresses that follow it. EndNote ("Author Address", one field, an address a
line), Scopus (one AD an affiliation, after all the authors) and most other exports do not say
whose an address is: those go to the first author, in order, so the first is the lead
institution and an audit sees them all. Zotero does not export AD. Without authors they are kept
in `extra["affiliation"]`.

Notes (N1) of the form "Publication type: Journal Article; Review" (also "Publication Types",
"Article type", "Document Type", "Type of article", inside longer structured notes such as
"Export Date: ...; Document Type: Review; Source: ...", Zotero's HTML notes too) give
`publication_types`; other notes are left as they are.

Dates. RIS has PY (the publication year), Y1 (the old primary date, "YYYY/MM/DD/other"), DA (a
date, written "YYYY/MM/DD/other" or, by EndNote, "May 17" within PY's year) and, in EndNote's
journal articles, ET (the "Epub Date" field). PY/Y1 give the issue date. DA down to the day is
the date the work came out online (Zotero's date of an online-first or online-only article,
EndNote's date of a PubMed record published ahead of print, the online date of our example
files) -> `electronic`; DA as a month or season within PY's year refines the issue date; DA in
the year before PY is the online date (published online ahead of its issue's year); DA later
than PY's year, or more than a year before it, is an access or entry date and is left out. A
date in ET makes that the online date, and DA then refines the issue date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import rispy

from litwatch.errors import ParseError
from litwatch.formats._readers_common import (
    ITEM_ERRORS, clean, date_from_parts, make_provenance, parse_date_text, person, strip_markup,
)
from litwatch.formats.base import ParseIssue
from litwatch.formats.detect import text_lines
from litwatch.records import (
    AbstractSection, Author, DateValue, Ids, Journal, Record, Trial, normalize_doi, normalize_nct, normalize_pmcid,
)

__all__ = ["read_stream", "record_from_ris", "author_addresses"]

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])\s{1,2}-(?: (.*)|\s*)$")
_NORMAL_LINE = re.compile(r"^([A-Z][A-Z0-9])  - (.*)$")  # a tag line as _references writes it
_LIST_TAGS = ["A1", "A2", "A3", "A4", "AU", "KW", "N1", "UR", "AB", "N2", "SN", "M1", "M3", "AN",
              "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "ID", "LA", "DO", "DB", "DP", "AD"]
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
_PLAUSIBLE_PMID = re.compile(r"\d{1,9}")
# DB/DP values naming PubMed or MEDLINE (EBSCO writes its short names: cmedm, mdc); not PubMed Central
_PUBMED_DB = re.compile(r"\bpub\s?med\b(?!\s*central)|\bmedline\b|\bnlm\b|\bcmedm\b|\bmdc\b", re.I)


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
    # the database the reference comes from: DB when given, else the provider (Zotero writes DP)
    databases = _values(entry, "name_of_database") or _values(entry, "database_provider")
    from_pubmed = any(_PUBMED_DB.search(d) for d in databases)
    accessions = [an for an in _values(entry, "accession_number") if _PLAUSIBLE_PMID.fullmatch(an)]
    if from_pubmed and accessions:
        ids.pmid = accessions[0]
    id_fields = _values(entry, "accession_number", "notes", "note", "type_of_work", "id",
                        *[f"custom{i}" for i in range(1, 9)])
    for text in id_fields:
        if not ids.pmid and (m := _PMID.search(text)):
            ids.pmid = m.group(1)
        if not ids.pmcid and (m := _PMCID.search(text)):
            ids.pmcid = normalize_pmcid(m.group(1))
        if not ids.nct and normalize_nct(text):
            ids.nct = normalize_nct(text)
    if not ids.pmid and not databases and accessions:
        ids.pmid = accessions[0]  # a bare number with nothing saying which database numbered it
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


def record_from_ris(entry: dict[str, Any], *, origin: str, location: str | None = None,
                    author_addresses: list[tuple[str, list[str]]] | None = None) -> Record:
    """One reference as rispy reads it (its default tag names) as a Record.

    `author_addresses`: (author name, its addresses) when the file ties AD lines to authors
    (see author_addresses()); otherwise the addresses go to the first author."""
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
    names = _values(entry, "authors", "first_authors")
    people = [person(n) for n in names]
    authors = [a for a in people if a]
    _place_addresses([(n, a) for n, a in zip(names, people) if a], _values(entry, "author_address"),
                     author_addresses, extra)
    return Record(
        kind=kind,
        ids=ids,
        title=title,
        abstract=[AbstractSection(text=t) for t in _values(entry, "abstract", "notes_abstract")],
        authors=authors,
        journal=_journal(entry, ty),
        dates=_dates(entry, ty),
        publication_types=_publication_types(entry.get("notes")),
        keywords=_values(entry, "keywords"),
        language=_first(entry, "language"),
        trial=Trial(url=urls[0] if urls else None) if kind == "trial" else None,
        provenance=[make_provenance("file:ris", origin, entry_to_text(entry), location)],
        extra=extra,
    )


# -- dates -----------------------------------------------------------------------------------
def _ris_date_in(text: str | None, year: DateValue | None) -> DateValue | None:
    """A DA/ET date; EndNote's "May 17" or "Sep" is read within the issue's year."""
    d = _ris_date(text)
    if d is None and year is not None and clean(text) and not re.search(r"\d{4}", text or ""):
        d = parse_date_text(f"{year.year} {clean(text)}")
        if d is not None:
            d = DateValue(d.value, d.precision, clean(text))
    return d


def _more_precise(a: DateValue, b: DateValue) -> bool:
    order = {"year": 0, "season": 1, "month": 2, "day": 3}
    return order.get(a.precision, 0) > order.get(b.precision, 0)


def _dates(entry: dict[str, Any], ty: str) -> dict[str, DateValue]:
    """issue from PY/Y1, electronic and a finer issue date from DA and ET (see the module's notes)."""
    py = _ris_date(_first(entry, "year"))
    y1 = _ris_date(_first(entry, "publication_year"))
    issue = y1 if y1 and (py is None or y1.year == py.year) else py or y1
    epub = _ris_date_in(_first(entry, "edition"), issue) if ty in _ARTICLE_TYPES else None
    if epub is not None and epub.precision == "year" or (epub and issue and abs(epub.year - issue.year) > 1):
        epub = None  # an edition ("2nd"), or no date of this work
    electronic = epub
    da = _ris_date_in(_first(entry, "date"), issue)
    if da is not None and not (issue is not None and (da.year > issue.year or da.year < issue.year - 1)):
        same_year = issue is None or da.year == issue.year
        if issue is not None and (da.value, da.precision) == (issue.value, issue.precision):
            pass  # the issue date again
        elif electronic is None and (da.precision == "day" or not same_year):
            electronic = da
        elif same_year and (issue is None or _more_precise(da, issue)):
            issue = da
    dates: dict[str, DateValue] = {}
    if electronic is not None:
        dates["electronic"] = electronic
    if issue is not None:
        dates["issue"] = issue
    return dates


# -- authors' addresses ----------------------------------------------------------------------
def author_addresses(lines: list[str]) -> list[tuple[str, list[str]]] | None:
    """(author name, its addresses) in file order when the reference ties AD lines to authors (an
    address right after an author that is not the last one); None when it does not.

    `lines` as _references gives them; a line without a tag continues the tag before it (another
    address after AD)."""
    pairs: list[tuple[str, list[str]]] = []
    before: list[str] = []  # addresses before any author
    tag = None
    for line in lines:
        m = _NORMAL_LINE.match(line)
        if m:
            tag, value = m.group(1), m.group(2)
            if tag in ("AU", "A1"):
                pairs.append((value, []))
                continue
        elif tag != "AD":
            continue
        else:
            value = line
        if tag == "AD" and clean(value):
            (pairs[-1][1] if pairs else before).append(clean(value))  # type: ignore[arg-type]
    if not any(addresses for _, addresses in pairs[:-1]):
        return None
    pairs[0][1][:0] = before
    return pairs


def _add(author: Author, addresses: list[str]) -> None:
    for a in addresses:
        if a not in author.affiliations:
            author.affiliations.append(a)


def _place_addresses(authors: list[tuple[str, Author]], addresses: list[str],
                     tied: list[tuple[str, list[str]]] | None, extra: dict[str, Any]) -> None:
    if not addresses:
        return
    if not authors:
        extra["affiliation"] = "; ".join(addresses)
        return
    placed = False
    if tied:
        start = 0
        for name, theirs in tied:
            n = next((i for i in range(start, len(authors)) if clean(authors[i][0]) == clean(name)), None)
            if n is not None:
                _add(authors[n][1], theirs)
                placed, start = True, n + 1
    if not placed:
        _add(authors[0][1], addresses)


# -- publication types in notes --------------------------------------------------------------
_NOTE_BREAK = re.compile(r"<br\s*/?>|</p>|</div>|</li>|\r\n?|\n", re.I)
_TYPE_NOTE = re.compile(r"^(?:publication|article|document|reference)[ _-]?types?\s*[:=]\s*(.*)$"
                        r"|^type of (?:article|work|publication)\s*[:=]\s*(.*)$", re.I)
_NOTE_KEY = re.compile(r"^[A-Z][\w ()/&.-]{0,40}?\s*:(?:\s|$)")


_SENTENCE_END = re.compile(r"(?<=[a-z)])\.\s")  # "Review. The authors ...", not "Non-U.S. Gov't"


def _type_value(text: str) -> str | None:
    value = clean(_SENTENCE_END.split(text)[0].strip(" .,"))
    if not value or len(value) > 80 or len(value.split()) > 8:
        return None
    return value


def _publication_types(notes: Any) -> list[str]:
    """Publication types named in structured notes; a note that names none gives nothing."""
    out: list[str] = []
    for note in notes if isinstance(notes, list) else [notes] if notes else []:
        for line in _NOTE_BREAK.split(str(note)):
            collecting = False
            for part in strip_markup(line).split(";"):
                part = part.strip()
                m = _TYPE_NOTE.match(part)
                if m:
                    collecting, part = True, m.group(1) if m.group(1) is not None else m.group(2)
                elif not collecting or _NOTE_KEY.match(part):
                    collecting = False
                    continue
                value = _type_value(part)
                if value and value not in out:
                    out.append(value)
    return out


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
            yield record_from_ris(entries[0], origin=origin, location=where, author_addresses=author_addresses(lines))
        except ITEM_ERRORS as exc:
            yield ParseIssue(origin, where, f"cannot read reference: {exc}")
    while issues:
        yield issues.pop(0)
    if not seen:
        raise ParseError("no RIS references (no 'TY  - ' line)" if content[0] else "empty file", path=origin)
