"""The declarative screening rules of a profile: relations, cue lists and exclusion contexts.

    [relations]      intervention / condition (include group names), kinds, roles
    [cues.NAME]      en = [...], zh = [...]: therapeutic, administration, administration_before,
                     association, negation, negation_after, pseudo_negation, hypothetical, hedge,
                     scope_end
    [[contexts]]     name, label, en/zh cue terms, applies_to, scope, window_before/after,
                     after_connectors, connector_lead, min_hits, position, requires, unless,
                     unless_within, absent, absent_within, kind

Relation kinds (what makes the intervention "studied as a treatment of the condition"):
    title           both named in the title
    therapeutic     one sentence (of `roles`) names both, joined by a therapeutic cue that has the
                    intervention acting on the condition ("MSCs reduced depression", "depression was
                    reduced by MSCs"), not the condition acting on the cells ("stress reduced the
                    cells' secretome"); in a record that gives the intervention itself and names
                    the condition nowhere else where it is studied, a hedged sentence ("may also
                    relieve depression", `hedge` cues) joins nothing
    administration  a sentence gives the intervention (administration cue next to it) and the
                    condition, its models or behavioural tests are measured (named in a sentence
                    of `measured_roles`, methods and results by default, or in the title)
    registry        a registered trial lists the intervention (interventions or title) and the
                    condition (conditions or title)
    association     one sentence (of `roles`) names both, joined by an association cue (associated,
                    altered in, correlated ...): for topics that follow exposures, not only treatments
A profile without a condition group (e.g. msc-trials) reads the same kinds with the intervention
alone: title and therapeutic then need a therapeutic or administration cue next to it.

Context scopes (where a cue must stand to disqualify a mention of `applies_to`):
    phrase    the cue phrase contains the mention ("cancer stem cell" holds "stem cell")
    window    up to `window_before` words before the mention, or `window_after` words after it
              when one of `after_connectors` (from, derived from, ...) stands between them; with
              `connector_lead = N` the connector must begin within N words of the mention (forms
              of "be" not counted: "exosomes were released by activated microglia")
    sentence  anywhere in the mention's sentence (`position = "before"`: before the mention)
    record    `min_hits` cue matches anywhere in the record
`requires` (en/zh terms) makes a context apply only where one of those words also stands in the
mention's sentence (a blood word with a measurement: "plasma" + "levels"). `unless` (cue-set
names or concept ids) spares a mention whose sentence has that cue next to it (administration)
or that concept within the window (`unless_within = N`: within N words of the mention, either
side); `absent` (concept ids) makes a context apply only when none of those concepts has a usable
mention in the record (`absent_within = N`: none is named, in another sense or negated aside,
within N words of a mention of `applies_to` in its sentence). `kind = "no_outcome"` names the
exclusion when the intervention is given but the condition is never measured.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from litwatch.errors import ProfileError
from litwatch.topics.terms import TermMatcher

__all__ = [
    "RELATION_KINDS",
    "ROLES",
    "CUE_SETS",
    "CueSet",
    "Context",
    "Relations",
    "default_cues",
    "parse_relations",
    "parse_cues",
    "parse_contexts",
]

RELATION_KINDS = ("title", "therapeutic", "administration", "registry", "association")
ROLES = ("background", "objective", "methods", "results", "conclusions")
CUE_SETS = ("therapeutic", "administration", "administration_before", "association", "negation",
            "negation_after", "pseudo_negation", "hypothetical", "hedge", "scope_end")
SCOPES = ("phrase", "window", "sentence", "record")
LANG_KEYS = ("en", "zh")


@dataclass
class CueSet:
    """Cue words of one kind, per language ('en', 'zh'; Traditional Chinese is matched as Simplified)."""

    name: str
    terms: dict[str, list[str]] = field(default_factory=dict)
    origin: str = "profile"  # profile | default

    def all_terms(self) -> list[str]:
        return [t for lang in LANG_KEYS for t in self.terms.get(lang, [])]

    def matcher(self) -> TermMatcher:
        m = self.__dict__.get("_matcher")
        if m is None:
            m = self.__dict__["_matcher"] = TermMatcher(self.all_terms(), plurals=False)
        return m


@dataclass
class Context:
    """A context that takes mentions out of the relations (and names itself in the decision)."""

    name: str
    label: dict[str, str]
    terms: dict[str, list[str]] = field(default_factory=dict)
    kind: str = "cue"  # cue | no_outcome
    scope: str = "sentence"
    applies_to: list[str] = field(default_factory=list)
    window_before: int = 3
    window_after: int = 0
    after_connectors: list[str] = field(default_factory=list)
    connector_lead: int | None = None  # the connector begins within this many words (None: anywhere)
    min_hits: int = 1
    position: str = "any"  # any | before
    requires: dict[str, list[str]] = field(default_factory=dict)  # ... and one of these in the sentence
    unless: list[str] = field(default_factory=list)
    unless_within: int | None = None  # an `unless` concept spares only this near (None: the reach)
    absent: list[str] = field(default_factory=list)
    absent_within: int | None = None  # `absent` concepts count only this near a target (None: anywhere)

    def all_terms(self) -> list[str]:
        return [t for lang in LANG_KEYS for t in self.terms.get(lang, [])]

    def matcher(self) -> TermMatcher:
        m = self.__dict__.get("_matcher")
        if m is None:
            m = self.__dict__["_matcher"] = TermMatcher(self.all_terms(), plurals=True)
        return m

    def requires_matcher(self) -> TermMatcher | None:
        if not self.requires:
            return None
        m = self.__dict__.get("_requires")
        if m is None:
            m = self.__dict__["_requires"] = TermMatcher(
                [t for lang in LANG_KEYS for t in self.requires.get(lang, [])], plurals=True)
        return m

    def title(self, lang: str = "en") -> str:
        return self.label.get(lang) or self.label.get("en") or self.name


@dataclass
class Relations:
    intervention: str
    condition: str | None
    kinds: list[str]
    roles: list[str]
    measured_roles: list[str] = field(default_factory=lambda: ["methods", "results"])
    max_words: int = 40  # two mentions joined by a cue may stand at most this many words apart


@lru_cache(maxsize=1)
def _default_cue_data() -> dict[str, Any]:
    text = (resources.files("litwatch.topics") / "default_cues.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def default_cues() -> dict[str, CueSet]:
    """The cue lists a profile gets for every set it does not write itself (default_cues.toml)."""
    data = _default_cue_data().get("cues", {})
    return {name: CueSet(name, {k: list(v) for k, v in data.get(name, {}).items()}, "default") for name in CUE_SETS}


def _terms(data: dict[str, Any], here: str) -> dict[str, list[str]]:
    out = {}
    for lang in LANG_KEYS:
        value = data.get(lang)
        if value is None:
            continue
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ProfileError(f"{here}: {lang} must be a list of non-empty strings")
        out[lang] = [v.strip() for v in value]
    return out


def parse_cues(data: Any, where: str) -> dict[str, CueSet]:
    cues = default_cues()
    if data is None:
        return cues
    if not isinstance(data, dict):
        raise ProfileError(f"{where}: [cues] must hold one table per cue set")
    for name, table in data.items():
        here = f"{where}: cues.{name}"
        if name not in CUE_SETS:
            raise ProfileError(f"{here}: unknown cue set", hint=f"cue sets: {', '.join(CUE_SETS)}")
        if not isinstance(table, dict) or set(table) - set(LANG_KEYS):
            raise ProfileError(f"{here}: must be a table with en = [...] and/or zh = [...]")
        cues[name] = CueSet(name, _terms(table, here))
    return cues


def parse_relations(data: Any, groups: list[str], where: str) -> Relations | None:
    """The [relations] table; None when the profile has none (then every group must match)."""
    if data is None:
        return None
    here = f"{where}: [relations]"
    if not isinstance(data, dict):
        raise ProfileError(f"{here} must be a table")
    unknown = set(data) - {"intervention", "condition", "kinds", "roles", "measured_roles", "max_words"}
    if unknown:
        raise ProfileError(f"{here}: unknown key(s) {', '.join(sorted(unknown))}",
                           hint="use intervention, condition, kinds, roles, measured_roles, max_words")
    inter = data.get("intervention", groups[0] if groups else None)
    cond = data.get("condition", groups[1] if len(groups) > 1 else None)
    for key, value in (("intervention", inter), ("condition", cond)):
        if value is not None and value not in groups:
            raise ProfileError(f"{here}: {key} = {value!r} is not an [[include]] group",
                               hint=f"groups: {', '.join(groups)}")
    if inter is None:
        raise ProfileError(f"{here}: no intervention group")
    kinds = data.get("kinds", list(RELATION_KINDS))
    if not isinstance(kinds, list) or not kinds or any(k not in RELATION_KINDS for k in kinds):
        raise ProfileError(f"{here}: kinds must list some of {', '.join(RELATION_KINDS)}")
    roles = data.get("roles", ["objective", "methods", "results", "conclusions"])
    if not isinstance(roles, list) or any(r not in ROLES for r in roles):
        raise ProfileError(f"{here}: roles must list some of {', '.join(ROLES)}")
    measured = data.get("measured_roles", ["methods", "results"])
    if not isinstance(measured, list) or any(r not in ROLES for r in measured):
        raise ProfileError(f"{here}: measured_roles must list some of {', '.join(ROLES)}")
    max_words = data.get("max_words", 40)
    if not isinstance(max_words, int) or max_words < 1:
        raise ProfileError(f"{here}: max_words must be a whole number >= 1")
    return Relations(inter, cond, list(kinds), list(roles), list(measured), max_words)


_CONTEXT_KEYS = {"name", "label", "en", "zh", "kind", "scope", "applies_to", "window_before", "window_after",
                 "after_connectors", "connector_lead", "min_hits", "position", "requires", "unless",
                 "unless_within", "absent", "absent_within"}


def _label(value: Any, here: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"en": value.strip()}
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {k: v.strip() for k, v in value.items()}
    raise ProfileError(f"{here}: label must be a string or a table of strings per language")


def _int(data: dict[str, Any], key: str, default: int, here: str) -> int:
    value = data.get(key, default)
    if not isinstance(value, int) or value < 0:
        raise ProfileError(f"{here}: {key} must be a whole number >= 0")
    return value


def _opt_int(data: dict[str, Any], key: str, here: str) -> int | None:
    if key not in data:
        return None
    return _int(data, key, 0, here)


def _requires(data: Any, here: str) -> dict[str, list[str]]:
    if data is None:
        return {}
    if isinstance(data, list):
        data = {"en": data}
    if not isinstance(data, dict) or set(data) - set(LANG_KEYS):
        raise ProfileError(f"{here}: requires must be a list of words or a table with en = [...] and/or zh = [...]")
    return _terms(data, f"{here}: requires")


def _ids(data: dict[str, Any], key: str, known: set[str], here: str) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{here}: {key} must be a list of names")
    bad = [v for v in value if v not in known]
    if bad:
        raise ProfileError(f"{here}: {key} names unknown {', '.join(bad)}", hint=f"known: {', '.join(sorted(known))}")
    return list(value)


def parse_contexts(data: Any, concepts: set[str], intervention_concepts: list[str], where: str) -> list[Context]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise ProfileError(f"{where}: contexts must be written as [[contexts]] tables")
    out, seen = [], set()
    for i, c in enumerate(data, start=1):
        here = f"{where}: contexts #{i}"
        if not isinstance(c, dict) or not isinstance(c.get("name"), str) or not c["name"].strip():
            raise ProfileError(f"{here}: needs a name")
        name = c["name"].strip()
        here = f"{where}: contexts.{name}"
        if name in seen:
            raise ProfileError(f"{here}: two contexts share this name")
        seen.add(name)
        unknown = set(c) - _CONTEXT_KEYS
        if unknown:
            raise ProfileError(f"{here}: unknown key(s) {', '.join(sorted(unknown))}",
                               hint=f"use {', '.join(sorted(_CONTEXT_KEYS))}")
        kind = c.get("kind", "cue")
        if kind not in ("cue", "no_outcome"):
            raise ProfileError(f"{here}: kind {kind!r} is not 'cue' or 'no_outcome'")
        scope = c.get("scope", "sentence")
        if scope not in SCOPES:
            raise ProfileError(f"{here}: scope {scope!r} is not one of {', '.join(SCOPES)}")
        position = c.get("position", "any")
        if position not in ("any", "before"):
            raise ProfileError(f"{here}: position {position!r} is not 'any' or 'before'")
        ctx = Context(
            name=name, label=_label(c.get("label"), here), terms=_terms(c, here), kind=kind, scope=scope,
            applies_to=_ids(c, "applies_to", concepts, here) or list(intervention_concepts),
            window_before=_int(c, "window_before", 3, here), window_after=_int(c, "window_after", 0, here),
            after_connectors=[str(x) for x in c.get("after_connectors", [])],
            connector_lead=_opt_int(c, "connector_lead", here),
            min_hits=max(_int(c, "min_hits", 1, here), 1), position=position,
            requires=_requires(c.get("requires"), here),
            unless=_ids(c, "unless", concepts | set(CUE_SETS), here), unless_within=_opt_int(c, "unless_within", here),
            absent=_ids(c, "absent", concepts, here), absent_within=_opt_int(c, "absent_within", here),
        )
        if kind == "cue" and not ctx.all_terms() and not ctx.absent:
            raise ProfileError(f"{here}: no cue words (en = [...], zh = [...]) and nothing 'absent'")
        out.append(ctx)
    return out


def rules_fingerprint(parts: dict[str, Any]) -> str:
    """A short stable hash of the rule-relevant parts of a profile (dataclasses as plain data)."""
    def plain(v: Any) -> Any:
        if hasattr(v, "__dataclass_fields__"):
            return {k: plain(x) for k, x in asdict(v).items() if not k.startswith("_")}
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        return v

    blob = json.dumps(plain(parts), sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()[:16]
