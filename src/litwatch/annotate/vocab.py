"""The concept vocabulary: TOML files under annotate/vocab/, loaded once, hashed, labelled.

A concept has an id ("cell:uc-msc"), a category, labels in en and zh-Hans (zh-Hant is derived
with OpenCC when asked for), synonyms (matched case-insensitively, with plural, hyphen and
Greek-letter variants), abbreviations (matched with their case) and a MeSH UI where one exists.
Synonyms may use `{MACRO}` (from the file's [macros] table) and `[optional words]`.

Composite product concepts ("product:exosome+cell:uc-msc": exosomes from umbilical cord MSCs)
are not listed in the files: the tagger makes them when a product stands next to its parent
cell, and `concept_label` names them from their two parts.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from litwatch.errors import UsageError

__all__ = [
    "Concept",
    "Vocabulary",
    "load_vocabulary",
    "default_vocabulary",
    "concept_label",
    "CATEGORIES",
    "LANGUAGES",
]

CATEGORIES = (
    "design",
    "species",
    "cell_source",
    "product",
    "condition",
    "animal_model",
    "route",
    "outcome_measure",
    "biomarker",
    "mechanism",
)
LANGUAGES = ("en", "zh-Hans", "zh-Hant")

_INNER_PLURAL = re.compile(r"\bcell(?=[ \-/]\w)")
_SURFACE_PART = re.compile(r"\{([A-Z]+)\}|\[([^\]]*)\]")


@dataclass(slots=True)
class Concept:
    id: str
    category: str
    labels: dict[str, str]
    synonyms: list[str] = field(default_factory=list)
    abbreviations: list[str] = field(default_factory=list)
    mesh: str | None = None
    mesh_cues: list[str] = field(default_factory=list)
    pub_types: list[str] = field(default_factory=list)
    text_cues: list[str] = field(default_factory=list)
    evidence_level: int | None = None
    parent: bool = False  # a cell that products are derived from
    product: bool = False  # a cell-derived product (EVs, exosomes, secretome, ...)

    def match_key(self) -> str:
        """What the tagger depends on: changing it means records may need re-annotation."""
        data = [self.category, sorted(self.synonyms), sorted(self.abbreviations), sorted(self.mesh_cues),
                sorted(self.pub_types), self.text_cues, self.evidence_level, self.parent, self.product]
        return hashlib.sha1(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass
class Vocabulary:
    concepts: dict[str, Concept]
    source: str = "builtin"
    _hash: str | None = field(default=None, repr=False, compare=False)

    def __iter__(self):
        return iter(self.concepts.values())

    def __len__(self) -> int:
        return len(self.concepts)

    def get(self, concept_id: str) -> Concept | None:
        return self.concepts.get(concept_id)

    def by_category(self, category: str) -> list[Concept]:
        return [c for c in self.concepts.values() if c.category == category]

    def match_keys(self) -> dict[str, str]:
        return {cid: c.match_key() for cid, c in self.concepts.items()}

    @property
    def hash(self) -> str:
        """One hash over what matching depends on (labels excluded: renaming changes no mention)."""
        if self._hash is None:
            blob = json.dumps(sorted(self.match_keys().items())).encode()
            self._hash = hashlib.sha1(blob).hexdigest()[:16]
        return self._hash

    def category_of(self, concept_id: str) -> str | None:
        c = self.concepts.get(concept_id)
        if c is not None:
            return c.category
        if "+" in concept_id:
            return "product"
        return None


def expand_surface(text: str, macros: dict[str, list[str]]) -> list[str]:
    """'[human ]umbilical cord{DER} {MSC}' -> every spelled-out form."""
    parts: list[list[str]] = []
    pos = 0
    for m in _SURFACE_PART.finditer(text):
        parts.append([text[pos : m.start()]])
        if m.group(1):
            if m.group(1) not in macros:
                raise UsageError(f"vocabulary: unknown macro {{{m.group(1)}}} in {text!r}")
            parts.append(macros[m.group(1)])
        else:
            parts.append([m.group(2), ""])
        pos = m.end()
    parts.append([text[pos:]])
    out = []
    for combo in itertools.product(*parts):
        s = re.sub(r"\s+", " ", "".join(combo)).strip()
        # a plural inside a phrase: "stem cells derived from adipose tissue"
        for form in (s, _INNER_PLURAL.sub("cells", s)):
            if form and form not in out:
                out.append(form)
    return out


def _concept_from(entry: dict[str, Any], category: str, macros: dict[str, list[str]], where: str) -> Concept:
    if "id" not in entry or "labels" not in entry:
        raise UsageError(f"vocabulary {where}: a concept needs an id and labels", hint=f"entry {entry!r}")
    labels = dict(entry["labels"])
    if "en" not in labels or "zh-Hans" not in labels:
        raise UsageError(f"vocabulary {where}: {entry['id']} needs labels en and zh-Hans")
    synonyms: list[str] = []
    for s in entry.get("synonyms", []):
        for form in expand_surface(s, macros):
            if form not in synonyms:
                synonyms.append(form)
    return Concept(
        id=entry["id"],
        category=entry.get("category", category),
        labels=labels,
        synonyms=synonyms,
        abbreviations=list(entry.get("abbreviations", [])),
        mesh=entry.get("mesh"),
        mesh_cues=list(entry.get("mesh_cues", [])),
        pub_types=list(entry.get("pub_types", [])),
        text_cues=list(entry.get("text_cues", [])),
        evidence_level=entry.get("evidence_level"),
        parent=bool(entry.get("parent", False)),
        product=bool(entry.get("product", False)),
    )


def load_vocabulary(folder: str | Path | None = None) -> Vocabulary:
    """Read every *.toml concept file in `folder` (default: the package's vocab/)."""
    if folder is None:
        root = resources.files("litwatch.annotate") / "vocab"
        files = sorted((e for e in root.iterdir() if e.name.endswith(".toml")), key=lambda e: e.name)
        source = "builtin"
    else:
        root = Path(folder)
        if not root.is_dir():
            raise UsageError(f"vocabulary folder {root} does not exist")
        files = sorted(root.glob("*.toml"))
        source = str(root)
    concepts: dict[str, Concept] = {}
    for entry_file in files:
        try:
            data = tomllib.loads(entry_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"vocabulary {entry_file.name}: {exc}") from None
        category = data.get("category", Path(entry_file.name).stem)
        macros = {k: list(v) for k, v in data.get("macros", {}).items()}
        for entry in data.get("concept", []):
            c = _concept_from(entry, category, macros, entry_file.name)
            if c.category not in CATEGORIES:
                raise UsageError(f"vocabulary {entry_file.name}: {c.id} has unknown category {c.category!r}",
                                 hint="one of " + ", ".join(CATEGORIES))
            if c.id in concepts:
                raise UsageError(f"vocabulary {entry_file.name}: concept id {c.id} defined twice")
            concepts[c.id] = c
    return Vocabulary(concepts, source)


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    return load_vocabulary()


@lru_cache(maxsize=4)
def _opencc(config: str):
    import opencc

    return opencc.OpenCC(config)


def _label(concept: Concept, lang: str) -> str:
    if lang == "zh-Hant":
        # Traditional is derived, never stored: one source of truth per concept
        return concept.labels.get("zh-Hant") or _opencc("s2t").convert(concept.labels["zh-Hans"])
    return concept.labels[lang]


def concept_label(concept_id: str, lang: str = "en", vocabulary: Vocabulary | None = None) -> str:
    """The concept's name in en, zh-Hans or zh-Hant; composites are named from their parts."""
    if lang not in LANGUAGES:
        raise UsageError(f"unknown language {lang!r}", hint="one of " + ", ".join(LANGUAGES))
    vocab = vocabulary or default_vocabulary()
    concept = vocab.get(concept_id)
    if concept is not None:
        return _label(concept, lang)
    if "+" in concept_id:
        product_id, cell_id = concept_id.split("+", 1)
        product, cell = vocab.get(product_id), vocab.get(cell_id)
        if product is not None and cell is not None:
            if lang == "en":
                return f"{product.labels['en']} from {cell.labels['en']}"
            hans = f"{cell.labels['zh-Hans']}来源的{product.labels['zh-Hans']}"
            return hans if lang == "zh-Hans" else _opencc("s2t").convert(hans)
    raise UsageError(f"unknown concept {concept_id!r}", hint="see litwatch/annotate/vocab/*.toml for the ids")
