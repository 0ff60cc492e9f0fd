"""Article collections as a JSON object keyed by PMID (the GutBrainIE shape).

    {"36532064": {"title": ..., "author": "Maria L Elkjaer; Lukas Simon", "journal": ...,
                  "year": "2022", "abstract": ...}, ...}

Each value becomes a Record with `ids.pmid` = the key (when it is a PMID); authors are
"; "-separated "Given Family" names.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from litwatch.errors import ParseError
from litwatch.formats._readers_common import (
    ITEM_ERRORS, clean, load_json, make_provenance, parse_date_text, salvage_object, split_authors,
)
from litwatch.formats.base import ParseIssue
from litwatch.records import AbstractSection, Ids, Journal, Record, normalize_doi, normalize_pmcid

__all__ = ["read_stream", "record_from_article"]


def record_from_article(key: str, article: dict[str, Any], *, origin: str, location: str | None = None) -> Record:
    """One value of the PMID-keyed object as a Record."""
    if not isinstance(article, dict):
        raise TypeError(f"expected an object, got {type(article).__name__}")
    pmid = clean(article.get("pmid")) or clean(key)
    title = clean(article.get("title"))
    pmid = pmid if pmid and pmid.isdigit() else None
    if not title and not pmid:
        raise ValueError("no title and no PMID")
    authors = article.get("author", article.get("authors"))
    if isinstance(authors, list):
        authors = "; ".join(str(a) for a in authors)
    date = parse_date_text(str(article["year"])) if article.get("year") not in (None, "") else None
    abstract = article.get("abstract")
    return Record(
        kind="article",
        ids=Ids(pmid=pmid, doi=normalize_doi(article.get("doi")), pmcid=normalize_pmcid(article.get("pmcid"))),
        title=title,
        abstract=[AbstractSection(text=t) for t in (clean(x) for x in str(abstract or "").split("\n")) if t],
        authors=split_authors(authors if isinstance(authors, str) else None),
        journal=Journal(title=clean(article.get("journal"))),
        dates={"issue": date} if date else {},
        provenance=[make_provenance("file:json-articles", origin, {key: article}, location)],
    )


def read_stream(stream: BinaryIO, *, origin: str) -> Iterator[Record | ParseIssue]:
    """Records from a JSON object keyed by PMID."""
    data, issues = load_json(stream, origin, salvage=lambda text: salvage_object(text) or None)
    yield from issues
    if not isinstance(data, dict):
        raise ParseError("expected a JSON object keyed by PMID", path=origin)
    for n, (key, article) in enumerate(data.items(), 1):
        where = f"article {n} (key {key!r})"
        try:
            yield record_from_article(str(key), article, origin=origin, location=where)
        except ITEM_ERRORS as exc:
            yield ParseIssue(origin, where, f"cannot read article: {exc}")
