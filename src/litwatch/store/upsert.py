"""Idempotent upsert with cross-source merging.

For each incoming record (one source's copy of a work):
1. a PubMed deletion marks the stored record deleted;
2. the same (source, item key) seen before with the same content -> unchanged; with new content ->
   the copy is replaced and the merged record recomputed (the old version goes to record_history);
3. a new copy whose strong ids (pmid, doi, pmcid, nct) match stored records joins them (records
   bridged by the new copy's ids are folded into one), the merge is logged with the id that decided;
4. otherwise an unambiguous fuzzy title + first author + year match joins that record;
5. otherwise a new record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from litwatch.formats.base import utc_now
from litwatch.records import Record
from litwatch.store.merge import (
    FUZZY_THRESHOLD,
    fuzzy_block,
    ids_conflict,
    item_key,
    merge_records,
    title_score,
)

if TYPE_CHECKING:
    from litwatch.store.db import Store

__all__ = ["UpsertResult", "upsert_batch"]


@dataclass(slots=True)
class UpsertResult:
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    deleted: int = 0
    record_ids: list[int | None] = field(default_factory=list)

    def add(self, other: "UpsertResult") -> None:
        for name in ("read", "new", "updated", "unchanged", "merged", "deleted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.record_ids.extend(other.record_ids)

    def counts(self) -> dict[str, int]:
        return {n: getattr(self, n) for n in ("read", "new", "updated", "unchanged", "merged", "deleted")}


def _source(record: Record) -> str:
    return record.provenance[0].source if record.provenance else "unknown"


def upsert_batch(store: "Store", records: list[Record], run_id: int | None) -> UpsertResult:
    result = UpsertResult()
    now = utc_now()
    for record in records:
        result.read += 1
        if run_id is not None:
            for prov in record.provenance:
                if prov.run_id is None:
                    prov.run_id = run_id
        if record.deleted:
            result.record_ids.append(_mark_deleted(store, record, result, now, run_id))
            continue
        result.record_ids.append(_upsert_one(store, record, result, now, run_id))
    return result


def _mark_deleted(store: "Store", record: Record, result: UpsertResult, now: str, run_id: int | None) -> int | None:
    pmid = record.ids.pmid
    row = store.conn.execute(
        "SELECT r.id, r.deleted FROM record_ids i JOIN records r ON r.id = i.record_id "
        "WHERE i.id_kind = 'pmid' AND i.value = ?",
        (pmid,),
    ).fetchone()
    if row is None or row["deleted"]:
        result.unchanged += 1
        return row["id"] if row else None
    store.conn.execute("UPDATE records SET deleted = 1, updated_at = ? WHERE id = ?", (now, row["id"]))
    store.conn.execute("DELETE FROM records_fts WHERE rowid = ?", (row["id"],))
    result.deleted += 1
    return row["id"]


def _upsert_one(store: "Store", record: Record, result: UpsertResult, now: str, run_id: int | None) -> int:
    conn = store.conn
    source, key, chash = _source(record), item_key(record), record.content_hash()
    prov = record.provenance[0] if record.provenance else None
    row = conn.execute(
        "SELECT id, record_id, content_hash FROM source_items WHERE source = ? AND item_key = ?", (source, key)
    ).fetchone()
    if row is not None:
        if row["content_hash"] == chash:
            conn.execute("UPDATE source_items SET last_seen = ? WHERE id = ?", (now, row["id"]))
            result.unchanged += 1
            return row["record_id"]
        conn.execute(
            "UPDATE source_items SET data = ?, content_hash = ?, origin = ?, location = ?, retrieved_at = ?, "
            "raw_hash = ?, run_id = ?, last_seen = ? WHERE id = ?",
            (record.to_json(), chash, prov and prov.origin, prov and prov.location, prov and prov.retrieved_at,
             prov and prov.raw_hash, run_id, now, row["id"]),
        )
        _refresh(store, row["record_id"], now, run_id)
        result.updated += 1
        return row["record_id"]

    matches = _id_matches(store, record)
    rule, score = None, None
    if matches:
        target, rule = matches[0]
        for other, _ in matches[1:]:
            _fold(store, other, target, now, run_id)
    else:
        target, score = _fuzzy_match(store, record)
        rule = "fuzzy-title" if target is not None else None
    if target is None:
        target = _insert_record(store, record, now)
        result.new += 1
    else:
        result.merged += 1
    cur = conn.execute(
        "INSERT INTO source_items(record_id, source, item_key, origin, location, retrieved_at, raw_hash, run_id, "
        "data, content_hash, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (target, source, key, prov and prov.origin, prov and prov.location, prov and prov.retrieved_at,
         prov and prov.raw_hash, run_id, record.to_json(), chash, now, now),
    )
    if rule is not None:
        conn.execute(
            "INSERT INTO merges(record_id, source_item_id, rule, score, detail, run_id, merged_at) "
            "VALUES (?,?,?,?,?,?,?)",
            (target, cur.lastrowid, rule, score, f"{source} {key}", run_id, now),
        )
        _refresh(store, target, now, run_id)
    return target


def _id_matches(store: "Store", record: Record) -> list[tuple[int, str]]:
    """Stored records sharing a strong id with `record`, first match first, each once."""
    found: dict[int, str] = {}
    for kind, value in record.ids.strong():
        row = store.conn.execute(
            "SELECT record_id FROM record_ids WHERE id_kind = ? AND value = ?", (kind, value)
        ).fetchone()
        if row is not None and row["record_id"] not in found:
            found[row["record_id"]] = kind
    return list(found.items())


def _fuzzy_match(store: "Store", record: Record) -> tuple[int | None, float | None]:
    block = fuzzy_block(record)
    if block is None:
        return None, None
    candidates = []
    for row in store.conn.execute("SELECT id, data FROM records WHERE fuzzy_block = ? AND deleted = 0", (block,)):
        other = Record.from_json(row["data"])
        if ids_conflict(record.ids, other.ids) or other.kind != record.kind:
            continue
        score = title_score(record, other)
        if score >= FUZZY_THRESHOLD:
            candidates.append((row["id"], score))
    if len(candidates) == 1:  # merge only when unambiguous
        return candidates[0]
    return None, None


def _columns(record: Record) -> tuple:
    return (record.kind, record.title, record.report_month(), record.year, fuzzy_block(record))


def _insert_record(store: "Store", record: Record, now: str) -> int:
    cur = store.conn.execute(
        "INSERT INTO records(kind, title, report_month, year, fuzzy_block, data, content_hash, deleted, created_at, "
        "updated_at) VALUES (?,?,?,?,?,?,?,0,?,?)",
        (*_columns(record), record.to_json(), record.content_hash(), now, now),
    )
    record_id = int(cur.lastrowid)
    _index(store, record_id, record)
    return record_id


def _index(store: "Store", record_id: int, record: Record) -> None:
    conn = store.conn
    conn.executemany(
        "INSERT OR REPLACE INTO record_ids(id_kind, value, record_id) VALUES (?,?,?)",
        [(k, v, record_id) for k, v in record.ids.strong()],
    )
    conn.execute("DELETE FROM records_fts WHERE rowid = ?", (record_id,))
    if not record.deleted:
        conn.execute(
            "INSERT INTO records_fts(rowid, title, abstract, keywords, mesh) VALUES (?,?,?,?,?)",
            (record_id, record.title or "", record.abstract_text, " ; ".join(record.keywords),
             " ; ".join(m.descriptor for m in record.mesh)),
        )


def _refresh(store: "Store", record_id: int, now: str, run_id: int | None) -> None:
    """Recompute the merged view of a record from its source copies; keep the old version in history."""
    conn = store.conn
    copies = [Record.from_json(r["data"]) for r in conn.execute(
        "SELECT data FROM source_items WHERE record_id = ? ORDER BY id", (record_id,))]
    old = conn.execute("SELECT data, content_hash FROM records WHERE id = ?", (record_id,)).fetchone()
    if not copies:
        merged = Record.from_json(old["data"])
    else:
        merged = merge_records(copies)
    chash = merged.content_hash()
    if old is not None and old["content_hash"] == chash and old["data"] == merged.to_json():
        return
    if old is not None:
        conn.execute(
            "INSERT INTO record_history(record_id, changed_at, run_id, content_hash, data) VALUES (?,?,?,?,?)",
            (record_id, now, run_id, old["content_hash"], old["data"]),
        )
    conn.execute(
        "UPDATE records SET kind = ?, title = ?, report_month = ?, year = ?, fuzzy_block = ?, data = ?, "
        "content_hash = ?, deleted = ?, updated_at = ? WHERE id = ?",
        (*_columns(merged), merged.to_json(), chash, int(merged.deleted), now, record_id),
    )
    _index(store, record_id, merged)


def _fold(store: "Store", loser: int, target: int, now: str, run_id: int | None) -> None:
    """A new copy proved two stored records are one work: move everything of `loser` into `target`."""
    conn = store.conn
    conn.execute("UPDATE source_items SET record_id = ? WHERE record_id = ?", (target, loser))
    conn.execute("UPDATE OR REPLACE record_ids SET record_id = ? WHERE record_id = ?", (target, loser))
    conn.execute("UPDATE merges SET record_id = ? WHERE record_id = ?", (target, loser))
    conn.execute(
        "INSERT INTO merges(record_id, merged_record, rule, detail, run_id, merged_at) VALUES (?,?,?,?,?,?)",
        (target, loser, "id-bridge", f"record #{loser} folded into #{target}", run_id, now),
    )
    conn.execute("DELETE FROM records_fts WHERE rowid = ?", (loser,))
    conn.execute("DELETE FROM records WHERE id = ?", (loser,))
