"""Study design and evidence level, species, and sample size.

Design: PubMed publication types decide when they name a design; trial registrations decide
from study type and allocation; otherwise MeSH descriptors and text cues are counted (text cues
only in title, objective, methods and results sentences, so "clinical trials are needed" in a
conclusion does not make an animal study a trial) and a fixed precedence picks the design.
Every decision keeps the cues that made it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from litwatch.annotate.model import Mention, Sentence
from litwatch.annotate.vocab import Vocabulary
from litwatch.records import Record

__all__ = ["DesignResult", "infer_design", "infer_species", "infer_sample_size"]

# which design wins when several have cues (the strongest statement about the study itself first)
_PRECEDENCE = (
    "design:meta-analysis",
    "design:systematic-review",
    "design:protocol",
    "design:narrative-review",
    "design:case-report",
    "design:rct",
    "design:nonrandomised-trial",
    "design:pilot-case-series",
    "design:observational",
    "design:animal",
    "design:in-vitro",
    "design:editorial-comment",
)
_CLINICAL = {"design:rct", "design:nonrandomised-trial", "design:pilot-case-series", "design:case-report",
             "design:observational"}
_PRIMARY_ROLES = {"title", "objective", "methods", "results"}
# designs an abstract may name in any sentence ("This review aims ..." is often classed background)
_ANYWHERE = {"design:narrative-review", "design:protocol", "design:case-report"}
# MeSH names cell lines as "<code> Cells": "HEK293 Cells", "NIH 3T3 Cells", "HeLa Cells"
_FUTURE = re.compile(r"\b(?:need\w*|future|further|warrant\w*|should|remain\w*|will|would|could|may)\b", re.I)
_MESH_CELL_LINE = re.compile(r"^(?:[\w\- ]*\d[\w\- ]*|HeLa|CHO|COS|Jurkat|Hep G2|Vero) Cells$")


@dataclass(slots=True)
class DesignResult:
    design: str
    evidence_level: int | None
    cues: list[dict[str, Any]] = field(default_factory=list)


@lru_cache(maxsize=8)
def _compiled_cues(vocab_key: str, items: tuple[tuple[str, tuple[str, ...]], ...]) -> list[tuple[str, re.Pattern[str]]]:
    return [(cid, re.compile("|".join(f"(?:{c})" for c in cues), re.I)) for cid, cues in items if cues]


def _cue_patterns(vocab: Vocabulary) -> list[tuple[str, re.Pattern[str]]]:
    items = tuple((c.id, tuple(c.text_cues)) for c in vocab.by_category("design"))
    return _compiled_cues(vocab.hash, items)


def _result(vocab: Vocabulary, design: str, cues: list[dict[str, Any]]) -> DesignResult:
    c = vocab.get(design)
    return DesignResult(design, c.evidence_level if c else None, cues)


def _from_pub_types(record: Record, vocab: Vocabulary) -> DesignResult | None:
    hits: dict[str, list[str]] = {}
    for c in vocab.by_category("design"):
        for pt in record.publication_types:
            if pt in c.pub_types:
                hits.setdefault(c.id, []).append(pt)
    if not hits:
        return None
    best = min(hits, key=lambda cid: (vocab.concepts[cid].evidence_level or 99))
    if "design:editorial-comment" in hits and not ({"design:rct", "design:meta-analysis"} & hits.keys()):
        best = "design:editorial-comment"  # a letter about a trial is a letter
    cues = [{"source": "publication_type", "text": pt, "concept": best} for pt in hits[best]]
    return _result(vocab, best, cues)


def _from_trial(record: Record, vocab: Vocabulary) -> DesignResult | None:
    t = record.trial
    if record.kind != "trial" or t is None:
        return None
    study_type = (t.study_type or "").upper()
    designs = record.extra.get("study_design") or []
    text = " ".join(designs) if isinstance(designs, list) else str(designs)
    allocation = str(record.extra.get("allocation") or "") + " " + text
    if study_type == "OBSERVATIONAL":
        return _result(vocab, "design:observational", [{"source": "trial", "text": "study type: observational"}])
    if study_type == "EXPANDED_ACCESS":
        return _result(vocab, "design:pilot-case-series", [{"source": "trial", "text": "expanded access"}])
    if re.search(r"\bnon-?randomi[sz]ed\b", allocation, re.I):
        return _result(vocab, "design:nonrandomised-trial", [{"source": "trial", "text": "allocation: non-randomized"}])
    if re.search(r"\brandomi[sz]ed\b", allocation, re.I):
        return _result(vocab, "design:rct", [{"source": "trial", "text": "allocation: randomized"}])
    cues = [{"source": "trial", "text": f"study type: {study_type.lower() or 'interventional'}"}]
    if t.phase:
        cues.append({"source": "trial", "text": f"phase: {t.phase}"})
    return _result(vocab, "design:nonrandomised-trial", cues)


def infer_design(record: Record, sentences: list[Sentence], mentions: list[Mention], vocab: Vocabulary,
                 use_metadata: bool = True) -> DesignResult:
    """The design with the cues that decided it; `use_metadata=False` ignores pub types and MeSH."""
    if use_metadata:
        for decided in (_from_trial(record, vocab), _from_pub_types(record, vocab)):
            if decided is not None:
                return decided
    cues: dict[str, list[dict[str, Any]]] = {}
    if use_metadata:
        names = {h.descriptor for h in record.mesh}
        for c in vocab.by_category("design"):
            for name in c.mesh_cues:
                if name in names:
                    cues.setdefault(c.id, []).append({"source": "mesh", "text": name, "concept": c.id})
        lines = [n for n in names if _MESH_CELL_LINE.match(n)]
        cues.setdefault("design:in-vitro", []).extend(
            {"source": "mesh", "text": n, "concept": "design:in-vitro"} for n in sorted(lines))
        if not cues["design:in-vitro"]:
            del cues["design:in-vitro"]
        if "Humans" in names and [c["text"] for c in cues.get("design:animal", [])] == ["Animals"]:
            del cues["design:animal"]  # "Animals" next to "Humans" says little about the design
    texts = {"title": record.title or "", "abstract": record.abstract_text}
    primary = [s for s in sentences if s.role in _PRIMARY_ROLES]
    if not any(s.field == "abstract" for s in primary):  # too short to have a methods part
        primary = sentences
    # what was done in animals is also said in conclusions ("In a diabetic mouse model, the exosomes
    # accelerated healing"); what should be done next is not ("studies in animal models are needed")
    told = primary + [s for s in sentences if s.role == "conclusions" and s not in primary
                      and not _FUTURE.search(texts[s.field], s.start, s.end)]
    for cid, rx in _cue_patterns(vocab):
        for s in sentences if cid in _ANYWHERE else told if cid == "design:animal" else primary:
            for m in rx.finditer(texts[s.field], s.start, s.end):
                cues.setdefault(cid, []).append({"source": "text", "field": s.field, "start": m.start(),
                                                 "end": m.end(), "text": m.group(0), "concept": cid})
    # a model only living animals can be ("mice exposed to chronic mild stress") is in vivo evidence
    for m in mentions:
        c = vocab.get(m.concept_id)
        if c is not None and c.in_vivo and m.field in texts and not m.negated:
            cues.setdefault("design:animal", []).append({"source": "model", "field": m.field, "start": m.start,
                                                         "end": m.end, "text": m.text, "concept": "design:animal"})
    if record.kind == "trial" and not cues:
        return _result(vocab, "design:nonrandomised-trial", [{"source": "trial", "text": "trial registration"}])
    return _decide(cues, mentions, vocab)


def _decide(cues: dict[str, list[dict[str, Any]]], mentions: list[Mention], vocab: Vocabulary) -> DesignResult:
    if not cues:
        return _result(vocab, "design:other", [])
    # a design named in the title ("...: a randomized controlled trial") is the authors' own word
    titled = {cid: v for cid, v in cues.items() if any(c.get("field") == "title" for c in v)}
    for cid in _PRECEDENCE:
        if cid in titled and cid not in ("design:animal", "design:in-vitro", "design:observational"):
            return _result(vocab, cid, cues[cid])
    n = {cid: len(v) for cid, v in cues.items()}
    human = sum(1 for m in mentions if m.concept_id == "species:human" and m.field in ("title", "abstract"))
    animal = sum(1 for c in cues.get("design:animal", []) if c["source"] in ("text", "model"))
    if "design:in-vitro" in cues and not animal:
        cues.pop("design:animal", None)  # MeSH "Mice" on a study of mouse cells in a dish
    # weak human-study cues lose to clear animal evidence ("a cohort of mice")
    if animal and n.get("design:observational", 0) and n["design:observational"] < animal and human < 2:
        cues.pop("design:observational")
    if animal and "design:in-vitro" in cues:
        cues.pop("design:in-vitro")  # in vitro + in vivo work is an animal study
    if "design:nonrandomised-trial" in cues and animal > 2 * n["design:nonrandomised-trial"] and human < 2:
        cues.pop("design:nonrandomised-trial")
    for cid in _PRECEDENCE:
        if cid in cues:
            return _result(vocab, cid, cues[cid])
    return _result(vocab, "design:other", [])


# -- species -----------------------------------------------------------------------------------
_ANIMALS = ("species:mouse", "species:rat", "species:nonhuman-primate", "species:zebrafish")


def infer_species(record: Record, mentions: list[Mention], sentences: list[Sentence], design: str) -> list[str]:
    """Species studied: MeSH when indexed, else mentions in title/objective/methods/results."""
    spans = [(s.field, s.start, s.end, s.role) for s in sentences]
    found: dict[str, int] = {}
    text_human = 0
    for m in mentions:
        if m.category != "species" or m.negated:
            continue
        if m.field == "mesh":
            if design != "design:in-vitro":  # on a cell study MeSH organisms name where cells came from
                found[m.concept_id] = found.get(m.concept_id, 0) + 3
            continue
        role = next((r for f, a, b, r in spans if f == m.field and a <= m.start < b), None)
        weight = 2 if role in _PRIMARY_ROLES else (1 if role in (None, "conclusions") else 0)
        if weight:
            found[m.concept_id] = found.get(m.concept_id, 0) + weight
            if m.concept_id == "species:human":
                text_human += weight
    if record.kind == "trial" or design in _CLINICAL:
        found["species:human"] = found.get("species:human", 0) + 3
    has_animal = any(a in found for a in _ANIMALS)
    if design in ("design:animal", "design:in-vitro") and text_human < 4:
        # MeSH "Humans" on an animal study usually names where its cells came from (hUC-MSCs in
        # mice); people count only when the text names them in two or more primary sentences
        found.pop("species:human", None)
    if design in _CLINICAL and not has_animal:
        found.pop("species:cell-line", None)
    if design == "design:in-vitro" and not found:
        found["species:cell-line"] = 1
    return sorted(found, key=lambda k: (-found[k], k))


# -- sample size -------------------------------------------------------------------------------
_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
               "hundred": 100})
_NUM = r"(\d{1,3}(?:,\d{3})+|\d+|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
_PEOPLE = (r"(?:patients|participants|subjects|adults|children|adolescents|individuals|volunteers|women|men|"
           r"people|persons|cases|respondents|outpatients|inpatients|veterans|mothers|students|infants|toddlers|"
           r"controls|healthy controls|elderly)")
_PARTICIPANTS = re.compile(
    r"(?:\b(?P<lead>total of|enrolled|recruited|included|comprising|involving|randomi[sz]ed|sample of|cohort of)\s+)?"
    r"\b" + _NUM + r"\s+(?:[A-Za-z\-]+\s+){0,3}?" + _PEOPLE + r"\b", re.I)
_N_EQUALS = re.compile(r"\b[nN]\s*=\s*(\d+)\b(?!\s*(?:per|/|each)\s*group)")
_PER_GROUP = re.compile(
    r"\b" + _NUM + r"\s+(?:[A-Za-z\-/]+\s+){0,3}?(?:mice|rats|animals|monkeys|macaques|zebrafish)\s+"
    r"(?:per|in each|for each|each)\s+group\b|"
    r"\b[nN]\s*=\s*(\d+)\s*(?:(?:per|/|each|in each)\s*group|mice|rats|animals)\b|"
    r"\b(\d+)\s*(?:mice|rats|animals)?\s*/\s*group\b", re.I)


def _to_int(text: str | None) -> int | None:
    if not text:
        return None
    t = text.lower().replace(",", "")
    return int(t) if t.isdigit() else _WORDS.get(t)


def infer_sample_size(record: Record, sentences: list[Sentence], design: str) -> tuple[dict[str, int], dict | None]:
    """{"participants": n} or {"animals_per_group": n}, with the text that stated it."""
    if record.kind == "trial" and record.trial and record.trial.enrollment:
        n = record.trial.enrollment
        return {"participants": n}, {"field": "trial", "text": f"enrollment: {n}"}
    text = record.abstract_text
    ordered = sorted((s for s in sentences if s.field == "abstract"),
                     key=lambda s: (0 if s.role in ("methods", "results") else 1, s.start))
    animal = design in ("design:animal", "design:in-vitro")
    if animal:
        for s in ordered:
            m = _PER_GROUP.search(text, s.start, s.end)
            if m:
                n = next(_to_int(g) for g in m.groups() if g)
                if n:
                    return {"animals_per_group": n}, _cue("abstract", m)
        return {}, None
    best = None
    for s in ordered:
        for m in _PARTICIPANTS.finditer(text, s.start, s.end):
            n = _to_int(m.group(2))
            if not n or 1900 <= n <= 2100 and not m.group("lead"):
                continue
            score = (2 if m.group("lead") else 0) + (1 if s.role == "methods" else 0)
            if best is None or score > best[0] or (score == best[0] and n > best[1] and score > 0):
                best = (score, n, m)
        if best is None:
            m = _N_EQUALS.search(text, s.start, s.end)
            if m and design in _CLINICAL:
                best = (0, int(m.group(1)), m)
    if best is None:
        return {}, None
    return {"participants": best[1]}, _cue("abstract", best[2])


def _cue(field_name: str, m: re.Match[str]) -> dict[str, Any]:
    return {"field": field_name, "start": m.start(), "end": m.end(), "text": m.group(0)}
