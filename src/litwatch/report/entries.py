"""One included paper as a report entry: where it is placed and by which date, its lead
institution, what it studied and found (in every language), from the record and its stored
annotations. Nothing is annotated here: a record without stored annotations gets an entry that
says so."""

from __future__ import annotations

import re
from typing import Any

from litwatch.records import DateValue, Record
from litwatch.report.digest import Finding, Paper
from litwatch.report.phrasing import Phraser, finding_sentences, studied_sentences, title_glosses
from litwatch.report.summary import study_class

__all__ = ["lead_institution", "placement", "make_paper", "record_ids", "record_url", "safe_url"]

# which record date places an entry, and what the entry calls it
_PLACING = (("electronic", "online"), ("issue", "issue"), ("pubmed", "pubmed"), ("entrez", "pubmed"))
# words that make an affiliation part an institution, strongest first (a university over its centre)
_STRONG = re.compile(r"universit|hospital|institut|academy|academia|college|polytechnic|"
                     r"大学|大學|医院|醫院|研究所|研究院|学院|學院|科学院|科學院", re.I)
_WEAK = re.compile(r"\b(?:centre|center|clinic|klinik|school|laborator\w*|foundation|council|ministry|agency|"
                   r"corporation|company|inc|ltd|llc|gmbh|plc|pharma\w*|biotech\w*|therapeutics|"
                   r"co\.?)\b|中心|实验室|實驗室|公司", re.I)
_UNIT = re.compile(r"^(?:department|dept|division|faculty|section|unit|program(?:me)?|group|team)\b|\bbranch\b", re.I)
_EMAIL = re.compile(r"(?:electronic address:\s*)?\S+@\S+", re.I)


def _parts(affiliation: str) -> list[str]:
    aff = _EMAIL.sub("", affiliation).strip(" .;")
    return [p.strip(" .") for p in re.split(r"[,;，；]", aff) if p.strip(" .")]


def lead_institution(record: Record) -> str | None:
    """The institution of the first author's first affiliation (the corresponding author's, with an
    e-mail address, when the first author has none): the part that names a university, hospital,
    institute, academy, college, centre or company. Never a bare city or department; None when no
    affiliation names one."""
    first = record.authors[0] if record.authors else None
    candidates = list(first.affiliations[:1]) if first and first.affiliations else []
    if not candidates:
        candidates = [a for author in record.authors for a in author.affiliations[:1] if "@" in a][:1]
    for aff in candidates:
        parts = _parts(aff)
        for part in parts:
            if _STRONG.search(part):
                return part
        for part in parts:
            if _WEAK.search(part) and not _UNIT.search(part):
                return part
    return None


def placement(record: Record) -> tuple[str, DateValue | None, str | None, int | None]:
    """(date kind, date, month YYYY-MM or None, year or None) the entry is placed by.

    The first of the online (electronic) date, the issue date and PubMed's listing that knows its
    month; else the year alone (a season or quarter is not a month); else nothing (undated)."""
    for key, kind in _PLACING:
        d = record.dates.get(key)
        if d is not None and d.precision in ("day", "month"):
            return kind, d, d.value[:7], d.year
    d = record.best_date()
    if d is not None:
        kind = "year" if d.precision == "year" else "issue"
        return kind, d, None, d.year
    return "undated", None, None, None


def _other_date(record: Record, kind: str, used: DateValue | None) -> dict[str, str] | None:
    """The date the reference shows (the issue date) when the entry is placed by another one."""
    issue = record.dates.get("issue")
    if used is None or issue is None or kind == "issue":
        return None
    n = {"day": 10, "month": 7}.get(issue.precision, 4)
    if issue.value[:n] == used.value[:n]:
        return None  # the issue date says nothing the entry's date does not
    return {"kind": "issue", "value": issue.value, "precision": issue.precision, "raw": issue.raw or ""}


def record_ids(record: Record) -> dict[str, str]:
    i = record.ids
    return {k: v for k, v in (("pmid", i.pmid), ("doi", i.doi), ("pmcid", i.pmcid), ("nct", i.nct)) if v}


def safe_url(url: str | None) -> str | None:
    """`url` when it is http(s): a record's own link may hold anything (javascript:, data:)."""
    return url if url and re.match(r"https?://[^\s<>\"']+$", url, re.I) else None


def record_url(record: Record) -> str | None:
    from urllib.parse import quote

    i = record.ids
    if i.doi:
        return "https://doi.org/" + quote(i.doi, safe="/:;()._-")
    if i.pmid and i.pmid.isdigit():
        return f"https://pubmed.ncbi.nlm.nih.gov/{i.pmid}/"
    if i.pmcid and re.fullmatch(r"PMC\d+", i.pmcid):
        return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{i.pmcid}/"
    if i.nct and re.fullmatch(r"NCT\d{8}", i.nct):
        return f"https://clinicaltrials.gov/study/{i.nct}"
    return None


def _findings(record: Record, ann: Any, limit: int, ph: Phraser) -> list[Finding]:
    sentences = {s.id: s for s in ann.sentences}
    structured = {f["sentence_id"]: f for f in ann.findings}
    abstract = record.abstract_text
    out: list[Finding] = []
    for sid in ann.key_findings:
        s = sentences.get(sid)
        if s is None or s.field != "abstract":
            continue
        raw = abstract[s.start : s.end]
        text = raw.strip()
        if not text:
            continue
        lead = len(raw) - len(raw.lstrip())
        sf = structured.get(sid)
        out.append(Finding(sentence_id=sid, start=s.start + lead, end=s.start + lead + len(text), text=text,
                           generated=finding_sentences(ph, sf) if sf else {}, structured=sf))
        if len(out) >= limit:
            break
    return out


def _concepts(ann: Any) -> dict[str, list[str]]:
    """Concept ids per category, in order of first mention, negated mentions left out."""
    out: dict[str, list[str]] = {}
    if ann is None:
        return out
    for m in ann.mentions:
        if m.negated:
            continue
        bucket = out.setdefault(m.category, [])
        if m.concept_id not in bucket:
            bucket.append(m.concept_id)
    out["species"] = list(ann.species)
    return out


def make_paper(rid: int, record: Record, ann: Any, decision: Any, ph: Phraser, findings_limit: int) -> Paper:
    kind, used, month, year = placement(record)
    design = ann.design if ann is not None else None
    concepts = _concepts(ann)
    p = Paper(
        record_id=rid,
        title=(record.title or "").strip() or "(untitled)",
        date=used.value if used else None,
        date_precision=used.precision if used else "year",
        month=month,
        journal=record.journal.title or record.journal.iso_abbrev,
        institution=lead_institution(record),
        ids=record_ids(record),
        url=record_url(record),
        design=design,
        evidence_level=ann.evidence_level if ann is not None else None,
        study_class=study_class(design, concepts.get("species", [])),
        score=getattr(decision, "score", None),
        date_kind=kind,
        other_date=_other_date(record, kind, used),
        year=year,
        language=record.language,
        annotated=ann is not None,
    )
    if ann is not None:
        p.profile = ann.profile
        p.studied = studied_sentences(ph, ann.profile, design) if ann.profile else {}
        p.gloss = title_glosses(ph, ann.profile, design) if ann.profile else {}
        p.findings = _findings(record, ann, findings_limit, ph)
    return p
