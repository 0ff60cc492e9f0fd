"""Screening state in the store (migration 0007): what each record was last screened with, the
ranker's last fit and its scores. Read and written only through this module.

Which records are live and what their content hashes are, the store says (store/queries.py):
no statement here reads the store's own tables. (The tables once were also created here on first
use, for a store whose schema number had passed 7 through another part's migration; migrations
are now recorded by number, so 0007 runs on such a store too.)
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable

from litwatch.clock import utc_now

__all__ = [
    "stale_ids",
    "write_state",
    "forget_gone",
    "state_of",
    "state_fingerprint",
    "person_fingerprint",
    "model_row",
    "save_model",
    "save_scores",
    "scores_of",
    "gone_count",
    "label_counts",
    "suggestion_counts",
]


def stale_ids(store, topic: str, profile_hash: str, rules_version: int) -> list[int]:
    """Live records never screened for the topic, or screened with other content, profile or rules."""
    screened = {r[0]: (r[1], r[2], r[3]) for r in store.conn.execute(
        "SELECT record_id, content_hash, profile_hash, rules_version FROM screen_state WHERE topic = ?", (topic,))}
    return [rid for rid, content in sorted(store.content_hashes().items())
            if screened.get(rid) != (content, profile_hash, rules_version)]


def _ids(ids: Iterable[int]) -> str:
    return json.dumps(sorted({int(i) for i in ids}))


def gone_count(store, topic: str) -> int:
    """How many records screened for the topic were deleted since."""
    return store.conn.execute(
        "SELECT count(*) FROM screen_state WHERE topic = ? AND record_id IN (SELECT value FROM json_each(?))",
        (topic, _ids(store.deleted_ids()))).fetchone()[0]


def forget_gone(store, topic: str) -> int:
    """Drop the state of records that were deleted since (their decisions stay, as history)."""
    gone = _ids(store.deleted_ids())
    cur = store.conn.execute(
        "DELETE FROM screen_state WHERE topic = ? AND record_id IN (SELECT value FROM json_each(?))", (topic, gone))
    store.conn.execute(
        "DELETE FROM screen_scores WHERE topic = ? AND record_id IN (SELECT value FROM json_each(?))", (topic, gone))
    return cur.rowcount or 0


def write_state(store, topic: str, rows: Iterable[tuple[int, str, str, int, str, list[str]]]) -> None:
    """rows: (record_id, content_hash, profile_hash, rules_version, label, evidence)."""
    now = utc_now()
    store.conn.executemany(
        "INSERT OR REPLACE INTO screen_state (topic, record_id, content_hash, profile_hash, rules_version, label,"
        " evidence, screened_at) VALUES (?,?,?,?,?,?,?,?)",
        [(topic, rid, ch, ph, rv, label, json.dumps(ev), now) for rid, ch, ph, rv, label, ev in rows],
    )


def state_of(store, topic: str) -> dict[int, tuple[str, list[str]]]:
    """record id -> (rule label, evidence) for the topic's live screened records."""
    live = set(store.live_ids())
    rows = store.conn.execute(
        "SELECT record_id, label, evidence FROM screen_state WHERE topic = ? ORDER BY record_id", (topic,)
    ).fetchall()
    return {r[0]: (r[1], json.loads(r[2])) for r in rows if r[0] in live}


def state_fingerprint(store, topic: str) -> str:
    """Changes whenever a live record's content or rule outcome changes (the ranker's candidates)."""
    h = hashlib.sha1()
    live = set(store.live_ids())
    for rid, ch, label, ev in store.conn.execute(
        "SELECT record_id, content_hash, label, evidence FROM screen_state WHERE topic = ? ORDER BY record_id",
        (topic,)
    ):
        if rid in live:
            h.update(f"{rid}|{ch}|{label}|{ev}\n".encode())
    return h.hexdigest()


def person_fingerprint(store, topic: str) -> str:
    """Changes whenever a person decides, changes their mind or undoes a decision for the topic."""
    h = hashlib.sha1()
    for row in store.conn.execute(
        "SELECT id, record_id, label, undone_at FROM decisions WHERE topic = ? AND by_kind = 'person' ORDER BY id",
        (topic,),
    ):
        h.update(f"{row[0]}|{row[1]}|{row[2]}|{row[3]}\n".encode())
    return h.hexdigest()


def model_row(store, topic: str) -> dict[str, Any] | None:
    row = store.conn.execute("SELECT * FROM screen_models WHERE topic = ?", (topic,)).fetchone()
    if row is None:
        return None
    d = dict(row)
    d["summary"] = json.loads(d["summary"] or "{}")
    return d


def save_model(store, topic: str, fingerprint: str, trusted: bool, include_at: float | None,
               exclude_below: float | None, summary: dict[str, Any]) -> None:
    store.conn.execute(
        "INSERT OR REPLACE INTO screen_models (topic, fingerprint, fitted_at, trusted, include_at, exclude_below,"
        " summary) VALUES (?,?,?,?,?,?,?)",
        (topic, fingerprint, utc_now(), int(trusted), include_at, exclude_below, json.dumps(summary)),
    )


def save_scores(store, topic: str, rows: Iterable[tuple[int, float, str | None, bool, str]]) -> None:
    """Replace the topic's scores: rows (record_id, score, suggestion, applied, reason)."""
    store.conn.execute("DELETE FROM screen_scores WHERE topic = ?", (topic,))
    store.conn.executemany(
        "INSERT INTO screen_scores (topic, record_id, score, suggestion, applied, reason) VALUES (?,?,?,?,?,?)",
        [(topic, rid, round(float(s), 4), sug, int(applied), reason) for rid, s, sug, applied, reason in rows],
    )


def scores_of(store, topic: str, record_ids: Iterable[int] | None = None, *, suggested_only: bool = False
              ) -> dict[int, dict[str, Any]]:
    sql = "SELECT record_id, score, suggestion, applied, reason FROM screen_scores WHERE topic = ?"
    if suggested_only:
        sql += " AND suggestion IS NOT NULL"
    wanted = None if record_ids is None else {int(i) for i in record_ids}
    out = {}
    for r in store.conn.execute(sql, (topic,)):
        if wanted is None or r[0] in wanted:
            out[r[0]] = {"score": r[1], "suggestion": r[2], "applied": bool(r[3]), "reason": r[4]}
    return out


def label_counts(store, topic: str) -> dict[str, int]:
    """Rule label -> how many live records the topic's rules gave it."""
    out: dict[str, int] = {}
    for label, _ in state_of(store, topic).values():
        out[label] = out.get(label, 0) + 1
    return dict(sorted(out.items()))


def suggestion_counts(store, topic: str) -> dict[str, int]:
    """'include' / 'exclude' (suggested) and 'include:applied' / 'exclude:applied' (a trusted ranker's) -> n."""
    return dict(store.conn.execute(
        "SELECT suggestion || CASE applied WHEN 1 THEN ':applied' ELSE '' END, count(*) FROM screen_scores"
        " WHERE topic = ? AND suggestion IS NOT NULL GROUP BY 1", (topic,)).fetchall())
