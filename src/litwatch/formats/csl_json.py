"""CSL-JSON (an array of CSL items, as Zotero, Mendeley, pandoc and litwatch's export write it).

Types: article-journal -> article; article with genre "preprint" (or type "preprint") ->
preprint; report with an NCT number -> trial; any other type -> kind "other" with
`extra["csl_type"]` kept, so an export writes it back. Identifiers come from DOI, PMID,
PMCID and `number` (an NCT id); "litwatch prior_label: n" in `note` is read back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from litwatch.errors import ParseError
from litwatch.formats._readers_common import (
    ITEM_ERRORS, clean, date_from_parts, load_json, make_provenance, parse_date_text, salvage_items,
)
from litwatch.formats.base import ParseIssue
from litwatch.records import (
    AbstractSection, Author, Ids, Journal, Record, Trial, normalize_doi, normalize_nct, normalize_pmcid,
)

__all__ = ["read_stream", "record_from_csl"]

_LABEL = re.compile(r"litwatch prior_label:\s*(-?\d+)")


def _date(value: Any) -> Any:
    if not isinstance(value, dict):
        return parse_date_text(value) if isinstance(value, str) else None
    parts = value.get("date-parts")
    if parts and isinstance(parts, list) and parts[0]:
        try:
            nums = [int(str(p)) for p in parts[0] if str(p).strip()]
        except ValueError:
            nums = []
        if nums:
            return date_from_parts(nums[0], nums[1] if len(nums) > 1 else None, nums[2] if len(nums) > 2 else None)
    return parse_date_text(value.get("raw") or value.get("literal"))


def _authors(names: Any) -> list[Author]:
    out = []
    for n in names if isinstance(names, list) else []:
        if not isinstance(n, dict):
            continue
        if clean(n.get("literal")):
            out.append(Author(collective=clean(n["literal"])))
            continue
        particle = " ".join(filter(None, (clean(n.get("non-dropping-particle")), clean(n.get("family")))))
        given = clean(n.get("given"))
        if particle or given:
            initials = "".join(p[0].upper() for p in re.split(r"[\s.\-]+", given or "") if p) or None
            out.append(Author(family=particle or None, given=given, initials=initials))
    return out


def record_from_csl(item: dict[str, Any], *, origin: str, location: str | None = None) -> Record:
    """One CSL-JSON item as a Record."""
    ctype = clean(item.get("type")) or "article"
    number = clean(item.get("number"))
    ids = Ids(
        doi=normalize_doi(item.get("DOI")),
        pmid=clean(str(item["PMID"])) if str(item.get("PMID", "")).strip().isdigit() else None,
        pmcid=normalize_pmcid(item.get("PMCID")),
        nct=normalize_nct(number) if number else None,
    )
    source = clean(item.get("source")) or ""
    if m := re.match(r"Europe PMC (\S+)", source):
        ids.europepmc = m.group(1)
    title = clean(item.get("title"))
    if not title and not ids.strong():
        raise ValueError("item without a title or an identifier")
    genre = (clean(item.get("genre")) or "").lower()
    if ctype == "article-journal":
        kind = "article"
    elif ctype == "preprint" or (ctype == "article" and genre == "preprint"):
        kind = "preprint"
    elif ctype == "report" and ids.nct:
        kind = "trial"
    else:
        kind = "other"
    extra: dict[str, Any] = {}
    if kind == "other":
        extra["csl_type"] = ctype
    if m := _LABEL.search(clean(item.get("note")) or ""):
        extra["prior_label"] = int(m.group(1))
    url = clean(item.get("URL"))
    if url and "doi.org/" not in url and kind != "trial":
        extra["url"] = url
    keywords = item.get("keyword")
    keywords = keywords if isinstance(keywords, list) else re.split(r"[,;]", str(keywords or ""))
    issued = _date(item.get("issued"))
    issn = item.get("ISSN")
    issn = issn[0] if isinstance(issn, list) and issn else issn
    abstract = str(item.get("abstract") or "")
    return Record(
        kind=kind,  # type: ignore[arg-type]
        ids=ids,
        title=title,
        abstract=[AbstractSection(text=t) for t in (clean(x) for x in abstract.split("\n")) if t],
        authors=_authors(item.get("author")),
        journal=Journal(
            title=clean(item.get("container-title")),
            iso_abbrev=clean(item.get("container-title-short")) or clean(item.get("journalAbbreviation")),
            issn_print=clean(issn) if isinstance(issn, str) else None,
            volume=clean(item.get("volume")),
            issue=clean(item.get("issue")),
            pages=clean(item.get("page")),
            publisher=None if kind == "trial" else clean(item.get("publisher")),
        ),
        dates={"issue": issued} if issued else {},
        keywords=[k for k in (clean(x) for x in keywords) if k],
        language=clean(item.get("language")),
        trial=Trial(url=url, status=clean(item.get("status"))) if kind == "trial" else None,
        provenance=[make_provenance("file:csl-json", origin, item, location)],
        extra=extra,
    )


def read_stream(stream: BinaryIO, *, origin: str) -> Iterator[Record | ParseIssue]:
    """Records from a CSL-JSON array (a single item object is accepted too)."""
    data, issues = load_json(stream, origin, salvage=lambda text: salvage_items(text, None) or None)
    yield from issues
    if isinstance(data, dict) and "type" in data:
        data = [data]
    if not isinstance(data, list):
        raise ParseError("expected a CSL-JSON array of items", path=origin)
    for n, item in enumerate(data, 1):
        where = f"item {n}"
        try:
            if not isinstance(item, dict):
                raise TypeError(f"expected an object, got {type(item).__name__}")
            yield record_from_csl(item, origin=origin, location=where)
        except ITEM_ERRORS as exc:
            yield ParseIssue(origin, where, f"cannot read item: {exc}")
