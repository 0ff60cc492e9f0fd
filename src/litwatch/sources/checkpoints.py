"""Fetch checkpoints and watched-query state, kept in the store (tables of migration 0002)."""

from __future__ import annotations

import json
from datetime import date

from litwatch.clock import utc_now
from litwatch.sources.base import Batch, Part

__all__ = ["load_parts", "save_plan", "advance", "inherit", "last_complete", "mark_complete", "part_rows"]


def load_parts(store, run_id: int, source: str) -> list[tuple[Part, str | None, bool, int]]:
    """The planned parts of `source` in this run: (part, cursor, done, items fetched so far)."""
    rows = store.conn.execute(
        "SELECT part, query, spec, cursor, total, fetched, done FROM fetch_checkpoints "
        "WHERE run_id = ? AND source = ? ORDER BY rowid",
        (run_id, source),
    ).fetchall()
    return [
        (Part(r["part"], r["query"], json.loads(r["spec"]), r["total"]), r["cursor"], bool(r["done"]), r["fetched"])
        for r in rows
    ]


def save_plan(store, run_id: int, source: str, parts: list[Part]) -> None:
    """Record every part at once, so a resumed run walks the same slices."""
    now = utc_now()
    with store.transaction() as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO fetch_checkpoints(run_id, source, part, query, spec, total, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(run_id, source, p.key, p.query, json.dumps(p.spec, sort_keys=True), p.total, now) for p in parts],
        )


def advance(conn, run_id: int, source: str, part: Part, batch: Batch, items: int) -> None:
    """Move the part's cursor past a stored batch; call inside the batch's transaction."""
    conn.execute(
        "UPDATE fetch_checkpoints SET cursor = ?, done = ?, total = ?, fetched = fetched + ?, "
        "batches = batches + 1, updated_at = ? WHERE run_id = ? AND source = ? AND part = ?",
        (batch.cursor, int(batch.done), batch.total, items, utc_now(), run_id, source, part.key),
    )


def inherit(store, from_run: int, to_run: int) -> int:
    """Copy a stopped run's checkpoints to the run that resumes it; returns the rows copied."""
    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT OR IGNORE INTO fetch_checkpoints(run_id, source, part, query, spec, cursor, total, "
            "fetched, batches, done, updated_at) SELECT ?, source, part, query, spec, cursor, total, fetched, "
            "batches, done, updated_at FROM fetch_checkpoints WHERE run_id = ?",
            (to_run, from_run),
        )
        return cur.rowcount


def part_rows(store, run_id: int) -> list[dict]:
    rows = store.conn.execute("SELECT * FROM fetch_checkpoints WHERE run_id = ? ORDER BY rowid", (run_id,))
    return [dict(r) for r in rows.fetchall()]


def last_complete(store, source: str, query: str) -> date | None:
    row = store.conn.execute(
        "SELECT as_of FROM fetch_state WHERE source = ? AND query = ?", (source, query)
    ).fetchone()
    return date.fromisoformat(row["as_of"]) if row else None


def mark_complete(store, source: str, query: str, run_id: int, as_of: date) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO fetch_state(source, query, last_ok_run, as_of, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(source, query) DO UPDATE SET last_ok_run = excluded.last_ok_run, "
            "as_of = max(fetch_state.as_of, excluded.as_of), updated_at = excluded.updated_at",
            (source, query, run_id, as_of.isoformat(), utc_now()),
        )
