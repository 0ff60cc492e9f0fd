"""How source copies of one work become one record, and how duplicates are recognised.

Strong ids (pmid, doi, pmcid, nct) decide sameness outright. Without a shared id, a normalised
title + first-author family name + year match above FUZZY_THRESHOLD proposes a duplicate, merged
only when exactly one stored record qualifies and no strong id of the same kind disagrees.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import fields

from rapidfuzz import fuzz

from litwatch.records import STRONG_ID_FIELDS, Ids, Record

__all__ = [
    "FUZZY_THRESHOLD",
    "SOURCE_PRIORITY",
    "normalize_title",
    "fuzzy_block",
    "item_key",
    "merge_records",
    "ids_conflict",
    "title_score",
]

FUZZY_THRESHOLD = 93.0

# Which source's value wins a field when copies disagree: curated bibliographic sources first.
SOURCE_PRIORITY: tuple[str, ...] = (
    "pubmed",
    "file:pubmed-xml",
    "file:medline",
    "clinicaltrials",
    "file:ctgov-json",
    "file:ctgov-csv",
    "europepmc",
    "file:europepmc",
    "file:jats",
    "crossref",
    "file:crossref",
)

_NON_WORD = re.compile(r"[^\w]+")


def normalize_title(title: str | None) -> str:
    if not title:
        return ""
    if title.isascii():
        text = title.lower()
    else:
        text = unicodedata.normalize("NFKD", title)
        text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub(" ", text).strip()


def _family(record: Record) -> str:
    author = record.first_author
    if author is None:
        return ""
    name = author.family or author.collective or ""
    return normalize_title(name).split(" ")[-1] if name else ""


def fuzzy_block(record: Record) -> str | None:
    """Candidates for a fuzzy duplicate share this key; None when the record cannot be matched fuzzily."""
    year = record.year
    if not record.title or year is None:
        return None
    return f"{year}|{_family(record)}"


def title_score(a: Record, b: Record) -> float:
    return fuzz.ratio(normalize_title(a.title), normalize_title(b.title))


def ids_conflict(a: Ids, b: Ids) -> bool:
    """True when both have a strong id of the same kind and the values differ: not the same work."""
    return any(getattr(a, k) and getattr(b, k) and getattr(a, k) != getattr(b, k) for k in STRONG_ID_FIELDS)


def item_key(record: Record) -> str:
    """The identity of a record inside its own source, used to recognise a re-import."""
    for kind in ("pmid", "nct", "doi", "pmcid", "europepmc"):
        value = getattr(record.ids, kind)
        if value:
            return f"{kind}:{value}"
    return "title:" + normalize_title(record.title) + f"|{record.year or ''}|{_family(record)}"


def _rank(record: Record) -> int:
    source = record.provenance[0].source if record.provenance else ""
    try:
        return SOURCE_PRIORITY.index(source)
    except ValueError:
        return len(SOURCE_PRIORITY)


def _empty(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _fill(target: object, other: object) -> None:
    for f in fields(target):  # type: ignore[arg-type]
        if _empty(getattr(target, f.name)) and not _empty(getattr(other, f.name)):
            setattr(target, f.name, getattr(other, f.name))


def merge_records(copies: list[Record]) -> Record:
    """One record from every source's copy: the best-ranked source's values, gaps filled from the rest."""
    ordered = sorted(copies, key=_rank)
    merged = Record.from_dict(ordered[0].to_dict())
    merged.provenance = []
    for other in ordered:
        merged.provenance.extend(other.provenance)
    for other in ordered[1:]:
        _fill(merged.ids, other.ids)
        _fill(merged.journal, other.journal)
        for name in ("title", "abstract", "authors", "publication_types", "mesh", "keywords", "language",
                     "grants", "references", "body"):
            if _empty(getattr(merged, name)) and not _empty(getattr(other, name)):
                setattr(merged, name, getattr(other, name))
        for key, value in other.dates.items():
            merged.dates.setdefault(key, value)
        known_links = {(link.kind, link.pmid, link.doi, link.accession) for link in merged.links}
        for link in other.links:
            if (link.kind, link.pmid, link.doi, link.accession) not in known_links:
                merged.links.append(link)
        if merged.trial is None and other.trial is not None:
            merged.trial = other.trial
        for key, value in other.extra.items():
            merged.extra.setdefault(key, value)
        if merged.kind == "other" and other.kind != "other":
            merged.kind = other.kind
    merged.deleted = all(c.deleted for c in copies)
    return merged
