"""What a cited work is, as the checks need it: design, species, concepts, abbreviations, dates, places.

Built from the stored record and its annotations (annotated on the spot when the store has none
yet, without writing them), plus the audit lexicon's concepts over the title and abstract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from litwatch.annotate import annotate_record
from litwatch.annotate.model import Annotations
from litwatch.audit.lexicon import EXTRA_CONCEPTS, find_mentions
from litwatch.audit.refparse import ParsedReference
from litwatch.records import Record

__all__ = ["Work", "build_work", "CLINICAL", "REVIEWS", "ANIMALS", "date_str"]

CLINICAL = {"design:rct", "design:nonrandomised-trial", "design:pilot-case-series", "design:case-report",
            "design:observational"}
REVIEWS = {"design:narrative-review", "design:systematic-review", "design:meta-analysis"}
ANIMALS = {"species:mouse", "species:rat", "species:nonhuman-primate", "species:zebrafish"}
_THERAPY_DENIED = re.compile(r"\bnot (?:used |given |tested |meant )?(?:as )?(?:a |an )?(?:cell[- ]based |cell |stem cell )?(?:therapy|treatment|therapeutic)\b|"
                             r"\bno (?:cells?|treatment|therapy) (?:was|were) (?:given|administered|transplanted)\b", re.I)
_DISEASE_MODEL = re.compile(r"\b(?:as|a|an) (?:in vitro |cellular |human )?(?:disease )?model(?:s)? (?:of|for)\b|"
                            r"\bpatient-derived\b|\bmodel(?:l)?ing (?:the )?(?:disease|disorder)\b|\bto model\b", re.I)
_GAVE = re.compile(r"\b(?:received|were given|administered|injected|infused|transplanted|grafted|treated with|"
                   r"pretreated with|transfused|implanted|delivered)\b", re.I)
_PREDICTOR = re.compile(r"\bpredict\w*|\bbiomarkers?\b|\brisk factors?\b|\bassociated with\b|\bcorrelat\w+", re.I)
_MAINLY_ANIMAL = re.compile(r"\b(?:mainly|mostly|largely|chiefly|predominantly|primarily)\s+(?:comes?\s+)?(?:from|in|on)\s+"
                            r"(?:laboratory |rodent |animal |preclinical |experimental )*(?:animals?|rodents?|mice|rats|models?|"
                            r"preclinical)|主要来自动物|多为动物", re.I)
_HUMAN_WORDS = re.compile(r"\b(?:clinical|patients?|human (?:stud|trial|subject|participant)\w*|participants|"
                          r"trials?|volunteers|in humans)\b", re.I)


@dataclass
class Work:
    n: int
    record_id: int | None
    record: Record | None
    parsed: ParsedReference
    ann: Annotations | None = None
    concepts: dict[str, set[str]] = field(default_factory=dict)  # category -> concept ids (not negated)
    negated: set[str] = field(default_factory=set)
    abbrevs: dict[str, str] = field(default_factory=dict)  # short form -> long form, as the work defines them
    design: str | None = None
    species: set[str] = field(default_factory=set)
    dates: list[tuple[str, dict[str, int], str]] = field(default_factory=list)  # (online|issue, date, record|reference)
    affiliations: list[str] = field(default_factory=list)
    sentences: list[dict[str, Any]] = field(default_factory=list)  # id, field, start, end, text, concepts
    text: str = ""

    @property
    def all_concepts(self) -> set[str]:
        return {c for s in self.concepts.values() for c in s}

    @property
    def is_review(self) -> bool:
        return self.design in REVIEWS

    @property
    def is_human(self) -> bool:
        return self.design in CLINICAL and not (self.species & ANIMALS and "species:human" not in self.species)

    @property
    def is_nonhuman_primary(self) -> bool:
        if self.record is None or self.is_review or self.is_human:
            return False
        if self.design in ("design:animal", "design:in-vitro"):
            return True
        return bool(self.species & (ANIMALS | {"species:cell-line"})) and "species:human" not in self.species

    @property
    def mentions_human(self) -> bool:
        return "species:human" in self.species or bool(_HUMAN_WORDS.search(self.text))

    @property
    def mainly_animal(self) -> bool:
        return bool(_MAINLY_ANIMAL.search(self.text))

    def what(self) -> dict[str, Any]:
        """The work's design and species, for messages."""
        ids = [self.design] if self.design and self.design != "design:other" else []
        ids += sorted(self.species & (ANIMALS | {"species:cell-line", "species:human"}))
        return {"concepts": ids}

    def therapy_denied(self) -> str | None:
        m = _THERAPY_DENIED.search(self.text)
        if m:
            return _sentence_around(self.text, m.start())
        if _DISEASE_MODEL.search(self.text) and not _GAVE.search(self.text):
            return _sentence_around(self.text, _DISEASE_MODEL.search(self.text).start())
        if _PREDICTOR.search(self.text) and not _GAVE.search(self.text) and not self.is_review:
            return _sentence_around(self.text, _PREDICTOR.search(self.text).start())
        return None


def _sentence_around(text: str, pos: int) -> str:
    start = max(text.rfind(". ", 0, pos) + 2, 0) if text.rfind(". ", 0, pos) >= 0 else 0
    end = text.find(". ", pos)
    return text[start: end + 1 if end >= 0 else len(text)].strip()


def date_str(d: dict[str, int]) -> str:
    if "day" in d:
        return f"{d['year']:04d}-{d['month']:02d}-{d['day']:02d}"
    if "month" in d:
        return f"{d['year']:04d}-{d['month']:02d}"
    return f"{d['year']:04d}"


def _dv(dv) -> dict[str, int] | None:
    if dv is None:
        return None
    y, m, d = int(dv.value[:4]), int(dv.value[5:7]), int(dv.value[8:10])
    if dv.precision == "year":
        return {"year": y}
    if dv.precision in ("month", "season"):
        return {"year": y, "month": m}
    return {"year": y, "month": m, "day": d}


def _dates(record: Record, parsed: ParsedReference) -> list[tuple[str, dict[str, int], str]]:
    out: list[tuple[str, dict[str, int], str]] = []
    online, issue = _dv(record.dates.get("electronic")), _dv(record.dates.get("issue"))
    from_file = all(p.source.startswith("file:") for p in record.provenance) if record.provenance else False
    if issue and online is None and from_file:
        # a file's one date: online when the reference is still in press or its Epub date says so
        if parsed.placeholders or (parsed.epub and _same_day(parsed.epub, issue)):
            online, issue = issue, None
    if online:
        out.append(("online", online, "record"))
    if issue:
        out.append(("issue", issue, "record"))
    if parsed.epub:
        out.append(("online", parsed.epub, "reference"))
    if parsed.date and "month" in parsed.date:
        out.append(("issue", parsed.date, "reference"))
    return out


def _same_day(a: dict[str, int], b: dict[str, int]) -> bool:
    return all(a.get(k) == b.get(k) for k in ("year", "month", "day"))


def build_work(n: int, parsed: ParsedReference, record_id: int | None, record: Record | None,
               ann: Annotations | None = None) -> Work:
    w = Work(n=n, record_id=record_id, record=record, parsed=parsed)
    if record is None:
        return w
    if ann is None:
        ann = annotate_record(record)
    w.ann = ann
    title = (record.title or "").rstrip(". ")
    w.text = ". ".join(t for t in (title, record.abstract_text) if t)
    for m in ann.mentions:
        if m.negated:
            w.negated.add(m.concept_id)
        else:
            w.concepts.setdefault(m.category, set()).add(m.concept_id)
    for m in find_mentions(w.text):
        if m.concept_id in EXTRA_CONCEPTS:
            w.concepts.setdefault(m.category, set()).add(m.concept_id)
    w.abbrevs = dict(ann.abbreviations)
    w.design = ann.design
    w.species = set(ann.species) | set(w.concepts.get("species", set()))
    if w.design == "design:other" and w.species & ANIMALS and "species:human" not in ann.species:
        w.design = "design:animal"
    w.dates = _dates(record, parsed)
    w.affiliations = [aff for a in record.authors for aff in a.affiliations]
    texts = {"title": record.title or "", "abstract": record.abstract_text}
    for s in ann.sentences:
        text = texts.get(s.field, "")[s.start:s.end]
        if not text:
            continue
        ids = {m.concept_id for m in ann.mentions if m.field == s.field and s.start <= m.start < s.end and not m.negated}
        ids |= {m.concept_id for m in find_mentions(text) if m.concept_id in EXTRA_CONCEPTS}
        w.sentences.append({"id": s.id, "field": s.field, "start": s.start, "end": s.end, "text": text, "concepts": ids})
    return w
