"""PubMed / MEDLINE XML: efetch replies, baseline and update files (.xml or .xml.gz).

Reads the current `PubmedArticleSet` (PubmedArticle, PubmedBookArticle, DeleteCitation) and the
older `MedlineCitationSet` (2016 DTD and before) as a stream: an lxml pull parser fed 64 KiB
chunks, events only for the record elements, and each record cleared once mapped, so memory
stays flat whatever the file size.

Each record is mapped by the C extension `_pubmed_fast` when it is built (see there: the same
Records, about a quarter faster); the functions here are the reference mapping, and map whatever
the extension hands back (a comment inside a record, a malformed PMID, a book).

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
import sys
import warnings
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import BinaryIO

from lxml import etree

from litwatch.errors import ParseError
from litwatch.formats.base import ParseIssue, utc_now
from litwatch.formats.gz import READ_ERRORS, open_gzip
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
    "read_stream",
    "LINK_KINDS",
    "link_kind",
    "SOURCE",
    "open_xml",
    "root_tag",
    "element_text",
    # the parts the parallel reader (formats.parallel) builds on
    "ReadContext",
    "parse_blocks",
    "make_parser",
    "drain",
    "pubmed_root",
    "record_tags",
]

SOURCE = "file:pubmed-xml"
CHUNK = 1 << 16

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

_ROOTS_CURRENT = {"PubmedArticleSet", "PubmedArticle", "PubmedBookArticleSet"}
_ROOTS_OLD = {"MedlineCitationSet", "MedlineCitation"}
_TAGS_CURRENT = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_TAGS_OLD = ("MedlineCitation", "DeleteCitation")

_KEBAB = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NL_RUN = re.compile(r"\s*\n\s*")
_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])")
_PMC_OTHER = re.compile(r"^PMC\d+")
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)")


def link_kind(ref_type: str) -> str:
    """Link.kind of a CommentsCorrections RefType: the table above, else kebab case."""
    kind = LINK_KINDS.get(ref_type)
    return kind if kind else _KEBAB.sub("-", ref_type).lower()


# -- streaming ---------------------------------------------------------------------------


def read_stream(
    stream: BinaryIO, *, origin: str, source: str = SOURCE
) -> Iterator[Record | ParseIssue]:
    """Yield a Record per PubmedArticle / MedlineCitation (and per deleted PMID), or ParseIssues.

    Raises ParseError when nothing can be read: an empty input or another XML root.
    """
    stream, head = open_xml(stream, origin)
    root = pubmed_root(head, origin)
    yield from parse_blocks(_blocks(stream, head), ReadContext(origin, source, utc_now()), record_tags(root), root)


def pubmed_root(head: bytes, origin: str) -> str:
    """The root element of PubMed XML; ParseError for anything else."""
    return root_tag(head, origin, _ROOTS_CURRENT | _ROOTS_OLD, "PubMed XML", "<PubmedArticleSet> or <MedlineCitationSet>")


def record_tags(root: str) -> tuple[str, ...]:
    """The elements that are records under this root."""
    return _TAGS_OLD if root in _ROOTS_OLD else _TAGS_CURRENT


def _blocks(stream: BinaryIO, head: bytes) -> Iterator[bytes]:
    chunk = head
    while chunk:
        yield chunk
        chunk = stream.read(CHUNK)


def make_parser(tags: tuple[str, ...], starts: bool = False) -> etree.XMLPullParser:
    """A pull parser with events for the record elements' ends (and starts, when asked)."""
    return etree.XMLPullParser(
        events=("start", "end") if starts else ("end",),
        tag=tags,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=True,
    )


def parse_blocks(
    blocks: Iterable[bytes], ctx: ReadContext, tags: tuple[str, ...], root: str | None = None
) -> Iterator[Record | ParseIssue]:
    """The reader proper: feed XML blocks, yield what each completed record becomes.

    Memory and time stay bounded whatever the blocks hold (see formats._pubmed_stream): a giant
    record, or malformed XML inside one, is reported and reading goes on at the next record; a
    read error raised by `blocks` (truncated gzip), or malformed XML after the last record, ends
    the file with one ParseIssue, after every record completed before it. The parallel reader
    calls this too, with `ctx.count` set to the records before its first block.
    """
    from litwatch.formats._pubmed_stream import parse

    return parse(blocks, ctx, tags, root)


class _RawItems:
    """The input bytes of each record element, cut from the fed chunks, for `raw_hash`.

    Events arrive in document order and only after their closing tag was fed, so the n-th
    record is the next `<Tag ...>...</Tag>` after the previous one. Hashing these bytes is
    several times cheaper than re-serialising the element; if the cut ever fails (an odd
    closing tag, a non-ASCII-compatible encoding) it gives up for the rest of the file and
    the caller serialises instead.
    """

    __slots__ = ("buf", "pos", "ok")
    _patterns: dict[str, tuple[re.Pattern[bytes], bytes]] = {}  # tag -> (its start tag, its end tag)

    def __init__(self) -> None:
        self.buf, self.pos, self.ok = b"", 0, True

    def add(self, chunk: bytes) -> None:
        if self.ok:
            self.buf = self.buf[self.pos :] + chunk if self.pos < len(self.buf) else chunk
            self.pos = 0

    def take(self, tag: str) -> bytes | None:
        if not self.ok:
            return None
        patterns = self._patterns.get(tag)
        if patterns is None:
            patterns = self._patterns[tag] = (re.compile(b"<" + tag.encode() + rb"[\s>/]"), b"</" + tag.encode() + b">")
        start_re, close = patterns
        buf = self.buf
        m = start_re.search(buf, self.pos)
        end = buf.find(close, m.end()) if m else -1
        if end < 0:
            self.ok, self.buf = False, b""
            return None
        self.pos = end = end + len(close)
        return buf[m.start() : end]


class ReadContext:
    """What a read carries from record to record: numbering, provenance, raw-byte cutting.

    `count` is the number of records before the next one ("record N" is global, also when a
    parallel worker reads a chunk from the middle of the file); `line_offset` is added to lxml's
    line numbers for the same reason.
    """

    __slots__ = ("origin", "source", "retrieved_at", "count", "raw", "line_offset", "open")

    def __init__(self, origin: str, source: str, retrieved_at: str, count: int = 0, line_offset: int = 0) -> None:
        self.origin, self.source, self.retrieved_at = origin, source, retrieved_at
        self.count = count
        self.line_offset = line_offset
        self.raw = _RawItems()  # the sequential reader puts its framer here (formats._pubmed_stream)
        self.open: etree._Element | None = None  # the record element started and not yet ended

    def line(self, el: etree._Element) -> int | None:
        n = el.sourceline
        return n + self.line_offset if n else n

    def where_next(self) -> str:
        return f"after record {self.count}" if self.count else "before the first record"

    def provenance(self, raw: bytes) -> list[Provenance]:
        return [
            Provenance(self.source, self.origin, self.retrieved_at, hashlib.sha1(raw).hexdigest(), f"record {self.count}")
        ]


def drain(parser: etree.XMLPullParser, ctx: ReadContext) -> Iterator[Record | ParseIssue]:
    for event, el in parser.read_events():
        if event == "start":
            ctx.open = el
            continue
        ctx.open = None
        tag = el.tag
        raw = ctx.raw.take(tag)
        if tag == "DeleteCitation":
            yield from _deletions(el, ctx)
        else:
            ctx.count += 1
            try:
                yield _record(el, ctx, raw)
            except _BadRecord as exc:
                yield ParseIssue(ctx.origin, f"record {ctx.count} (line {ctx.line(el)})", str(exc))
            except Exception as exc:  # a damaged record must not stop the file
                yield ParseIssue(
                    ctx.origin, f"record {ctx.count} (line {ctx.line(el)})", f"unreadable record: {exc!r}"
                )
        _release(el)


def _release(el: etree._Element) -> None:
    """Free a finished record and the siblings before it, keeping memory flat."""
    el.clear(keep_tail=True)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def _deletions(el: etree._Element, ctx: ReadContext) -> Iterator[Record | ParseIssue]:
    for p in el.iterchildren("PMID"):
        ctx.count += 1
        pmid = (p.text or "").strip()
        if not pmid.isdigit():
            yield ParseIssue(ctx.origin, f"record {ctx.count} (line {ctx.line(p)})", "DeleteCitation without a PMID")
            continue
        yield Record(ids=Ids(pmid=pmid), deleted=True, provenance=ctx.provenance(etree.tostring(p)))


class _GzipHead:
    """A read()-only stream that replays bytes already read before the rest of `raw`."""

    def __init__(self, head: bytes, raw: BinaryIO) -> None:
        self._head, self._raw = head, raw

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n is None or n < 0:
                out, self._head = self._head + self._raw.read(), b""
            else:
                out, self._head = self._head[:n], self._head[n:]
            return out
        return self._raw.read(n)

    def readinto(self, buffer) -> int:  # ISA-L's GzipFile reads this way
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def open_xml(stream: BinaryIO, origin: str) -> tuple[BinaryIO, bytes]:
    """(stream of XML bytes, its first chunk), un-gzipping when the input is gzip."""
    first = stream.read(CHUNK)
    if first[:2] == b"\x1f\x8b":
        stream = open_gzip(_GzipHead(first, stream))
        try:
            first = stream.read(CHUNK)
        except READ_ERRORS as exc:
            raise ParseError(f"corrupt gzip data ({str(exc)[:80]})", path=origin) from None
    return stream, first


def root_tag(head: bytes, origin: str, accepted: set[str], what: str, expected: str) -> str:
    """The root element's name, sniffed from the first chunk; ParseError if not in `accepted`."""
    hint = f"expected {what} ({expected})"
    if not head.strip():
        raise ParseError("empty file", path=origin, hint=hint)
    m = _FIRST_TAG.search(_COMMENT.sub(b"", head))
    if not m:
        raise ParseError("not XML", path=origin, hint=hint)
    root = m.group(1).decode("ascii", "replace")
    if root not in accepted:
        raise ParseError(
            f"not {what}: the root element is <{root}>",
            path=origin,
            hint=f"{hint}; choose another --format",
        )
    return root


# -- one record --------------------------------------------------------------------------


class _BadRecord(Exception):
    """A record element that cannot become a Record (no PMID, ...)."""


def element_text(el: etree._Element) -> str:
    """All text inside `el`, markup removed; pretty-printing indentation becomes one space."""
    if len(el):
        s = "".join(el.itertext())
        return _NL_RUN.sub(" ", s).strip() if "\n" in s else s
    return el.text or ""


def _record(el: etree._Element, ctx: ReadContext, raw: bytes | None = None) -> Record:
    provenance = ctx.provenance(raw if raw is not None else etree.tostring(el))
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
        raise _BadRecord(f"{tag} without a PMID")
    return rec


def _pmid(el: etree._Element) -> str:
    pmid = (el.text or "").strip()
    if not pmid.isdigit():
        raise _BadRecord(f"PMID {pmid!r} is not a number")
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
            _old_affiliation(element_text(child), rec)


def _old_affiliation(text: str, rec: Record) -> None:
    if text and rec.authors and not rec.authors[0].affiliations:
        rec.authors[0].affiliations.append(text)
    elif text and not rec.authors:
        rec.extra["affiliation"] = text


def _language(el: etree._Element, rec: Record) -> None:
    _add_language(rec, el.text)


def _add_language(rec: Record, lang: str | None) -> None:
    if not lang:
        return
    if rec.language is None:
        rec.language = lang
    else:
        rec.extra.setdefault("languages", [rec.language]).append(lang)


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
        m = _PMC_OTHER.match(text)
        if m:
            ids.pmcid = m.group(0)


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
                    orcid = _orcid(c.text)
            elif t == "CollectiveName":
                collective = element_text(c)
            elif t == "FirstName":  # pre-2008 DTD
                given = c.text
        out.append(Author(family, given, initials, orcid, affs, collective))
    return out


def _orcid(value: str | None) -> str | None:
    """'https://orcid.org/0000-0002-4590-7461' or '0000000245907461' -> '0000-0002-4590-7461'."""
    if not value:
        return None
    m = _ORCID.search(value)
    return "-".join(m.groups()).upper() if m else value.strip()


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
    parts = _date_parts(year, month, day, season)
    return DateValue(*parts) if parts is not None else None


@lru_cache(maxsize=4096)
def _date_parts(year: str | None, month: str | None, day: str | None, season: str | None) -> tuple | None:
    """(value, precision, raw) of a date given in parts. A record holds several dates and a file
    holds few distinct ones: remembering them made reading about 3 % faster."""
    date = date_from_parts(year, month, day, season)
    return (date.value, date.precision, date.raw) if date is not None else None


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
        _article_id(ids, a.get("IdType"), a.text)


def _article_id(ids: Ids, kind: str | None, text: str | None) -> None:
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


# -- the C accelerator ---------------------------------------------------------------------


def _load_fast():
    """formats/_pubmed_fast.pyx, built at install when a C compiler is at hand: the same Records
    from the same elements, mapped in C. LITWATCH_PURE_PYTHON=1 turns it off."""
    if os.environ.get("LITWATCH_PURE_PYTHON"):
        return None
    try:
        from litwatch.formats import _pubmed_fast
    except Exception:  # not built, or built against an lxml whose C API this one does not offer
        return None
    source = os.path.join(os.path.dirname(__file__), "_pubmed_fast.pyx")
    try:
        stale = os.path.getmtime(source) > os.path.getmtime(_pubmed_fast.__file__)
    except OSError:  # an installed wheel ships the compiled module only
        stale = False
    if stale:  # edited since it was built: its mapping may no longer be this module's
        warnings.warn(f"{source} is newer than its build; run `pip install -e .` again (using the Python mapper)")
        return None
    _pubmed_fast.configure(sys.modules[__name__])
    return _pubmed_fast


_fast = _load_fast()
