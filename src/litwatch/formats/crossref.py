"""Crossref REST `/works` replies (JSON): one work (`message-type: work`) or a list (`work-list`).

`record_from_work` maps one work; the live connector uses it too. Dates come from Crossref's
`date-parts` with their precision: `published-online` (or `posted`, for preprints) ->
`electronic`, `published-print` (else `issued`) -> `issue`, `accepted` -> `accepted`.
The JATS abstract becomes plain text, one section per `<jats:sec>` (its title as label) or per
paragraph. Links: `update-to` (this work retracts/corrects another) -> "retraction-of",
"correction-of", ...; `updated-by` -> "retracted-by", "correction-in", ...; `relation` ->
"published-as" (is-preprint-of), "has-preprint", "review-of", "has-review", and the other
relation names without their "is-" prefix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from lxml import etree

from litwatch.errors import ParseError
from litwatch.formats._readers_common import (
    ITEM_ERRORS, clean, date_from_parts, load_json, make_provenance, salvage_items, strip_markup,
)
from litwatch.formats.base import ParseIssue
from litwatch.records import (
    AbstractSection, Author, DateValue, Grant, Ids, Journal, Link, Record, Reference, normalize_doi,
)

__all__ = ["read_stream", "record_from_work", "jats_abstract", "date_from_date_parts"]

_KIND = {"journal-article": "article", "posted-content": "preprint"}
_CSL_TYPE = {
    "book-chapter": "chapter", "book": "book", "monograph": "book", "edited-book": "book",
    "reference-book": "book", "dataset": "dataset", "reference-entry": "entry",
    "proceedings-article": "paper-conference", "report": "report", "dissertation": "thesis",
    "peer-review": "review", "standard": "report", "component": "article",
}
_RELATION_KIND = {"is-preprint-of": "published-as", "has-preprint": "has-preprint"}
_UPDATE_TO = {"retraction": "retraction-of", "expression_of_concern": "expression-of-concern-for"}
_UPDATED_BY = {"retraction": "retracted-by", "removal": "retracted-by",
               "expression_of_concern": "expression-of-concern-in"}
_ROOT = (
    '<abstract xmlns:jats="http://www.ncbi.nlm.nih.gov/JATS1" xmlns:mml="http://www.w3.org/1998/Math/MathML" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:ali="http://www.niso.org/schemas/ali/1.0/">{}</abstract>'
)
_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


def date_from_date_parts(value: dict[str, Any] | None) -> DateValue | None:
    """Crossref {"date-parts": [[2012, 3, 21]]} -> DateValue with day/month/year precision."""
    try:
        parts = (value or {}).get("date-parts") or [[]]
        nums = [int(p) for p in parts[0] if p is not None]
    except (TypeError, ValueError, IndexError):
        return None
    if not nums:
        return None
    return date_from_parts(nums[0], nums[1] if len(nums) > 1 else None, nums[2] if len(nums) > 2 else None)


# -- abstract ------------------------------------------------------------------------------
def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _text(el: etree._Element) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def _paragraphs(container: etree._Element) -> list[str]:
    """Leaf paragraphs in document order; a paragraph holding a list gives its own lead text."""
    out = []
    for p in container.iter():
        if _local(p) != "p":
            continue
        if any(_local(d) == "p" for d in p.iterdescendants()):
            lead = re.sub(r"\s+", " ", p.text or "").strip()
            if lead:
                out.append(lead)
            continue
        text = _text(p)
        if text:
            out.append(text)
    return out


def jats_abstract(raw: str | None) -> list[AbstractSection]:
    """Crossref's JATS abstract as sections: one per <jats:sec> (titled), else one per paragraph."""
    if not clean(raw):
        return []
    try:
        root = etree.fromstring(_ROOT.format(raw).encode("utf-8"), _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        text = re.sub(r"\s+", " ", strip_markup(raw)).strip()
        return [AbstractSection(text=text)] if text else []
    secs = [el for el in root.iter() if _local(el) == "sec" and not any(_local(a) == "sec" for a in el.iterancestors())]
    sections: list[AbstractSection] = []
    if secs:
        for sec in secs:
            title = next((c for c in sec if _local(c) == "title"), None)
            label = _text(title) if title is not None else None
            body = " ".join(_paragraphs(sec)) or _text(sec)[len(label or ""):].strip()
            if body:
                sections.append(AbstractSection(text=body, label=label or None))
        return sections
    paragraphs = _paragraphs(root)
    if not paragraphs:  # plain text, no <p>
        text = _text(root)
        title = next((c for c in root if _local(c) == "title"), None)
        if title is not None:
            text = text[len(_text(title)):].strip()
        paragraphs = [text] if text else []
    return [AbstractSection(text=p) for p in paragraphs]


# -- the work ------------------------------------------------------------------------------
def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return next((clean(strip_markup(v)) for v in value if clean(v)), None)
    return clean(strip_markup(value)) if isinstance(value, str) else None


def _orcid(value: str | None) -> str | None:
    m = re.search(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", value or "")
    return m.group(1) if m else None


def _author(a: dict[str, Any]) -> Author | None:
    if not a.get("family") and a.get("name"):
        return Author(collective=clean(a["name"]))
    family, given = clean(a.get("family")), clean(a.get("given"))
    if not family and not given:
        return None
    initials = "".join(p[0].upper() for p in re.split(r"[\s.\-]+", given or "") if p) or None
    affiliations = [clean(x.get("name")) for x in a.get("affiliation") or [] if isinstance(x, dict)]
    return Author(family=family, given=given, initials=initials, orcid=_orcid(a.get("ORCID")),
                  affiliations=[x for x in affiliations if x])


def _journal(w: dict[str, Any]) -> Journal:
    issn = {t.get("type"): t.get("value") for t in w.get("issn-type") or [] if isinstance(t, dict)}
    plain = [clean(x) for x in w.get("ISSN") or []]
    return Journal(
        title=_first(w.get("container-title")),
        iso_abbrev=_first(w.get("short-container-title")),
        issn_print=clean(issn.get("print")) or (plain[0] if plain and not issn else None),
        issn_electronic=clean(issn.get("electronic")),
        volume=clean(w.get("volume")),
        issue=clean(w.get("issue")),
        pages=clean(w.get("page")),
        publisher=clean(w.get("publisher")),
    )


def _dates(w: dict[str, Any]) -> dict[str, DateValue]:
    out = {}
    electronic = date_from_date_parts(w.get("published-online")) or date_from_date_parts(w.get("posted"))
    if electronic:
        out["electronic"] = electronic
    issue = date_from_date_parts(w.get("published-print")) or date_from_date_parts(w.get("issued"))
    if issue:
        out["issue"] = issue
    accepted = date_from_date_parts(w.get("accepted"))
    if accepted:
        out["accepted"] = accepted
    return out


def _reference(ref: dict[str, Any]) -> Reference:
    citation = clean(ref.get("unstructured"))
    if not citation:
        bits = [ref.get("author"), f"({ref['year']})" if ref.get("year") else None,
                ref.get("article-title") or ref.get("volume-title"), ref.get("journal-title"),
                ref.get("volume"), ref.get("first-page")]
        citation = clean(" ".join(str(b) for b in bits if b))
    return Reference(citation=citation, doi=normalize_doi(ref.get("DOI")))


def _links(w: dict[str, Any]) -> list[Link]:
    links = []
    for u in w.get("update-to") or []:
        t = str(u.get("type") or "update").lower()
        links.append(Link(kind=_UPDATE_TO.get(t, f"{t.replace('_', '-')}-of"), doi=normalize_doi(u.get("DOI")),
                          text=clean(u.get("label"))))
    for u in w.get("updated-by") or []:
        t = str(u.get("type") or "update").lower()
        links.append(Link(kind=_UPDATED_BY.get(t, f"{t.replace('_', '-')}-in"), doi=normalize_doi(u.get("DOI")),
                          text=clean(u.get("label"))))
    for name, targets in (w.get("relation") or {}).items():
        kind = _RELATION_KIND.get(name) or re.sub(r"^is-", "", name)
        for t in targets if isinstance(targets, list) else [targets]:
            if not isinstance(t, dict):
                continue
            if str(t.get("id-type", "")).lower() == "doi":
                links.append(Link(kind=kind, doi=normalize_doi(t.get("id"))))
            else:
                links.append(Link(kind=kind, accession=clean(t.get("id")), databank=clean(t.get("id-type"))))
    return links


def record_from_work(work: dict[str, Any], *, origin: str, source: str = "crossref",
                     location: str | None = None) -> Record:
    """One Crossref work (the `message` of /works/{doi}, or an item of a work-list) as a Record."""
    doi = normalize_doi(work.get("DOI"))
    if not doi:
        raise ValueError(f"work without a DOI (got {work.get('DOI')!r})")
    ctype = clean(work.get("type")) or "other"
    kind = _KIND.get(ctype, "other")
    if ctype == "posted-content" and clean(work.get("subtype")) not in (None, "preprint"):
        kind = "other"
    extra: dict[str, Any] = {"crossref_type": ctype}
    if kind == "other" and ctype in _CSL_TYPE:
        extra["csl_type"] = _CSL_TYPE[ctype]
    subtitle = _first(work.get("subtitle"))
    if subtitle:
        extra["subtitle"] = subtitle
    url = clean(((work.get("resource") or {}).get("primary") or {}).get("URL"))
    if url:
        extra["url"] = url
    if isinstance(work.get("is-referenced-by-count"), int):
        extra["cited_by_count"] = work["is-referenced-by-count"]
    grants = []
    for f in work.get("funder") or []:
        for award in f.get("award") or [None]:
            grants.append(Grant(grant_id=clean(award), agency=clean(f.get("name"))))
    return Record(
        kind=kind,
        ids=Ids(doi=doi),
        title=_first(work.get("title")),
        abstract=jats_abstract(work.get("abstract")),
        authors=[a for a in (_author(x) for x in work.get("author") or [] if isinstance(x, dict)) if a],
        journal=_journal(work),
        dates=_dates(work),
        publication_types=[ctype],
        keywords=[s for s in (clean(x) for x in work.get("subject") or []) if s],
        language=clean(work.get("language")),
        grants=grants,
        links=_links(work),
        references=[_reference(r) for r in work.get("reference") or [] if isinstance(r, dict)],
        provenance=[make_provenance(source, origin, work, location)],
        extra=extra,
    )


def read_stream(stream: BinaryIO, *, origin: str) -> Iterator[Record | ParseIssue]:
    """Records from a Crossref reply: one work, a work-list, or a bare work / list of works."""
    data, issues = load_json(stream, origin, salvage=lambda text: (
        {"message-type": "work-list", "message": {"items": items}} if (items := salvage_items(text, "items")) else None))
    yield from issues
    message = data.get("message") if isinstance(data, dict) and "message" in data else data
    mtype = data.get("message-type") if isinstance(data, dict) else None
    if mtype == "work-list" or (isinstance(message, dict) and isinstance(message.get("items"), list)):
        works = message.get("items") or []
    elif isinstance(message, dict) and ("DOI" in message or mtype == "work"):
        works = [message]
    elif isinstance(message, list):
        works = message
    else:
        raise ParseError(f"not a Crossref works reply (message-type {mtype!r})", path=origin)
    for n, work in enumerate(works, 1):
        where = f"work {n}"
        try:
            yield record_from_work(work, origin=origin, source="file:crossref", location=where)
        except ITEM_ERRORS as exc:
            yield ParseIssue(origin, where, f"cannot read work: {exc!r}")
