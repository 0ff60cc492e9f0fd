"""BibTeX / BibLaTeX files (Zotero, JabRef, Google Scholar, publisher exports) as Records.

Parsed with bibtexparser v2 (authors split into name parts by its middlewares); LaTeX in the
text fields ({\\"u}, \\&, {CRISPR}) is decoded with pylatexenc, while identifier fields (doi,
url, eprint, pages, issn) are kept as written. A block bibtexparser cannot parse becomes a
ParseIssue naming its line; the other entries are read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import bibtexparser
from bibtexparser import middlewares as mw
from bibtexparser.model import Entry
from pylatexenc.latex2text import LatexNodes2Text

from litwatch.errors import ParseError
from litwatch.formats.dates import month_number
from litwatch.formats._readers_common import (
    ITEM_ERRORS, clean, date_from_parts, make_provenance, parse_date_text, person, split_authors,
)
from litwatch.formats.base import ParseIssue
from litwatch.formats.detect import text_lines
from litwatch.records import (
    AbstractSection, Author, Ids, Journal, Record, Trial, normalize_doi, normalize_nct, normalize_pmcid,
)

__all__ = ["read_stream", "record_from_entry", "latex_to_text"]

# bibtexparser logs each broken block; we report it as a ParseIssue instead of stray stderr lines
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

_ARTICLE_TYPES = {"article"}
_PREPRINT_TYPES = {"unpublished", "preprint"}
_CSL_TYPE = {
    "book": "book", "inbook": "chapter", "incollection": "chapter", "inproceedings": "paper-conference",
    "conference": "paper-conference", "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis",
    "techreport": "report", "report": "report", "misc": "article", "online": "webpage", "dataset": "dataset",
    "manual": "book", "booklet": "pamphlet",
}
_VERBATIM = {"doi", "url", "eprint", "pages", "issn", "isbn", "pmid", "pmcid", "file", "urldate"}
_LABEL = re.compile(r"litwatch prior_label:\s*(-?\d+)")
_LATEX = LatexNodes2Text(strict_latex_spaces=False)


def latex_to_text(value: str | None) -> str | None:
    """BibTeX field text with its LaTeX decoded: '{\\"u}ber \\& {CRISPR}' -> 'über & CRISPR'."""
    if value is None:
        return None
    if "\\" not in value and "{" not in value and "~" not in value and "%" not in value and "$" not in value:
        return value
    try:
        text = _LATEX.latex_to_text(value)
    except Exception:  # pylatexenc raises its own (undocumented) errors on broken markup
        text = value
    return text.replace("\u02c6", "^")


def _field(entry: Entry, *names: str) -> str | None:
    fields = {k.lower(): f for k, f in entry.fields_dict.items()}
    for name in names:
        f = fields.get(name)
        if f is None or not isinstance(f.value, str):
            continue
        value = f.value if name in _VERBATIM else latex_to_text(f.value)
        value = clean(value)
        if value:
            return value
    return None


def _authors(entry: Entry) -> list[Author]:
    fields = {k.lower(): f for k, f in entry.fields_dict.items()}
    f = fields.get("author") or fields.get("editor")
    if f is None:
        return []
    if isinstance(f.value, str):  # an entry the name middlewares did not reach
        return split_authors(latex_to_text(f.value))
    out = []
    for parts in f.value:
        if isinstance(parts, str):  # a name bibtexparser could not split
            out += [a for a in [person(latex_to_text(parts) or "")] if a]
            continue
        last = " ".join(parts.von + parts.last)
        if not parts.first and re.fullmatch(r"\{.*\}", " ".join(parts.last)):
            out.append(Author(collective=clean(latex_to_text(" ".join(parts.last)))))  # {The Group}
            continue
        family = clean(latex_to_text(last))
        given = clean(latex_to_text(" ".join(parts.first)))
        jr = clean(latex_to_text(" ".join(parts.jr)))
        if jr and family:
            family = f"{family} {jr}"
        if family or given:
            initials = "".join(p[0].upper() for p in re.split(r"[\s.\-]+", given or "") if p) or None
            out.append(Author(family=family, given=given, initials=initials))
    return out


def _date(entry: Entry) -> Any:
    d = parse_date_text(_field(entry, "date"))
    if d:
        return d
    year = _field(entry, "year")
    m = re.search(r"\d{4}", year or "")
    if not m:
        return None
    month_text = (_field(entry, "month") or "").strip().lower()
    month = month_number(month_text)
    return date_from_parts(int(m.group(0)), month if month and 1 <= month <= 12 else None)


def _ids(entry: Entry) -> Ids:
    eprint_type = (_field(entry, "eprinttype", "archiveprefix") or "").lower()
    eprint = _field(entry, "eprint")
    pmid = _field(entry, "pmid") or (eprint if eprint_type == "pubmed" else None)
    note = " ".join(filter(None, (_field(entry, "note"), _field(entry, "annote"), _field(entry, "extra"))))
    if not pmid and (m := re.search(r"\bPMID:?\s*(\d+)", note)):
        pmid = m.group(1)
    pmcid = _field(entry, "pmcid") or (m.group(1) if (m := re.search(r"\b(PMC\d+)\b", note)) else None)
    nct = normalize_nct(eprint) if eprint and ("clinicaltrials" in eprint_type or eprint.upper().startswith("NCT")) else None
    return Ids(
        pmid=pmid if pmid and pmid.isdigit() else None,
        pmcid=normalize_pmcid(pmcid),
        doi=normalize_doi(_field(entry, "doi")) or normalize_doi(_field(entry, "url")),
        nct=nct,
    )


def record_from_entry(entry: Entry, *, origin: str, location: str | None = None) -> Record:
    """One bibtexparser v2 Entry (authors split by SplitNameParts) as a Record."""
    etype = entry.entry_type.lower()
    ids = _ids(entry)
    title = _field(entry, "title")
    if not title and not ids.strong():
        raise ValueError("entry without a title or an identifier")
    if ids.nct and "clinicaltrials" in (_field(entry, "eprinttype") or "").lower():
        kind = "trial"
    elif etype in _ARTICLE_TYPES:
        kind = "article"
    elif etype in _PREPRINT_TYPES:
        kind = "preprint"
    else:
        kind = "other"
    extra: dict[str, Any] = {"bibtex_type": etype, "bibtex_key": entry.key}
    if kind == "other" and etype in _CSL_TYPE:
        extra["csl_type"] = _CSL_TYPE[etype]
    url = _field(entry, "url")
    if url and "doi.org/" not in url:
        extra["url"] = url
    if (m := _LABEL.search(_field(entry, "note") or "")):
        extra["prior_label"] = int(m.group(1))
    issn = _field(entry, "issn")
    abstract = _field(entry, "abstract")
    keywords = _field(entry, "keywords")
    date = _date(entry)
    raw = entry.raw or repr(sorted((k, str(f.value)) for k, f in entry.fields_dict.items()))
    abstract_raw = {k.lower(): f for k, f in entry.fields_dict.items()}.get("abstract")
    return Record(
        kind=kind,
        ids=ids,
        title=title,
        abstract=_abstract_sections(abstract_raw.value if abstract_raw is not None else None) if abstract else [],
        authors=_authors(entry),
        journal=Journal(
            title=_field(entry, "journal", "journaltitle", "booktitle", "howpublished"),
            iso_abbrev=_field(entry, "shortjournal", "journal-iso", "journalabbrev"),
            issn_print=issn.split(",")[0].strip() if issn else None,
            volume=_field(entry, "volume"),
            issue=_field(entry, "number", "issue"),
            pages=(_field(entry, "pages") or "").replace("--", "-") or None,
            publisher=_field(entry, "publisher", "institution", "school", "organization"),
        ),
        dates={"issue": date} if date else {},
        keywords=[k for k in (clean(x) for x in re.split(r"[;,]", keywords or "")) if k],
        language=_field(entry, "language", "langid"),
        trial=Trial(url=url) if kind == "trial" else None,
        provenance=[make_provenance("file:bibtex", origin, raw, location)],
        extra=extra,
    )


def _abstract_sections(raw: str | None) -> list[AbstractSection]:
    # a blank line or a line break separates sections; each is decoded on its own
    if not raw:
        return []
    parts = [clean(latex_to_text(p)) for p in re.split(r"\n", raw)]
    return [AbstractSection(text=p) for p in parts if p]


def read_stream(stream: BinaryIO, *, origin: str) -> Iterator[Record | ParseIssue]:
    """Records from a BibTeX file (the whole file is parsed at once: BibTeX files are small)."""
    issues: list[ParseIssue] = []
    text = "".join(text_lines(stream, origin, issues))
    yield from issues
    if not text.strip():
        raise ParseError("empty file", path=origin)
    library = bibtexparser.parse_string(
        text, append_middleware=[mw.SeparateCoAuthors(), mw.SplitNameParts()])
    if not library.entries and not library.failed_blocks:
        raise ParseError("no BibTeX entries (no '@type{key, ...}')", path=origin)
    events: list[tuple[int, Any]] = [(b.start_line or 0, b) for b in library.failed_blocks]
    events += [(e.start_line or 0, e) for e in library.entries]
    events.sort(key=lambda pair: pair[0])
    for n, (line0, block) in enumerate(events, 1):
        where = f"entry {n} (line {line0 + 1})"
        if not isinstance(block, Entry) and isinstance(getattr(block, "ignore_error_block", None), Entry):
            block = block.ignore_error_block  # a duplicate key or a name it could not split: still an entry
        if not isinstance(block, Entry):
            error = getattr(block, "error", None)
            error = clean(getattr(error, "abort_reason", None) or str(error or "")) or "syntax error"
            yield ParseIssue(origin, where, f"cannot parse BibTeX block: {error[:200]}")
            continue
        try:
            yield record_from_entry(block, origin=origin, location=where)
        except ITEM_ERRORS as exc:
            yield ParseIssue(origin, where, f"cannot read entry: {exc}")
