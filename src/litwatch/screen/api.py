"""Screening over the store: rules + ranker for a topic, effective decisions, PRISMA counts.

`update_screening` runs the profile's rules on every record, then (when there are enough
include and exclude decisions to learn from) fits the default ranker on the person and rule
decisions and scores the records nobody has decided: a model row says include when the
ranker's probability is >= 0.5. Rows are only added when a decision changes.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from litwatch.errors import UsageError
from litwatch.records import Record
from litwatch.screen.decisions import add_decision, effective, latest_rows, undo_last
from litwatch.screen.models import make_cycle
from litwatch.screen.rules import RULES_VERSION, Decision, rule_decision
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
    "MIN_PER_CLASS",
]

MIN_PER_CLASS = 3  # the ranker learns only from at least this many includes and excludes


def _topic(topic: Topic | str) -> Topic:
    return topic if isinstance(topic, Topic) else load_topic(topic)


def _name(topic: Topic | str) -> str:
    return topic.name if isinstance(topic, Topic) else str(topic)


def record_text(record: Record) -> str:
    """The text the ranker reads: title, abstract, keywords, MeSH, trial conditions/interventions."""
    parts = [record.title or "", record.abstract_text, " ".join(record.keywords),
             " ".join(m.descriptor for m in record.mesh)]
    if record.trial is not None:
        parts += [" ".join(record.trial.conditions), " ".join(record.trial.interventions)]
    return " ".join(p for p in parts if p)


def _same(row, d: Decision) -> bool:
    return row is not None and row["label"] == d.label and (row["reason"] or "") == d.reason and (
        (row["score"] is None and d.score is None) or (row["score"] is not None and d.score is not None
                                                       and abs(row["score"] - d.score) < 1e-6)
    )


def update_screening(store, topic: Topic | str, *, use_model: bool = True) -> dict[str, Any]:
    """Rules (+ ranker) for every record; persons are never overwritten. Returns counts."""
    t = _topic(topic)
    run_id = store.start_run("screen", {"topic": t.name})
    records = {rid: rec for rid, rec in store.iter_records()}
    latest = latest_rows(store, t.name)
    rule_counts: Counter[str] = Counter()
    changed = 0
    with store.transaction():
        for rid, rec in records.items():
            d = rule_decision(t, rec)
            rule_counts[d.label] += 1
            if not _same(latest.get(rid, {}).get("rule"), d):
                add_decision(store, t.name, rid, d, run_id=run_id, method=f"rules v{RULES_VERSION}")
                changed += 1
    model_counts = _model_pass(store, t, records, run_id) if use_model else None
    counts = {
        "records": len(records),
        "rule": dict(rule_counts),
        "model": model_counts,
        "changed": changed,
        "persons": sum(1 for k in latest_rows(store, t.name).values() if "person" in k),
        "run_id": run_id,
    }
    store.finish_run(run_id, "ok", {k: v for k, v in counts.items() if k != "run_id"}, [])
    return counts


def _training(store, topic: str, ids: list[int]) -> dict[int, int]:
    labels = {}
    for rid, kinds in latest_rows(store, topic, ids).items():
        d = effective(kinds)
        if d.label in ("include", "exclude") and (kinds.get("person") is not None or d.by == "rule"):
            labels[rid] = int(d.label == "include")
    return labels


def _model_pass(store, t: Topic, records: dict[int, Record], run_id: int) -> dict[str, int] | None:
    ids = list(records)
    labels = _training(store, t.name, ids)
    n_pos = sum(labels.values())
    if n_pos < MIN_PER_CLASS or len(labels) - n_pos < MIN_PER_CLASS:
        return None
    cycle = make_cycle()
    X = cycle.features([record_text(records[i]) for i in ids])
    row_of = {rid: i for i, rid in enumerate(ids)}
    train = [row_of[r] for r in labels]
    cycle.fit(X[train], np.array([labels[ids[i]] for i in train]))
    proba = _probability(cycle, X)
    latest = latest_rows(store, t.name, ids)
    counts: Counter[str] = Counter()
    method = "+".join(cycle.names.values())
    with store.transaction():
        for rid in ids:
            kinds = latest.get(rid, {})
            if rid in labels or kinds.get("person") is not None:
                continue
            p = float(proba[row_of[rid]])
            label = "include" if p >= 0.5 else "exclude"
            d = Decision(label, round(p, 4), "model", f"ranker P(relevant)={p:.2f} from {len(labels)} decisions")
            counts[label] += 1
            old = kinds.get("model")
            if old is None or old["label"] != label or abs((old["score"] or 0) - d.score) > 0.05:
                add_decision(store, t.name, rid, d, run_id=run_id, method=method)
    return dict(counts)


def _probability(cycle, X) -> np.ndarray:
    clf = cycle.classifier
    if hasattr(clf, "predict_proba"):
        return clf.predict_proba(X)[:, 1]
    return 1.0 / (1.0 + np.exp(-cycle.scores(X)))


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
    live = {rid for (rid,) in store.conn.execute("SELECT id FROM records WHERE deleted = 0")}
    return sorted(rid for rid, d in decisions_for(store, topic_name).items() if d.label == "include" and rid in live)


def _check_record(store, record_id: int | str) -> int:
    rid = store.resolve(str(record_id)) if not isinstance(record_id, int) else record_id
    if rid is None or store.conn.execute("SELECT 1 FROM records WHERE id = ?", (rid,)).fetchone() is None:
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
    """Records no person has decided, most likely relevant first (ranker when it can learn, else rules)."""
    t = _topic(topic)
    records = records if records is not None else dict(store.iter_records())
    ids = list(records)
    latest = latest_rows(store, t.name, ids)
    todo = [r for r in ids if latest.get(r, {}).get("person") is None]
    if not todo:
        return []
    labels = _training(store, t.name, ids)
    n_pos = sum(labels.values())
    if n_pos >= 1 and len(labels) - n_pos >= 1:
        cycle = make_cycle()
        X = cycle.features([record_text(records[i]) for i in ids])
        row = {rid: i for i, rid in enumerate(ids)}
        tr = [row[r] for r in labels]
        cycle.fit(X[tr], np.array([labels[ids[i]] for i in tr]))
        s = cycle.scores(X)
        return sorted(todo, key=lambda r: -s[row[r]])
    rank = {"include": 0, "undecided": 1, "exclude": 2}
    return sorted(todo, key=lambda r: rank.get(effective(latest.get(r, {})).label, 1))


@dataclass
class Suggestion:
    """What the ranker suggests for a record that no person has checked (not an effective decision)."""

    record_id: int
    label: str  # include | exclude
    score: float
    reason: str
    title: str | None = None


def unchecked_suggestions(store, topic_name: Topic | str,
                          record_ids: Iterable[int] | None = None) -> list[Suggestion]:
    """The ranker's suggestions that nobody has checked, most likely relevant first.

    Contract for the report's appendix; the inclusion issue fills it in."""
    return []


def prisma_counts(store, topic_name: Topic | str, date_from: str | None = None,
                  date_to: str | None = None, *, record_ids: Iterable[int] | None = None) -> dict[str, Any]:
    """PRISMA flow numbers for records reported in [date_from, date_to] (YYYY-MM, inclusive),
    or, when `record_ids` is given, for exactly those records (the report's period, year-only ones too)."""
    where, params = ["r.deleted = 0"], []
    if record_ids is not None:
        wanted = sorted({int(i) for i in record_ids})
        where.append("r.id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(wanted))
    elif date_from:
        where.append("r.report_month >= ?")
        params.append(date_from)
    if date_to and record_ids is None:
        where.append("r.report_month <= ?")
        params.append(date_to)
    cond = " AND ".join(where)
    kinds = dict(store.conn.execute(f"SELECT r.id, r.kind FROM records r WHERE {cond}", params).fetchall())
    ids = list(kinds)
    identified = {
        src: n for src, n in store.conn.execute(
            f"SELECT s.source, count(*) FROM source_items s JOIN records r ON r.id = s.record_id WHERE {cond}"
            " GROUP BY s.source ORDER BY s.source", params)
    }
    # every source item beyond the first of a record was a duplicate merged away (see `merges`)
    duplicates = max(sum(identified.values()) - len(ids), 0)
    decisions = decisions_for(store, topic_name, ids)
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
    }
