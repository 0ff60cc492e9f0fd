"""The concept vocabulary: TOML files under annotate/vocab/, loaded once, hashed, labelled.

A concept has an id ("cell:uc-msc"), a category, labels in en and zh-Hans written by hand
(Traditional Chinese is derived with OpenCC: `s2twp` for zh-Hant, Taiwan's words and phrasing,
`s2hk` for zh-Hant-HK), optional `phrases` (other forms of its name that generated sentences
need: "depression-like behaviour", "given intravenously", a design's short name), synonyms (matched case-insensitively, with plural, hyphen and
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
    "concept_phrase",
    "to_traditional",
    "CATEGORIES",
    "LANGUAGES",
    "OPENCC_CONFIG",
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
    "comparator",
    "anatomy",
)
LANGUAGES = ("en", "zh-Hans", "zh-Hant", "zh-Hant-HK")
# OpenCC configurations that derive each Traditional Chinese variant from zh-Hans
OPENCC_CONFIG = {"zh-Hant": "s2twp", "zh-Hant-HK": "s2hk"}

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
    phrases: dict[str, dict[str, str]] = field(default_factory=dict)  # form -> lang -> text
    in_vivo: bool = False  # an animal model only living animals can be: its mention makes a study in vivo
    # forms whose change is not the concept's in the same direction ("SOD" for oxidative stress, "BBB
    # permeability" for barrier integrity, a marker like "tyrosine hydroxylase" for dopamine): a
    # finding never says which way the concept moved from these
    not_effects: list[str] = field(default_factory=list)

    def match_key(self) -> str:
        """What the tagger depends on: changing it means records may need re-annotation."""
        data = [self.category, sorted(self.synonyms), sorted(self.abbreviations), sorted(self.mesh_cues),
                sorted(self.pub_types), self.text_cues, self.evidence_level, self.parent, self.product]
        if self.in_vivo:  # only when set, so the keys of every other concept stay as they were
            data.append("in_vivo")
        if self.not_effects:
            data.append(sorted(self.not_effects))
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
    phrases = {name: dict(forms) for name, forms in (entry.get("phrases") or {}).items()}
    for name, forms in phrases.items():
        if "en" not in forms or "zh-Hans" not in forms:
            raise UsageError(f"vocabulary {where}: phrase {name!r} of {entry['id']} needs en and zh-Hans")
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
        phrases=phrases,
        in_vivo=bool(entry.get("in_vivo", False)),
        not_effects=list(entry.get("not_effects", [])),
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


@lru_cache(maxsize=8192)
def to_traditional(text: str, lang: str) -> str:
    """Simplified `text` in the Traditional variant `lang` (zh-Hant: Taiwan, zh-Hant-HK: Hong Kong)."""
    from litwatch.text.chinese import converter

    return converter(OPENCC_CONFIG[lang]).convert(text) if text else text


def _in_lang(forms: dict[str, str], lang: str) -> str:
    if lang in OPENCC_CONFIG:
        # Traditional is derived, never stored: one source of truth per concept
        return forms.get(lang) or to_traditional(forms["zh-Hans"], lang)
    return forms[lang]


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise UsageError(f"unknown language {lang!r}", hint="one of " + ", ".join(LANGUAGES))


def concept_label(concept_id: str, lang: str = "en", vocabulary: Vocabulary | None = None) -> str:
    """The concept's name in en, zh-Hans, zh-Hant or zh-Hant-HK; composites are named from their parts."""
    _check_lang(lang)
    vocab = vocabulary or default_vocabulary()
    concept = vocab.get(concept_id)
    if concept is not None:
        return _in_lang(concept.labels, lang)
    if "+" in concept_id:
        product_id, cell_id = concept_id.split("+", 1)
        product, cell = vocab.get(product_id), vocab.get(cell_id)
        if product is not None and cell is not None:
            if lang == "en":
                return f"{product.labels['en']} from {cell.labels['en']}"
            hans = f"{cell.labels['zh-Hans']}来源的{product.labels['zh-Hans']}"
            return hans if lang == "zh-Hans" else to_traditional(hans, lang)
    raise UsageError(f"unknown concept {concept_id!r}", hint="see litwatch/annotate/vocab/*.toml for the ids")


def concept_phrase(concept_id: str, form: str, lang: str = "en", vocabulary: Vocabulary | None = None) -> str | None:
    """Another form of the concept's name ("behaviour", "given", "short", ...), or None when it has none."""
    _check_lang(lang)
    concept = (vocabulary or default_vocabulary()).get(concept_id)
    if concept is None or form not in concept.phrases:
        return None
    return _in_lang(concept.phrases[form], lang)
