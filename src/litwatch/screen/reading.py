"""Reading one record with a profile: mentions, what disqualifies them, and the relation found.

    mentions      every match of an include group's concepts (title, abstract, keywords, MeSH,
                  trial conditions/interventions), a mention inside a longer one of the same group
                  dropped ("stem cells" inside "induced pluripotent stem cells")
    disqualified  masked by an [[exclude]] mask, inside a context ([[contexts]]), negated
                  ("no stem cells were used") or, for relations only, hypothetical ("whether")
    relation      the first of the profile's relation kinds that holds (see topics/relations.py)

`read(topic, record)` returns a Reading; `litwatch.screen.rules.rule_decision` turns it into a
Decision. Everything here is declared by the profile: concepts, cue lists and contexts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from litwatch.records import Record
from litwatch.screen.gate import Terms, topic_gate
from litwatch.screen.text import RecordText, Sentence, words_between
from litwatch.topics import Topic
from litwatch.topics.relations import Context

__all__ = ["Mention", "Relation", "Reading", "read", "RELATION_FIELDS"]

RELATION_FIELDS = ("title", "abstract", "conditions", "interventions")
NEG_BEFORE_WORDS = 3
NEG_AFTER_WORDS = 3
ADMIN_BEFORE_WORDS = 5
ADMIN_AFTER_WORDS = 3
CUE_BEFORE_BOTH_WORDS = 4
# what links the two mentions after a cue that precedes both: "treatment of depression with MSCs"
_CONNECTOR = re.compile(r"\b(?:with|by|using|via|through|of|from|after|following)\b|用|以|的|经|通过", re.IGNORECASE)


@dataclass
class Mention:
    concept: str
    group: str | None
    field: str
    start: int
    end: int
    text: str
    masked_by: str | None = None  # an [[exclude]] mask concept
    context: str | None = None  # the [[contexts]] entry that took it out
    context_cue: tuple[str, int, int] | None = None  # (field, start, end) of the cue
    negated: str | None = None  # the negation cue
    hypothetical: str | None = None  # the hypothetical cue
    sentence: Sentence | None = None

    @property
    def usable(self) -> bool:
        """Counts as evidence (not masked, in no context, not negated)."""
        return not (self.masked_by or self.context or self.negated)

    def as_dict(self) -> dict:
        d = {"concept": self.concept, "field": self.field, "start": self.start, "end": self.end, "text": self.text}
        for key in ("group", "masked_by", "context", "negated", "hypothetical"):
            value = getattr(self, key)
            if value:
                d[key] = value
        return d


@dataclass
class Relation:
    kind: str
    sentence: Sentence
    intervention: Mention
    condition: Mention | None = None
    cue: tuple[int, int] | None = None  # span of the cue word in the sentence's field
    title_only: bool = False


@dataclass
class Reading:
    text: RecordText
    mentions: list[Mention]
    relation: Relation | None = None
    rejected: Mention | None = None  # an [[exclude]] reject match in the title
    blocked_by: list[Mention] = field(default_factory=list)  # context mentions a relation needed
    blocked_relation: Relation | None = None  # the relation the contexts (or negation) prevented
    blocked_why: str | None = None  # "context" | "negation"
    administered: Mention | None = None  # an intervention given, when no relation holds
    title_only: bool = False
    nothing: bool = False  # no abstract and no concept anywhere
    present: set[str] = field(default_factory=set)  # groups with a usable mention (title only: in the title)

    def group_mentions(self, group: str | None, usable: bool = True) -> list[Mention]:
        return [m for m in self.mentions if m.group == group and (m.usable or not usable)]


# -- matching ---------------------------------------------------------------------------------


def _concept_spans(topic: Topic, cid: str, text: RecordText, fields: Iterable[str],
                   terms: Terms | None = None) -> dict[str, list[tuple[int, int]]]:
    """Each field's matches of the concept; `terms`: the only ones the gate lets match here
    (then a matcher of those alone finds the same spans)."""
    concept = topic.concepts[cid]
    m = concept.matcher()
    if terms is not None:
        m = m.restricted(terms.terms, terms.case_terms)
        found = {f: m.spans(text.norm[f], text.low[f]) for f in fields if f in text.norm}
    else:
        found = {f: m.spans(text.norm[f], text.low[f], text.words[f]) for f in fields if f in text.norm}
    if concept.needs_long_form and concept.case_terms:
        long = concept.__dict__.get("_long")
        if long is None:
            from litwatch.topics.terms import TermMatcher

            long = concept.__dict__["_long"] = TermMatcher(concept.terms + concept.zh, [], concept.patterns)
        if terms is not None:
            long = long.restricted(terms.terms, frozenset())
            if not any(long.spans(text.norm[f], text.low[f]) for f in found):
                return {}
        elif not any(long.spans(text.norm[f], text.low[f], text.words[f]) for f in found):
            return {}  # abbreviations alone (CRS, PSD, CMS ...) may mean something else here
    return found


def _mentions(topic: Topic, text: RecordText, candidates: dict | None = None) -> list[Mention]:
    group_of = {cid: g.name for g in topic.include for cid in g.any}
    out: list[Mention] = []
    for cid, group in group_of.items():
        if candidates is not None and cid not in candidates:
            continue  # the gate found nothing this concept could match
        for f, spans in _concept_spans(topic, cid, text, text.fields,
                                       candidates.get(cid) if candidates is not None else None).items():
            out += [Mention(cid, group, f, s, e, text.fields[f][s:e]) for s, e in spans]
    # a mention inside a longer one of the same group belongs to the longer one
    out.sort(key=lambda m: (m.field, m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for m in out:
        if any(k.field == m.field and k.group == m.group and k.start <= m.start and m.end <= k.end
               and (k.end - k.start) > (m.end - m.start) for k in kept[-6:]):
            continue
        kept.append(m)
    return kept


def _masks(topic: Topic, text: RecordText, mentions: list[Mention]) -> None:
    if not mentions:
        return
    masks = [e.concept for e in topic.exclude if e.mode == "mask"]
    for cid in masks:
        for f, spans in _concept_spans(topic, cid, text, text.fields).items():
            for m in mentions:
                if m.field == f and not m.masked_by and any(s <= m.start and m.end <= e for s, e in spans):
                    m.masked_by = cid


def _rejected(topic: Topic, text: RecordText, candidates: dict | None = None) -> Mention | None:
    for e in topic.exclude:
        if e.mode != "reject" or (candidates is not None and e.concept not in candidates):
            continue
        spans = _concept_spans(topic, e.concept, text, ["title"],
                               candidates.get(e.concept) if candidates is not None else None).get("title") or []
        if spans:
            s, t = spans[0]
            return Mention(e.concept, None, "title", s, t, text.fields["title"][s:t])
    return None


# -- cues around a mention ------------------------------------------------------------------


def _cue_spans(topic: Topic, name: str, text: RecordText, sent: Sentence) -> list[tuple[int, int]]:
    cues = topic.cues.get(name)
    if cues is None:
        return []
    f = sent.field
    return [(s + sent.start, e + sent.start) for s, e in
            cues.matcher().spans(text.norm[f][sent.start:sent.end], text.low[f][sent.start:sent.end])]


def _open_between(topic: Topic, text: RecordText, sent: Sentence, a: int, b: int) -> bool:
    """No scope-ending word (but, however, ;) between a and b."""
    if b <= a:
        return True
    return not any(a <= s and e <= b for s, e in _cue_spans(topic, "scope_end", text, sent))


def _near_before(topic, text, sent, cue_name, m: Mention, max_words: float) -> tuple[int, int] | None:
    norm = text.norm[sent.field]
    best = None
    for s, e in _cue_spans(topic, cue_name, text, sent):
        if e <= m.start and words_between(norm, e, m.start) <= max_words and _open_between(topic, text, sent, e, m.start):
            best = (s, e)
    return best


def _near_after(topic, text, sent, cue_name, m: Mention, max_words: float) -> tuple[int, int] | None:
    norm = text.norm[sent.field]
    for s, e in _cue_spans(topic, cue_name, text, sent):
        if s >= m.end and words_between(norm, m.end, s) <= max_words and _open_between(topic, text, sent, m.end, s):
            return (s, e)
    return None


def _context_marks(topic: Topic, text: RecordText, mentions: list[Mention]) -> None:
    """Negation, hypothetical cues and sentences for the mentions of title, abstract and trial fields."""
    for m in mentions:
        if m.field not in RELATION_FIELDS:
            continue
        m.sentence = text.sentence_at(m.field, m.start)
        if m.sentence is None or m.sentence.role == "registry":
            continue
        cue = _near_before(topic, text, m.sentence, "negation", m, NEG_BEFORE_WORDS) \
            or _near_after(topic, text, m.sentence, "negation_after", m, NEG_AFTER_WORDS)
        if cue and any(s <= cue[0] and cue[1] <= e for s, e in _cue_spans(topic, "pseudo_negation", text, m.sentence)):
            cue = None  # "with or without MSCs" negates nothing
        if cue is not None:
            m.negated = text.fields[m.field][cue[0]:cue[1]]
        hyp = _near_before(topic, text, m.sentence, "hypothetical", m, 10_000)
        if hyp:
            m.hypothetical = text.fields[m.field][hyp[0]:hyp[1]]


# between a cue and the mention after it, "into" makes the mention what something became
# ("reprogrammed ... into iPSCs", "differentiated into neural progenitors"), not what was given
_INTO = re.compile(r"\binto\b|成为|分化为", re.IGNORECASE)


def administered(topic: Topic, text: RecordText, m: Mention) -> tuple[int, int] | None:
    """The administration cue that gives this intervention mention (or its own words: 'transplantation')."""
    if m.sentence is None:
        return None
    if topic.concepts[m.concept].joins == "administration":
        return (m.start, m.end)
    for s, e in _cue_spans(topic, "administration", text, m.sentence):
        if m.start <= s and e <= m.end:
            return (s, e)
    norm = text.norm[m.field]
    before = _near_before(topic, text, m.sentence, "administration", m, ADMIN_BEFORE_WORDS)
    if before is not None and _INTO.search(norm, before[1], m.start):
        before = None
    before_cue = _near_before(topic, text, m.sentence, "administration_before", m, ADMIN_BEFORE_WORDS)
    if before_cue is not None and _INTO.search(norm, before_cue[1], m.start):
        before_cue = None
    return before or _near_after(topic, text, m.sentence, "administration", m, ADMIN_AFTER_WORDS) or before_cue


# -- contexts -------------------------------------------------------------------------------


def _ctx_spans(ctx: Context, text: RecordText, f: str) -> list[tuple[int, int]]:
    return ctx.matcher().spans(text.norm[f], text.low[f], text.words[f])


def _spared(topic: Topic, ctx: Context, text: RecordText, m: Mention, mentions: list[Mention],
            lo: int, hi: int) -> bool:
    for name in ctx.unless:
        if name in topic.cues:
            if name.startswith("administration") and administered(topic, text, m):
                return True
        else:
            if any(o is not m and o.concept == name and o.field == m.field and o.end > lo and o.start < hi
                   and not o.negated for o in mentions):
                return True
    return False


def _apply_contexts(topic: Topic, text: RecordText, mentions: list[Mention]) -> None:
    for ctx in topic.contexts:
        if ctx.kind != "cue":
            continue
        targets = [m for m in mentions if m.concept in ctx.applies_to and not m.masked_by and not m.context]
        if not targets:
            continue
        if ctx.absent:
            if not any(o.usable and o.concept in ctx.absent for o in mentions if o.field in RELATION_FIELDS):
                if not ctx.all_terms():
                    for m in targets:
                        m.context = ctx.name
                    continue
            else:
                continue
        if ctx.scope == "record":
            hits = [(f, s, e) for f in RELATION_FIELDS if f in text.norm for s, e in _ctx_spans(ctx, text, f)]
            if len(hits) < ctx.min_hits:
                continue
            for m in targets:
                sent = m.sentence
                if sent is not None and _spared(topic, ctx, text, m, mentions, sent.start, sent.end):
                    continue
                m.context, m.context_cue = ctx.name, hits[0]
            continue
        by_field: dict[str, list[tuple[int, int]]] = {}
        for m in targets:
            if m.field not in by_field:
                by_field[m.field] = _ctx_spans(ctx, text, m.field) if m.field in text.norm else []
            cue = _context_cue(ctx, text, m, by_field[m.field])
            if cue is None:
                continue
            lo, hi = _reach(ctx, text, m, cue)
            if _spared(topic, ctx, text, m, mentions, lo, hi):
                continue
            m.context, m.context_cue = ctx.name, (m.field, cue[0], cue[1])


def _context_cue(ctx: Context, text: RecordText, m: Mention, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    norm = text.norm[m.field]
    if ctx.scope == "phrase":
        return next(((s, e) for s, e in spans if s <= m.start and m.end <= e and (e - s) > (m.end - m.start)), None)
    sent = m.sentence
    lo, hi = (sent.start, sent.end) if sent is not None else (0, len(norm))
    for s, e in spans:
        if s < lo or e > hi or (s < m.end and e > m.start):
            continue
        if ctx.scope == "sentence":
            if ctx.position == "before" and e > m.start:
                continue
            return (s, e)
        if e <= m.start and words_between(norm, e, m.start) <= ctx.window_before:
            return (s, e)
        if s >= m.end and ctx.window_after and words_between(norm, m.end, s) <= ctx.window_after:
            if not ctx.after_connectors or _connector_before(norm, m.end, s, ctx.after_connectors):
                return (s, e)
    return None


def _connector_before(norm: str, lo: int, cue_start: int, connectors: list[str]) -> bool:
    """A connector word ("from", "by", 来源于 ...) between the mention and the cue after it."""
    gap = norm[lo:cue_start].lower()
    words = set(re.findall(r"[a-z]+", gap))
    return any((c.lower() in words) if c.isascii() else (c in gap) for c in connectors)


def _reach(ctx: Context, text: RecordText, m: Mention, cue: tuple[int, int]) -> tuple[int, int]:
    """Where an `unless` concept must stand to spare the mention: the window, or the sentence."""
    if ctx.scope in ("phrase", "window"):
        return (min(cue[0], m.start), max(cue[1], m.end))
    sent = m.sentence
    return (sent.start, sent.end) if sent is not None else (0, len(text.norm[m.field]))


# -- relations ------------------------------------------------------------------------------


def _ok(m: Mention, relaxed: str | None) -> bool:
    if m.masked_by:
        return False
    if relaxed == "negation":
        return True
    if m.context and relaxed != "context":
        return False
    return not (m.negated or m.hypothetical)


def _in_roles(topic: Topic, sent: Sentence | None, title: bool = True) -> bool:
    if sent is None:
        return False
    return sent.role in topic.relations.roles or (title and sent.role == "title")


def _find(topic: Topic, text: RecordText, mentions: list[Mention], relaxed: str | None = None,
          title_only: bool = False) -> Relation | None:
    rel = topic.relations
    inter = [m for m in mentions if m.group == rel.intervention and m.sentence is not None and _ok(m, relaxed)]
    cond = [m for m in mentions if rel.condition and m.group == rel.condition and m.sentence is not None
            and _ok(m, relaxed)]
    if title_only:
        inter = [m for m in inter if m.field in ("title", "conditions", "interventions")]
        cond = [m for m in cond if m.field in ("title", "conditions", "interventions")]
    for kind in rel.kinds:
        found = _KINDS[kind](topic, text, inter, cond)
        if found is not None:
            return found
    return None


def _title(topic, text, inter, cond) -> Relation | None:
    ti = [m for m in inter if m.field == "title"]
    if not ti:
        return None
    if topic.relations.condition is None:
        for m in ti:
            cue = administered(topic, text, m) or _joined_alone(topic, text, m)
            if cue:
                return Relation("title", m.sentence, m, None, cue)
        return None
    tc = [m for m in cond if m.field == "title"]
    return Relation("title", ti[0].sentence, ti[0], tc[0]) if tc else None


def _registry(topic, text, inter, cond) -> Relation | None:
    if not text.is_trial:
        return None
    ri = [m for m in inter if m.field in ("interventions", "title")]
    if not ri:
        return None
    if topic.relations.condition is None:
        return Relation("registry", ri[0].sentence, ri[0])
    rc = [m for m in cond if m.field in ("conditions", "title")]
    return Relation("registry", ri[0].sentence, ri[0], rc[0]) if rc else None


def _joined_alone(topic, text, m: Mention, cues: str = "therapeutic") -> tuple[int, int] | None:
    """A therapeutic cue right next to an intervention mention (profiles without a condition)."""
    return (_near_before(topic, text, m.sentence, cues, m, CUE_BEFORE_BOTH_WORDS)
            or _near_after(topic, text, m.sentence, cues, m, CUE_BEFORE_BOTH_WORDS))


def _therapeutic(topic, text, inter, cond, cues: str = "therapeutic") -> Relation | None:
    kind = cues
    if topic.relations.condition is None:
        for m in inter:
            if m.field == "abstract" and _in_roles(topic, m.sentence, title=False):
                cue = _joined_alone(topic, text, m, cues)
                if cue:
                    return Relation(kind, m.sentence, m, None, cue)
        return None
    by_sentence: dict[Sentence, list[Mention]] = {}
    for m in cond:
        if m.field == "abstract" and _in_roles(topic, m.sentence, title=False):
            by_sentence.setdefault(m.sentence, []).append(m)
    for i in inter:
        for c in by_sentence.get(i.sentence, []):
            cue = _join(topic, text, i, c, cues)
            if cue is not None:
                return Relation(kind, i.sentence, i, c, cue)
    return None


def _association(topic, text, inter, cond) -> Relation | None:
    return _therapeutic(topic, text, inter, cond, cues="association")


def _join(topic: Topic, text: RecordText, i: Mention, c: Mention, cues: str = "therapeutic") -> tuple[int, int] | None:
    norm = text.norm[i.field]
    first, last = (i, c) if i.start < c.start else (c, i)
    if words_between(norm, first.end, last.start) > topic.relations.max_words:
        return None
    if topic.concepts[c.concept].joins == cues:
        return (c.start, c.end)
    sent = i.sentence
    for s, e in _cue_spans(topic, cues, text, sent):
        if (s < i.end and e > i.start) or (s < c.end and e > c.start):
            continue  # "treatment" inside "treatment-resistant depression" is not a cue
        if first.end <= s and e <= last.start:
            return (s, e)
        if e <= first.start and words_between(norm, e, first.start) <= CUE_BEFORE_BOTH_WORDS \
                and words_between(norm, first.end, last.start) <= CUE_BEFORE_BOTH_WORDS + 2 \
                and _CONNECTOR.search(norm, first.end, last.start) \
                and _open_between(topic, text, sent, e, last.start):
            return (s, e)  # "treatment of depression with MSCs", "治疗抑郁的间充质干细胞"
    return None


_STUDY = re.compile(r"\b(?:we|our|\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                    r"thirty|forty|fifty|sixty|hundred)\b|[0-9]|例|只|名", re.IGNORECASE)


def _given_here(topic: Topic, text: RecordText, m: Mention) -> bool:
    """A sentence where the intervention can be given: one of the relation roles, or one the role
    model called background that still reports this study (numbers, "we": "Twelve patients received")."""
    if _in_roles(topic, m.sentence):
        return True
    s = m.sentence
    return s is not None and s.role == "background" and bool(_STUDY.search(text.norm[s.field][s.start:s.end]))


def _administration(topic, text, inter, cond) -> Relation | None:
    measured = [m for m in cond if m.sentence is not None
                and (m.sentence.role in topic.relations.measured_roles or m.sentence.role == "title")
                and not _cue_spans(topic, "hypothetical", text, m.sentence)]  # "whether ..." measures nothing
    if topic.relations.condition is not None and not measured:
        return None
    for i in inter:
        if i.field not in ("title", "abstract") or not _given_here(topic, text, i):
            continue
        cue = administered(topic, text, i)
        if cue is not None:
            return Relation("administration", i.sentence, i, measured[0] if measured else None, cue)
    return None


_KINDS = {"title": _title, "registry": _registry, "therapeutic": _therapeutic, "administration": _administration,
          "association": _association}


# -- the whole reading ------------------------------------------------------------------------


def empty_reading(text: RecordText, nothing: bool) -> Reading:
    """What `read` returns for a record where no concept matches: `nothing` when it has no abstract
    (and is not a trial), else no group present."""
    return Reading(text, [], title_only=nothing, nothing=nothing)


def read(topic: Topic, record: Record, *, gate: bool = True, text: RecordText | None = None,
         candidates: dict | None = None) -> Reading:
    """Read one record. `gate=False` matches every concept in full (the reference path the gate's
    test compares with); the result is the same either way. `text` is the record's RecordText
    when the caller reads it for several topics (it depends on the record alone); `candidates`
    what the topic's gate said of it, when the caller asked already."""
    if text is None:
        text = RecordText(record, prepared=not gate)
    if gate:
        if candidates is None:
            candidates = topic_gate(topic).candidates(text.gate_view())
        if candidates:
            text.prepare()
    else:
        text.prepare()
    mentions = _mentions(topic, text, candidates)
    reading = Reading(text, mentions, rejected=_rejected(topic, text, candidates))
    if reading.rejected is not None:
        return reading
    _masks(topic, text, mentions)
    groups = {g.name for g in topic.include}
    if not text.has_abstract and not text.is_trial:
        reading.title_only = True
        if not any(m.usable for m in mentions):
            reading.nothing = True
            return reading
    judged = ("title", "conditions", "interventions") if reading.title_only else None
    present = {m.group for m in mentions if m.usable and (judged is None or m.field in judged)}
    reading.present = present
    if not groups <= present:
        return reading  # some group never named: no relation can hold (the decision says which)
    _context_marks(topic, text, mentions)
    _apply_contexts(topic, text, mentions)
    if topic.relations is None:
        return reading
    reading.relation = _find(topic, text, mentions, title_only=reading.title_only)
    if reading.relation is not None:
        reading.relation.title_only = reading.title_only
        return reading
    for relaxed in ("context", "negation"):
        blocked = _find(topic, text, mentions, relaxed=relaxed, title_only=reading.title_only)
        if blocked is not None:
            reading.blocked_relation, reading.blocked_why = blocked, relaxed
            reading.blocked_by = [m for m in (blocked.intervention, blocked.condition)
                                  if m is not None and (m.context or m.negated or m.hypothetical)]
            break
    if reading.blocked_relation is None:
        reading.administered = next(
            (m for m in mentions if m.group == topic.relations.intervention and m.usable and not m.hypothetical
             and m.field in ("title", "abstract") and _given_here(topic, text, m)
             and administered(topic, text, m)), None)
    return reading
