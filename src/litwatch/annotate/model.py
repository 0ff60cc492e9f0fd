"""The annotation data shapes: Mention, Sentence, Annotations (JSON round-trip via to_dict/from_dict).

Offsets: a mention or sentence in field "title" points into `record.title`, in field "abstract"
into `record.abstract_text`; so `text[start:end] == mention.text` always holds. Mentions in
document-level fields ("mesh", "keywords", "conditions", "interventions") point into the item
`index` of that list (a MeSH descriptor, a keyword, a trial condition).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from litwatch.text.sentences import Sentence  # sentences are a text primitive, below annotation

__all__ = ["Mention", "Sentence", "Annotations", "ANNOTATOR_VERSION", "TEXT_FIELDS", "DOC_FIELDS"]

# bump when the annotator's behaviour changes: stored annotations of another version are redone
ANNOTATOR_VERSION = "1.2"  # 1.2: structured findings, study profile, cell donor species, in vivo models

TEXT_FIELDS = ("title", "abstract")
DOC_FIELDS = ("mesh", "keywords", "conditions", "interventions")


@dataclass(slots=True)
class Mention:
    concept_id: str
    category: str
    field: str
    start: int
    end: int
    text: str
    negated: bool = False
    speculative: bool = False
    index: int | None = None  # item number within a document-level field
    source: str = "vocabulary"  # vocabulary | abbreviation (learned in this record) | composite | context
    cue: str | None = None  # the negation or speculation cue that applied
    origin: str | None = None  # a cell's donor species ("human" in "hUC-MSCs"): not a species studied

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("index", "cue", "origin"):
            if d[k] is None:
                del d[k]
        return d


_FIELD_NAMES: dict[type, frozenset[str]] = {}


def _build(cls: type, data: dict[str, Any]) -> Any:
    names = _FIELD_NAMES.get(cls)
    if names is None:  # dataclasses.fields() is slow enough to show when reading a year's annotations
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))
    if names.issuperset(data):
        return cls(**data)
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(slots=True)
class Annotations:
    mentions: list[Mention] = field(default_factory=list)
    design: str = "design:other"
    evidence_level: int | None = None
    design_cues: list[dict[str, Any]] = field(default_factory=list)  # {"source", "text", "concept", ...}
    species: list[str] = field(default_factory=list)
    sample_size: dict[str, int] = field(default_factory=dict)  # {"participants": n} | {"animals_per_group": n}
    sample_size_cue: dict[str, Any] | None = None  # {"field", "start", "end", "text"}
    sentences: list[Sentence] = field(default_factory=list)
    key_findings: list[int] = field(default_factory=list)
    abbreviations: dict[str, str] = field(default_factory=dict)  # short form -> long form learned here
    findings: list[dict[str, Any]] = field(default_factory=list)  # StructuredFinding.to_dict(), per key finding
    profile: dict[str, Any] = field(default_factory=dict)  # StudyProfile.to_dict(): what the record studied
    version: str = ANNOTATOR_VERSION
    vocabulary_hash: str | None = None
    topic: str | None = None

    def concepts(self, category: str | None = None, include_negated: bool = False) -> list[str]:
        """Distinct concept ids (in first-mention order), optionally of one category."""
        seen: dict[str, None] = {}
        for m in self.mentions:
            if (category is None or m.category == category) and (include_negated or not m.negated):
                seen.setdefault(m.concept_id, None)
        return list(seen)

    def sentence(self, sentence_id: int) -> Sentence | None:
        for s in self.sentences:
            if s.id == sentence_id:
                return s
        return None

    def structured_findings(self) -> list[Any]:
        """The findings as StructuredFinding objects."""
        from litwatch.annotate.findings import StructuredFinding

        return [StructuredFinding.from_dict(f) for f in self.findings]

    def study_profile(self) -> Any:
        from litwatch.annotate.studied import StudyProfile

        return StudyProfile.from_dict(self.profile)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "vocabulary_hash": self.vocabulary_hash,
            "topic": self.topic,
            "design": self.design,
            "evidence_level": self.evidence_level,
            "design_cues": self.design_cues,
            "species": self.species,
            "sample_size": self.sample_size,
            "sample_size_cue": self.sample_size_cue,
            "abbreviations": self.abbreviations,
            "mentions": [m.to_dict() for m in self.mentions],
            "sentences": [s.to_dict() for s in self.sentences],
            "key_findings": self.key_findings,
            "findings": self.findings,
            "profile": self.profile,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Annotations":
        d = dict(data)
        return cls(
            mentions=[_build(Mention, m) for m in d.get("mentions", [])],
            design=d.get("design", "design:other"),
            evidence_level=d.get("evidence_level"),
            design_cues=list(d.get("design_cues", [])),
            species=list(d.get("species", [])),
            sample_size=dict(d.get("sample_size") or {}),
            sample_size_cue=d.get("sample_size_cue"),
            sentences=[_build(Sentence, s) for s in d.get("sentences", [])],
            key_findings=list(d.get("key_findings", [])),
            abbreviations=dict(d.get("abbreviations") or {}),
            findings=list(d.get("findings") or []),
            profile=dict(d.get("profile") or {}),
            version=d.get("version", ANNOTATOR_VERSION),
            vocabulary_hash=d.get("vocabulary_hash"),
            topic=d.get("topic"),
        )
