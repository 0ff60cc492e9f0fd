"""Annotations as data for people: what the web's record page and `litwatch show ID --annotations`
(text or JSON) show, built in one place from the stored Annotations and the record's text."""

from __future__ import annotations

from typing import Any

from litwatch.annotate.model import Annotations
from litwatch.annotate.vocab import concept_label
from litwatch.records import Record

__all__ = ["CATEGORIES", "label", "annotation_view", "annotations_as_data"]

# the order a page lists concepts in: what was studied first, what was found last
CATEGORIES = ("design", "species", "cell_source", "product", "condition", "animal_model", "route",
              "outcome_measure", "biomarker", "mechanism")


def label(concept_id: str) -> str:
    """The concept's English label; an id of an older vocabulary is shown as it is."""
    try:
        return concept_label(concept_id, "en")
    except Exception:  # a concept of an older vocabulary: show its id
        return concept_id


def annotation_view(record: Record, ann: Annotations | None) -> dict[str, Any] | None:
    """A record's annotations as a page shows them: design with cues, species, sample size, concepts
    in category order, key findings with their text, and highlight spans for title and abstract."""
    if ann is None:
        return None
    texts = {"title": record.title or "", "abstract": record.abstract_text}
    spans: dict[str, list[dict[str, Any]]] = {"title": [], "abstract": []}
    for m in ann.mentions:
        if m.field in spans:
            spans[m.field].append({"start": m.start, "end": m.end, "category": m.category,
                                   "concept": label(m.concept_id), "negated": bool(m.negated or m.speculative)})
    concepts: dict[str, dict[str, Any]] = {}
    for m in ann.mentions:
        row = concepts.setdefault(m.concept_id, {"concept": label(m.concept_id), "id": m.concept_id,
                                                 "category": m.category, "mentions": 0, "negated": 0})
        row["mentions"] += 1
        row["negated"] += int(bool(m.negated or m.speculative))
    findings = []
    for rank, sid in enumerate(ann.key_findings, 1):
        s = ann.sentence(sid)
        if s is not None and s.field in texts:
            findings.append({"rank": rank, "sentence": sid, "role": s.role, "text": texts[s.field][s.start:s.end]})
    return {
        "design": ann.design,
        "design_label": label(ann.design),
        "evidence_level": ann.evidence_level,
        "design_cues": [{"source": c.get("source", ""), "text": c.get("text", "")} for c in ann.design_cues[:8]],
        "species": [label(s) for s in ann.species],
        "sample_size": dict(ann.sample_size),
        "concepts": sorted(concepts.values(), key=lambda c: (CATEGORIES.index(c["category"])
                                                             if c["category"] in CATEGORIES else 99, c["concept"])),
        "key_findings": findings,
        "spans": spans,
        "version": ann.version,
    }


def annotations_as_data(record_id: int, record: Record, ann: Annotations) -> dict[str, Any]:
    """The stored Annotations as JSON-ready data, with the labels and key-finding texts a reader needs."""
    data = ann.to_dict()
    data["record_id"] = record_id
    data["design_label"] = label(ann.design)
    data["species_labels"] = [label(s) for s in ann.species]
    texts = {"title": record.title or "", "abstract": record.abstract_text}
    data["key_finding_texts"] = [
        texts[s.field][s.start : s.end] for sid in ann.key_findings if (s := ann.sentence(sid)) is not None
    ]
    return data
