"""Rule screening from a topic profile: the relation that includes a record, or why none holds.

With a [relations] table (every built-in profile) a record is included only when the
intervention is studied as a treatment of the condition, read sentence by sentence
(`litwatch.screen.reading`); a profile without one includes a record when every include group
matches somewhere (co-occurrence, the older rule). In both:

    no abstract, no concept anywhere  -> exclude, "nothing to judge"
    no abstract (and not a trial)     -> decided by the title alone, and the reason says so
    an [[exclude]] reject in the title -> exclude
    every other exclusion names what stopped it: the context that took a needed mention out,
    a negated or hypothetical mention, the intervention given with no outcome of the condition
    (`kind = "no_outcome"` context), co-mention without a relation, or the group never named.

`Decision.concepts` lists every mention as {concept, group, field, start, end, text} (plus
masked_by / context / negated / hypothetical when they did not count), followed by one entry
{"relation": kind, ...} for an inclusion or {"context": name, ...} for an exclusion by a context.
Offsets index the field's text: `Record.title`, `Record.abstract_text`, keywords and MeSH joined
with "; ", trial conditions/interventions joined with "; ".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litwatch.records import Record
from litwatch.screen.gate import rule_out_keys, topic_gate
from litwatch.screen.reading import Mention, Reading, Relation, empty_reading, read
from litwatch.screen.text import FIELD_SEP, RecordText, record_fields
from litwatch.topics import Topic

__all__ = ["Decision", "Match", "record_fields", "find_matches", "rule_decision", "rule_decisions", "evidence",
           "RULES_VERSION",
           "FIELD_SEP"]

RULES_VERSION = 2
SCORES = {"title": 0.95, "registry": 0.9, "therapeutic": 0.9, "administration": 0.85, "association": 0.8,
          "groups": 0.8}


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
    masked_by: str | None = None  # the exclusion mask (or context) whose match hides it

    def as_dict(self) -> dict[str, Any]:
        d = {"concept": self.concept, "field": self.field, "start": self.start, "end": self.end, "text": self.text}
        if self.group:
            d["group"] = self.group
        if self.masked_by:
            d["masked_by"] = self.masked_by
        return d


def find_matches(topic: Topic, record: Record) -> list[Match]:
    """Every include-group concept match, with what hid it (mask or context) when it did not count."""
    reading = read(topic, record)
    return [Match(m.concept, m.field, m.start, m.end, m.text, m.group, m.masked_by or m.context)
            for m in reading.mentions]


def _where(m: Mention) -> str:
    return f"{m.concept} '{m.text}' ({m.field} {m.start}-{m.end})"


def _sentence_words(r: Relation) -> str:
    s = r.sentence
    where = "the title" if s.role == "title" else f"a {s.role} sentence" if s.role != "registry" else f"the {s.field}"
    return f"{where} ({s.field} {s.start}-{s.end})"


def _include_reason(topic: Topic, reading: Reading) -> str:
    r = reading.relation
    text = reading.text.fields
    cue = f" + '{text[r.sentence.field][r.cue[0]:r.cue[1]]}'" if r.cue and r.cue != (r.intervention.start, r.intervention.end) \
        and (r.condition is None or r.cue != (r.condition.start, r.condition.end)) else ""
    parts = {
        "title": "the title names both",
        "therapeutic": f"a therapeutic cue joins them in {_sentence_words(r)}",
        "administration": f"the intervention is given in {_sentence_words(r)} and the condition is measured",
        "registry": "the registered trial lists both",
        "association": f"an association cue joins them in {_sentence_words(r)}",
    }
    if topic.relations.condition is None:
        parts["title"] = "the title names it with a treatment cue"
        parts["administration"] = f"it is given in {_sentence_words(r)}"
        parts["registry"] = "the registered trial lists it"
        parts["therapeutic"] = f"a therapeutic cue goes with it in {_sentence_words(r)}"
        parts["association"] = f"an association cue goes with it in {_sentence_words(r)}"
    out = f"{r.kind} relation: {parts[r.kind]}: {_where(r.intervention)}{cue}"
    if r.condition is not None:
        out += f" ... {_where(r.condition)}"
    if reading.title_only:
        out += "; decided by the title alone (no abstract)"
    return out


def _context_label(topic: Topic, name: str) -> str:
    ctx = next((c for c in topic.contexts if c.name == name), None)
    return ctx.title() if ctx is not None else name


def _exclude_reason(topic: Topic, reading: Reading) -> tuple[str, dict[str, Any] | None]:
    """The reason and, when a context applied, its entry for `concepts`."""
    tail = "; decided by the title alone (no abstract)" if reading.title_only else ""
    if reading.blocked_relation is not None:
        m = reading.blocked_by[0] if reading.blocked_by else reading.blocked_relation.intervention
        if reading.blocked_why == "context" and m.context:
            f, s, e = m.context_cue if m.context_cue else (m.field, m.start, m.end)
            cue_text = reading.text.fields[f][s:e]
            return (f"context {m.context}: {_context_label(topic, m.context)} ('{cue_text}' at {f} {s}-{e}, "
                    f"about {_where(m)}); without it a {reading.blocked_relation.kind} relation would hold{tail}",
                    {"context": m.context, "field": f, "start": s, "end": e, "text": cue_text})
        why = f"negated ('{m.negated}')" if m.negated else f"hypothetical ('{m.hypothetical}')" if m.hypothetical \
            else f"in context {m.context}"
        return (f"the only {reading.blocked_relation.kind} relation rests on a mention that is {why}: {_where(m)}{tail}",
                None)
    if reading.administered is not None:
        no_outcome = next((c for c in topic.contexts if c.kind == "no_outcome"), None)
        name = no_outcome.name if no_outcome else "no_outcome"
        label = no_outcome.title() if no_outcome else "the intervention with no outcome of the condition"
        m = reading.administered
        return (f"context {name}: {label} (given: {_where(m)}; the condition is never measured outside the "
                f"background){tail}", {"context": name, "field": m.field, "start": m.start, "end": m.end,
                                       "text": m.text})
    hidden = [m for m in reading.mentions if m.context]
    if hidden:
        counts: dict[str, int] = {}
        for m in hidden:
            counts[m.context] = counts.get(m.context, 0) + 1
        name = max(counts, key=counts.get)
        m = next(x for x in hidden if x.context == name)
        f, s, e = m.context_cue if m.context_cue else (m.field, m.start, m.end)
        return (f"context {name}: {_context_label(topic, name)} ({counts[name]} mention(s), e.g. {_where(m)}); "
                f"no relation between the intervention and the condition{tail}",
                {"context": name, "field": f, "start": s, "end": e, "text": reading.text.fields[f][s:e]})
    return "co-mention only: the intervention and the condition are never joined as a treatment" + tail, None


def _missing_reason(topic: Topic, reading: Reading) -> str:
    usable = reading.present
    missing = [g.name for g in topic.include if g.name not in usable]
    reason = "no " + " and no ".join(f"{g} concept" for g in missing)
    masked = [m for m in reading.mentions if m.group in missing and (m.masked_by or m.context or m.negated)]
    if masked:
        m = masked[0]
        how = (f"only as part of {m.masked_by}" if m.masked_by else f"only in context {m.context}" if m.context
               else f"only negated ('{m.negated}')")
        reason += f" ('{m.text}' {how} in the {m.field})"
    if reading.title_only:
        reason += "; decided by the title alone (no abstract)"
    return reason


def rule_decisions(topics: list[Topic], record: Record) -> list[Decision]:
    """`rule_decision` for several topics on one record, its text read once for all of them."""
    text = RecordText(record, prepared=False)
    if len(topics) > 1:
        rule_out_keys(tuple(topic_gate(t) for t in topics), text.gate_view())
    return [rule_decision(t, record, text=text) for t in topics]


def rule_decision(topic: Topic, record: Record, *, gate: bool = True, text: RecordText | None = None) -> Decision:
    """The rules' decision for one record, with every mention and the relation (or context) recorded.
    `gate=False` skips the topic's gate (screen/gate.py): the same decision, found the slow way."""
    candidates = None
    if gate:
        if text is None:
            text = RecordText(record, prepared=False)
        candidates = topic_gate(topic).candidates(text.gate_view())
        if not candidates:
            return _nothing_matched(topic, text)
    return _decide(topic, read(topic, record, gate=gate, text=text, candidates=candidates))


def _nothing_matched(topic: Topic, text: RecordText) -> Decision:
    """The decision for a record in which the gate proves no concept can match: the one `_decide`
    makes of the reading `read` would return (no mentions), made once per topic and copied."""
    nothing = not text.has_abstract and not text.is_trial
    cache = topic.__dict__.setdefault("_empty_decisions", {})
    d = cache.get(nothing)
    if d is None:
        d = cache[nothing] = _decide(topic, empty_reading(text, nothing))
    return Decision(d.label, d.score, d.by, d.reason, [])


def _decide(topic: Topic, reading: Reading) -> Decision:
    concepts = [m.as_dict() for m in reading.mentions]
    if reading.rejected is not None:
        return Decision("exclude", 0.0, "rule", f"rejected: {_where(reading.rejected)}", concepts)
    if reading.nothing:
        return Decision("exclude", 0.0, "rule", "nothing to judge: no abstract and no topic concept", concepts)
    usable = reading.present
    groups = [g.name for g in topic.include]
    if not set(groups) <= usable:
        score = round(0.3 * len(usable & set(groups)) / max(len(groups), 1), 3)
        return Decision("exclude", score, "rule", _missing_reason(topic, reading), concepts)
    if topic.relations is None:  # co-occurrence: negation is not read, contexts are
        judged = ("title", "conditions", "interventions") if reading.title_only else None
        found = {g: next((m for m in reading.mentions if m.group == g and not m.masked_by and not m.context
                          and (judged is None or m.field in judged)), None) for g in groups}
        missing = [g for g, m in found.items() if m is None]
        if missing:
            hidden = next((m for m in reading.mentions if m.group in missing and m.context), None)
            reason = "no " + " and no ".join(f"{g} concept" for g in missing)
            if hidden is not None:
                reason += f" ('{hidden.text}' only in context {hidden.context} in the {hidden.field})"
            return Decision("exclude", 0.3, "rule", reason, concepts)
        reason = "; ".join(f"{g}: {_where(m)}" for g, m in found.items())
        if reading.title_only:
            reason += "; decided by the title alone (no abstract)"
        return Decision("include", SCORES["groups"], "rule", reason, concepts)
    r = reading.relation
    if r is not None:
        s = r.sentence
        concepts.append({"relation": r.kind, "field": s.field, "start": s.start, "end": s.end, "role": s.role,
                         **({"cue": list(r.cue)} if r.cue else {})})
        score = SCORES[r.kind] - (0.15 if reading.title_only else 0.0)
        return Decision("include", round(score, 3), "rule", _include_reason(topic, reading), concepts)
    reason, entry = _exclude_reason(topic, reading)
    if entry is not None:
        concepts.append(entry)
    score = 0.4 if reading.blocked_relation is not None else 0.35 if entry else 0.3
    return Decision("exclude", score, "rule", reason, concepts)


def evidence(decision: Decision) -> list[str]:
    """What the rules saw, as feature names for the ranker: relation kind, context, concepts, label."""
    out = {f"rule:{decision.label}"}
    for c in decision.concepts:
        if "relation" in c:
            out.add(f"relation:{c['relation']}")
        elif "context" in c and "concept" not in c:
            out.add(f"context:{c['context']}")
        elif "concept" in c:
            if c.get("context"):
                out.add(f"masked:{c['context']}")
            elif c.get("masked_by"):
                out.add(f"masked:{c['masked_by']}")
            elif c.get("negated"):
                out.add(f"negated:{c['concept']}")
            else:
                out.add(f"concept:{c['concept']}")
    named = sorted(t.split(":", 1)[1] for t in out if t.startswith("concept:"))
    kinds = sorted(t.split(":", 1)[1] for t in out if t.startswith(("relation:", "context:")))
    out.add("signature:" + "+".join(named) + "|" + "+".join(kinds))  # which concepts go together
    if "title alone" in decision.reason:
        out.add("title-only")
    if decision.reason.startswith("nothing to judge"):
        out.add("nothing-to-judge")
    return sorted(out)
