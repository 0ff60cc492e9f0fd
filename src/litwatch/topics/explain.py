"""A profile's screening rules in plain words (what `litwatch topic show NAME` prints)."""

from __future__ import annotations

from litwatch.topics.model import Topic

__all__ = ["explain_rules"]

_KIND_WORDS = {
    "title": "the title names both",
    "therapeutic": ("one sentence of the {roles} names both, joined by a therapeutic word ({cues})"),
    "administration": ("a sentence gives the {inter} ({cues}) and the {cond}, its models or its tests are "
                       "measured ({measured} or the title)"),
    "registry": "a registered trial lists the {inter} among its interventions and the {cond} among its conditions",
    "association": "one sentence of the {roles} links both by an association word ({cues})",
}
_KIND_WORDS_ALONE = {
    "title": "the title names the {inter} with a treatment or administration word",
    "therapeutic": "a sentence of the {roles} names the {inter} next to a therapeutic word ({cues})",
    "administration": "a sentence gives the {inter} ({cues})",
    "registry": "a registered trial lists the {inter} among its interventions or in its title",
    "association": "a sentence of the {roles} names the {inter} next to an association word ({cues})",
}
_SCOPE_WORDS = {
    "phrase": "inside the phrases",
    "window": "next to the words",
    "sentence": "in a sentence with the words",
    "record": "anywhere in a record that uses the words",
}


def _few(words: list[str], n: int = 8) -> str:
    shown = [w.rstrip("*") for w in words[:n]]
    return ", ".join(shown) + (" ..." if len(words) > n else "")


def _labels(topic: Topic, ids: list[str]) -> str:
    return ", ".join(topic.concepts[c].label.get("en") or c for c in ids)


def explain_rules(topic: Topic) -> list[str]:
    """Plain-English lines: when a record is included, what never counts, and what the ranker may do."""
    rel = topic.relations
    lines: list[str] = []
    groups = {g.name: g for g in topic.include}
    if rel is None:
        names = " and ".join(f"{g.name} ({_labels(topic, g.any)})" for g in topic.include)
        lines.append(f"A record is included when it names every group: {names} (co-occurrence; add a "
                     "[relations] table to read relations instead).")
    else:
        inter = groups[rel.intervention]
        inter_words = f"intervention ({_labels(topic, inter.any)})"
        cond_words = ""
        if rel.condition:
            cond_words = f"condition ({_labels(topic, groups[rel.condition].any)})"
            lines.append(f"A record is included only when the {inter_words} is studied as a treatment of the "
                         f"{cond_words}, shown by one of these relations:")
        else:
            lines.append(f"A record is included only when the {inter_words} is studied as a therapy, shown by one "
                         "of these relations:")
        table = _KIND_WORDS if rel.condition else _KIND_WORDS_ALONE
        for i, kind in enumerate(rel.kinds, start=1):
            cue_set = {"therapeutic": "therapeutic", "administration": "administration",
                       "association": "association"}.get(kind)
            cues = _few(topic.cues[cue_set].all_terms(), 6) if cue_set else ""
            text = table[kind].format(inter="intervention", cond="condition", roles=", ".join(rel.roles),
                                      measured=", ".join(rel.measured_roles), cues=cues)
            lines.append(f"  {i}. {kind}: {text}.")
        joined = [c for c in topic.concepts.values() if c.joins]
        for c in joined:
            lines.append(f"     A mention of {c.label.get('en') or c.id} ({_few(c.terms, 3)}) is itself a "
                         f"{c.joins} word.")
        neg = _few(topic.cues["negation"].all_terms(), 6)
        hyp = _few(topic.cues["hypothetical"].all_terms(), 6)
        lines.append(f"Negated mentions ({neg}) and hypothetical ones ({hyp}) never count.")
        if "hedge" in topic.cues and topic.cues["hedge"].all_terms():
            hedge = _few(topic.cues["hedge"].all_terms(), 5)
            lines.append(f"In a record that gives the intervention itself, a hedged sentence ({hedge}) "
                         "joins nothing and measures nothing; a cue must have the intervention acting on "
                         "the condition, not the condition acting on the cells.")
        long_form = [c.label.get("en") or c.id for c in topic.concepts.values() if c.needs_long_form and c.case_terms]
        if long_form:
            lines.append("Abbreviations count only where the record also spells the words out: "
                         + ", ".join(long_form) + ".")
    if topic.contexts:
        lines.append("These contexts take a mention out (each decision names the one that applied):")
        for ctx in topic.contexts:
            if ctx.kind == "no_outcome":
                lines.append(f"  - {ctx.name}: {ctx.title()} (named when the intervention is given but the "
                             "condition is never measured).")
                continue
            what = _labels(topic, ctx.applies_to)
            where = _SCOPE_WORDS[ctx.scope]
            words = _few(ctx.all_terms())
            detail = f"{what} {where} {words}" if words else what
            if ctx.scope == "record" and ctx.min_hits > 1:
                detail += f" ({ctx.min_hits} times or more)"
            if ctx.requires:
                need = _few([t for lang in ("en", "zh") for t in ctx.requires.get(lang, [])], 6)
                detail += f", only where the sentence also says {need}"
            if ctx.absent:
                near = f" within {ctx.absent_within} words of the mention" if ctx.absent_within is not None else ""
                detail += f", when the record names none of: {_labels(topic, ctx.absent)}{near}"
            if ctx.unless:
                near = f" within {ctx.unless_within} words" if ctx.unless_within is not None else ""
                detail += f"; not when {'/'.join(ctx.unless)} applies to the mention{near}"
            lines.append(f"  - {ctx.name}: {ctx.title()} — {detail}.")
    for e in topic.exclude:
        c = topic.concepts[e.concept]
        how = "excludes a record whose title has" if e.mode == "reject" else "hides mentions inside"
        lines.append(f"[[exclude]] {e.concept} {how}: {_few(c.terms + c.case_terms)}.")
    lines.append("A record with no abstract is decided by its title alone (and says so); with no abstract and no "
                 "concept anywhere it is excluded: nothing to judge.")
    lines.append(f"The ranker decides by itself only once it has learned from at least 3 person inclusions and 3 "
                 f"exclusions and its cross-validated precision on them reaches {topic.model_min_precision:.2f}; "
                 "even then it undoes the rules only the way persons did. Otherwise it only suggests. A person's "
                 "decision always wins.")
    return lines
