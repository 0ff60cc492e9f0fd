"""What a record studied, as elements with spans: the design, the species, model or population,
the intervention with its donor species and route, the comparator, the sample size and the
outcomes measured; and the concepts its title names (for a title gloss in another language).

The report writes one sentence per language from this profile; nothing here is text for a
reader. Elements come from the title and the objective, methods and results sentences, so a
background sentence about other work ("MSCs have been tried in stroke") does not become what
this study did.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from litwatch.annotate.findings import Element, _without_parts
from litwatch.annotate.model import Mention, Sentence

__all__ = ["StudyProfile", "study_profile"]

_OWN_ROLES = ("title", "objective", "methods", "results")
_COMPARED = re.compile(
    r"\b(?:compared\s+(?:with|to)|versus|vs\.?|than|relative\s+to|against|or|received|receiving|given|"
    r"treated\s+with|injected\s+with|infused\s+with)\s+(?:the\s+|a\s+|an\s+|either\s+)?(?:[\w\-]+\s+){0,2}$", re.I)
_REVIEWS = ("design:meta-analysis", "design:systematic-review", "design:narrative-review")
_INTRINSIC_COMPARATORS = ("comparator:control", "comparator:model-group", "comparator:placebo", "comparator:sham")


@dataclass(slots=True)
class StudyProfile:
    design: str | None = None
    species: list[Element] = field(default_factory=list)
    models: list[Element] = field(default_factory=list)
    conditions: list[Element] = field(default_factory=list)  # what the people had, or the topic's condition
    interventions: list[Element] = field(default_factory=list)
    routes: list[Element] = field(default_factory=list)
    comparators: list[Element] = field(default_factory=list)
    size: dict[str, Any] | None = None  # {"n", "unit", "field", "start", "end", "text"}
    outcomes: list[Element] = field(default_factory=list)
    title: dict[str, list[Element]] = field(default_factory=dict)  # category -> elements named in the title
    title_relation: str | None = None  # "effect": the title says the intervention acts on the condition

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "StudyProfile":
        d = d or {}

        def els(items):
            return [Element(**e) for e in items or []]

        return cls(
            design=d.get("design"),
            species=els(d.get("species")), models=els(d.get("models")), conditions=els(d.get("conditions")),
            interventions=els(d.get("interventions")), routes=els(d.get("routes")),
            comparators=els(d.get("comparators")), size=d.get("size"), outcomes=els(d.get("outcomes")),
            title={k: els(v) for k, v in (d.get("title") or {}).items()},
            title_relation=d.get("title_relation"),
        )


def _role_of(sentences: list[Sentence], m: Mention) -> str | None:
    for s in sentences:
        if s.field == m.field and s.start <= m.start < s.end:
            return s.role
    return None


def _distinct(ms: list[Mention], limit: int) -> list[Element]:
    seen: dict[str, Element] = {}
    for m in ms:
        if m.concept_id not in seen:
            seen[m.concept_id] = Element.of(m)
        elif m.origin and not seen[m.concept_id].origin:
            seen[m.concept_id].origin = m.origin  # "MSCs ... (hUC-MSCs)": the donor said once is enough
    return list(seen.values())[:limit]


# between an intervention and what it acts on in a title: "MSCs ameliorate ...", "exosomes for ..."
_ACTS_ON = re.compile(r"\b(?:for|against|in\s+(?:the\s+)?(?:treatment|therapy|management)|treat\w*|therap\w*|improv\w*|"
                      r"protect\w*|alleviat\w*|ameliorat\w*|attenuat\w*|rescu\w*|revers\w*|reduc\w*|reliev\w*|"
                      r"prevent\w*|mitigat\w*|suppress\w*|inhibit\w*|restor\w*|promot\w*|enhanc\w*|exert\w*|"
                      r"effects?\s+(?:on|in)|on)\b", re.I)


def _sources_of_derived(ms: list[Mention], texts: dict[str, str]) -> list[Mention]:
    """"Human stem cell-derived A10 neurons": the neurons are what was given, not the stem cells."""
    cells = sorted((m for m in ms if m.category == "cell_source"), key=lambda m: (m.field, m.start))
    drop = set()
    for a, b in zip(cells, cells[1:]):
        if a.field == b.field and 0 <= b.start - a.end <= 14 and re.match(
                r"^[\s\-]*derived[\s\-]+(?:[\w\-]+\s+)?$", texts[a.field][a.end : b.start], re.I):
            drop.add(id(a))
    return [m for m in ms if id(m) not in drop]


_GENERIC = {"cell:stem-cell": 2, "cell:msc": 1}  # named with a more specific cell, these add nothing


def _specific(els: list[Element]) -> list[Element]:
    """Drop "stem cells" when the record names which ones, and "MSCs" when it names their source."""
    ids = {e.concept for e in els}
    out = []
    for e in els:
        if e.concept == "cell:stem-cell" and len(ids - {"cell:stem-cell"}) >= 1:
            continue
        if e.concept == "cell:msc" and any(i.startswith("cell:") and i.endswith("-msc") for i in ids):
            continue
        out.append(e)
    return out


def _title_relation(title: str, mentions: list[Mention]) -> str | None:
    inter = [m for m in mentions if m.category in ("cell_source", "product")]
    targets = [m for m in mentions if m.category in ("condition", "outcome_measure", "biomarker", "mechanism")]
    if not inter or not targets:
        return None
    first = min(inter, key=lambda m: m.start)
    later = [t for t in targets if t.start >= first.end]
    if later and _ACTS_ON.search(title, first.end, min(t.start for t in later)):
        return "effect"
    return None


def study_profile(record_title: str, abstract: str, sentences: list[Sentence], mentions: list[Mention],
                  design: str | None, species: list[str], sample_size: dict[str, int],
                  sample_cue: dict | None) -> StudyProfile:
    texts = {"title": record_title, "abstract": abstract}
    text_mentions = [m for m in mentions if m.field in texts and not m.negated]
    own = [m for m in text_mentions if _role_of(sentences, m) in _OWN_ROLES]
    if design in _REVIEWS or not any(m.field == "abstract" for m in own):
        own = text_mentions  # a review, or no methods part: the whole abstract speaks for itself

    def cat(*categories: str) -> list[Mention]:
        return sorted((m for m in own if m.category in categories), key=lambda m: (m.field != "title", m.start))

    p = StudyProfile(design=design)
    for sid in [s for s in species if s != "species:cell-line"][:2]:
        first = next((m for m in sorted(text_mentions, key=lambda m: (m.field != "title", m.start))
                      if m.concept_id == sid), None)
        if first is None:
            first = next((m for m in mentions if m.concept_id == sid), None)  # MeSH only
        if first is not None:
            p.species.append(Element.of(first))
    p.models = _distinct(cat("animal_model"), 2)
    p.conditions = _distinct(cat("condition"), 2)
    interventions = _sources_of_derived(_without_parts(cat("cell_source", "product")), texts)
    composed = {part for m in interventions if "+" in m.concept_id for part in m.concept_id.split("+")[:1]}
    # "exosomes from BMSCs ... the exosomes": the composite says it; a product alone repeats it
    p.interventions = _specific(_distinct([m for m in interventions if m.concept_id not in composed], 4))[:3]
    p.routes = _distinct(cat("route"), 2)
    comparators = []
    for m in cat("comparator"):
        lead = texts[m.field][max(0, m.start - 40) : m.start]
        if m.concept_id in _INTRINSIC_COMPARATORS or _COMPARED.search(lead):
            comparators.append(m)
    p.comparators = _distinct(comparators, 2)
    if sample_size and sample_cue and sample_cue.get("field") == "abstract":
        unit, n = next(iter(sample_size.items()))
        p.size = {"n": n, "unit": unit, "field": "abstract", "start": sample_cue["start"], "end": sample_cue["end"],
                  "text": sample_cue["text"]}
    elif sample_size and sample_cue:
        unit, n = next(iter(sample_size.items()))
        p.size = {"n": n, "unit": unit, "field": sample_cue.get("field"), "text": sample_cue.get("text")}
    measured = [m for m in own if m.field == "abstract" and m.category in ("outcome_measure", "biomarker")
                and _role_of(sentences, m) in ("methods", "results")]
    p.outcomes = _distinct(sorted(measured, key=lambda m: (m.category != "outcome_measure", m.start)), 5)
    title = _sources_of_derived([m for m in text_mentions if m.field == "title"], texts)
    p.title_relation = _title_relation(record_title, _without_parts(title))
    for category, key in (("cell_source", "interventions"), ("product", "interventions"), ("species", "species"),
                          ("animal_model", "models"), ("condition", "conditions"), ("mechanism", "mechanisms"),
                          ("outcome_measure", "outcomes"), ("biomarker", "outcomes")):
        found = [m for m in _without_parts(title) if m.category == category]
        if found:
            p.title.setdefault(key, [])
            p.title[key] += _distinct(found, 3)
    if p.title.get("interventions"):
        p.title["interventions"] = _specific(p.title["interventions"])
    return p
