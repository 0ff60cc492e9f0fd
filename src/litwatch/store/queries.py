"""What the other stages ask of the store's own tables, as methods of `Store`.

The store owns `records`, `record_ids`, `source_items`, `merges`, `record_history`, `runs` and
`records_fts` (docs/architecture.md). Screening, annotation, the report and the web app used to
write their own SQL against these tables; they call these methods instead, so the store can
change its columns without their knowing. Each answers with plain values (ids, dicts), never
rows, and reads the columns kept for queries rather than parsing whole records.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from litwatch.errors import UsageError

__all__ = ["Queries", "ids_param"]


def ids_param(ids: Iterable[int]) -> str:
    """Ids as one JSON parameter for `IN (SELECT value FROM json_each(?))`: any number of them."""
    return json.dumps(sorted({int(i) for i in ids}))


class Queries:
    """Mixed into Store: `self.conn` is its connection."""

    conn: sqlite3.Connection

    # -- which records ---------------------------------------------------------------------
    def live_ids(self, *, kind: str | None = None, date_from: str | None = None,
                 date_to: str | None = None) -> list[int]:
        """Ids of the records not deleted (of `kind`; reported in months date_from..date_to), in id order."""
        where, args = ["deleted = 0"], []
        if kind:
            where.append("kind = ?")
            args.append(kind)
        if date_from:
            where.append("report_month >= ?")
            args.append(date_from)
        if date_to:
            where.append("report_month <= ?")
            args.append(date_to)
        sql = f"SELECT id FROM records WHERE {' AND '.join(where)} ORDER BY id"
        return [r[0] for r in self.conn.execute(sql, args)]

    def deleted_ids(self) -> list[int]:
        """Ids of the records marked deleted (a DeleteCitation, a withdrawn trial), in id order."""
        return [r[0] for r in self.conn.execute("SELECT id FROM records WHERE deleted = 1 ORDER BY id")]

    def has_record(self, record_id: int) -> bool:
        """Whether a record with this store id exists (deleted ones too)."""
        return self.conn.execute("SELECT 1 FROM records WHERE id = ?", (int(record_id),)).fetchone() is not None

    # -- per-record columns ----------------------------------------------------------------
    def content_hashes(self, ids: Iterable[int] | None = None, *, live_only: bool = True) -> dict[int, str]:
        """Record id -> its content hash (what screening and annotation compare to redo only what changed)."""
        return dict(self._column("content_hash", ids, live_only))

    def kinds(self, ids: Iterable[int] | None = None, *, live_only: bool = True) -> dict[int, str]:
        """Record id -> kind (article | preprint | trial | other)."""
        return dict(self._column("kind", ids, live_only))

    def titles(self, ids: Iterable[int] | None = None, *, live_only: bool = True) -> dict[int, str | None]:
        return dict(self._column("title", ids, live_only))

    def report_months(self, ids: Iterable[int] | None = None, *, live_only: bool = True) -> dict[int, str | None]:
        """Record id -> its report month (YYYY-MM, None when not dated to a month)."""
        return dict(self._column("report_month", ids, live_only))

    def _column(self, column: str, ids: Iterable[int] | None, live_only: bool) -> list[tuple[int, Any]]:
        where = ["deleted = 0"] if live_only else []
        args: list[Any] = []
        if ids is not None:
            where.append("id IN (SELECT value FROM json_each(?))")
            args.append(ids_param(ids))
        sql = f"SELECT id, {column} FROM records" + (f" WHERE {' AND '.join(where)}" if where else "")
        return [(r[0], r[1]) for r in self.conn.execute(sql, args)]

    def summaries(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """What a list of records shows of each (id, kind, title, month, journal, authors, ids), read
        with json_extract from the stored JSON (Record.to_dict()'s shape): parsing whole Records
        for a page of twenty took longer than the search itself."""
        sql = ("SELECT id, kind, title, report_month, json_extract(data, '$.journal.title') AS journal,"
               " json_extract(data, '$.journal.iso_abbrev') AS abbrev, json_extract(data, '$.authors') AS authors,"
               " json_extract(data, '$.ids') AS ids FROM records WHERE id IN (SELECT value FROM json_each(?))")
        out = {}
        for r in self.conn.execute(sql, (ids_param(ids),)):
            out[r["id"]] = {"id": r["id"], "kind": r["kind"], "title": r["title"], "month": r["report_month"],
                            "journal": r["journal"] or r["abbrev"] or "", "authors": json.loads(r["authors"] or "[]"),
                            "ids": json.loads(r["ids"] or "{}")}
        return out

    # -- search ----------------------------------------------------------------------------
    def search_ids(self, query: str | None, *, kind: str | None = None, month: str | None = None,
                   limit: int = 10_000) -> list[int]:
        """Ids of live records matching the full-text `query` (best first), or, without a query, all
        of them newest month first; of `kind`, reported in `month` (YYYY-MM)."""
        where, args = ["r.deleted = 0"], []
        if kind:
            where.append("r.kind = ?")
            args.append(kind)
        if month:
            where.append("r.report_month = ?")
            args.append(month)
        cond = " AND ".join(where)
        if query and query.strip():
            sql = ("SELECT r.id FROM records_fts JOIN records r ON r.id = records_fts.rowid WHERE records_fts MATCH ?"
                   f" AND {cond} ORDER BY bm25(records_fts, 10.0, 1.0, 3.0, 3.0) LIMIT {int(limit)}")
            try:
                return [row[0] for row in self.conn.execute(sql, [query.strip(), *args])]
            except sqlite3.OperationalError as exc:
                raise UsageError(f"cannot search for {query!r}: {exc}",
                                 hint='quote phrases ("stem cell"), use AND/OR/NOT in capitals') from None
        sql = f"SELECT r.id FROM records r WHERE {cond} ORDER BY r.report_month DESC, r.id DESC LIMIT {int(limit)}"
        return [row[0] for row in self.conn.execute(sql, args)]

    # -- where records came from -----------------------------------------------------------
    def source_counts(self, ids: Iterable[int]) -> dict[str, int]:
        """Source -> how many copies of these (live) records came from it: PRISMA's 'identified'."""
        rows = self.conn.execute(
            "SELECT s.source, count(*) FROM source_items s JOIN records r ON r.id = s.record_id"
            " WHERE r.deleted = 0 AND r.id IN (SELECT value FROM json_each(?)) GROUP BY s.source ORDER BY s.source",
            (ids_param(ids),))
        return {src: n for src, n in rows}

    def source_groups(self, ids: Iterable[int]) -> list[dict[str, Any]]:
        """The copies of these records grouped as the report's method section tells them: per file
        (source, origin) for imports, per run for live searches; with the number of records and the
        first and last retrieval, oldest first."""
        rows = self.conn.execute(
            "SELECT source, origin, run_id, count(DISTINCT record_id) AS n, min(retrieved_at) AS first, "
            "max(retrieved_at) AS last FROM source_items WHERE record_id IN (SELECT value FROM json_each(?)) "
            "GROUP BY source, CASE WHEN source LIKE 'file:%' THEN origin ELSE run_id END ORDER BY min(retrieved_at)",
            (ids_param(ids),)).fetchall()
        return [dict(r) for r in rows]

    def import_run_ids(self, ids: Iterable[int]) -> set[int]:
        """The runs that imported copies of these records from files."""
        rows = self.conn.execute(
            "SELECT DISTINCT run_id FROM source_items WHERE run_id IS NOT NULL AND source LIKE 'file:%' "
            "AND record_id IN (SELECT value FROM json_each(?))", (ids_param(ids),)).fetchall()
        return {r[0] for r in rows}

    def run_record_ids(self, run_id: int) -> list[int]:
        """The live records run `run_id` stored a copy of (what that fetch or import brought)."""
        rows = self.conn.execute(
            "SELECT DISTINCT s.record_id FROM source_items s JOIN records r ON r.id = s.record_id "
            "WHERE r.deleted = 0 AND s.run_id = ? ORDER BY s.record_id", (int(run_id),)).fetchall()
        return [r[0] for r in rows]

    def run(self, run_id: int) -> dict[str, Any] | None:
        """One run of the log (see Store.runs), or None."""
        row = self.conn.execute("SELECT * FROM runs WHERE id = ?", (int(run_id),)).fetchone()
        if row is None:
            return None
        d = dict(row)
        for key in ("params", "counts", "errors"):
            d[key] = json.loads(d[key] or ("[]" if key == "errors" else "{}"))
        return d
