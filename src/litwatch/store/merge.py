"""How source copies of one work become one record, and how duplicates are recognised.

Strong ids (pmid, doi, pmcid, nct) decide sameness outright, unless another strong id of the two
contradicts it (a PMCID shared by records with different PMIDs is a wrong PMCID, not one work).
Without a shared id, a normalised title + first-author family name + year match above
FUZZY_THRESHOLD proposes a duplicate, merged only when exactly one stored record qualifies, no
strong id of the same kind disagrees, and the titles name the same part of a series: titles that
differ in a part, volume, phase or other number, or in a "Reply" / "Erratum" / "Correction" marker,
are distinct works however alike ("...: Part 1" and "...: Part 2" by one author in one year).

A record without an author is blocked by year and the first significant words of its title, so
that a large file without authors does not put every record of a year in one block.

Versions: the copies of one item of a source that publishes versions of its records (a PMID from
PubMed baseline and update files, an NCT id from ClinicalTrials.gov, a DOI from Crossref) are
versions, not duplicates. The newest replaces the others in the merged record, whose provenance
still lists every copy: the one with the later revision date (PubMed DateRevised, the registry's
last update) when every copy has one, else the one stored last. Copies from different sources,
and per-file copies of general formats (RIS, BibTeX, CSV: one file's DOI is no other file's
version) and of Europe PMC (its lite and core results are partial views of one version), merge
as before.
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
    "VERSIONED_SOURCES",
    "version_key",
    "current_copies",
    "merge_records",
    "ids_conflict",
    "title_score",
    "title_key",
    "same_series_part",
    "strong_from_text",
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
    family = _family(record)
    if family:
        return f"{year}|{family}"
    return f"{year}|~{title_key(normalize_title(record.title))}"


_MINOR = frozenset("a an and are as at be by for from in into is of on or the to with without its their this "
                   "that via vs versus".split())


def title_key(norm_title: str) -> str:
    """The first two and the last words of a normalised title that carry meaning: the block of a
    record without authors.

    Titles alike enough to be one work (FUZZY_THRESHOLD) nearly always share them, and they spread
    a year's records over many small blocks instead of one: the 6,241 titles of the shared
    screening sets fall into 6,015 blocks, none of more than 8.
    """
    words = [w for w in norm_title.split() if len(w) > 2 and w not in _MINOR and not w.isdigit()]
    return "-".join(words[:2] + words[-1:] if len(words) > 2 else words) or norm_title[:12]


# -- parts of a series ---------------------------------------------------------------------
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
          "xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
          "eighth": 8, "ninth": 9, "tenth": 10}
_SERIES = re.compile(r"\b(part|parts|pt|volume|vol|series|phase|chapter|section|paper|study|no|number|issue|"
                     r"report|supplement|suppl|book|stage|wave|round|session|trial|cohort|lecture|article)\s+"
                     r"([ivx]+|\d+|" + "|".join(_WORDS) + r")\b")
_MARKERS = re.compile(r"\b(reply|replies|response|responses|rejoinder|erratum|errata|corrigendum|corrigenda|"
                      r"correction|corrections|retraction|retracted|retract|withdrawn|withdrawal|addendum|"
                      r"comment|comments|commentary|letter|editorial|expression of concern|author s reply|"
                      r"in reply|republished|reprint|update|updated|protocol|abstract|summary|synopsis)\b")
_NUMBER = re.compile(r"\b\d+\b")


def _marks(norm_title: str) -> tuple[frozenset, frozenset, tuple]:
    series = frozenset((kind.rstrip("s") if kind != "series" else kind,
                        _ROMAN.get(n) or _WORDS.get(n) or int(n) if n.isdigit() or n in _ROMAN or n in _WORDS else n)
                       for kind, n in _SERIES.findall(norm_title))
    markers = frozenset(m.replace("s reply", " reply") for m in _MARKERS.findall(norm_title))
    numbers = tuple(sorted(_NUMBER.findall(_SERIES.sub(" ", norm_title))))  # other numbers: "12-month", "2019"
    return series, markers, numbers


def same_series_part(a: str, b: str) -> bool:
    """Whether two normalised titles can name one work: the same part/volume/phase numbers, the same
    numbers at all, and the same reply / erratum / correction markers."""
    if a == b:
        return True
    return _marks(a) == _marks(b)


def strong_from_text(text: str | None) -> dict[str, str]:
    """The strong ids of a record as the store keeps them in records.strong_ids ("pmid:1 doi:10.x/y")."""
    out: dict[str, str] = {}
    for part in (text or "").split(" "):
        kind, _, value = part.partition(":")
        if value and kind not in out:
            out[kind] = value
    return out


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


# Sources whose copies of one item (same source, same item_key) are versions of one record.
VERSIONED_SOURCES: frozenset[str] = frozenset({
    "pubmed", "file:pubmed-xml", "file:medline",
    "clinicaltrials", "file:ctgov-json", "file:ctgov-csv",
    "crossref", "file:crossref",
})
_REVISION_KEYS = ("last_revised", "last_update")  # PubMed DateRevised / MEDLINE LR; a registry's last update


def version_key(record: Record) -> tuple[str, str] | None:
    """(source, item key) shared by the versions of one item of a versioned source, else None."""
    source = record.provenance[0].source if record.provenance else ""
    if source not in VERSIONED_SOURCES:
        return None
    key = item_key(record)
    return None if key.startswith("title:") else (source, key)


def _revision(record: Record) -> str | None:
    for key in _REVISION_KEYS:
        d = record.dates.get(key)
        if d is not None:
            return d.value
    return None


def current_copies(copies: list[Record]) -> tuple[list[Record], dict[int, list[Record]]]:
    """(the copies that count, {index in that list: the older versions it replaces, newest first}).

    `copies` are in the order they were first stored. Among the versions of one item the newest
    counts: by revision date when every version has one, else the one stored last, so importing
    an older file after a newer one never brings the older values back."""
    groups: dict[tuple[str, str], list[int]] = {}
    for n, c in enumerate(copies):
        key = version_key(c)
        if key is not None:
            groups.setdefault(key, []).append(n)
    if all(len(g) == 1 for g in groups.values()):
        return list(copies), {}
    winner_of: dict[int, list[int]] = {}
    dropped: set[int] = set()
    for members in groups.values():
        if len(members) == 1:
            continue
        revisions = [_revision(copies[n]) for n in members]
        if all(revisions):
            order = sorted(zip(revisions, members), reverse=True)
            ranked = [n for _, n in order]
        else:
            ranked = sorted(members, reverse=True)
        winner_of[ranked[0]] = ranked[1:]
        dropped.update(ranked[1:])
    current, older = [], {}
    for n, c in enumerate(copies):
        if n in dropped:
            continue
        if n in winner_of:
            older[len(current)] = [copies[m] for m in winner_of[n]]
        current.append(c)
    return current, older


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
    """One record from every source's copy: the best-ranked source's values, gaps filled from the rest.

    `copies` in the order they were stored; an item's older versions give no values, only their
    provenance (after that of the version that replaces them), see current_copies."""
    current, older = current_copies(copies)
    ranked = sorted(range(len(current)), key=lambda n: _rank(current[n]))
    ordered = [current[n] for n in ranked]
    merged = Record.from_dict(ordered[0].to_dict())
    merged.provenance = []
    for n in ranked:
        merged.provenance.extend(current[n].provenance)
        for old in older.get(n, ()):
            merged.provenance.extend(old.provenance)
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
