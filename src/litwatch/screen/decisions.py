"""Decision storage (table `decisions`, migration 0003): append-only rows, effective view, undo.

Precedence of the effective decision for (record, topic):
    latest person include/exclude
    >  latest model include/exclude of the decision policy (a ranker trusted on person decisions,
       method POLICY_METHOD; see screen/update.py)
    >  latest rule include/exclude
    >  an older model row (the ranker deciding alone before the policy existed)
    >  latest rule "undecided"  >  undecided
A model row "undecided" withdraws the model's earlier decision. Rules and models write rows of
their own kind only, so they can never overwrite a person.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from litwatch.clock import utc_now
from litwatch.errors import StoreError, UsageError
from litwatch.screen.rules import Decision

__all__ = [
    "RESERVED",
    "POLICY_METHOD",
    "by_kind",
    "add_decision",
    "latest_rows",
    "effective",
    "person_history",
    "undo_last",
    "add_decisions",
    "person_count",
]

RESERVED = ("rule", "model")
LABELS = ("include", "exclude", "undecided")
POLICY_METHOD = "ranker policy v1"


def by_kind(by: str) -> str:
    return by if by in RESERVED else "person"


def add_decision(store, topic: str, record_id: int, decision: Decision, *, run_id: int | None = None,
                 method: str | None = None) -> int:
    """Append one decision row; returns its id."""
    if decision.label not in LABELS:
        raise UsageError(f"label {decision.label!r} is not one of {', '.join(LABELS)}")
    cur = store.conn.execute(
        "INSERT INTO decisions (record_id, topic, label, score, by, by_kind, reason, concepts, note,"
        " decided_at, run_id, method) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (record_id, topic, decision.label, decision.score, decision.by, by_kind(decision.by),
         decision.reason or "", json.dumps(decision.concepts, ensure_ascii=False), decision.note,
         decision.decided_at or utc_now(), run_id, method),
    )
    return int(cur.lastrowid)


def add_decisions(store, topic: str, items: list[tuple[int, Decision]], *, run_id: int | None = None,
                  method: str | None = None) -> None:
    """Append one decision row per (record id, decision), in one statement (the rules' pass)."""
    now = utc_now()
    for _, d in items:
        if d.label not in LABELS:
            raise UsageError(f"label {d.label!r} is not one of {', '.join(LABELS)}")
    store.conn.executemany(
        "INSERT INTO decisions (record_id, topic, label, score, by, by_kind, reason, concepts, note,"
        " decided_at, run_id, method) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(rid, topic, d.label, d.score, d.by, by_kind(d.by), d.reason or "", json.dumps(d.concepts, ensure_ascii=False),
          d.note, d.decided_at or now, run_id, method) for rid, d in items],
    )


def _row_decision(row) -> Decision:
    return Decision(
        label=row["label"], score=row["score"], by=row["by"], reason=row["reason"],
        concepts=json.loads(row["concepts"] or "[]"), note=row["note"], decided_at=row["decided_at"],
    )


def latest_rows(store, topic: str, record_ids: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
    """record id -> {kind: latest live row} with kinds 'rule', 'model', 'person' (person: include/exclude
    only) and 'note' (the latest person note)."""
    sql = (
        "SELECT * FROM decisions d WHERE topic = ? AND undone_at IS NULL AND id IN ("
        " SELECT max(id) FROM decisions WHERE topic = ? AND undone_at IS NULL"
        "  AND (by_kind != 'person' OR label != 'undecided') GROUP BY record_id, by_kind)"
    )
    params: list[Any] = [topic, topic]
    wanted = None if record_ids is None else set(int(i) for i in record_ids)
    out: dict[int, dict[str, Any]] = {}
    try:
        rows = store.conn.execute(sql, params).fetchall()
        notes = store.conn.execute(
            "SELECT record_id, note FROM decisions WHERE id IN (SELECT max(id) FROM decisions WHERE topic = ?"
            " AND undone_at IS NULL AND by_kind = 'person' AND note IS NOT NULL GROUP BY record_id)", (topic,)
        ).fetchall()
    except Exception as exc:  # sqlite3.Error: the store predates migration 0003 or is locked
        raise StoreError(f"could not read screening decisions: {exc}") from None
    for row in rows:
        if wanted is None or row["record_id"] in wanted:
            out.setdefault(row["record_id"], {})[row["by_kind"]] = row
    for row in notes:
        if wanted is None or row["record_id"] in wanted:
            out.setdefault(row["record_id"], {})["note"] = row["note"]
    return out


def effective(kinds: dict[str, Any]) -> Decision:
    """Pick the effective decision from one record's latest rows (see the module docstring)."""
    rule, model, person = kinds.get("rule"), kinds.get("model"), kinds.get("person")
    policy = model is not None and model["method"] == POLICY_METHOD
    if person is not None:
        chosen = person
    elif policy and model["label"] != "undecided":
        chosen = model
    elif rule is not None and rule["label"] != "undecided":
        chosen = rule
    elif model is not None and not policy:
        chosen = model
    elif rule is not None:
        chosen = rule
    else:
        return Decision("undecided", None, "", "not screened yet", note=kinds.get("note"))
    d = _row_decision(chosen)
    if chosen is not rule and rule is not None and not d.concepts:
        d.concepts = json.loads(rule["concepts"] or "[]")  # a person's row keeps the matches to show
    d.note = kinds.get("note") or d.note
    return d


def person_history(store, topic: str, by: str | None = None) -> list[dict[str, Any]]:
    """A person's live decisions in the order made (newest last)."""
    sql = "SELECT * FROM decisions WHERE topic = ? AND by_kind = 'person' AND undone_at IS NULL"
    params: list[Any] = [topic]
    if by:
        sql += " AND by = ?"
        params.append(by)
    return [dict(r) for r in store.conn.execute(sql + " ORDER BY id", params)]


def undo_last(store, topic: str, by: str) -> int | None:
    """Undo `by`'s latest live decision for the topic; returns its record id (None if nothing to undo)."""
    row = store.conn.execute(
        "SELECT id, record_id FROM decisions WHERE topic = ? AND by = ? AND by_kind = 'person'"
        " AND undone_at IS NULL ORDER BY id DESC LIMIT 1", (topic, by)
    ).fetchone()
    if row is None:
        return None
    with store.transaction():
        store.conn.execute("UPDATE decisions SET undone_at = ? WHERE id = ?", (utc_now(), row["id"]))
    return int(row["record_id"])


def person_count(store, topic: str) -> int:
    """How many records a person decided (include or exclude) for the topic, undone decisions left out."""
    return store.conn.execute(
        "SELECT count(DISTINCT record_id) FROM decisions WHERE topic = ? AND by_kind = 'person' AND undone_at IS NULL"
        " AND label != 'undecided'", (topic,)).fetchone()[0]
