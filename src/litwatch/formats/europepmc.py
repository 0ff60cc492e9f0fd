"""Europe PMC REST `/search` replies (JSON; resultType lite, core or idlist) as Records.

`record_from_result` maps one item of `resultList.result`; the live connector uses it too.
What each result type carries differs: core has the abstract, authors with affiliations and
ORCIDs, MeSH, keywords and grants; lite has flat journal fields; idlist only identifiers, which
become minimal Records (ids only).

Dates: `electronicPublicationDate` -> `electronic`; the journal issue date (`dateOfPublication`,
else `printPublicationDate`, else `pubYear`) -> `issue`; `firstPublicationDate` ->
`first_publication`. Abstracts written with `<h4>` (or leading `<b>`) headings become labelled
sections; other inline markup is dropped, its text kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from litwatch.errors import ParseError
from litwatch.formats._readers_common import (
    ITEM_ERRORS, clean, date_from_parts, load_json, make_provenance, parse_date_text, salvage_items,
    strip_markup,
)
from litwatch.formats.base import ParseIssue
from litwatch.records import (
    AbstractSection, Author, Grant, Ids, Journal, Link, MeshHeading, MeshQualifier, Record,
    normalize_doi, normalize_pmcid,
)

__all__ = ["read_stream", "record_from_result", "split_abstract"]

_PREPRINT_TYPES = {"preprint", "preprints"}
_HEADING = re.compile(r"<h4>(.*?)</h4>", re.I | re.S)
_BOLD_HEADING = re.compile(r"<b>([^<]{1,80}?)</b>\s*:?", re.I)


def _listed(obj: dict[str, Any] | None, outer: str, inner: str) -> list[Any]:
    """Europe PMC wraps lists twice: {"authorList": {"author": [...]}}."""
    value = ((obj or {}).get(outer) or {})
    value = value.get(inner) if isinstance(value, dict) else None
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def split_abstract(raw: str | None) -> list[AbstractSection]:
    """Sections of an abstract marked up with <h4>Heading</h4> (or leading <b>Heading</b>)."""
    if not clean(raw):
        return []
    text = raw.strip()
    if _HEADING.search(text):
        pieces = _HEADING.split(text)
    elif text.lower().startswith("<b>") and len(_BOLD_HEADING.findall(text)) >= 2:
        pieces = _BOLD_HEADING.split(text)
    else:
        body = strip_markup(text).strip()
        return [AbstractSection(text=body)] if body else []
    sections = []
    lead = strip_markup(pieces[0]).strip()
    if lead:
        sections.append(AbstractSection(text=lead))
    for label, body in zip(pieces[1::2], pieces[2::2]):
        label = strip_markup(label).strip().rstrip(":").strip() or None
        body = strip_markup(body).strip()
        if body:
            sections.append(AbstractSection(text=body, label=label, category=None))
    return sections


def _author(a: dict[str, Any]) -> Author:
    if a.get("collectiveName") and not a.get("lastName"):
        return Author(collective=clean(a["collectiveName"]))
    orcid = None
    aid = a.get("authorId")
    if isinstance(aid, dict) and str(aid.get("type", "")).upper() == "ORCID":
        orcid = clean(aid.get("value"))
    affiliations = [clean(x.get("affiliation")) for x in _listed(a, "authorAffiliationDetailsList", "authorAffiliation")]
    return Author(
        family=clean(a.get("lastName")) or (None if a.get("firstName") else clean(a.get("fullName"))),
        given=clean(a.get("firstName")),
        initials=clean(a.get("initials")),
        orcid=orcid,
        affiliations=[x for x in affiliations if x],
    )


def _authors_from_string(text: str | None) -> list[Author]:
    """Lite results: "Schoenfeld JD, Haas-Kogan DA, O'Neill AF." -> family + initials."""
    out = []
    for part in (clean(text) or "").rstrip(".").split(", "):
        part = part.strip()
        if not part or part.lower() in ("et al", "et al."):
            continue
        family, _, initials = part.rpartition(" ")
        if family and re.fullmatch(r"[A-Z]{1,4}", initials):
            out.append(Author(family=family, initials=initials))
        else:
            out.append(Author(collective=part))  # a group name ("COVID-19 Study Group")
    return out


def _journal(r: dict[str, Any]) -> Journal:
    ji = r.get("journalInfo") or {}
    j = ji.get("journal") or {}
    issn_print, issn_e = clean(j.get("issn")), clean(j.get("essn"))
    if not ji and r.get("journalIssn"):  # lite: "0140-6736; 1474-547x; "
        parts = [p.strip().upper() for p in str(r["journalIssn"]).split(";") if p.strip()]
        issn_print = parts[0] if parts else None
        issn_e = parts[1] if len(parts) > 1 else None
    return Journal(
        title=clean(j.get("title")) or clean(r.get("journalTitle")) or clean((r.get("bookOrReportDetails") or {}).get("publisher")),
        iso_abbrev=clean(j.get("isoabbreviation")) or clean(j.get("medlineAbbreviation")),
        issn_print=issn_print,
        issn_electronic=issn_e,
        volume=clean(ji.get("volume")) or clean(r.get("journalVolume")),
        issue=clean(ji.get("issue")) or clean(r.get("issue")),
        pages=clean(r.get("pageInfo")),
    )


def _dates(r: dict[str, Any]) -> dict[str, Any]:
    ji = r.get("journalInfo") or {}
    out = {}
    d = parse_date_text(r.get("electronicPublicationDate"))
    if d:
        out["electronic"] = d
    issue = parse_date_text(ji.get("dateOfPublication"))
    if issue is None and ji.get("yearOfPublication"):
        issue = date_from_parts(int(ji["yearOfPublication"]), int(ji.get("monthOfPublication") or 0) or None)
    if issue is None:
        issue = parse_date_text(ji.get("printPublicationDate"))
    if issue is None and clean(r.get("pubYear")):
        issue = parse_date_text(str(r["pubYear"])[:4])
    if issue:
        out["issue"] = issue
    d = parse_date_text(r.get("firstPublicationDate"))
    if d:
        out["first_publication"] = d
    return out


def _mesh(r: dict[str, Any]) -> list[MeshHeading]:
    out = []
    for m in _listed(r, "meshHeadingList", "meshHeading"):
        if not clean(m.get("descriptorName")):
            continue
        quals = [MeshQualifier(name=q["qualifierName"], major=q.get("majorTopic_YN") == "Y")
                 for q in _listed(m, "meshQualifierList", "meshQualifier") if clean(q.get("qualifierName"))]
        out.append(MeshHeading(descriptor=clean(m["descriptorName"]), major=m.get("majorTopic_YN") == "Y", qualifiers=quals))
    return out


def _link_kind(cc_type: str, this_is_preprint: bool) -> str:
    """Europe PMC's commentCorrection type ("Erratum for", "Retraction in", ...) as a Link kind."""
    t = cc_type.strip().lower()
    if "preprint" in t or "published" in t:  # a preprint <-> its journal version
        return "published-as" if this_is_preprint else "has-preprint"
    if t == "retraction in":
        return "retracted-by"
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


def _links(r: dict[str, Any], is_preprint: bool) -> list[Link]:
    links = []
    for cc in _listed(r, "commentCorrectionList", "commentCorrection"):
        source, cid = clean(cc.get("source")) or "", clean(cc.get("id"))
        kind = _link_kind(str(cc.get("type") or "comment"), is_preprint)
        link = Link(kind=kind, text=clean(cc.get("reference")))
        if source == "MED" and cid and cid.isdigit():
            link.pmid = cid
        elif cid:
            link.accession, link.databank = f"{source}:{cid}" if source else cid, "Europe PMC"
        links.append(link)
    return links


def record_from_result(result: dict[str, Any], *, origin: str, source: str = "europepmc",
                       location: str | None = None) -> Record:
    """One Europe PMC search result (core, lite or idlist) as a Record."""
    src = clean(result.get("source"))
    rid = clean(result.get("id"))
    pmid = clean(result.get("pmid"))
    pmcid = normalize_pmcid(result.get("pmcid"))
    if not pmcid:
        pmcid = next((normalize_pmcid(x) for x in _listed(result, "fullTextIdList", "fullTextId") if normalize_pmcid(x)), None)
    ids = Ids(
        pmid=pmid if pmid and pmid.isdigit() else None,
        pmcid=pmcid,
        doi=normalize_doi(result.get("doi")),
        europepmc=f"{src}:{rid}" if src and rid else rid,
    )
    if not any((ids.pmid, ids.pmcid, ids.doi, ids.europepmc)):
        raise ValueError("result without any identifier")
    pub_types = [clean(p) for p in _listed(result, "pubTypeList", "pubType")]
    if not pub_types and clean(result.get("pubType")):  # lite: "journal article"
        pub_types = [clean(p) for p in str(result["pubType"]).split(";")]
    pub_types = [p for p in pub_types if p]
    is_preprint = src == "PPR" or any(p.lower() in _PREPRINT_TYPES for p in pub_types)
    authors = [_author(a) for a in _listed(result, "authorList", "author") if isinstance(a, dict)]
    grants = [Grant(grant_id=clean(g.get("grantId")), agency=clean(g.get("agency")), acronym=clean(g.get("acronym")))
              for g in _listed(result, "grantsList", "grant") if isinstance(g, dict)]
    extra: dict[str, Any] = {}
    for key in ("publicationStatus", "pubModel", "isOpenAccess", "citedByCount"):
        if result.get(key) not in (None, ""):
            extra[re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()] = result[key]
    if result.get("authorString") and not authors:
        authors = _authors_from_string(result["authorString"])
    title = strip_markup(result.get("title")).strip() or None
    return Record(
        kind="preprint" if is_preprint else "article",
        ids=ids,
        title=title,
        abstract=split_abstract(result.get("abstractText")),
        authors=[a for a in authors if a.family or a.given or a.collective],
        journal=_journal(result),
        dates=_dates(result),
        publication_types=pub_types,
        mesh=_mesh(result),
        keywords=[k for k in (clean(x) for x in _listed(result, "keywordList", "keyword")) if k],
        language=clean(result.get("language")),
        grants=grants,
        links=_links(result, is_preprint),
        provenance=[make_provenance(source, origin, result, location)],
        extra=extra,
    )


def _salvage(text: str) -> dict[str, Any] | None:
    items = salvage_items(text, "result")
    return {"resultList": {"result": items}} if items else None


def read_stream(stream: BinaryIO, *, origin: str) -> Iterator[Record | ParseIssue]:
    """Records from one whole Europe PMC search reply (`resultList.result`)."""
    data, issues = load_json(stream, origin, salvage=_salvage)
    yield from issues
    if not isinstance(data, dict) or not isinstance(data.get("resultList"), dict):
        raise ParseError("not a Europe PMC search reply: no 'resultList'", path=origin)
    results = data["resultList"].get("result") or []
    if not isinstance(results, list):
        raise ParseError("'resultList.result' is not a list", path=origin)
    for n, result in enumerate(results, 1):
        where = f"result {n}"
        try:
            yield record_from_result(result, origin=origin, source="file:europepmc", location=where)
        except ITEM_ERRORS as exc:
            yield ParseIssue(origin, where, f"cannot read result: {exc!r}")
