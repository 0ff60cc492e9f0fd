"""Idempotent upsert with cross-source merging.

For each incoming copy of a work (one source's record, prepared by store.prepare):
1. a PubMed deletion marks the stored record deleted;
2. the same (source, item key) seen before with the same content -> unchanged; with new content ->
   the copy is replaced and the merged record recomputed (the old version goes to record_history);
   another file's copy of an item of a versioned source the record holds (an update file's
   version of a PMID) is kept beside the others, and the newest version replaces the rest in the
   merged record (store.merge.current_copies): counted updated when that changed the record,
   else unchanged, and logged in `merges` with rule "version";
3. a new copy whose strong ids (pmid, doi, pmcid, nct) match stored records joins them (records
   bridged by the new copy's ids are folded into one), the merge is logged with the id that decided;
   a match that another strong id contradicts (the copy's PMCID is held by a record with another
   PMID) is not used: it is reported in `UpsertResult.conflicts` and the id stays where it was;
4. otherwise an unambiguous fuzzy title + first author + year match joins that record, when the
   titles name the same part of a series (see store.merge.same_series_part);
5. otherwise a new record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import orjson
from rapidfuzz import fuzz

from litwatch.formats.base import utc_now
from litwatch.records import Record, with_provenance
from litwatch.store.merge import (
    FUZZY_THRESHOLD, VERSIONED_SOURCES, fuzzy_block, merge_records, normalize_title, same_series_part,
    strong_from_text,
)
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
    conflicts: list[str] = field(default_factory=list)  # ids contradicted by others, not used to merge

    def add(self, other: "StoreCounts") -> None:
        StoreCounts.add(self, other)
        if isinstance(other, UpsertResult):
            self.record_ids.extend(other.record_ids)
            self.conflicts.extend(other.conflicts)


def upsert_prepared(store: "Store", items: list[Prepared], run_id: int | None) -> UpsertResult:
    """Store copies in input order, with the outcome the one-by-one rules give.

    Most copies of a large import are new works or unchanged re-imports. A plan made with a few
    set-wise queries picks those out, and runs of them are written with one `executemany` per
    table. Every other copy (an update, a merge, a deletion, or one sharing a key, an id or a
    fuzzy block with an earlier copy of the batch) takes the one-by-one path. A copy that changes
    a stored record can make it a duplicate candidate it was not when the plan was made: later
    planned-new copies sharing an id or a fuzzy block with that record take the one-by-one path too.
    """
    result = UpsertResult()
    now = utc_now()
    plan = _plan(store, items)
    dirty_ids: set[tuple[str, str]] = set()
    dirty_blocks: set[tuple[str, str]] = set()
    i = 0
    while i < len(items):
        end = i
        while end < len(items) and plan[end] is not None:
            if plan[end] is _NEW and (dirty_ids or dirty_blocks) and _touches(items[end], dirty_ids, dirty_blocks):
                plan[end] = None
                break
            end += 1
        if end > i:
            _write_fast(store, items[i:end], plan[i:end], result, now, run_id)
            i = end
            continue
        item = items[i]
        result.read += 1
        unchanged = result.unchanged
        if item.deleted:
            record_id = _mark_deleted(store, item, result, now)
        else:
            record_id = _upsert_one(store, item, result, now, run_id)
        result.record_ids.append(record_id)
        if result.unchanged == unchanged and record_id is not None:
            _note_changed(store, record_id, dirty_ids, dirty_blocks)
        i += 1
    return result


def _block(item: Prepared) -> tuple[str, str] | None:
    return (item.fuzzy_block, item.kind) if item.fuzzy_block is not None and item.norm_title else None


def _touches(item: Prepared, ids: set[tuple[str, str]], blocks: set[tuple[str, str]]) -> bool:
    return _block(item) in blocks or any(s in ids for s in item.strong)


def _note_changed(store: "Store", record_id: int, ids: set[tuple[str, str]], blocks: set[tuple[str, str]]) -> None:
    conn = store.conn
    row = conn.execute("SELECT fuzzy_block, kind FROM records WHERE id = ?", (record_id,)).fetchone()
    if row is not None and row[0] is not None:
        blocks.add((row[0], row[1]))
    ids.update((k, v) for k, v in conn.execute("SELECT id_kind, value FROM record_ids WHERE record_id = ?", (record_id,)))


_NEW = "new"


def _plan(store: "Store", items: list[Prepared]) -> list[object]:
    """For each copy: _NEW (a new work), (source_items row id, record id) of an unchanged copy, or
    None (the one-by-one path), judged against the store as it is before the batch."""
    plan: list[object] = [None] * len(items)
    todo = [(n, it) for n, it in enumerate(items) if not it.deleted]
    if not todo:
        return plan
    conn = store.conn
    stored: dict[tuple[str, str], tuple[int, int, str]] = {}
    by_source: dict[str, list[str]] = {}
    for _, it in todo:
        by_source.setdefault(it.source, []).append(it.item_key)
    for source, keys in by_source.items():
        for part in _parts(keys):
            for row in conn.execute(
                "SELECT item_key, id, record_id, content_hash FROM source_items WHERE source = ? AND item_key IN "
                f"({','.join('?' * len(part))})",
                (source, *part),
            ):
                stored[(source, row[0])] = (row[1], row[2], row[3])
    by_kind: dict[str, list[str]] = {}
    for _, it in todo:
        for kind, value in it.strong:
            by_kind.setdefault(kind, []).append(value)
    held: set[tuple[str, str]] = set()
    for kind, values in by_kind.items():
        for part in _parts(values):
            for row in conn.execute(
                f"SELECT value FROM record_ids WHERE id_kind = ? AND value IN ({','.join('?' * len(part))})",
                (kind, *part),
            ):
                held.add((kind, row[0]))
    seen_keys: set[tuple[str, str]] = set()
    seen_ids: set[tuple[str, str]] = set()
    seen_blocks: dict[tuple[str, str], list[Prepared]] = {}
    titled: list[tuple[int, Prepared]] = []  # new unless a stored record matches by title
    for n, it in todo:
        key = (it.source, it.item_key)
        block = _block(it)
        clash = (
            key in seen_keys
            or any(s in seen_ids for s in it.strong)
            or (block is not None and any(_candidate(it, other) for other in seen_blocks.get(block, ())))
        )
        seen_keys.add(key)
        seen_ids.update(it.strong)
        if block is not None:
            seen_blocks.setdefault(block, []).append(it)
        if clash:
            continue
        row = stored.get(key)
        if row is not None:
            if row[2] == it.content_hash:
                plan[n] = (row[0], row[1])
            continue
        if any(s in held for s in it.strong):
            continue
        if block is not None:
            titled.append((n, it))
        else:
            plan[n] = _NEW
    matched = _fuzzy_matched(store, titled)
    for n, _ in titled:
        if n not in matched:
            plan[n] = _NEW
    return plan


def _fuzzy_matched(store: "Store", items: list[tuple[int, Prepared]]) -> set[int]:
    """The numbers of the copies _fuzzy_match would join to a stored record, found with one query
    per (kind, id kinds held) and few hundred blocks instead of one query per copy."""
    groups: dict[tuple[str, str], list[tuple[int, Prepared]]] = {}
    for n, it in items:
        groups.setdefault((it.kind, _no_shared_kind(it)), []).append((n, it))
    matched: set[int] = set()
    for (kind, condition), members in groups.items():
        titles: dict[str, list[str]] = {}
        for part in _parts(sorted({it.fuzzy_block for _, it in members})):
            for block, title in store.conn.execute(
                f"SELECT fuzzy_block, norm_title FROM records WHERE fuzzy_block IN ({','.join('?' * len(part))}) "
                "AND kind = ? AND deleted = 0" + condition,
                (*part, kind),
            ):
                titles.setdefault(block, []).append(title or "")
        for n, it in members:
            hits = sum(_alike(it.norm_title, t) for t in titles.get(it.fuzzy_block, ()))
            if hits == 1:  # as _fuzzy_match: only an unambiguous match joins
                matched.add(n)
    return matched


def _candidate(item: Prepared, earlier: Prepared) -> bool:
    """Would `item` be compared by title with the record `earlier` makes (see _fuzzy_match)?"""
    kinds = {k for k, _ in item.strong}
    if any(k in kinds for k, _ in earlier.strong):
        return False
    return _alike(item.norm_title, earlier.norm_title)


def _alike(title: str, other: str | None) -> bool:
    """Titles of one work: alike above FUZZY_THRESHOLD, and naming the same part of a series."""
    other = other or ""
    return fuzz.ratio(title, other) >= FUZZY_THRESHOLD and same_series_part(title, other)


def _parts(values: list, size: int = 500) -> list[list]:
    return [values[k : k + size] for k in range(0, len(values), size)]


def _write_fast(
    store: "Store", items: list[Prepared], plan: list[object], result: UpsertResult, now: str, run_id: int | None
) -> None:
    """New works and unchanged copies, planned by _plan, written table by table."""
    conn = store.conn
    new = [it for it, p in zip(items, plan) if p is _NEW]
    ids: list[int] = []
    if new:
        top = conn.execute("SELECT max(id) FROM records").fetchone()[0] or 0
        ids = list(range(top + 1, top + 1 + len(new)))
        conn.executemany(
            "INSERT INTO records(id, kind, title, report_month, year, fuzzy_block, norm_title, strong_ids, data, "
            "content_hash, deleted, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,0,?,?)",
            [
                (rid, it.kind, it.title, it.report_month, it.year, it.fuzzy_block, it.norm_title, it.strong_text,
                 it.json, it.content_hash, now, now)
                for rid, it in zip(ids, new)
            ],
        )
        conn.executemany(
            "INSERT INTO record_ids(id_kind, value, record_id) VALUES (?,?,?)",
            [(k, v, rid) for rid, it in zip(ids, new) for k, v in it.strong],
        )
        conn.executemany(
            "INSERT INTO records_fts(rowid, title, abstract, keywords, mesh) VALUES (?,?,?,?,?)",
            [(rid, *it.fts) for rid, it in zip(ids, new)],
        )
        conn.executemany(
            "INSERT INTO source_items(record_id, source, item_key, origin, location, retrieved_at, raw_hash, run_id, "
            "data, content_hash, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,NULL,?,?,?)",
            [
                (rid, it.source, it.item_key, it.origin, it.location, it.retrieved_at, it.raw_hash, run_id,
                 it.content_hash, now, now)
                for rid, it in zip(ids, new)
            ],
        )
    touched = [p[0] for p in plan if p is not _NEW]  # type: ignore[index]
    owner: dict[int, int] = {}
    if touched:
        conn.executemany("UPDATE source_items SET last_seen = ? WHERE id = ?", [(now, t) for t in touched])
        for part in _parts(touched):  # read again: a merge earlier in the batch may have moved a copy
            owner.update(conn.execute(
                f"SELECT id, record_id FROM source_items WHERE id IN ({','.join('?' * len(part))})", part
            ).fetchall())
    new_ids = iter(ids)
    for p in plan:
        result.read += 1
        if p is _NEW:
            result.new += 1
            result.record_ids.append(next(new_ids))
        else:
            result.unchanged += 1
            result.record_ids.append(owner[p[0]])  # type: ignore[index]


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

    matches = _id_matches(store, item, result)
    rule, score = None, None
    if matches:
        target, rule = matches[0]
        for other, _ in matches[1:]:
            if _records_conflict(store, target, other):  # the copy's ids bridge two works: a wrong id somewhere
                result.conflicts.append(f"{item.source} {item.item_key}: its ids point at records #{target} and "
                                        f"#{other}, which hold different ids of one kind; they were not merged")
                continue
            _fold(store, other, target, now, run_id)
    else:
        target, score = _fuzzy_match(store, item)
        rule = "fuzzy-title" if target is not None else None
    version = target is not None and _holds_version(store, target, item)
    if version:
        rule = "version"  # a newer (or older) version of an item the record holds: not a duplicate
    if target is None:
        target = _insert_record(store, item, now)
        result.new += 1
    elif not version:
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
        changed = _refresh(store, target, now, run_id)
        if version:
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1
    return target


def _holds_version(store: "Store", record_id: int, item: Prepared) -> bool:
    """Does the record hold another copy of this item of a versioned source (another file's copy
    of the same PMID from PubMed XML, say)? Item keys of files end in " @<file>"."""
    if item.source not in VERSIONED_SOURCES:
        return False
    base = item.item_key.partition(" @")[0]
    if base.startswith("title:"):
        return False
    return any(key.partition(" @")[0] == base for (key,) in store.conn.execute(
        "SELECT item_key FROM source_items WHERE record_id = ? AND source = ?", (record_id, item.source)))


def _id_matches(store: "Store", item: Prepared, result: UpsertResult | None = None) -> list[tuple[int, str]]:
    """Stored records sharing a strong id with the copy, first match first, each once; a record that
    another of the copy's strong ids contradicts is left out (and reported in `result.conflicts`)."""
    found: dict[int, str] = {}
    mine = dict(item.strong)
    for kind, value in item.strong:
        row = store.conn.execute(
            "SELECT i.record_id, r.strong_ids FROM record_ids i JOIN records r ON r.id = i.record_id "
            "WHERE i.id_kind = ? AND i.value = ?", (kind, value)
        ).fetchone()
        if row is None or row["record_id"] in found:
            continue
        theirs = strong_from_text(row["strong_ids"])
        clash = [k for k, v in mine.items() if k != kind and theirs.get(k) and theirs[k] != v]
        if clash:
            if result is not None:
                k = clash[0]
                result.conflicts.append(
                    f"{item.source} {item.item_key}: {kind} {value} is held by record #{row['record_id']}, whose "
                    f"{k} is {theirs[k]}, not {mine[k]}; not merged on it")
            continue
        found[row["record_id"]] = kind
    return list(found.items())


def _records_conflict(store: "Store", a: int, b: int) -> bool:
    rows = dict(store.conn.execute("SELECT id, strong_ids FROM records WHERE id IN (?, ?)", (a, b)).fetchall())
    x, y = strong_from_text(rows.get(a)), strong_from_text(rows.get(b))
    return any(k in y and y[k] != v for k, v in x.items())


def _fuzzy_match(store: "Store", item: Prepared) -> tuple[int | None, float | None]:
    if item.fuzzy_block is None or not item.norm_title:
        return None, None
    candidates = []
    for row in store.conn.execute(
        "SELECT id, norm_title FROM records WHERE fuzzy_block = ? AND kind = ? AND deleted = 0" + _no_shared_kind(item),
        (item.fuzzy_block, item.kind),
    ):
        # a candidate holds no id of a kind the copy holds (see _no_shared_kind), so no strong id conflicts
        if _alike(item.norm_title, row["norm_title"]):
            candidates.append((row["id"], fuzz.ratio(item.norm_title, row["norm_title"] or "")))
    if len(candidates) == 1:  # merge only when unambiguous
        return candidates[0]
    return None, None


def _no_shared_kind(item: Prepared) -> str:
    """SQL conditions leaving out the records that hold an id of a kind the copy also holds.

    Such a candidate would have matched on the id already, or it names another work (an erratum,
    a twin publication): SQL leaves those out before Python compares titles, which keeps blocks
    of many same-titled records cheap.
    """
    return "".join(
        " AND has_pmid = 0" if kind == "pmid" else f" AND instr(' ' || strong_ids, ' {kind}:') = 0"
        for kind, _ in item.strong
    )


def _insert_record(store: "Store", item: Prepared, now: str) -> int:
    cur = store.conn.execute(
        "INSERT INTO records(kind, title, report_month, year, fuzzy_block, norm_title, strong_ids, data, "
        "content_hash, deleted, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,0,?,?)",
        (item.kind, item.title, item.report_month, item.year, item.fuzzy_block, item.norm_title, item.strong_text,
         item.json, item.content_hash, now, now),
    )
    record_id = int(cur.lastrowid)
    # a new record's ids are free, except one a contradiction kept from merging: it stays where it is
    store.conn.executemany(
        "INSERT OR IGNORE INTO record_ids(id_kind, value, record_id) VALUES (?,?,?)",
        [(k, v, record_id) for k, v in item.strong],
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


def _refresh(store: "Store", record_id: int, now: str, run_id: int | None) -> bool:
    """Recompute the merged view of a record from its source copies; keep the old version in history.

    True when the record's content (its values, provenance aside) changed."""
    conn = store.conn
    old = conn.execute("SELECT data, content_hash FROM records WHERE id = ?", (record_id,)).fetchone()
    copies = []
    for row in conn.execute("SELECT id, data FROM source_items WHERE record_id = ? ORDER BY id", (record_id,)).fetchall():
        if row["data"] is None:  # the record's first copy, kept only in records.data until now
            conn.execute("UPDATE source_items SET data = ? WHERE id = ?", (old["data"], row["id"]))
        copies.append(Record.from_json(row["data"] if row["data"] is not None else old["data"]))
    merged = merge_records(copies) if copies else Record.from_json(old["data"])
    body, provenance, digest = merged.json_parts()
    text = with_provenance(body, provenance)
    if old["data"] == text or orjson.loads(old["data"]) == orjson.loads(text):  # a file of an older litwatch
        return False  # may hold the same JSON with its keys in another order
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
    conn.executemany(  # an id held by another record stays there: taking it would merge by stealth
        "INSERT OR IGNORE INTO record_ids(id_kind, value, record_id) VALUES (?,?,?)",
        [(k, v, record_id) for k, v in strong],
    )
    if not merged.deleted:
        _fts_add(store, record_id, fts_values(merged))
    return digest != old["content_hash"]


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
