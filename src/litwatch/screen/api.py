"""Screening over the store: effective decisions, person decisions, suggestions, PRISMA counts.

`update_screening` (screen/update.py) brings the rules and the ranker up to date for what
changed. The effective decision of a record is a person's, else the trusted ranker's, else the
rules' (screen/decisions.py). `unchecked_suggestions` lists what the ranker suggests, or decided
by itself, that no person has checked.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

from litwatch.errors import UsageError
from litwatch.records import Record
from litwatch.screen.decisions import add_decision, effective, latest_rows, undo_last
from litwatch.screen.rules import Decision
from litwatch.screen.state import scores_of
from litwatch.screen.update import record_text, update_screening
from litwatch.topics import Topic, load_topic

__all__ = [
    "update_screening",
    "decisions_for",
    "included_ids",
    "prisma_counts",
    "record_decision",
    "undo_decision",
    "record_text",
    "rank_undecided",
    "unchecked_suggestions",
    "Suggestion",
]


def _topic(topic: Topic | str) -> Topic:
    return topic if isinstance(topic, Topic) else load_topic(topic)


def _name(topic: Topic | str) -> str:
    return topic.name if isinstance(topic, Topic) else str(topic)


def _training(store, topic: str, ids: list[int]) -> dict[int, int]:
    """Labels the interactive session learns from: person decisions, else the rules' include/exclude."""
    labels = {}
    for rid, kinds in latest_rows(store, topic, ids).items():
        person, rule = kinds.get("person"), kinds.get("rule")
        chosen = person if person is not None else rule
        if chosen is not None and chosen["label"] in ("include", "exclude"):
            labels[rid] = int(chosen["label"] == "include")
    return labels


def decisions_for(store, topic_name: Topic | str, record_ids: Iterable[int] | None = None) -> dict[int, Decision]:
    """The effective decision of each screened record (all records of the topic, or those asked)."""
    name = _name(topic_name)
    rows = latest_rows(store, name, record_ids)
    out = {rid: effective(kinds) for rid, kinds in rows.items()}
    if record_ids is not None:
        for rid in record_ids:
            out.setdefault(int(rid), Decision("undecided", None, "", "not screened yet"))
    return out


def included_ids(store, topic_name: Topic | str) -> list[int]:
    """Store ids of the records whose effective decision is include (deleted records left out)."""
    live = set(store.live_ids())
    return sorted(rid for rid, d in decisions_for(store, topic_name).items() if d.label == "include" and rid in live)


def _check_record(store, record_id: int | str) -> int:
    rid = store.resolve(str(record_id)) if not isinstance(record_id, int) else record_id
    if rid is None or not store.has_record(rid):
        raise UsageError(f"unknown record id {record_id!r}", hint="use a store id (#17), PMID, DOI or NCT id in the store")
    return int(rid)


def record_decision(store, topic_name: Topic | str, record_id: int | str, label: str, by: str,
                    note: str | None = None) -> Decision:
    """A person's decision (label include/exclude/undecided; undecided with a note keeps just the note)."""
    if not by or by in ("rule", "model"):
        raise UsageError(f"{by!r} cannot decide as a person", hint="give a person's name (--as NAME)")
    if label not in ("include", "exclude", "undecided"):
        raise UsageError(f"label {label!r} must be include, exclude or undecided")
    rid = _check_record(store, record_id)
    d = Decision(label, 1.0 if label == "include" else 0.0 if label == "exclude" else None, by,
                 "person", note=note)
    with store.transaction():
        add_decision(store, _name(topic_name), rid, d)
    return d


def undo_decision(store, topic_name: Topic | str, by: str) -> int | None:
    """Undo `by`'s latest decision for the topic; returns the record id it was about."""
    return undo_last(store, _name(topic_name), by)


def rank_undecided(store, topic: Topic | str, records: dict[int, Record] | None = None) -> list[int]:
    """Records no person has decided, most likely relevant first: the ranker's stored scores (after
    `update_screening`), then the rules' label (include before exclude)."""
    t = _topic(topic)
    ids = list(records) if records is not None else store.live_ids()
    latest = latest_rows(store, t.name, ids)
    todo = [r for r in ids if latest.get(r, {}).get("person") is None]
    scores = {rid: v["score"] for rid, v in scores_of(store, t.name, todo).items()}
    rank = {"include": 0, "undecided": 1, "exclude": 2}
    return sorted(todo, key=lambda r: (rank.get(effective(latest.get(r, {})).label, 1), -scores.get(r, 0.0), r))


@dataclass
class Suggestion:
    """What the ranker suggests for a record that no person has checked (not an effective decision)."""

    record_id: int
    label: str  # include | exclude
    score: float
    reason: str
    title: str | None = None
    applied: bool = False  # True: a trusted ranker made this the effective decision (not yet checked)


def unchecked_suggestions(store, topic_name: Topic | str,
                          record_ids: Iterable[int] | None = None) -> list[Suggestion]:
    """The ranker's suggestions that nobody has checked, most likely relevant first.

    A suggestion is a record whose ranker score says the other label than the rules: an untrusted
    ranker's only suggests (the rules' decision stays effective), a trusted ranker's is applied (the
    effective decision is the model's) and still listed here until a person decides. Records a
    person decided are never listed. Refreshed by `update_screening`."""
    name = _name(topic_name)
    rows = scores_of(store, name, record_ids, suggested_only=True)
    if not rows:
        return []
    latest = latest_rows(store, name, list(rows))
    titles = store.titles(rows)  # live records only
    out = []
    for rid, v in rows.items():
        if rid not in titles or latest.get(rid, {}).get("person") is not None:
            continue
        state = "applied: the ranker's decision is the effective one" if v["applied"] else \
            "not applied: the rules' decision stands"
        out.append(Suggestion(rid, v["suggestion"], v["score"], f"{v['reason']} [{state}]", titles.get(rid),
                              applied=v["applied"]))
    return sorted(out, key=lambda s: (-s.score, s.record_id))


def prisma_counts(store, topic_name: Topic | str, date_from: str | None = None,
                  date_to: str | None = None, *, record_ids: Iterable[int] | None = None) -> dict[str, Any]:
    """PRISMA flow numbers for records reported in [date_from, date_to] (YYYY-MM, inclusive),
    or, when `record_ids` is given, for exactly those records (the report's period, year-only ones too)."""
    if record_ids is not None:
        kinds = store.kinds(record_ids)  # the live ones among them
    else:
        kinds = store.kinds(store.live_ids(date_from=date_from, date_to=date_to))
    ids = list(kinds)
    identified = store.source_counts(ids)
    # every source item beyond the first of a record was a duplicate merged away (see `merges`)
    duplicates = max(sum(identified.values()) - len(ids), 0)
    decisions = decisions_for(store, topic_name, ids)
    suggested = Counter(s.label for s in unchecked_suggestions(store, topic_name, ids))
    excluded = Counter({"rule": 0, "model": 0, "person": 0})
    included_by = Counter({"rule": 0, "model": 0, "person": 0})
    included = screened = 0
    included_kinds: Counter = Counter()
    for rid, d in decisions.items():
        if d.label == "undecided":
            continue
        screened += 1
        if d.label == "include":
            included += 1
            included_by[d.by if d.by in ("rule", "model") else "person"] += 1
            included_kinds["trial" if kinds.get(rid) == "trial" else "paper"] += 1
        else:
            excluded[d.by if d.by in ("rule", "model") else "person"] += 1
    return {
        "identified": identified,
        "duplicates_removed": duplicates,
        "records": len(ids),
        "screened": screened,
        "undecided": len(ids) - screened,
        "excluded": dict(excluded),
        "included": included,
        "included_by": dict(included_by),
        "included_by_kind": {"paper": included_kinds["paper"], "trial": included_kinds["trial"]},
        # not yet checked by a person: what the ranker suggests (or, trusted, decided) per label
        "suggested": {"include": suggested["include"], "exclude": suggested["exclude"]},
    }
