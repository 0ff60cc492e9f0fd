"""Screening state in the store (migration 0007): what each record was last screened with, the
ranker's last fit and its scores. Read and written only through this module.

The tables are also created here on first use (CREATE TABLE IF NOT EXISTS), so a store whose
schema number already passed 7 through another part's migration still gets them.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any, Iterable

from litwatch.clock import utc_now

__all__ = [
    "ensure_tables",
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
]


def ensure_tables(store) -> None:
    if getattr(store, "_screen_state_ready", False):
        return
    sql = (resources.files("litwatch.store") / "migrations" / "0007_screening_state.sql").read_text(encoding="utf-8")
    body = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())  # comments hold ';' too
    exists = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")}
    if not {"screen_state", "screen_models", "screen_scores"} <= exists:
        for statement in body.split(";"):
            if statement.strip():
                store.conn.execute(statement)
    store._screen_state_ready = True


def stale_ids(store, topic: str, profile_hash: str, rules_version: int) -> list[int]:
    """Live records never screened for the topic, or screened with other content, profile or rules."""
    ensure_tables(store)
    rows = store.conn.execute(
        "SELECT r.id FROM records r LEFT JOIN screen_state s ON s.topic = ? AND s.record_id = r.id"
        " WHERE r.deleted = 0 AND (s.record_id IS NULL OR s.content_hash != r.content_hash"
        " OR s.profile_hash != ? OR s.rules_version != ?) ORDER BY r.id",
        (topic, profile_hash, rules_version),
    ).fetchall()
    return [r[0] for r in rows]


def forget_gone(store, topic: str) -> int:
    """Drop the state of records that were deleted since (their decisions stay, as history)."""
    cur = store.conn.execute(
        "DELETE FROM screen_state WHERE topic = ? AND record_id IN (SELECT id FROM records WHERE deleted = 1)",
        (topic,),
    )
    store.conn.execute(
        "DELETE FROM screen_scores WHERE topic = ? AND record_id IN (SELECT id FROM records WHERE deleted = 1)",
        (topic,),
    )
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
    ensure_tables(store)
    rows = store.conn.execute(
        "SELECT s.record_id, s.label, s.evidence FROM screen_state s JOIN records r ON r.id = s.record_id"
        " WHERE s.topic = ? AND r.deleted = 0 ORDER BY s.record_id", (topic,)
    ).fetchall()
    return {r[0]: (r[1], json.loads(r[2])) for r in rows}


def state_fingerprint(store, topic: str) -> str:
    """Changes whenever a live record's content or rule outcome changes (the ranker's candidates)."""
    h = hashlib.sha1()
    for rid, ch, label, ev in store.conn.execute(
        "SELECT s.record_id, s.content_hash, s.label, s.evidence FROM screen_state s JOIN records r"
        " ON r.id = s.record_id WHERE s.topic = ? AND r.deleted = 0 ORDER BY s.record_id", (topic,)
    ):
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
    ensure_tables(store)
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
    ensure_tables(store)
    sql = "SELECT record_id, score, suggestion, applied, reason FROM screen_scores WHERE topic = ?"
    if suggested_only:
        sql += " AND suggestion IS NOT NULL"
    wanted = None if record_ids is None else {int(i) for i in record_ids}
    out = {}
    for r in store.conn.execute(sql, (topic,)):
        if wanted is None or r[0] in wanted:
            out[r[0]] = {"score": r[1], "suggestion": r[2], "applied": bool(r[3]), "reason": r[4]}
    return out
