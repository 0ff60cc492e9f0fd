"""Rule screening from a topic profile: which concepts match, where, and what that decides.

For each field (title, abstract, keywords, mesh, trial conditions/interventions) every concept's
regex is run; matches that fall inside an exclusion concept's match ("mask" mode: "stem cell"
inside "cancer stem cell", "depression" inside "bone marrow depression") do not count. A
"reject" exclusion matching the title excludes the record outright.

    every include group matched      -> include
    some group unmatched, abstract   -> exclude (the reason names the group, and masked senses)
    some group unmatched, no abstract-> undecided (a title alone is too little to rule out)

Offsets: `start`/`end` index into the field's text: `Record.title`, `Record.abstract_text`,
keywords and MeSH descriptors joined with "; ", trial conditions/interventions joined with "; ".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from litwatch.records import Record
from litwatch.topics import Topic

__all__ = ["Decision", "Match", "record_fields", "find_matches", "rule_decision", "RULES_VERSION"]

RULES_VERSION = 1
FIELD_SEP = "; "


@dataclass
class Decision:
    label: str  # include | exclude | undecided
    score: float | None
    by: str  # rule | model | a person's name
    reason: str
    concepts: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None
    decided_at: str | None = None


@dataclass(frozen=True)
class Match:
    concept: str
    field: str
    start: int
    end: int
    text: str
    group: str | None = None  # the include group it counts for, or None
    masked_by: str | None = None  # the exclusion concept whose match hides it

    def as_dict(self) -> dict[str, Any]:
        d = {"concept": self.concept, "field": self.field, "start": self.start, "end": self.end, "text": self.text}
        if self.group:
            d["group"] = self.group
        if self.masked_by:
            d["masked_by"] = self.masked_by
        return d


def record_fields(record: Record) -> dict[str, str]:
    """The texts rules look at, by field name (empty ones left out)."""
    fields = {
        "title": record.title or "",
        "abstract": record.abstract_text,
        "keywords": FIELD_SEP.join(record.keywords),
        "mesh": FIELD_SEP.join(m.descriptor for m in record.mesh),
    }
    if record.trial is not None:
        fields["conditions"] = FIELD_SEP.join(record.trial.conditions)
        fields["interventions"] = FIELD_SEP.join(record.trial.interventions)
    return {k: v for k, v in fields.items() if v}


def _regexes(topic: Topic) -> dict[str, re.Pattern[str]]:
    # compiled once per Topic object: a profile's concepts do not change after loading
    cached = topic.__dict__.get("_regexes")
    if cached is None:
        cached = {cid: c.regex() for cid, c in topic.concepts.items()}
        topic.__dict__["_regexes"] = cached
    return cached


def find_matches(topic: Topic, record: Record) -> list[Match]:
    """Every concept match of the include and exclude concepts, masked ones marked."""
    regexes = _regexes(topic)
    group_of = {cid: g.name for g in topic.include for cid in g.any}
    masks = [e.concept for e in topic.exclude if e.mode == "mask"]
    out: list[Match] = []
    for fname, text in record_fields(record).items():
        spans = {cid: [(m.start(), m.end()) for m in regexes[cid].finditer(text)] for cid in masks}
        for cid in list(group_of) + [e.concept for e in topic.exclude]:
            for m in regexes[cid].finditer(text):
                if m.end() == m.start():
                    continue
                masked = None
                if cid in group_of:
                    masked = next(
                        (mc for mc, ss in spans.items() for s, e in ss if s <= m.start() and m.end() <= e), None
                    )
                out.append(Match(cid, fname, m.start(), m.end(), m.group(0), group_of.get(cid), masked))
    return out


def _where(m: Match) -> str:
    return f"{m.concept} '{m.text}' ({m.field} {m.start}-{m.end})"


def rule_decision(topic: Topic, record: Record) -> Decision:
    """The rules' decision for one record, with every match recorded (field + char span)."""
    matches = find_matches(topic, record)
    concepts = [m.as_dict() for m in matches]
    rejects = {e.concept for e in topic.exclude if e.mode == "reject"}
    hit = next((m for m in matches if m.concept in rejects and m.field == "title"), None)
    if hit:
        return Decision("exclude", 0.0, "rule", f"rejected: {_where(hit)}", concepts)
    live = [m for m in matches if m.group and not m.masked_by]
    found = {g.name: [m for m in live if m.group == g.name] for g in topic.include}
    missing = [g for g, ms in found.items() if not ms]
    score = round(1.0 - len(missing) / max(len(found), 1), 3)
    if not missing:
        reason = "; ".join(f"{g}: {_where(ms[0])}" for g, ms in found.items())
        return Decision("include", score, "rule", reason, concepts)
    masked = [m for m in matches if m.masked_by and m.group in missing]
    reason = "no " + " and no ".join(f"{g} concept" for g in missing)
    if masked:
        m = masked[0]
        reason += f" ('{m.text}' only as part of {m.masked_by} in the {m.field})"
    if not record.abstract_text.strip() and record.trial is None:
        return Decision("undecided", score, "rule", reason + "; no abstract to rule it out", concepts)
    return Decision("exclude", score, "rule", reason, concepts)
