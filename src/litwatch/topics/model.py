"""The Topic: what a TOML profile says, checked field by field.

A profile (see `builtin/stem-cell-depression.toml` and `template.toml`) has

    name, version, highlights_per_month, model_min_precision, model_min_recall
    [names]            lang -> the topic's name
    [queries]          a query per source of litwatch/services.py: pubmed, europepmc, clinicaltrials
                       ("cond=...; intr=..."), crossref (fetched only when asked for)
    [concepts.ID]      label, terms (phrases), zh (Chinese terms), case_terms (case kept), patterns
                       (regexes), vocab, joins (a cue set its mentions stand for), needs_long_form
    [[include]]        name, any = [concept ids]  -- the intervention and condition groups
    [evidence_map]     rows, columns: annotation categories (annotate/vocab.py) the overview's map
                       crosses; default cell_source x outcome_measure + mechanism
    [relations]        how the groups must relate (see topics/relations.py); without it every
                       group must simply match (co-occurrence)
    [cues.NAME]        cue lists per language (defaults: topics/default_cues.toml)
    [[contexts]]       exclusion contexts, each named in the decisions it makes
    [[exclude]]        concept, mode = "mask" | "reject"
    [texts.LANG]       title, intro, disclaimer
    [report_style]     lang -> CSL style name

Validation raises ProfileError naming the profile, the key and what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from litwatch.errors import ProfileError
from litwatch.services import SOURCE_NAMES
from litwatch.topics.relations import (
    CueSet,
    Context,
    Relations,
    parse_contexts,
    parse_cues,
    parse_relations,
    rules_fingerprint,
)
from litwatch.topics.terms import TermMatcher

__all__ = ["Concept", "ConceptGroup", "EvidenceMap", "Exclusion", "Topic", "topic_from_dict", "LANGUAGES", "SOURCES"]

LANGUAGES = ("en", "zh-Hans", "zh-Hant")
SOURCES = SOURCE_NAMES  # the [queries] keys a profile may have: the Source table's names
TEXT_KEYS = ("title", "intro", "disclaimer")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass
class Concept:
    """Words that mean one thing: phrases (any case), case-kept abbreviations, regexes."""

    id: str
    label: dict[str, str] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)
    case_terms: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    vocab: list[str] = field(default_factory=list)  # annotation vocabulary ids (annotate/vocab)
    zh: list[str] = field(default_factory=list)  # Chinese terms (Simplified; Traditional text is converted)
    joins: str | None = None  # a cue set its mentions also stand for ("antidepressant effect": therapeutic)
    needs_long_form: bool = False  # case_terms count only in a record that also spells a term out

    def matcher(self) -> TermMatcher:
        """The fast matcher (lower-cased terms + Chinese terms, case-kept terms, patterns)."""
        m = self.__dict__.get("_matcher")
        if m is None:
            m = self.__dict__["_matcher"] = TermMatcher(self.terms + self.zh, self.case_terms, self.patterns)
        return m

    def regex(self) -> re.Pattern[str]:
        """One compiled IGNORECASE regex of the same words (phrases, Chinese terms, abbreviations with
        their case, patterns); `matcher()` finds the same matches faster."""
        return TermMatcher(self.terms + self.zh, self.case_terms, self.patterns).regex()


@dataclass
class ConceptGroup:
    name: str
    any: list[str]


@dataclass
class Exclusion:
    concept: str
    mode: str = "mask"  # mask: its spans hide inclusion matches inside them; reject: any match excludes


@dataclass(frozen=True)
class EvidenceMap:
    """The two dimensions of the overview's evidence map: annotation categories whose concepts are its
    rows and its columns (a paper counts in a cell when it mentions both)."""

    rows: tuple[str, ...] = ("cell_source",)
    columns: tuple[str, ...] = ("outcome_measure", "mechanism")


@dataclass
class Topic:
    name: str
    names: dict[str, str]
    queries: dict[str, str]
    concepts: dict[str, Concept]
    include: list[ConceptGroup]
    exclude: list[Exclusion]
    texts: dict[str, dict[str, str]]
    highlights_per_month: int = 5
    report_style: dict[str, str] = field(default_factory=dict)
    version: int = 1
    description: str = ""
    path: str | None = None
    relations: Relations | None = None  # None: every include group must match (co-occurrence)
    cues: dict[str, CueSet] = field(default_factory=dict)
    contexts: list[Context] = field(default_factory=list)
    model_min_precision: float = 0.9  # the ranker decides alone only above this cross-validated precision
    model_min_recall: float = 0.95  # ... and excludes only below the score that keeps this recall
    evidence_map: EvidenceMap = field(default_factory=EvidenceMap)

    def group(self, name: str | None) -> ConceptGroup | None:
        return next((g for g in self.include if g.name == name), None)

    def rules_hash(self) -> str:
        """Hash of everything the rules read (not queries or texts): a change re-screens the topic."""
        cached = self.__dict__.get("_rules_hash")
        if cached is None:
            cached = self.__dict__["_rules_hash"] = rules_fingerprint({
                "version": self.version, "concepts": self.concepts, "include": self.include,
                "exclude": self.exclude, "relations": self.relations, "cues": self.cues,
                "contexts": self.contexts,
            })
        return cached

    def title(self, lang: str = "en") -> str:
        return self.texts.get(lang, {}).get("title") or self.names.get(lang) or self.names.get("en") or self.name

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (used by `topic show --json` and the report's digest)."""
        return {
            "name": self.name,
            "names": self.names,
            "queries": self.queries,
            "include": [{"name": g.name, "any": g.any} for g in self.include],
            "exclude": [{"concept": e.concept, "mode": e.mode} for e in self.exclude],
            "texts": self.texts,
            "highlights_per_month": self.highlights_per_month,
            "report_style": self.report_style,
            "version": self.version,
            "relations": None if self.relations is None else {
                "intervention": self.relations.intervention, "condition": self.relations.condition,
                "kinds": self.relations.kinds, "roles": self.relations.roles,
            },
            "contexts": [{"name": c.name, "label": c.label, "scope": c.scope, "applies_to": c.applies_to,
                          "kind": c.kind} for c in self.contexts],
            "model_min_precision": self.model_min_precision,
            "model_min_recall": self.model_min_recall,
            "evidence_map": {"rows": list(self.evidence_map.rows), "columns": list(self.evidence_map.columns)},
            "rules_hash": self.rules_hash(),
        }


# -- validation ------------------------------------------------------------------------


def _err(where: str, message: str, hint: str | None = None) -> ProfileError:
    return ProfileError(f"{where}: {message}", hint=hint)


def _str_map(data: Any, where: str, key: str) -> dict[str, str]:
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise _err(where, f"[{key}] must be a table of strings")
    return {k: v.strip() for k, v in data.items()}


def _str_list(data: Any, where: str, key: str) -> list[str]:
    if data is None:
        return []
    if isinstance(data, str):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(v, str) and v.strip() for v in data):
        raise _err(where, f"{key} must be a list of non-empty strings")
    return [v.strip() for v in data]


def _concept(cid: str, data: Any, where: str) -> Concept:
    here = f"{where}: concepts.{cid}"
    if not isinstance(data, dict):
        raise ProfileError(f"{here}: must be a table (terms, patterns, ...)")
    unknown = set(data) - {"label", "terms", "case_terms", "patterns", "vocab", "zh", "joins", "needs_long_form"}
    if unknown:
        raise ProfileError(f"{here}: unknown key(s) {', '.join(sorted(unknown))}",
                           hint="use label, terms, zh, case_terms, patterns, vocab, joins, needs_long_form")
    joins = data.get("joins")
    if joins is not None and joins not in ("therapeutic", "administration", "association"):
        raise ProfileError(f"{here}: joins = {joins!r} must be 'therapeutic', 'administration' or 'association'")
    if not isinstance(data.get("needs_long_form", False), bool):
        raise ProfileError(f"{here}: needs_long_form must be true or false")
    label = data.get("label", {})
    c = Concept(
        id=cid,
        label={"en": label} if isinstance(label, str) else _str_map(label, here, "label"),
        terms=_str_list(data.get("terms"), here, "terms"),
        case_terms=_str_list(data.get("case_terms"), here, "case_terms"),
        patterns=_str_list(data.get("patterns"), here, "patterns"),
        vocab=_str_list(data.get("vocab"), here, "vocab"),
        zh=_str_list(data.get("zh"), here, "zh"),
        joins=joins,
        needs_long_form=bool(data.get("needs_long_form", False)),
    )
    if not (c.terms or c.case_terms or c.patterns or c.zh):
        raise ProfileError(f"{here}: no terms, zh, case_terms or patterns", hint="a concept needs words to match")
    for p in c.patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise ProfileError(f"{here}: bad pattern {p!r}: {exc}") from exc
    return c


def _known(cid: str, concepts: dict[str, Concept], here: str) -> str:
    if cid not in concepts:
        valid = ", ".join(sorted(concepts)) or "none defined"
        raise ProfileError(f"{here}: unknown concept {cid!r}", hint=f"defined concepts: {valid}")
    return cid


def _groups(data: Any, concepts: dict[str, Concept], where: str) -> list[ConceptGroup]:
    if not isinstance(data, list) or not data:
        raise ProfileError(f"{where}: no [[include]] concept groups", hint="add e.g. an intervention and a condition group")
    groups = []
    for i, g in enumerate(data, start=1):
        here = f"{where}: include #{i}"
        if not isinstance(g, dict):
            raise ProfileError(f"{here}: must be a table with name and any")
        ids = _str_list(g.get("any"), here, "any")
        if not ids:
            raise ProfileError(f"{here}: 'any' lists no concepts")
        groups.append(ConceptGroup(str(g.get("name") or f"group{i}"), [_known(c, concepts, here) for c in ids]))
    return groups


def _exclusions(data: Any, concepts: dict[str, Concept], where: str) -> list[Exclusion]:
    out = []
    for i, e in enumerate(data or [], start=1):
        here = f"{where}: exclude #{i}"
        if isinstance(e, str):
            e = {"concept": e}
        if not isinstance(e, dict) or "concept" not in e:
            raise ProfileError(f"{here}: must name a concept")
        mode = e.get("mode", "mask")
        if mode not in ("mask", "reject"):
            raise ProfileError(f"{here}: mode {mode!r} is not 'mask' or 'reject'")
        out.append(Exclusion(_known(str(e["concept"]), concepts, here), mode))
    return out


def _queries(data: Any, where: str) -> dict[str, str]:
    queries = _str_map(data, where, "queries")
    unknown = set(queries) - set(SOURCES)
    if unknown:
        raise ProfileError(f"{where}: unknown source(s) in [queries]: {', '.join(sorted(unknown))}",
                           hint=f"sources: {', '.join(SOURCES)}")
    for source, q in queries.items():
        if not q:
            raise ProfileError(f"{where}: empty query for {source}", hint="write the query or remove the key")
    if not queries:
        raise ProfileError(f"{where}: [queries] is empty", hint=f"give a query for at least one of {', '.join(SOURCES)}")
    return {s: " ".join(q.split()) for s, q in queries.items()}  # TOML multi-line -> one line


def _texts(data: Any, where: str) -> dict[str, dict[str, str]]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ProfileError(f"{where}: [texts] must hold one table per language")
    out = {}
    for lang, table in data.items():
        if lang not in LANGUAGES:
            raise ProfileError(f"{where}: unknown language {lang!r} in [texts]", hint=f"use {', '.join(LANGUAGES)}")
        out[lang] = _str_map(table, where, f"texts.{lang}")
    return out


def topic_from_dict(data: dict[str, Any], *, where: str, default_name: str | None = None) -> Topic:
    """Check a parsed profile and build its Topic; every problem is a ProfileError naming `where`."""
    name = str(data.get("name") or default_name or "")
    if not _NAME.match(name):
        raise ProfileError(f"{where}: name {name!r} must be lower-case letters, digits, '-' or '_'")
    raw_concepts = data.get("concepts") or {}
    if not isinstance(raw_concepts, dict):
        raise ProfileError(f"{where}: [concepts] must be a table of concept tables")
    concepts = {cid: _concept(cid, c, where) for cid, c in raw_concepts.items()}
    hpm = data.get("highlights_per_month", 5)
    if not isinstance(hpm, int) or hpm < 0:
        raise ProfileError(f"{where}: highlights_per_month must be a whole number >= 0")
    names = _str_map(data.get("names"), where, "names")
    groups = _groups(data.get("include"), concepts, where)
    relations = parse_relations(data.get("relations"), [g.name for g in groups], where)
    inter = next((g.any for g in groups if relations and g.name == relations.intervention), groups[0].any)
    return Topic(
        name=name,
        names=names or {"en": name},
        queries=_queries(data.get("queries"), where),
        concepts=concepts,
        include=groups,
        exclude=_exclusions(data.get("exclude"), concepts, where),
        texts=_texts(data.get("texts"), where),
        highlights_per_month=hpm,
        report_style=_str_map(data.get("report_style"), where, "report_style"),
        version=int(data.get("version", 1)),
        description=str(data.get("description", "")).strip(),
        relations=relations,
        cues=parse_cues(data.get("cues"), where),
        contexts=parse_contexts(data.get("contexts"), set(concepts), inter, where),
        model_min_precision=_share(data, "model_min_precision", 0.9, where),
        model_min_recall=_share(data, "model_min_recall", 0.95, where),
        evidence_map=_evidence_map(data.get("evidence_map"), where),
    )


_CATEGORY = re.compile(r"^[a-z][a-z_]*$")


def _evidence_map(data: Any, where: str) -> EvidenceMap:
    """[evidence_map] rows/columns: category names (which categories exist is the annotation
    vocabulary's to say; the report checks them against it)."""
    if data is None:
        return EvidenceMap()
    if not isinstance(data, dict):
        raise _err(where, "[evidence_map] must be a table with rows and columns")
    unknown = set(data) - {"rows", "columns"}
    if unknown:
        raise _err(where, f"unknown key(s) in [evidence_map]: {', '.join(sorted(unknown))}", hint="use rows, columns")
    default = EvidenceMap()
    dims = {}
    for key in ("rows", "columns"):
        value = data.get(key, list(getattr(default, key)))
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and _CATEGORY.match(v) for v in value):
            raise _err(where, f"[evidence_map] {key} must be a list of annotation categories",
                       hint='e.g. rows = ["condition"], columns = ["outcome_measure", "mechanism"]')
        dims[key] = tuple(dict.fromkeys(value))
    return EvidenceMap(**dims)


def _share(data: dict[str, Any], key: str, default: float, where: str) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ProfileError(f"{where}: {key} must be a number above 0 and at most 1 (e.g. 0.9)")
    return float(value)
