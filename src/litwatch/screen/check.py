"""Where persons overturned the rules, and the profile change that would have avoided it.

`overturned(store, topic)` (what `litwatch topic check NAME --with-decisions` lists) compares each
person decision with the rules' latest one for the same record and, where they differ, proposes a
change to the profile in its own TOML words:

    person excluded a rule inclusion -> a context whose cue words are the ones this record (and the
        other overturned inclusions) use near the mention, and the records kept included do not
    person included a rule exclusion -> the concept words the title lacks, the cue word that joins
        the two mentions, or the context / negation cue to narrow, whichever stopped the relation
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from litwatch.screen.decisions import latest_rows
from litwatch.screen.text import record_fields, to_simplified
from litwatch.topics.terms import CJK
from litwatch.topics import Topic, load_topic

__all__ = ["Overturn", "overturned"]

_WORD = re.compile(r"[A-Za-z][A-Za-z\-]{3,}|[\u4e00-\u9fff]{2}")
_LATIN = re.compile(r"[A-Za-z][A-Za-z\-]{3,}")
_STOP = set("""
with from that this these those were was have been into than then they their there which while after before
about also such other between during among within without using used study studies patients patient results
method methods background conclusion conclusions objective aims aimed here show showed shown found effect
effects treatment treated group groups control controls model models data analysis compared significant
significantly increased decreased reduced higher lower level levels both more most less each well however
whether could would should only over under may might mice rats human humans cell cells through
""".split())


@dataclass
class Overturn:
    record_id: int
    title: str
    rule_label: str
    rule_reason: str
    person_label: str
    by: str
    change: str  # the profile change that would have avoided it, in TOML words


def _words(text: str) -> list[str]:
    latin = [w.lower() for w in _LATIN.findall(text) if w.lower() not in _STOP]
    chinese = [text[i:i + 2] for i in range(len(text) - 1) if CJK.match(text[i]) and CJK.match(text[i + 1])]
    return latin + chinese


def _relation_text(fields: dict[str, str], concepts: list[dict[str, Any]]) -> str:
    rel = next((c for c in concepts if "relation" in c), None)
    if rel is None:
        return fields.get("title", "")
    return fields.get(rel["field"], "")[rel["start"]:rel["end"]]


def _concept_words(concepts: list[dict[str, Any]]) -> set[str]:
    return {w for c in concepts if "concept" in c for w in _words(c["text"])}


def _candidates(text: str, start: int, end: int) -> dict[str, int]:
    """Words of a sentence with their distance (in characters) from the span [start, end);
    Chinese text gives its two-character runs, the ones next to the mention first."""
    out: dict[str, int] = {}
    for m in _LATIN.finditer(text):
        w = m.group(0).lower()
        if w not in _STOP:
            out.setdefault(w, min(abs(m.start() - end), abs(start - m.end())))
    for i in range(len(text) - 1):
        pair = text[i:i + 2]
        if CJK.match(pair[0]) and CJK.match(pair[1]) and not (start <= i < end or start <= i + 1 < end):
            out.setdefault(pair, min(abs(i - end), abs(start - i - 2)))
    return out


def _context_change(topic: Topic, fields, concepts, kept_df: Counter, n_kept: int, overturned_df: Counter) -> str:
    rel = next((c for c in concepts if "relation" in c), None)
    group = topic.relations.intervention if topic.relations else topic.include[0].name
    mention = next((c for c in concepts if "concept" in c and c.get("group") == group
                    and (rel is None or c["field"] == rel["field"])), None)
    field = rel["field"] if rel else "title"
    lo, hi = (rel["start"], rel["end"]) if rel else (0, len(fields.get("title", "")))
    text = to_simplified(fields.get(field, ""))
    start, end = (mention["start"] - lo, mention["end"] - lo) if mention else (0, 0)
    near = _candidates(text[lo:hi], start, end)
    skip = _concept_words(concepts)
    ranked = sorted((w for w in near if w not in skip),
                    key=lambda w: (kept_df[w] > max(1, n_kept // 10), -(overturned_df[w] - 2 * kept_df[w]),
                                   near[w], w))
    cues = ranked[:3]
    applies = f'applies_to = ["{mention["concept"]}"], ' if mention else ""
    lang = "zh" if cues and CJK.match(cues[0][0]) else "en"
    words = ", ".join(f'"{w}"' for w in cues)
    return (f'add a context, e.g. [[contexts]] name = "my_context", scope = "sentence", {applies}{lang} = [{words}] '
            f"(words this record uses near the mention and the records kept included do not)")


def _include_change(topic: Topic, reason: str, fields, concepts) -> str:
    if reason.startswith("nothing to judge"):
        return "no abstract and no concept: add the title's words for the topic to a concept's terms"
    m = re.match(r"no (\w+) concept", reason)
    if m:
        group = next((g for g in topic.include if g.name == m.group(1)), None)
        target = group.any[0] if group else m.group(1)
        cands = [w for w in dict.fromkeys(_words(fields.get("title", "")))][:4]
        return (f"the {m.group(1)} is not recognised: add its words to [concepts.{target}] terms "
                f"(from the title: {', '.join(cands) or '-'})")
    m = re.match(r"context (\w+):.*?\('([^']*)' at", reason)
    if m:
        return (f"context {m.group(1)} took the mention out because of '{m.group(2)}': remove '{m.group(2)}' from "
                f"[[contexts]] {m.group(1)}, or add an `unless` that spares this use")
    m = re.match(r"context (\w+):", reason)
    if m:
        return f"context {m.group(1)} applied: narrow [[contexts]] {m.group(1)} (its words, scope or applies_to)"
    m = re.search(r"(negated|hypothetical) \('([^']*)'\)", reason)
    if m:
        cues = "negation" if m.group(1) == "negated" else "hypothetical"
        return f"'{m.group(2)}' made the mention not count: remove it from [cues.{cues}] or add it to [cues.pseudo_negation]"
    if reason.startswith("co-mention only"):
        between = _between_words(fields, concepts)
        return ("no cue joined the intervention and the condition: add the joining word to [cues.therapeutic] "
                f"(between them here: {', '.join(between) or '-'})")
    return "review the relations and contexts for this kind of record"


def _between_words(fields: dict[str, str], concepts: list[dict[str, Any]]) -> list[str]:
    mentions = [c for c in concepts if "concept" in c and c["field"] == "abstract" and c.get("group")]
    text = fields.get("abstract", "")
    best: list[str] = []
    for a in mentions:
        for b in mentions:
            if a["group"] != b["group"] and a["end"] <= b["start"] and b["start"] - a["end"] < 200:
                gap = _words(text[a["end"]:b["start"]])
                if gap and (not best or len(gap) < len(best)):
                    best = gap
    return best[:4]


def overturned(store, topic: Topic | str) -> list[Overturn]:
    """Every record where a person's decision differs from the rules', with the profile change."""
    t = topic if isinstance(topic, Topic) else load_topic(topic)
    rows = latest_rows(store, t.name)
    flips = [(rid, k) for rid, k in rows.items() if k.get("person") is not None and k.get("rule") is not None
             and k["rule"]["label"] in ("include", "exclude") and k["person"]["label"] != k["rule"]["label"]]
    if not flips:
        return []
    import json

    kept_ids = [rid for rid, k in rows.items() if k.get("rule") is not None and k["rule"]["label"] == "include"
                and (k.get("person") is None or k["person"]["label"] == "include")]
    kept_df: Counter = Counter()
    for _, rec in store.iter_records(ids=kept_ids):
        kept_df.update(set(_words(to_simplified(f"{rec.title or ''} {rec.abstract_text}"))))
    over_ids = [rid for rid, k in flips if k["person"]["label"] == "exclude"]
    over_df: Counter = Counter()
    records = dict(store.iter_records(ids=[rid for rid, _ in flips]))
    for rid in over_ids:
        rec = records[rid]
        over_df.update(set(_words(to_simplified(f"{rec.title or ''} {rec.abstract_text}"))))
    out = []
    for rid, k in sorted(flips):
        rec = records.get(rid)
        if rec is None:
            continue
        rule, person = k["rule"], k["person"]
        concepts = json.loads(rule["concepts"] or "[]")
        fields = record_fields(rec)
        if person["label"] == "exclude":
            change = _context_change(t, fields, concepts, kept_df, len(kept_ids), over_df)
        else:
            change = _include_change(t, rule["reason"] or "", fields, concepts)
        out.append(Overturn(rid, rec.title or "", rule["label"], rule["reason"] or "", person["label"], person["by"],
                            change))
    return out
