"""Idempotent upsert with cross-source merging.

For each incoming copy of a work (one source's record, prepared by store.prepare):
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

from rapidfuzz import fuzz

from litwatch.formats.base import utc_now
from litwatch.records import Record
from litwatch.store.merge import FUZZY_THRESHOLD, fuzzy_block, merge_records, normalize_title
from litwatch.store.prepare import Prepared, fts_values

if TYPE_CHECKING:
    from litwatch.store.db import Store

__all__ = ["COUNT_NAMES", "StoreCounts", "UpsertResult", "upsert_prepared"]


COUNT_NAMES = ("read", "new", "updated", "unchanged", "merged", "deleted")


@dataclass(slots=True)
class StoreCounts:
    """What storing a stream of copies did; import and fetch summaries add their own fields."""

    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    deleted: int = 0

    def add(self, other: "StoreCounts") -> None:
        for name in COUNT_NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def counts(self) -> dict[str, int]:
        return {n: getattr(self, n) for n in COUNT_NAMES}


@dataclass(slots=True)
class UpsertResult(StoreCounts):
    record_ids: list[int | None] = field(default_factory=list)  # in input order

    def add(self, other: "StoreCounts") -> None:
        StoreCounts.add(self, other)
        if isinstance(other, UpsertResult):
            self.record_ids.extend(other.record_ids)


def upsert_prepared(store: "Store", items: list[Prepared], run_id: int | None) -> UpsertResult:
    result = UpsertResult()
    now = utc_now()
    for item in items:
        result.read += 1
        if item.deleted:
            result.record_ids.append(_mark_deleted(store, item, result, now))
        else:
            result.record_ids.append(_upsert_one(store, item, result, now, run_id))
    return result


def _mark_deleted(store: "Store", item: Prepared, result: UpsertResult, now: str) -> int | None:
    pmid = dict(item.strong).get("pmid")
    row = store.conn.execute(
        "SELECT r.id, r.deleted FROM record_ids i JOIN records r ON r.id = i.record_id "
        "WHERE i.id_kind = 'pmid' AND i.value = ?",
        (pmid,),
    ).fetchone()
    if row is None or row["deleted"]:
        result.unchanged += 1
        return row["id"] if row else None
    _fts_remove(store, row["id"])
    store.conn.execute("UPDATE records SET deleted = 1, updated_at = ? WHERE id = ?", (now, row["id"]))
    result.deleted += 1
    return row["id"]


def _upsert_one(store: "Store", item: Prepared, result: UpsertResult, now: str, run_id: int | None) -> int:
    conn = store.conn
    row = conn.execute(
        "SELECT id, record_id, content_hash FROM source_items WHERE source = ? AND item_key = ?",
        (item.source, item.item_key),
    ).fetchone()
    if row is not None:
        if row["content_hash"] == item.content_hash:
            conn.execute("UPDATE source_items SET last_seen = ? WHERE id = ?", (now, row["id"]))
            result.unchanged += 1
            return row["record_id"]
        conn.execute(
            "UPDATE source_items SET data = ?, content_hash = ?, origin = ?, location = ?, retrieved_at = ?, "
            "raw_hash = ?, run_id = ?, last_seen = ? WHERE id = ?",
            (item.json, item.content_hash, item.origin, item.location, item.retrieved_at, item.raw_hash, run_id,
             now, row["id"]),
        )
        _refresh(store, row["record_id"], now, run_id)
        result.updated += 1
        return row["record_id"]

    matches = _id_matches(store, item)
    rule, score = None, None
    if matches:
        target, rule = matches[0]
        for other, _ in matches[1:]:
            _fold(store, other, target, now, run_id)
    else:
        target, score = _fuzzy_match(store, item)
        rule = "fuzzy-title" if target is not None else None
    if target is None:
        target = _insert_record(store, item, now)
        result.new += 1
    else:
        result.merged += 1
    cur = conn.execute(
        "INSERT INTO source_items(record_id, source, item_key, origin, location, retrieved_at, raw_hash, run_id, "
        "data, content_hash, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (target, item.source, item.item_key, item.origin, item.location, item.retrieved_at, item.raw_hash, run_id,
         None if rule is None else item.json, item.content_hash, now, now),
    )
    if rule is not None:
        conn.execute(
            "INSERT INTO merges(record_id, source_item_id, rule, score, detail, run_id, merged_at) "
            "VALUES (?,?,?,?,?,?,?)",
            (target, cur.lastrowid, rule, score, f"{item.source} {item.item_key}", run_id, now),
        )
        _refresh(store, target, now, run_id)
    return target


def _id_matches(store: "Store", item: Prepared) -> list[tuple[int, str]]:
    """Stored records sharing a strong id with the copy, first match first, each once."""
    found: dict[int, str] = {}
    for kind, value in item.strong:
        row = store.conn.execute(
            "SELECT record_id FROM record_ids WHERE id_kind = ? AND value = ?", (kind, value)
        ).fetchone()
        if row is not None and row["record_id"] not in found:
            found[row["record_id"]] = kind
    return list(found.items())


def _fuzzy_match(store: "Store", item: Prepared) -> tuple[int | None, float | None]:
    if item.fuzzy_block is None or not item.norm_title:
        return None, None
    # A candidate holding an id of a kind this copy also holds would have matched on it already, or
    # it names another work (an erratum, a twin publication): SQL leaves those out before Python
    # compares titles, which keeps blocks of many same-titled records cheap.
    no_shared_kind = "".join(f" AND instr(' ' || strong_ids, ' {kind}:') = 0" for kind, _ in item.strong)
    candidates = []
    for row in store.conn.execute(
        "SELECT id, norm_title FROM records WHERE fuzzy_block = ? AND kind = ? AND deleted = 0" + no_shared_kind,
        (item.fuzzy_block, item.kind),
    ):
        score = fuzz.ratio(item.norm_title, row["norm_title"] or "")
        if score >= FUZZY_THRESHOLD:
            candidates.append((row["id"], score))
    if len(candidates) == 1:  # merge only when unambiguous
        return candidates[0]
    return None, None


def _insert_record(store: "Store", item: Prepared, now: str) -> int:
    cur = store.conn.execute(
        "INSERT INTO records(kind, title, report_month, year, fuzzy_block, norm_title, strong_ids, data, "
        "content_hash, deleted, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,0,?,?)",
        (item.kind, item.title, item.report_month, item.year, item.fuzzy_block, item.norm_title, item.strong_text,
         item.json, item.content_hash, now, now),
    )
    record_id = int(cur.lastrowid)
    # a new record's ids are known to be free (they matched nothing), so no REPLACE needed
    store.conn.executemany(
        "INSERT INTO record_ids(id_kind, value, record_id) VALUES (?,?,?)", [(k, v, record_id) for k, v in item.strong]
    )
    _fts_add(store, record_id, item.fts)
    return record_id


def _fts_add(store: "Store", record_id: int, fts: tuple[str, str, str, str]) -> None:
    store.conn.execute(
        "INSERT INTO records_fts(rowid, title, abstract, keywords, mesh) VALUES (?,?,?,?,?)", (record_id, *fts)
    )


def _fts_remove(store: "Store", record_id: int) -> None:
    """Take a record out of the contentless index, using the values it was indexed with."""
    row = store.conn.execute("SELECT data, deleted FROM records WHERE id = ?", (record_id,)).fetchone()
    if row is None or row["deleted"]:
        return  # deleted records are not indexed
    store.conn.execute(
        "INSERT INTO records_fts(records_fts, rowid, title, abstract, keywords, mesh) VALUES ('delete',?,?,?,?,?)",
        (record_id, *fts_values(Record.from_json(row["data"]))),
    )


def _refresh(store: "Store", record_id: int, now: str, run_id: int | None) -> None:
    """Recompute the merged view of a record from its source copies; keep the old version in history."""
    conn = store.conn
    old = conn.execute("SELECT data, content_hash FROM records WHERE id = ?", (record_id,)).fetchone()
    copies = []
    for row in conn.execute("SELECT id, data FROM source_items WHERE record_id = ? ORDER BY id", (record_id,)).fetchall():
        if row["data"] is None:  # the record's first copy, kept only in records.data until now
            conn.execute("UPDATE source_items SET data = ? WHERE id = ?", (old["data"], row["id"]))
        copies.append(Record.from_json(row["data"] if row["data"] is not None else old["data"]))
    merged = merge_records(copies) if copies else Record.from_json(old["data"])
    text, digest = merged.json_and_hash()
    if old["data"] == text:
        return
    conn.execute(
        "INSERT INTO record_history(record_id, changed_at, run_id, content_hash, data) VALUES (?,?,?,?,?)",
        (record_id, now, run_id, old["content_hash"], old["data"]),
    )
    _fts_remove(store, record_id)
    strong = merged.ids.strong()
    conn.execute(
        "UPDATE records SET kind = ?, title = ?, report_month = ?, year = ?, fuzzy_block = ?, norm_title = ?, "
        "strong_ids = ?, data = ?, content_hash = ?, deleted = ?, updated_at = ? WHERE id = ?",
        (merged.kind, merged.title, merged.report_month(), merged.year, fuzzy_block(merged),
         normalize_title(merged.title), " ".join(f"{k}:{v}" for k, v in strong), text, digest,
         int(merged.deleted), now, record_id),
    )
    conn.executemany(
        "INSERT OR REPLACE INTO record_ids(id_kind, value, record_id) VALUES (?,?,?)",
        [(k, v, record_id) for k, v in strong],
    )
    if not merged.deleted:
        _fts_add(store, record_id, fts_values(merged))


def _fold(store: "Store", loser: int, target: int, now: str, run_id: int | None) -> None:
    """A new copy proved two stored records are one work: move everything of `loser` into `target`."""
    conn = store.conn
    conn.execute(  # the loser's only copy lived in records.data: give it its own before it moves
        "UPDATE source_items SET data = (SELECT data FROM records WHERE id = ?) WHERE record_id = ? AND data IS NULL",
        (loser, loser),
    )
    conn.execute("UPDATE source_items SET record_id = ? WHERE record_id = ?", (target, loser))
    conn.execute("UPDATE OR REPLACE record_ids SET record_id = ? WHERE record_id = ?", (target, loser))
    conn.execute("UPDATE merges SET record_id = ? WHERE record_id = ?", (target, loser))
    conn.execute(
        "INSERT INTO merges(record_id, merged_record, rule, detail, run_id, merged_at) VALUES (?,?,?,?,?,?)",
        (target, loser, "id-bridge", f"record #{loser} folded into #{target}", run_id, now),
    )
    _fts_remove(store, loser)
    conn.execute("DELETE FROM records WHERE id = ?", (loser,))
