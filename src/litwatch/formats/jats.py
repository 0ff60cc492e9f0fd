"""PMC JATS / NLM archiving XML (.nxml): one <article>, or a <pmc-articleset> of them.

Reads NLM 2.3 and JATS 1.x files without fetching their DTD (no network, no entity loading).
Front matter becomes the Record; the abstract's <sec>/<title> become labelled sections; body
paragraphs go to `Record.body`, kept apart from the abstract; the ref-list becomes
`Record.references` (with pub-id pmid/doi/pmcid).

Mapping choices worth knowing:
- pub-date epub (or date-type="pub" publication-format="electronic") -> electronic; ppub (or
  print) -> issue, collection -> issue when there is no ppub; pmc-release -> pmc_release;
  history received/accepted/rev-recd -> received/accepted/revised.
- Affiliations are found through the contrib's xref[@ref-type="aff"] ids; an <aff> inside the
  contrib is its own; when the article has a single <aff> and a contrib names none, it gets it.
- Only abstracts without @abstract-type (or the first abstract) are the abstract; author and
  editor summaries are left out.
- Body paragraphs are the <p>s of <body> outside figures, tables and other paragraphs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from litwatch.clock import utc_now
from litwatch.formats.base import CHUNK, ParseIssue, open_xml, root_tag
from litwatch.formats.gz import READ_ERRORS
from litwatch.formats.dates import date_from_parts, parse_date_text
from litwatch.formats.medline_text import label_category
from litwatch.records import (
    AbstractSection,
    Author,
    DateValue,
    Grant,
    Provenance,
    Record,
    Reference,
    normalize_doi,
    normalize_pmcid,
)

__all__ = ["read_stream", "record_from_article", "SOURCE"]

SOURCE = "file:jats"
_ROOTS = {"article", "pmc-articleset", "articles"}
_WS = re.compile(r"\s+")
_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])")
_SKIP_IN_BODY = {"fig", "table-wrap", "table", "disp-formula", "supplementary-material", "boxed-text"}
_LANGS = {"en": "eng", "de": "ger", "fr": "fre", "es": "spa", "zh": "chi", "ja": "jpn", "pt": "por",
          "it": "ita", "ru": "rus", "nl": "dut", "ko": "kor"}
_HISTORY = {"received": "received", "accepted": "accepted", "rev-recd": "revised", "rev-request": "revision_requested"}


def read_stream(stream: BinaryIO, *, origin: str, source: str = SOURCE) -> Iterator[Record | ParseIssue]:
    """Yield a Record per <article>; ParseError for an empty file or another XML root."""
    stream, head = open_xml(stream, origin)
    root_tag(head, origin, _ROOTS, "JATS XML", "<article> or <pmc-articleset>")
    parser = etree.XMLPullParser(
        events=("end",), tag="article", resolve_entities=False, load_dtd=False, no_network=True, huge_tree=True
    )
    state = _State(origin, source)
    chunk = head
    while chunk:
        try:
            parser.feed(chunk)
            chunk = stream.read(CHUNK)
        except etree.XMLSyntaxError as exc:
            yield from state.articles(parser)
            yield state.syntax_issue(exc)
            return
        except READ_ERRORS as exc:
            yield from state.articles(parser)
            yield ParseIssue(origin, f"after article {state.count}", f"truncated or corrupt gzip data ({exc})")
            return
        yield from state.articles(parser)
    try:
        parser.close()
    except etree.XMLSyntaxError as exc:
        yield from state.articles(parser)
        yield state.syntax_issue(exc)
        return
    yield from state.articles(parser)


class _State:
    def __init__(self, origin: str, source: str) -> None:
        self.origin, self.source, self.retrieved_at, self.count = origin, source, utc_now(), 0

    def syntax_issue(self, exc: etree.XMLSyntaxError) -> ParseIssue:
        return ParseIssue(self.origin, f"line {exc.lineno}, after article {self.count}",
                          f"malformed XML ({exc.msg}); stopped here")

    def articles(self, parser: etree.XMLPullParser) -> Iterator[Record | ParseIssue]:
        for _event, article in parser.read_events():
            self.count += 1
            where = f"article {self.count}"
            try:
                rec = record_from_article(article)
            except Exception as exc:  # a damaged article must not stop the file
                yield ParseIssue(self.origin, f"{where} (line {article.sourceline})", f"unreadable article: {exc!r}")
                continue
            rec.provenance.append(
                Provenance(
                    source=self.source,
                    origin=self.origin,
                    retrieved_at=self.retrieved_at,
                    raw_hash=hashlib.sha1(etree.tostring(article)).hexdigest(),
                    location=where,
                )
            )
            yield rec
            article.clear(keep_tail=True)


def _text(el: etree._Element | None) -> str:
    """All text inside `el` (inline markup kept as text), whitespace runs made one space."""
    if el is None:
        return ""
    return _WS.sub(" ", "".join(el.itertext())).strip()


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def record_from_article(article: etree._Element) -> Record:
    """One JATS <article> element as a Record."""
    rec = Record()
    lang = article.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        rec.language = _LANGS.get(lang.lower()[:2], lang)
    if article.get("article-type"):
        rec.extra["article_type"] = article.get("article-type")
        if article.get("article-type") == "preprint":
            rec.kind = "preprint"
    front = article.find("front")
    if front is not None:
        jm = front.find("journal-meta")
        if jm is not None:
            _journal_meta(jm, rec)
        am = front.find("article-meta")
        if am is not None:
            _article_meta(am, rec)
    body = article.find("body")
    if body is not None:
        rec.body = _body_paragraphs(body)
    back = article.find("back")
    if back is not None:
        for ref in back.iter("ref"):
            rec.references.append(_reference(ref))
    return rec


def _journal_meta(jm: etree._Element, rec: Record) -> None:
    j = rec.journal
    ids = {x.get("journal-id-type"): _text(x) for x in jm.iter("journal-id")}
    j.iso_abbrev = ids.get("iso-abbrev") or ids.get("nlm-ta")
    title = jm.find(".//journal-title")
    j.title = _text(title) or None
    for issn in jm.iter("issn"):
        kind = issn.get("pub-type") or issn.get("publication-format") or ""
        if kind in ("epub", "electronic"):
            j.issn_electronic = _text(issn)
        else:
            j.issn_print = j.issn_print or _text(issn)
    j.publisher = _text(jm.find("publisher/publisher-name")) or None


def _article_meta(am: etree._Element, rec: Record) -> None:
    for aid in am.findall("article-id"):
        kind, value = aid.get("pub-id-type"), _text(aid)
        if kind == "pmid" and value.isdigit():
            rec.ids.pmid = value
        elif kind in ("pmc", "pmcid"):
            rec.ids.pmcid = normalize_pmcid(value)
        elif kind == "doi":
            rec.ids.doi = normalize_doi(value)
        elif kind == "pii":
            rec.ids.pii = value
        elif kind == "publisher-id":
            rec.extra["publisher_id"] = value
    rec.title = _text(am.find("title-group/article-title")) or None
    rec.authors = _authors(am)
    _dates(am, rec)
    j = rec.journal
    j.volume = _text(am.find("volume")) or None
    j.issue = _text(am.find("issue")) or None
    fpage, lpage = _text(am.find("fpage")), _text(am.find("lpage"))
    if fpage:
        j.pages = f"{fpage}-{lpage}" if lpage and lpage != fpage else fpage
    else:
        j.pages = _text(am.find("elocation-id")) or None
    for kwd in am.iter("kwd"):
        text = _text(kwd)
        if text:
            rec.keywords.append(text)
    rec.abstract = _abstract(am)
    for award in am.iter("award-group"):
        rec.grants.append(
            Grant(grant_id=_text(award.find("award-id")) or None, agency=_text(award.find(".//funding-source")) or None)
        )


def _affiliations(am: etree._Element) -> dict[str, str]:
    out = {}
    for aff in am.iter("aff"):
        out[aff.get("id") or f"_{len(out)}"] = _aff_text(aff)
    return out


def _aff_text(aff: etree._Element) -> str:
    """The affiliation's text without its <label> (the '1' that links it to authors)."""
    parts = [aff.text or ""]
    for child in aff:
        if _local(child.tag) != "label":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return _WS.sub(" ", "".join(parts)).strip(" ,;")


def _authors(am: etree._Element) -> list[Author]:
    affs = _affiliations(am)
    single = next(iter(affs.values())) if len(affs) == 1 else None
    out = []
    for contrib in am.iter("contrib"):
        if contrib.get("contrib-type", "author") != "author":
            continue
        au = Author()
        name = contrib.find("name")
        if name is None:
            name = contrib.find("name-alternatives/name")
        if name is not None:
            au.family = _text(name.find("surname")) or None
            au.given = _text(name.find("given-names")) or None
            au.initials = _initials(au.given)
        collab = contrib.find("collab")
        if collab is not None and name is None:
            au.collective = _text(collab)
        for cid in contrib.iter("contrib-id"):
            if (cid.get("contrib-id-type") or "").lower() == "orcid":
                m = _ORCID.search(_text(cid))
                au.orcid = "-".join(m.groups()).upper() if m else None
        for xref in contrib.iter("xref"):
            if xref.get("ref-type") == "aff":
                for rid in (xref.get("rid") or "").split():
                    if rid in affs and affs[rid] not in au.affiliations:
                        au.affiliations.append(affs[rid])
        for aff in contrib.iter("aff"):
            au.affiliations.append(_aff_text(aff))
        if not au.affiliations and single:
            au.affiliations.append(single)
        if au.family or au.given or au.collective:
            out.append(au)
    return out


def _initials(given: str | None) -> str | None:
    if not given:
        return None
    letters = [p[0] for p in re.split(r"[\s.\-]+", given) if p and p[0].isalpha()]
    return "".join(letters).upper() or None


def _date(el: etree._Element) -> DateValue | None:
    string_date = el.find("string-date")
    if el.find("year") is None and string_date is not None:
        return parse_date_text(_text(string_date))
    return date_from_parts(
        _text(el.find("year")) or None,
        _text(el.find("month")) or None,
        _text(el.find("day")) or None,
        season=_text(el.find("season")) or None,
    )


def _dates(am: etree._Element, rec: Record) -> None:
    found: dict[str, DateValue] = {}
    for pd in am.findall("pub-date"):
        kind = pd.get("pub-type") or pd.get("date-type") or ""
        fmt = pd.get("publication-format") or ""
        d = _date(pd)
        if d is None:
            continue
        if kind in ("epub", "epub-ppub") or (kind == "pub" and fmt == "electronic"):
            found.setdefault("electronic", d)
        if kind in ("ppub", "epub-ppub") or (kind == "pub" and fmt == "print"):
            found.setdefault("issue", d)
        elif kind == "collection":
            found.setdefault("collection", d)
        elif kind == "pmc-release":
            found.setdefault("pmc_release", d)
    if "issue" not in found and "collection" in found:
        found["issue"] = found["collection"]
    found.pop("collection", None)
    for date in am.findall("history/date"):
        key = _HISTORY.get(date.get("date-type") or "")
        d = _date(date) if key else None
        if d is not None:
            found.setdefault(key, d)
    rec.dates.update(found)


def _abstract(am: etree._Element) -> list[AbstractSection]:
    abstracts = am.findall("abstract")
    main = [a for a in abstracts if not a.get("abstract-type")] or abstracts[:1]
    out: list[AbstractSection] = []
    for ab in main:
        secs = ab.findall("sec")
        if secs:
            for sec in secs:
                _abstract_sec(sec, out)
        else:
            text = " ".join(t for t in (_text(p) for p in ab.iter("p")) if t) or _text(ab)
            if text:
                out.append(AbstractSection(text))
    return out


def _abstract_sec(sec: etree._Element, out: list[AbstractSection]) -> None:
    label = _text(sec.find("title")).rstrip(":").strip() or None
    paras = [_text(p) for p in sec.findall("p")]
    text = " ".join(p for p in paras if p)
    if text:
        out.append(AbstractSection(text, label, label_category(label)))
    for sub in sec.findall("sec"):
        _abstract_sec(sub, out)


def _body_paragraphs(body: etree._Element) -> list[str]:
    out = []
    for p in body.iter("p"):
        if any(_local(a.tag) in _SKIP_IN_BODY or _local(a.tag) == "p" for a in p.iterancestors()):
            continue
        text = _text(p)
        if text:
            out.append(text)
    return out


def _reference(ref: etree._Element) -> Reference:
    out = Reference()
    for pid in ref.iter("pub-id"):
        kind, value = pid.get("pub-id-type"), _text(pid)
        if kind == "pmid" and value.isdigit():
            out.pmid = value
        elif kind == "doi":
            out.doi = normalize_doi(value)
        elif kind in ("pmc", "pmcid"):
            out.pmcid = normalize_pmcid(value)
    mixed = ref.find("mixed-citation")
    if mixed is not None and _has_punctuation(mixed):
        out.citation = _mixed_text(mixed) or None
    else:
        if mixed is not None:
            cit = mixed
        else:
            cit = ref.find("element-citation")
            if cit is None:
                cit = ref.find("citation")
        if cit is not None:
            out.citation = _format_citation(cit)
    return out


def _has_punctuation(cit: etree._Element) -> bool:
    """Whether a mixed-citation carries its own punctuation between fields (PLoS does, BMC not)."""
    return any((child.tail or "").strip() for child in cit)


_JOIN_AFTER = set(".?!,;:")


def _mixed_text(cit: etree._Element) -> str:
    """A mixed-citation's text: names as 'Surname GN', ids left out, a space where fields touch."""
    pieces: list[str] = [cit.text or ""]
    for child in cit:
        tag = _local(child.tag)
        if tag == "name":
            piece = " ".join(p for p in (_text(child.find("surname")), _text(child.find("given-names"))) if p)
        elif tag in ("pub-id", "object-id"):
            piece = ""
        else:
            piece = "".join(child.itertext())
        _append(pieces, piece)
        pieces.append(child.tail or "")
    return _WS.sub(" ", "".join(pieces)).strip()


def _append(pieces: list[str], piece: str) -> None:
    prev = next((p for p in reversed(pieces) if p), "")
    if piece and prev and piece[0].isalnum() and (prev[-1].isalnum() or prev[-1] in _JOIN_AFTER):
        pieces.append(" ")
    pieces.append(piece)


def _format_citation(cit: etree._Element) -> str | None:
    """An element-citation (fields without punctuation) as one readable line."""
    names = []
    for n in cit.iter("name", "collab"):
        if _local(n.tag) == "collab":
            names.append(_text(n))
        else:
            names.append(" ".join(p for p in (_text(n.find("surname")), _text(n.find("given-names"))) if p))
    who = ", ".join(n for n in names if n)
    if cit.find(".//etal") is not None:
        who += ", et al"
    title = _text(cit.find("article-title")) or _text(cit.find("chapter-title"))
    source, year = _text(cit.find("source")), _text(cit.find("year"))
    volume, fpage, lpage = _text(cit.find("volume")), _text(cit.find("fpage")), _text(cit.find("lpage"))
    where = ";".join(p for p in (year, volume) if p)
    pages = "-".join(p for p in (fpage, lpage) if p)
    if pages:
        where = f"{where}:{pages}" if where else pages
    parts = [p for p in (who, title, source, where) if p]
    if not parts:
        return _text(cit) or None
    return " ".join(p if p[-1] in ".?!" else p + "." for p in parts)
