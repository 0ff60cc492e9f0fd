"""Concept mentions in a record: vocabulary matches, abbreviations learned from the text,
composite products ("exosomes derived from hUC-MSCs"), and MeSH / keyword / trial-field
evidence at document level."""

from __future__ import annotations

import re

from litwatch.annotate.abbrev import find_definitions
from litwatch.annotate.matcher import PhraseMatcher
from litwatch.annotate.model import Mention
from litwatch.annotate.vocab import Vocabulary, default_vocabulary
from litwatch.records import Record

__all__ = ["Tagger", "get_tagger"]

# "UC-MSC-derived exosomes", "BMSC-Exos", "MSC exosomes"
_CELL_THEN_PRODUCT = re.compile(
    r"[\s\-]*(?:\([^()]{1,15}\)[\s\-]*)?(?:(?:derived|secreted|released|isolated|produced|generated|originated|"
    r"sourced)[\s\-]+)?\Z", re.I)
# "exosomes derived from human umbilical cord MSCs", "EVs secreted by NK cells"
_PRODUCT_THEN_CELL = re.compile(
    r"\s*(?:\([^()]{1,15}\)\s*)?(?:(?:derived|secreted|released|isolated|produced|obtained|purified|collected|"
    r"generated|extracted)\s+)?(?:from|of|by)\s+(?:the\s+|a\s+)?(?:[\w\-]+\s+){0,2}\Z", re.I)


class Tagger:
    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        insensitive: dict[str, set[str]] = {}
        sensitive: dict[str, set[str]] = {}
        for c in vocab:
            for s in c.synonyms:
                insensitive.setdefault(s, set()).add(c.id)
            for a in c.abbreviations:
                sensitive.setdefault(a, set()).add(c.id)
                if a.upper() != a:  # "hUC-MSCs" is also written "HUC-MSCS"
                    sensitive.setdefault(a.upper(), set()).add(c.id)
        self.matcher = PhraseMatcher(insensitive, sensitive)
        self._abbrev_ids = {a: ids for a, ids in sensitive.items()}
        self._mesh_names: dict[str, set[str]] = {}
        self._mesh_ui: dict[str, set[str]] = {}
        for c in vocab:
            for name in c.mesh_cues:
                self._mesh_names.setdefault(name.lower(), set()).add(c.id)
            if c.mesh:
                self._mesh_ui.setdefault(c.mesh, set()).add(c.id)

    # -- plain text -------------------------------------------------------------------------
    def tag_text(self, text: str, field: str, index: int | None = None) -> list[Mention]:
        out = []
        for m in self.matcher.find(text):
            for cid in m.concepts:
                out.append(Mention(cid, self.vocab.concepts[cid].category, field, m.start, m.end,
                                   text[m.start : m.end], index=index))
        return out

    # -- a whole record ---------------------------------------------------------------------
    def tag_record(self, record: Record) -> tuple[list[Mention], dict[str, str]]:
        """Mentions in title, abstract and document-level fields; and the abbreviations learned."""
        texts = {"title": record.title or "", "abstract": record.abstract_text}
        mentions: list[Mention] = []
        for field, text in texts.items():
            if text:
                mentions.extend(self.tag_text(text, field))
        learned = self._learn_abbreviations(texts, mentions)
        _cell_origins(texts, mentions, self.vocab)
        mentions.extend(_composites(texts, mentions, self.vocab))
        mentions.extend(self._document_level(record))
        mentions.sort(key=lambda m: (_FIELD_ORDER.get(m.field, 9), m.index or 0, m.start, m.end, m.concept_id))
        return mentions, learned

    def _learn_abbreviations(self, texts: dict[str, str], mentions: list[Mention]) -> dict[str, str]:
        learned: dict[str, str] = {}
        new_forms: dict[str, tuple[str, ...]] = {}
        suppress: set[str] = set()
        for field, text in texts.items():
            for d in find_definitions(text):
                inside = [m for m in mentions if m.field == field and d.long_start <= m.start and m.end <= d.long_end]
                vocab_ids = set(self._abbrev_ids.get(d.short, ())) | set(self._abbrev_ids.get(d.short.rstrip("s"), ()))
                learned[d.short] = d.long
                if vocab_ids and not any(m.concept_id in vocab_ids for m in inside):
                    suppress.add(d.short)  # the text defines this abbreviation as something else
                # the concept whose mention ends the long form (allowing a trailing word: "model")
                tail = [m for m in inside if d.long_end - m.end <= 12 and m.category != "species"]
                if tail:
                    last_end = max(m.end for m in tail)
                    new_forms[d.short] = tuple(sorted({m.concept_id for m in tail if m.end == last_end}))
        if suppress:
            mentions[:] = [m for m in mentions if not (m.text in suppress or m.text.rstrip("s") in suppress)]
        if new_forms:
            covered = {(m.field, m.start) for m in mentions}
            rx = re.compile(r"(?<![\w-])(" + "|".join(re.escape(s) for s in sorted(new_forms, key=len, reverse=True)) + r")s?(?![\w])")
            for field, text in texts.items():
                for m in rx.finditer(text):
                    if (field, m.start()) in covered or _inside(mentions, field, m.start(), m.end()):
                        continue
                    for cid in new_forms[m.group(1)]:
                        mentions.append(Mention(cid, self.vocab.category_of(cid) or "", field, m.start(), m.end(),
                                                m.group(0), source="abbreviation"))
        return learned

    def _document_level(self, record: Record) -> list[Mention]:
        out: list[Mention] = []
        for i, h in enumerate(record.mesh):
            ids = set(self._mesh_names.get(h.descriptor.lower(), ())) | set(self._mesh_ui.get(h.ui or "", ()))
            # MeSH names species and models through its own descriptors ("Mice"), not words inside
            # others ("Antibodies, Monoclonal, Murine-Derived", the drug "Doxorubicin")
            found = [m for m in self.tag_text(h.descriptor, "mesh", i) if m.category not in ("species", "animal_model")]
            ids -= {m.concept_id for m in found}
            out.extend(found)
            for cid in sorted(ids):
                out.append(Mention(cid, self.vocab.concepts[cid].category, "mesh", 0, len(h.descriptor),
                                   h.descriptor, index=i))
        for i, k in enumerate(record.keywords):
            out.extend(self.tag_text(k, "keywords", i))
        if record.trial is not None:
            for i, c in enumerate(record.trial.conditions):
                out.extend(self.tag_text(c, "conditions", i))
            for i, c in enumerate(record.trial.interventions):
                out.extend(self.tag_text(c, "interventions", i))
        return out


_FIELD_ORDER = {"title": 0, "abstract": 1, "keywords": 2, "mesh": 3, "conditions": 4, "interventions": 5}


def _inside(mentions: list[Mention], field: str, start: int, end: int) -> bool:
    return any(m.field == field and m.start < end and start < m.end for m in mentions)


def _composites(texts: dict[str, str], mentions: list[Mention], vocab: Vocabulary) -> list[Mention]:
    """A product next to its parent cell becomes "<product>+<cell>" spanning both."""
    out: list[Mention] = []
    for field, text in texts.items():
        here = sorted((m for m in mentions if m.field == field), key=lambda m: m.start)
        cells = [m for m in here if _is(vocab, m.concept_id, "parent")]
        for p in (m for m in here if _is(vocab, m.concept_id, "product")):
            best = None
            for c in cells:
                if c.end <= p.start and p.start - c.end <= 40 and _CELL_THEN_PRODUCT.match(text[c.end : p.start]):
                    best = c  # the nearest cell before wins
                elif c.start >= p.end and c.start - p.end <= 60 and best is None:
                    if _PRODUCT_THEN_CELL.match(text[p.end : c.start]):
                        best = c
                        break
            if best is not None:
                start, end = min(p.start, best.start), max(p.end, best.end)
                cid = f"{p.concept_id}+{best.concept_id}"
                out.append(Mention(cid, "product", field, start, end, text[start:end], source="composite",
                                   origin=best.origin or p.origin))
    return out


# "hUC-MSCs", "hBMSCs", "hiPSCs" (human); "rBMSCs" (rat); "mESCs" (mouse)
_ORIGIN_PREFIX = re.compile(r"^(?:(h)i?|(r)|(m))(?=[A-Z])")
_ORIGIN_WORD = {"human": "human", "humans": "human", "rat": "rat", "mouse": "mouse", "murine": "mouse"}
_ORIGIN_SPECIES = {"species:human": "human", "species:rat": "rat", "species:mouse": "mouse"}
# what may stand between a donor word and its cell: "human-derived", "human umbilical", "rat bone marrow"
_ORIGIN_GAP = re.compile(r"^[\s\-]*(?:derived[\s\-]+|origin[\s\-]+)?$", re.I)


def _cell_origins(texts: dict[str, str], mentions: list[Mention], vocab: Vocabulary) -> None:
    """Mark each cell or product mention with its donor species, in place; the species word that
    named the donor ("human" in "human stem cell-derived neurons") is dropped from the mentions,
    so a human cell given to mice never makes the study a human one."""
    drop: set[int] = set()
    for m in mentions:
        if m.category not in ("cell_source", "product") or m.field not in texts:
            continue
        text = texts[m.field]
        p = _ORIGIN_PREFIX.match(m.text)
        if p:
            m.origin = "human" if p.group(1) else "rat" if p.group(2) else "mouse"
        first = m.text.split(" ", 1)[0].lower()
        if first in _ORIGIN_WORD and " " in m.text:
            m.origin = _ORIGIN_WORD[first]
        for k, s in enumerate(mentions):
            if (s.field == m.field and s.concept_id in _ORIGIN_SPECIES and s.end <= m.start
                    and m.start - s.end <= 12 and _ORIGIN_GAP.match(text[s.end : m.start])
                    and s.text.lower() in _ORIGIN_WORD):
                m.origin = m.origin or _ORIGIN_SPECIES[s.concept_id]
                drop.add(k)
    if drop:
        mentions[:] = [s for k, s in enumerate(mentions) if k not in drop]
    # "human stem cell-derived neurons": what is derived from a human cell is human too
    cells = sorted((m for m in mentions if m.category == "cell_source"), key=lambda m: (m.field, m.start))
    for a, b in zip(cells, cells[1:]):
        if (a.field == b.field and a.origin and not b.origin and 0 <= b.start - a.end <= 12
                and re.match(r"^[\s\-]*derived[\s\-]+(?:[\w\-]+\s+)?$", texts[a.field][a.end : b.start], re.I)):
            b.origin = a.origin


def _is(vocab: Vocabulary, cid: str, flag: str) -> bool:
    c = vocab.concepts.get(cid)
    return bool(c is not None and getattr(c, flag))


_TAGGERS: dict[str, Tagger] = {}


def get_tagger(vocab: Vocabulary | None = None) -> Tagger:
    """The (cached) tagger of a vocabulary; building one compiles the patterns (~1 s)."""
    v = vocab or default_vocabulary()
    key = f"{v.source}:{v.hash}"
    if key not in _TAGGERS:
        if len(_TAGGERS) >= 4:
            _TAGGERS.pop(next(iter(_TAGGERS)))
        _TAGGERS[key] = Tagger(v)
    return _TAGGERS[key]
