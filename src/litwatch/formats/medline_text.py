"""MEDLINE text format (PubMed "Save as PubMed format": .txt, .nbib).

Each record starts with `PMID- `; a line is a four-character tag, "- ", and a value; lines
opening with six spaces continue the previous value (joined with one space). Records are
separated by blank lines. Read line by line, so memory does not grow with the file.

Mapping choices worth knowing:
- AD belongs to the author named by the FAU/AU before it; an AD before any author (older
  records) goes to the first author.
- AB is one paragraph; when it opens with an upper-case label ("BACKGROUND: ... METHODS: ...")
  it is split into labelled sections, with the NLM category for the usual labels.
- MH "*Descriptor/qualifier/*qualifier": "*" marks a major topic.
- PHST dates fill the PubMed history (pubmed, entrez, medline, received, accepted, ...);
  EDAT -> pubmed, CRDT -> entrez, MHDA -> medline only where PHST lacks them (PHST [entrez]
  is the CRDT time and [pubmed] the EDAT time). DA -> created, DCOM -> completed,
  LR -> last_revised, DP -> issue, DEP -> electronic.
- CIN/CON/EIN/EFR/RIN/ROF/... become Links (same kinds as the PubMed XML reader); SI
  "ClinicalTrials.gov/NCT..." becomes a databank Link (ids.nct stays empty: the article is
  not the trial).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import BinaryIO

from litwatch.clock import utc_now
from litwatch.errors import ParseError
from litwatch.formats.base import ParseIssue
from litwatch.formats.dates import parse_date_text
from litwatch.records import (
    AbstractSection,
    Author,
    DateValue,
    Grant,
    Link,
    MeshHeading,
    MeshQualifier,
    Provenance,
    Record,
    normalize_doi,
    normalize_pmcid,
)

__all__ = ["read_stream", "parse_record", "split_structured_abstract", "label_category", "COMMENT_TAGS", "SOURCE"]

SOURCE = "file:medline"

# MEDLINE comment/correction tags -> Link.kind (as the XML reader names CommentsCorrections)
COMMENT_TAGS: dict[str, str] = {
    "CIN": "comment-in",
    "CON": "comment-on",
    "EIN": "erratum-in",
    "EFR": "erratum-for",
    "RIN": "retracted-by",
    "ROF": "retraction-of",
    "PRIN": "partial-retraction-in",
    "PROF": "partial-retraction-of",
    "UIN": "update-in",
    "UOF": "update-of",
    "RPI": "republished-in",
    "RPF": "republished-from",
    "RRI": "retracted-and-republished-in",
    "RRF": "retracted-and-republished-from",
    "CRI": "corrected-and-republished-in",
    "CRF": "corrected-and-republished-from",
    "ECI": "expression-of-concern-in",
    "ECF": "expression-of-concern-for",
    "SPIN": "summary-for-patients-in",
    "ORI": "original-report-in",
    "DDIN": "dataset-described-in",
    "DRIN": "dataset-use-reported-in",
}

_HISTORY_FALLBACK = {"EDAT": "pubmed", "CRDT": "entrez", "MHDA": "medline"}
_SIMPLE_DATES = {"DA": "created", "DCOM": "completed", "LR": "last_revised", "DP": "issue", "DEP": "electronic"}

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
_PMID_IN = re.compile(r"PMID:\s*(\d+)")
_BRACKET = re.compile(r"^(.*?)\s*\[([a-z-]+)\]\s*$")
_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])")
_LABEL = re.compile(r"(?:^|(?<=[.!?)\]] ))([A-Z][A-Z0-9&,/'()\- ]{1,60}[A-Z)]):\s+")

# usual structured-abstract labels -> NLM category
_CATEGORIES: dict[str, str] = {}
for _cat, _labels in {
    "BACKGROUND": "BACKGROUND INTRODUCTION CONTEXT RATIONALE PURPOSE OF REVIEW",
    "OBJECTIVE": "OBJECTIVE OBJECTIVES AIM AIMS PURPOSE GOAL GOALS HYPOTHESIS",
    "METHODS": "METHODS METHOD DESIGN SETTING PARTICIPANTS PATIENTS INTERVENTIONS INTERVENTION"
    " MEASUREMENTS MATERIALS AND METHODS METHODOLOGY STUDY DESIGN MAIN OUTCOME MEASURES",
    "RESULTS": "RESULTS RESULT FINDINGS",
    "CONCLUSIONS": "CONCLUSIONS CONCLUSION INTERPRETATION DISCUSSION IMPLICATIONS",
}.items():
    for _label in _labels.split(" "):
        _CATEGORIES[_label] = _cat
_CATEGORIES.update(
    {
        "MATERIALS AND METHODS": "METHODS",
        "STUDY DESIGN": "METHODS",
        "MAIN OUTCOME MEASURES": "METHODS",
        "PURPOSE OF REVIEW": "OBJECTIVE",
        "CONCLUSIONS AND RELEVANCE": "CONCLUSIONS",
        "RECENT FINDINGS": "RESULTS",
        "PRINCIPAL FINDINGS": "RESULTS",
        "METHODOLOGY/PRINCIPAL FINDINGS": "METHODS",
        "SUMMARY": "UNASSIGNED",
    }
)
for _multi in ("MATERIALS", "AND", "STUDY", "MAIN", "OUTCOME", "MEASURES", "OF", "REVIEW"):
    _CATEGORIES.pop(_multi, None)


def read_stream(stream: BinaryIO, *, origin: str, source: str = SOURCE) -> Iterator[Record | ParseIssue]:
    """Yield a Record per MEDLINE record (or a ParseIssue for one that cannot be read)."""
    retrieved_at = utc_now()
    count = 0
    saw_content = False
    for start_line, lines, issue in _records(stream, origin):
        if issue is not None:
            yield issue
            continue
        if not saw_content:
            saw_content = True
            if not lines[0][1].startswith("PMID"):
                raise ParseError(
                    f"not MEDLINE text: the first line is {lines[0][1][:40]!r}",
                    path=origin,
                    hint="MEDLINE records start with 'PMID- '; choose another --format",
                )
        count += 1
        where = f"record {count} (line {start_line})"
        try:
            rec = parse_record([text for _, text in lines])
        except ValueError as exc:
            yield ParseIssue(origin, where, str(exc))
            continue
        raw = "\n".join(text for _, text in lines).encode("utf-8")
        rec.provenance.append(
            Provenance(
                source=source,
                origin=origin,
                retrieved_at=retrieved_at,
                raw_hash=hashlib.sha1(raw).hexdigest(),
                location=f"record {count}",
            )
        )
        yield rec
    if not saw_content:
        raise ParseError("empty file", path=origin, hint="expected MEDLINE text ('PMID- ...')")


def _records(stream: BinaryIO, origin: str) -> Iterator[tuple[int, list[tuple[int, str]], ParseIssue | None]]:
    """(line number of the record's first line, its (line number, text) lines, None) per record;
    (line, [], ParseIssue) for a line that is not text."""
    lines: list[tuple[int, str]] = []
    start = 0
    warned = False
    for number, raw in enumerate(stream, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            if not warned:  # once: the line is read, not skipped
                warned = True
                yield number, [], ParseIssue(origin, f"line {number}", "not valid UTF-8: read with Latin-1 (and so "
                                             "every such line after it); nothing was skipped", warning=True)
            text = raw.decode("latin-1")
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        if text.startswith("PMID-") and lines:
            yield start, lines, None
            lines = []
        if not lines:
            start = number
        lines.append((number, text))
    if lines:
        yield start, lines, None


def _fields(lines: list[str]) -> list[tuple[str, str]]:
    """(tag, value) pairs in order, continuation lines joined with one space."""
    out: list[tuple[str, str]] = []
    for line in lines:
        if line.startswith("      ") or line.startswith("\t"):
            if not out:
                raise ValueError("a continuation line before any tag")
            tag, value = out[-1]
            out[-1] = (tag, f"{value} {line.strip()}" if value else line.strip())
            continue
        m = _TAG_LINE.match(line)
        if not m:
            raise ValueError(f"not a MEDLINE line: {line[:40]!r}")
        out.append((m.group(1), m.group(2).rstrip()))
    return out


def parse_record(lines: list[str]) -> Record:
    """One MEDLINE record (its text lines) as a Record; ValueError when it has no usable PMID."""
    rec = Record()
    pending_affiliations: list[str] = []
    fallback_dates: dict[str, DateValue] = {}
    for tag, value in _fields(lines):
        if not value:
            continue
        handler = _HANDLERS.get(tag)
        if handler is not None:
            handler(rec, value)
        elif tag in ("FAU", "AU", "CN"):
            _author(rec, tag, value, pending_affiliations)
        elif tag == "AD":
            if rec.authors:
                rec.authors[-1].affiliations.append(value)
            else:
                pending_affiliations.append(value)
        elif tag == "AUID":
            if rec.authors:
                rec.authors[-1].orcid = _orcid(value)
        elif tag in COMMENT_TAGS:
            m = _PMID_IN.search(value)
            rec.links.append(Link(kind=COMMENT_TAGS[tag], pmid=m.group(1) if m else None, text=value))
        elif tag == "PHST":
            _history(rec, value)
        elif tag in _SIMPLE_DATES:
            d = parse_date_text(value)
            if d is not None:
                rec.dates.setdefault(_SIMPLE_DATES[tag], d)
        elif tag in _HISTORY_FALLBACK:
            d = parse_date_text(value.split(" ")[0])
            if d is not None:
                fallback_dates.setdefault(_HISTORY_FALLBACK[tag], d)
    for key, d in fallback_dates.items():
        rec.dates.setdefault(key, d)
    if pending_affiliations and rec.authors and not rec.authors[0].affiliations:
        rec.authors[0].affiliations.extend(pending_affiliations)
    if not rec.ids.pmid:
        raise ValueError("record without a PMID")
    if "Preprint" in rec.publication_types:
        rec.kind = "preprint"
    return rec


def _pmid(rec: Record, value: str) -> None:
    pmid = value.strip()
    if not pmid.isdigit():
        raise ValueError(f"PMID {pmid!r} is not a number")
    rec.ids.pmid = pmid


def _title(rec: Record, value: str) -> None:
    rec.title = value


def _abstract(rec: Record, value: str) -> None:
    rec.abstract = split_structured_abstract(value)


def split_structured_abstract(text: str) -> list[AbstractSection]:
    """'BACKGROUND: x. METHODS: y.' -> labelled sections; otherwise one unlabelled section."""
    labels = list(_LABEL.finditer(text))
    if len(labels) < 2 or labels[0].start() != 0:
        return [AbstractSection(text)] if text else []
    out = []
    for i, m in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        body = text[m.end() : end].strip()
        label = m.group(1).strip()
        if body:
            out.append(AbstractSection(body, label, label_category(label)))
    return out


def label_category(label: str | None) -> str | None:
    """NLM category of a usual abstract section label ('Methods' -> 'METHODS'), else None."""
    if not label:
        return None
    key = label.strip().rstrip(":").strip().upper()
    if key in _CATEGORIES:
        return _CATEGORIES[key]
    # "Patients and methods", "Conclusions/Significance": the first part that is a usual label
    for part in re.split(r"\s*/\s*|\s+AND\s+|\s*,\s*", key):
        if part in _CATEGORIES:
            return _CATEGORIES[part]
    return None


def _author(rec: Record, tag: str, value: str, pending: list[str]) -> None:
    if tag == "CN":
        rec.authors.append(Author(collective=value))
    elif tag == "FAU":
        family, _, given = value.partition(",")
        rec.authors.append(Author(family=family.strip() or None, given=given.strip() or None))
    else:  # AU: "Mangalam H" -- the initials of the FAU just before, or a new author
        family, _, initials = value.rpartition(" ")
        last = rec.authors[-1] if rec.authors else None
        if last is not None and last.initials is None and last.collective is None and (
            last.family == family or not family
        ):
            last.initials = initials or None
        else:
            rec.authors.append(Author(family=family or value, initials=initials if family else None))


def _orcid(value: str) -> str | None:
    m = _ORCID.search(value)
    return "-".join(m.groups()).upper() if m else None


def _id_with_kind(rec: Record, value: str) -> None:
    """LID/AID: '10.1091/mbc.E22-12-0560 [doi]', 'S0140-6736(20)30001-2 [pii]'."""
    m = _BRACKET.match(value)
    if not m:
        return
    ident, kind = m.group(1), m.group(2)
    ids = rec.ids
    if kind == "doi" and not ids.doi:
        ids.doi = normalize_doi(ident)
    elif kind == "pii" and not ids.pii:
        ids.pii = ident
    elif kind == "pmc" and not ids.pmcid:
        ids.pmcid = normalize_pmcid(ident)


def _pmc(rec: Record, value: str) -> None:
    rec.ids.pmcid = normalize_pmcid(value) or rec.ids.pmcid


def _issn(rec: Record, value: str) -> None:
    """IS: '1939-4586 (Electronic)', '1059-1524 (Print)', '1059-1524 (Linking)'."""
    issn, _, kind = value.partition(" ")
    if "Electronic" in kind:
        rec.journal.issn_electronic = issn
    elif "Linking" in kind:
        rec.extra["issn_linking"] = issn
    else:
        rec.journal.issn_print = issn


def _language(rec: Record, value: str) -> None:
    if rec.language is None:
        rec.language = value
    else:
        rec.extra.setdefault("languages", [rec.language]).append(value)


def _mesh(rec: Record, value: str) -> None:
    parts = value.split("/")
    desc = parts[0]
    heading = MeshHeading(descriptor=desc.lstrip("*"), major=desc.startswith("*"))
    for q in parts[1:]:
        heading.qualifiers.append(MeshQualifier(name=q.lstrip("*"), major=q.startswith("*")))
    rec.mesh.append(heading)


def _grant(rec: Record, value: str) -> None:
    """'R01 DC008549/DC/NIDCD NIH HHS/United States' -> Grant (id may itself hold '/')."""
    parts = value.rsplit("/", 3)
    if len(parts) == 4:
        rec.grants.append(Grant(grant_id=parts[0] or None, acronym=parts[1] or None, agency=parts[2] or None,
                                country=parts[3] or None))
    else:
        rec.grants.append(Grant(grant_id=value))


def _databank(rec: Record, value: str) -> None:
    """SI: 'ClinicalTrials.gov/NCT00585195', 'GENBANK/AB123456'."""
    name, sep, acc = value.partition("/")
    rec.links.append(Link(kind="databank", accession=(acc if sep else name).strip(), databank=name if sep else None))


def _history(rec: Record, value: str) -> None:
    """PHST: '2023/05/17 13:10 [medline]' or '2005/06/17 [received]'."""
    m = _BRACKET.match(value)
    if not m:
        return
    d = parse_date_text(m.group(1).split(" ")[0])
    if d is not None:
        rec.dates.setdefault(m.group(2).replace("-", "_"), d)


def _set_extra(key: str):
    def put(rec: Record, value: str) -> None:
        rec.extra[key] = value

    return put


def _set_journal(attr: str):
    def put(rec: Record, value: str) -> None:
        setattr(rec.journal, attr, value)

    return put


def _add_list(attr: str):
    def put(rec: Record, value: str) -> None:
        getattr(rec, attr).append(value)

    return put


_HANDLERS = {
    "PMID": _pmid,
    "TI": _title,
    "BTI": _title,
    "AB": _abstract,
    "LID": _id_with_kind,
    "AID": _id_with_kind,
    "PMC": _pmc,
    "IS": _issn,
    "TA": _set_journal("iso_abbrev"),
    "JT": _set_journal("title"),
    "VI": _set_journal("volume"),
    "IP": _set_journal("issue"),
    "PG": _set_journal("pages"),
    "PB": _set_journal("publisher"),
    "PT": _add_list("publication_types"),
    "OT": _add_list("keywords"),
    "MH": _mesh,
    "LA": _language,
    "GR": _grant,
    "SI": _databank,
    "STAT": _set_extra("medline_status"),
    "PST": _set_extra("publication_status"),
    "TT": _set_extra("vernacular_title"),
}
