"""PubMed XML's reference mapping: one record element (lxml) to one Record.

`record(el, provenance)` maps a PubmedArticle, MedlineCitation (2016 DTD and before) or
PubmedBookArticle. The C mapper (`_fast.pyx`, built at install where a C compiler is at hand)
walks libxml2's tree for the same Records, faster, and hands back to the functions here what it
does not read exactly as they do (a comment inside a record, a malformed PMID, a book).

What is decided on values alone, not on the tree, lives in the public helpers of the "values"
section; the C mapper calls these same functions, handed over as one object (`VALUES`), so the
two mappers cannot drift apart there.

Mapping choices worth knowing:
- Inline markup (<i>, <sup>, <sub>, <b>, MathML) keeps every character of text; only the
  indentation of pretty-printed markup (whitespace runs holding a newline) becomes one space.
- CommentsCorrections become `Link`s; RefType is kebab-cased through `LINK_KINDS`
  (RetractionIn -> retracted-by, ...) except `Cites`, which the 2016 DTD used for the article's
  own reference list: those become `Record.references`, as <ReferenceList> does today.
- DataBankList accessions become Links of kind "databank". An NCT accession does not fill
  `ids.nct`: the article reports a trial, it is not the trial.
- Dates: ArticleDate[Electronic] -> electronic, PubDate -> issue (MedlineDate and Season parsed
  by `formats.dates`), PubMedPubDate -> its PubStatus ("pmc-release" -> pmc_release),
  DateCreated -> created, DateCompleted -> completed, DateRevised -> last_revised (so it never
  clashes with the history status "revised").
- `extra`: medline_status (MedlineCitation Status), publication_status (PubmedData),
  vernacular_title, languages (when more than one).
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any

from lxml import etree

from litwatch.formats.dates import date_from_parts, parse_date_text
from litwatch.records import (
    AbstractSection,
    Author,
    DateValue,
    Grant,
    Ids,
    Link,
    MeshHeading,
    MeshQualifier,
    Provenance,
    Record,
    Reference,
    normalize_doi,
    normalize_pmcid,
)

__all__ = [
    "record",
    "BadRecord",
    "element_text",
    "LINK_KINDS",
    "link_kind",
    "one_line",
    "pmcid_in_other_id",
    "normalize_orcid",
    "date_parts",
    "add_language",
    "old_affiliation",
    "article_id",
    "Values",
    "VALUES",
    "MAPPER",
    "load_fast",
    "stale",
]

# CommentsCorrections RefType -> Link.kind; any other RefType is kebab-cased by link_kind().
LINK_KINDS: dict[str, str] = {
    "RetractionIn": "retracted-by",
    "RetractionOf": "retraction-of",
    "PartialRetractionIn": "partial-retraction-in",
    "PartialRetractionOf": "partial-retraction-of",
    "ErratumIn": "erratum-in",
    "ErratumFor": "erratum-for",
    "CommentIn": "comment-in",
    "CommentOn": "comment-on",
    "UpdateIn": "update-in",
    "UpdateOf": "update-of",
    "ExpressionOfConcernIn": "expression-of-concern-in",
    "ExpressionOfConcernFor": "expression-of-concern-for",
    "RepublishedIn": "republished-in",
    "RepublishedFrom": "republished-from",
    "ReprintIn": "reprint-in",
    "ReprintOf": "reprint-of",
    "CorrectedandRepublishedIn": "corrected-and-republished-in",
    "CorrectedandRepublishedFrom": "corrected-and-republished-from",
    "SummaryForPatientsIn": "summary-for-patients-in",
    "OriginalReportIn": "original-report-in",
    "AssociatedDataset": "associated-dataset",
    "AssociatedPublication": "associated-publication",
}

_KEBAB = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NL_RUN = re.compile(r"\s*\n\s*")
_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])")
_PMC_OTHER = re.compile(r"^PMC\d+")


# -- values: decided on values alone; the C mapper calls these too -------------------------


def link_kind(ref_type: str) -> str:
    """Link.kind of a CommentsCorrections RefType: the table above, else kebab case."""
    kind = LINK_KINDS.get(ref_type)
    return kind if kind else _KEBAB.sub("-", ref_type).lower()


def one_line(text: str) -> str:
    """Text of pretty-printed markup holding a newline: each whitespace run with a newline becomes
    one space, and the ends are stripped."""
    return _NL_RUN.sub(" ", text).strip()


def pmcid_in_other_id(text: str) -> str | None:
    """The PMCID an NLM OtherID starts with ('PMC4534567 [Available on 2016-08-01]'), or None."""
    m = _PMC_OTHER.match(text)
    return m.group(0) if m else None


def normalize_orcid(value: str | None) -> str | None:
    """'https://orcid.org/0000-0002-4590-7461' or '0000000245907461' -> '0000-0002-4590-7461'."""
    if not value:
        return None
    m = _ORCID.search(value)
    return "-".join(m.groups()).upper() if m else value.strip()


@lru_cache(maxsize=4096)
def date_parts(year: str | None, month: str | None, day: str | None, season: str | None) -> tuple | None:
    """(value, precision, raw) of a date given in parts, or None. A record holds several dates and
    a file holds few distinct ones: remembering them made reading about 3 % faster."""
    date = date_from_parts(year, month, day, season)
    return (date.value, date.precision, date.raw) if date is not None else None


def add_language(rec: Record, lang: str | None) -> None:
    """The first Language is `rec.language`; more than one are all listed in extra["languages"]."""
    if not lang:
        return
    if rec.language is None:
        rec.language = lang
    else:
        rec.extra.setdefault("languages", [rec.language]).append(lang)


def old_affiliation(text: str, rec: Record) -> None:
    """A pre-2014 <Affiliation> of the whole AuthorList: the first author's, or extra["affiliation"]
    when the record has no authors."""
    if text and rec.authors and not rec.authors[0].affiliations:
        rec.authors[0].affiliations.append(text)
    elif text and not rec.authors:
        rec.extra["affiliation"] = text


def article_id(ids: Ids, kind: str | None, text: str | None) -> None:
    """One ArticleId (IdType `kind`) into `ids`: the DOI and PMCID normalised, a PMID only when digits."""
    if not text:
        return
    if kind == "doi":
        ids.doi = normalize_doi(text) or ids.doi
    elif kind == "pmc":
        ids.pmcid = normalize_pmcid(text) or ids.pmcid
    elif kind == "pii":
        ids.pii = ids.pii or text.strip()
    elif kind == "pubmed" and not ids.pmid:
        pmid = text.strip()
        ids.pmid = pmid if pmid.isdigit() else None


@dataclass(frozen=True, slots=True)
class Values:
    """The value helpers above, as the C mapper takes them (`_fast.configure(VALUES)`)."""

    link_kind: Callable[[str], str]
    one_line: Callable[[str], str]
    pmcid_in_other_id: Callable[[str], str | None]
    normalize_orcid: Callable[[str | None], str | None]
    date_parts: Callable[..., tuple | None]
    add_language: Callable[[Record, str | None], None]
    old_affiliation: Callable[[str, Record], None]
    article_id: Callable[[Ids, str | None, str | None], None]


VALUES = Values(link_kind, one_line, pmcid_in_other_id, normalize_orcid, date_parts, add_language, old_affiliation,
                article_id)


# -- one record ----------------------------------------------------------------------------


class BadRecord(Exception):
    """A record element that cannot become a Record (no PMID, ...)."""


def element_text(el: etree._Element) -> str:
    """All text inside `el`, markup removed; pretty-printing indentation becomes one space."""
    if len(el):
        s = "".join(el.itertext())
        return one_line(s) if "\n" in s else s
    return el.text or ""


def record(el: etree._Element, provenance: list[Provenance]) -> Record:
    """The Record of a PubmedArticle, MedlineCitation or PubmedBookArticle element: the C mapper's
    when it takes the element, else this module's. Raises BadRecord (no PMID, ...)."""
    if _fast is not None:
        rec = _fast.record(el, provenance)
        if rec is not None:
            return rec
    rec = Record(provenance=provenance)
    tag = el.tag
    if tag == "MedlineCitation":
        _citation(el, rec)
    elif tag == "PubmedArticle":
        for child in el:
            ctag = child.tag
            if ctag == "MedlineCitation":
                _citation(child, rec)
            elif ctag == "PubmedData":
                _pubmed_data(child, rec)
    else:
        _book(el, rec)
    if not rec.ids.pmid:
        raise BadRecord(f"{tag} without a PMID")
    return rec


def _pmid(el: etree._Element) -> str:
    pmid = (el.text or "").strip()
    if not pmid.isdigit():
        raise BadRecord(f"PMID {pmid!r} is not a number")
    return pmid


def _citation(mc: etree._Element, rec: Record) -> None:
    status = mc.get("Status")
    if status:
        rec.extra["medline_status"] = status
    dates = rec.dates
    for child in mc:
        tag = child.tag
        if tag == "Article":
            _article(child, rec)
        elif tag == "PMID":
            rec.ids.pmid = _pmid(child)
        elif tag == "MeshHeadingList":
            rec.mesh = _mesh(child)
        elif tag == "CommentsCorrectionsList":
            _comments(child, rec)
        elif tag == "KeywordList":
            rec.keywords.extend(element_text(k) for k in child)
        elif tag == "DateCompleted":
            _put(dates, "completed", _ymd(child))
        elif tag == "DateRevised":
            _put(dates, "last_revised", _ymd(child))
        elif tag == "DateCreated":
            _put(dates, "created", _ymd(child))
        elif tag == "OtherID":
            _other_id(child, rec.ids)


def _put(dates: dict[str, DateValue], key: str, value: DateValue | None) -> None:
    if value is not None:
        dates[key] = value


def _article(art: etree._Element, rec: Record) -> None:
    ids = rec.ids
    for child in art:
        tag = child.tag
        if tag == "AuthorList":
            if child.get("Type") != "editors":
                rec.authors = _authors(child)
        elif tag == "Abstract":
            rec.abstract = _abstract(child)
        elif tag == "Journal":
            _journal(child, rec)
        elif tag == "ArticleTitle":
            rec.title = element_text(child) or None
        elif tag == "Pagination":
            rec.journal.pages = _pages(child)
        elif tag == "ELocationID":
            _elocation(child, ids)
        elif tag == "Language":
            _language(child, rec)
        elif tag == "PublicationTypeList":
            rec.publication_types = [p.text for p in child if p.text]
            if "Preprint" in rec.publication_types:
                rec.kind = "preprint"
        elif tag == "GrantList":
            rec.grants = [_grant(g) for g in child]
        elif tag == "ArticleDate":
            if (child.get("DateType") or "Electronic") == "Electronic":
                _put(rec.dates, "electronic", _ymd(child))
        elif tag == "DataBankList":
            _databanks(child, rec.links)
        elif tag == "VernacularTitle":
            rec.extra["vernacular_title"] = element_text(child)
        elif tag == "Affiliation":  # pre-2014 DTD: one affiliation for the whole list
            old_affiliation(element_text(child), rec)


def _language(el: etree._Element, rec: Record) -> None:
    add_language(rec, el.text)


def _journal(j: etree._Element, rec: Record) -> None:
    jr = rec.journal
    for child in j:
        tag = child.tag
        if tag == "JournalIssue":
            for c in child:
                t = c.tag
                if t == "Volume":
                    jr.volume = c.text
                elif t == "Issue":
                    jr.issue = c.text
                elif t == "PubDate":
                    _put(rec.dates, "issue", _ymd(c))
        elif tag == "Title":
            jr.title = child.text
        elif tag == "ISOAbbreviation":
            jr.iso_abbrev = child.text
        elif tag == "ISSN":
            if child.get("IssnType") == "Electronic":
                jr.issn_electronic = child.text
            else:
                jr.issn_print = child.text


def _pages(pg: etree._Element) -> str | None:
    start = end = None
    for c in pg:
        t = c.tag
        if t == "MedlinePgn":
            if c.text:
                return c.text
        elif t == "StartPage":
            start = c.text
        elif t == "EndPage":
            end = c.text
    if start and end:
        return f"{start}-{end}"
    return start


def _elocation(el: etree._Element, ids: Ids) -> None:
    if el.get("ValidYN") == "N":
        return
    kind = el.get("EIdType")
    if kind == "doi" and not ids.doi:
        ids.doi = normalize_doi(el.text)
    elif kind == "pii" and not ids.pii:
        ids.pii = el.text


def _other_id(el: etree._Element, ids: Ids) -> None:
    """2016 DTD: <OtherID Source="NLM">PMC4534567 [Available on ...]</OtherID> carries the PMCID."""
    text = el.text or ""
    if not ids.pmcid and el.get("Source") == "NLM" and text.startswith("PMC"):
        pmcid = pmcid_in_other_id(text)
        if pmcid:
            ids.pmcid = pmcid


def _abstract(ab: etree._Element) -> list[AbstractSection]:
    out = []
    for t in ab:
        if t.tag != "AbstractText":
            continue
        text = element_text(t)
        if text:
            out.append(AbstractSection(text, t.get("Label"), t.get("NlmCategory")))
    return out


def _authors(al: etree._Element) -> list[Author]:
    out = []
    for a in al:
        if a.tag != "Author" or a.get("ValidYN") == "N":
            continue
        family = given = initials = orcid = collective = None
        affs = []
        for c in a:
            t = c.tag
            if t == "LastName":
                family = c.text
            elif t == "ForeName":
                given = c.text
            elif t == "Initials":
                initials = c.text
            elif t == "AffiliationInfo":
                for x in c:
                    if x.tag == "Affiliation":
                        affs.append(element_text(x) if len(x) else x.text or "")
            elif t == "Identifier":
                if c.get("Source") == "ORCID":
                    orcid = normalize_orcid(c.text)
            elif t == "CollectiveName":
                collective = element_text(c)
            elif t == "FirstName":  # pre-2008 DTD
                given = c.text
        out.append(Author(family, given, initials, orcid, affs, collective))
    return out


def _grant(g: etree._Element) -> Grant:
    gr = Grant()
    for c in g:
        t = c.tag
        if t == "GrantID":
            gr.grant_id = c.text
        elif t == "Agency":
            gr.agency = c.text
        elif t == "Country":
            gr.country = c.text
        elif t == "Acronym":
            gr.acronym = c.text
    return gr


def _mesh(mhl: etree._Element) -> list[MeshHeading]:
    out = []
    for mh in mhl:
        heading = None
        quals = []
        for c in mh:
            t = c.tag
            if t == "DescriptorName":
                heading = MeshHeading(c.text or "", c.get("UI"), c.get("MajorTopicYN") == "Y")
            elif t == "QualifierName":
                quals.append(MeshQualifier(c.text or "", c.get("UI"), c.get("MajorTopicYN") == "Y"))
        if heading is not None:
            heading.qualifiers = quals
            out.append(heading)
    return out


def _comments(ccl: etree._Element, rec: Record) -> None:
    for cc in ccl:
        ref_type = cc.get("RefType")
        if not ref_type:
            continue
        source = pmid = None
        for c in cc:
            t = c.tag
            if t == "RefSource":
                source = element_text(c) if len(c) else c.text
            elif t == "PMID":
                pmid = (c.text or "").strip() or None
        if ref_type == "Cites":
            rec.references.append(Reference(source, pmid))
        else:
            rec.links.append(Link(kind=link_kind(ref_type), pmid=pmid, text=source))


def _databanks(dbl: etree._Element, links: list[Link]) -> None:
    for db in dbl:
        name = None
        for c in db:
            t = c.tag
            if t == "DataBankName":
                name = c.text
            elif t == "AccessionNumberList":
                for acc in c:
                    if acc.text:
                        links.append(Link(kind="databank", accession=acc.text.strip(), databank=name))


def _ymd(el: etree._Element) -> DateValue | None:
    year = month = day = season = None
    for c in el:
        t = c.tag
        if t == "Year":
            year = c.text
        elif t == "Month":
            month = c.text
        elif t == "Day":
            day = c.text
        elif t == "Season":
            season = c.text
        elif t == "MedlineDate":
            return parse_date_text(c.text)
    parts = date_parts(year, month, day, season)
    return DateValue(*parts) if parts is not None else None


# -- PubmedData --------------------------------------------------------------------------


def _pubmed_data(pd: etree._Element, rec: Record) -> None:
    for child in pd:
        tag = child.tag
        if tag == "ArticleIdList":
            _article_ids(child, rec.ids)
        elif tag == "History":
            _history(child, rec.dates)
        elif tag == "PublicationStatus":
            if child.text:
                rec.extra["publication_status"] = child.text
        elif tag == "ReferenceList":
            _references(child, rec.references)


def _history(h: etree._Element, dates: dict[str, DateValue]) -> None:
    for d in h:
        status = d.get("PubStatus")
        if status:
            key = status.replace("-", "_")
            if key not in dates:
                _put(dates, key, _ymd(d))


def _article_ids(al: etree._Element, ids: Ids) -> None:
    for a in al:
        article_id(ids, a.get("IdType"), a.text)


def _references(rl: etree._Element, out: list[Reference]) -> None:
    for r in rl.iter("Reference"):
        ref = Reference()
        for c in r:
            t = c.tag
            if t == "Citation":
                ref.citation = element_text(c) or None
            elif t == "ArticleIdList":
                for a in c:
                    kind, text = a.get("IdType"), (a.text or "").strip()
                    if not text:
                        continue
                    if kind == "pubmed":
                        ref.pmid = text
                    elif kind == "doi":
                        ref.doi = normalize_doi(text)
                    elif kind == "pmc":
                        ref.pmcid = normalize_pmcid(text)
        out.append(ref)


# -- PubmedBookArticle -------------------------------------------------------------------


def _book(el: etree._Element, rec: Record) -> None:
    """A bookshelf record (chapter or book): the fields an article also has; kind 'other'."""
    rec.kind = "other"
    for child in el:
        if child.tag == "BookDocument":
            _book_document(child, rec)
        elif child.tag == "PubmedBookData":
            _pubmed_data(child, rec)


def _book_document(bd: etree._Element, rec: Record) -> None:
    for child in bd:
        tag = child.tag
        if tag == "PMID":
            rec.ids.pmid = _pmid(child)
        elif tag == "ArticleIdList":
            _article_ids(child, rec.ids)
        elif tag == "Book":
            _book_meta(child, rec)
        elif tag == "ArticleTitle":
            rec.title = element_text(child) or None
        elif tag == "Abstract":
            rec.abstract = _abstract(child)
        elif tag == "AuthorList" and child.get("Type") != "editors":
            rec.authors = _authors(child)
        elif tag == "Language":
            _language(child, rec)
        elif tag == "KeywordList":
            rec.keywords.extend(element_text(k) for k in child)
        elif tag == "PublicationType":
            rec.publication_types.append(child.text or "")


def _book_meta(book: etree._Element, rec: Record) -> None:
    for c in book:
        tag = c.tag
        if tag == "BookTitle":
            title = element_text(c)
            rec.journal.title = title
            if rec.title is None:
                rec.title = title
        elif tag == "Publisher":
            rec.journal.publisher = c.findtext("PublisherName")
        elif tag == "PubDate":
            _put(rec.dates, "issue", _ymd(c))
        elif tag == "AuthorList" and not rec.authors and c.get("Type") != "editors":
            rec.authors = _authors(c)


# -- the C mapper ----------------------------------------------------------------------------

_HERE = os.path.dirname(os.path.abspath(__file__))


def stale(built_from: str, folder: str = _HERE) -> str | None:
    """Why a C mapper built from `built_from` (its BUILT_FROM: "_fast.pyx:<sha1> mapper.py:<sha1>",
    set by setup.py) no longer matches the sources in `folder`: the source edited since (mapper.py
    as much as _fast.pyx: the C code mirrors its functions), or None when it matches. Content, not
    times: a wheel's files all get the time they were unpacked. A source not there (a wheel ships
    no .pyx) is not checked."""
    if not built_from:
        return "a build that does not say what it was built from"
    for item in built_from.split():
        name, _, digest = item.partition(":")
        path = os.path.join(folder, name)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        if hashlib.sha1(data).hexdigest() != digest:
            return path
    return None


def load_fast(values: Any = None) -> ModuleType | None:
    """The C mapper (`_fast.pyx`), configured with `values` (default VALUES); None when it is not
    built, built against another lxml, built from other sources (`stale`), or does not take `values`
    (a helper renamed here and not there): the Python mapper then maps every record.
    LITWATCH_PURE_PYTHON=1 turns it off."""
    if os.environ.get("LITWATCH_PURE_PYTHON"):
        return None
    try:
        from litwatch.formats.pubmed import _fast as fast
    except Exception:  # not built, or built against an lxml whose C API this one does not offer
        return None
    edited = stale(getattr(fast, "BUILT_FROM", ""))
    if edited:  # its mapping may no longer be this module's
        warnings.warn(f"the C mapper of PubMed XML does not match {edited}; build it again (pip install -e ., or "
                      "python setup.py build_ext --inplace): the Python mapper is used until then", stacklevel=2)
        return None
    try:
        fast.configure(VALUES if values is None else values)
    except Exception as exc:  # built from other sources: a helper renamed here and not there, say
        warnings.warn(f"the C mapper of PubMed XML cannot be used ({exc!r}); the Python mapper is used", stacklevel=2)
        return None
    return fast


_fast = load_fast()
MAPPER = "C" if _fast is not None else "Python"  # which mapper this process maps PubMed records with
