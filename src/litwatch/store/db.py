"""The Store: one SQLite file holding records, their sources, merges, runs and full-text search."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litwatch import config
from litwatch.clock import utc_now
from litwatch.errors import StoreError, UsageError
from litwatch.records import Record, normalize_doi, normalize_nct, normalize_pmcid
from litwatch.store.migrate import migrate
from litwatch.store.prepare import Prepared, prepare
from litwatch.store.queries import Queries
from litwatch.store.upsert import UpsertResult, upsert_prepared

__all__ = ["Store", "SearchHit", "open_store"]

PAGE_SIZE = 16384  # bytes per database page, for new database files (see Store.__init__)

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(slots=True)
class SearchHit:
    record_id: int
    record: Record
    rank: float


def open_store(path: str | os.PathLike[str] | None = None) -> "Store":
    """Open (creating and migrating as needed) the store at `path`, or the configured default."""
    return Store(config.db_path(path))


def check_month(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if not _MONTH.match(value):
        raise UsageError(f"{name} must be a month written YYYY-MM, not {value!r}", hint="e.g. --from 2025-01")
    return value


class Store(Queries):
    """The store. What other stages ask of its tables are the methods of store/queries.py."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a directory, not a database file")
        if self.path.parent and not self.path.parent.exists():
            raise StoreError(f"{self.path}: folder {self.path.parent} does not exist")
        try:
            self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            # A record's JSON is 2-6 KB: on 4 KiB pages most rows spill into overflow pages. 16 KiB
            # pages hold them whole and made large imports 8 % faster. Only a new file takes it.
            self.conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=30000")
            self.conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: index pages stay hot during imports
            # the WAL is copied into the database every 32 MiB rather than every 4: each copy ends
            # with an fsync, which made a fifth of an import's time on a slow disk
            page = self.conn.execute("PRAGMA page_size").fetchone()[0]
            self.conn.execute(f"PRAGMA wal_autocheckpoint={(32 << 20) // page}")
        except sqlite3.OperationalError as exc:  # unable to open, read-only folder, locked
            raise StoreError(f"{self.path}: cannot open the database ({exc})",
                             hint="check that the file and its folder can be read and written") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a litwatch database ({exc})") from None
        try:
            self.schema_version = migrate(self.conn, str(self.path))
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot upgrade the database ({exc})") from None
        self._mark_interrupted()

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT; everything inside lands together or not at all."""
        if self.conn.in_transaction:  # nested use joins the outer transaction
            yield self.conn
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None
        try:
            yield self.conn
        except BaseException as exc:
            if self.conn.in_transaction:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # a failed COMMIT or a full disk may have ended it already
            if isinstance(exc, sqlite3.Error):
                raise _store_error(self.path, exc) from None
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise _store_error(self.path, exc) from None

    # -- writing ---------------------------------------------------------------------------
    def upsert(self, records: Iterable[Record], run_id: int | None = None) -> UpsertResult:
        """Store a batch in one transaction; idempotent. See store.upsert for the rules."""
        return self.upsert_prepared([prepare(r, run_id) for r in records], run_id)

    def upsert_prepared(self, items: list[Prepared], run_id: int | None = None) -> UpsertResult:
        """Store a batch of already prepared copies (see store.prepare) in one transaction."""
        try:
            with self.transaction():
                return upsert_prepared(self, items, run_id)
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None

    # -- reading ---------------------------------------------------------------------------
    def get(self, record_id: int) -> Record:
        row = self.conn.execute("SELECT data FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise StoreError(f"no record #{record_id} in {self.path}")
        return Record.from_json(row["data"])

    def resolve(self, identifier: str) -> int | None:
        """Store id for a PMID, 'PMID:1', DOI, PMCID, NCT id or '#<store id>'."""
        ident = identifier.strip()
        if ident.startswith("#") and ident[1:].isdigit():
            row = self.conn.execute("SELECT id FROM records WHERE id = ?", (int(ident[1:]),)).fetchone()
            return row["id"] if row else None
        kind, value = _classify_identifier(ident)
        row = self.conn.execute(
            "SELECT record_id FROM record_ids WHERE id_kind = ? AND value = ?", (kind, value)
        ).fetchone()
        return row["record_id"] if row else None

    def find(self, identifier: str) -> tuple[int, Record]:
        record_id = self.resolve(identifier)
        if record_id is None:
            raise UsageError(
                f"no record {identifier!r} in {self.path}",
                hint="give a PMID, DOI, PMCID, NCT id or #store-id; `litwatch search` finds ids",
            )
        return record_id, self.get(record_id)

    def iter_records(
        self,
        kind: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        ids: Iterable[int] | None = None,
        include_deleted: bool = False,
    ) -> Iterator[tuple[int, Record]]:
        where, args = self._filters(kind, date_from, date_to, include_deleted)
        if ids is not None:
            id_list = list(ids)
            for start in range(0, len(id_list), 500):
                chunk = id_list[start : start + 500]
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT id, data FROM records WHERE {' AND '.join(where + [f'id IN ({marks})'])} ORDER BY id"
                for row in self.conn.execute(sql, args + chunk).fetchall():
                    yield row["id"], Record.from_json(row["data"])
            return
        sql = f"SELECT id, data FROM records WHERE {' AND '.join(where)} ORDER BY report_month, id"
        for row in self.conn.execute(sql, args):
            yield row["id"], Record.from_json(row["data"])

    def period_ids(self, date_from: str, date_to: str) -> list[tuple[int, str | None, int | None]]:
        """(id, report_month, year) of the live records a report of months date_from..date_to covers:
        reported in one of its months, dated only by a year it overlaps, or not dated at all."""
        check_month(date_from, "--from")
        check_month(date_to, "--to")
        rows = self.conn.execute(
            "SELECT id, report_month, year FROM records WHERE deleted = 0 AND ("
            "report_month BETWEEN ? AND ? OR (report_month IS NULL AND (year IS NULL OR year BETWEEN ? AND ?)))"
            " ORDER BY id",
            (date_from, date_to, int(date_from[:4]), int(date_to[:4])),
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def _filters(self, kind, date_from, date_to, include_deleted) -> tuple[list[str], list[Any]]:
        where, args = ["1=1"], []
        if not include_deleted:
            where.append("deleted = 0")
        if kind:
            where.append("kind = ?")
            args.append(kind)
        if check_month(date_from, "--from"):
            where.append("report_month >= ?")
            args.append(date_from)
        if check_month(date_to, "--to"):
            where.append("report_month <= ?")
            args.append(date_to)
        if date_from and date_to and date_from > date_to:
            raise UsageError(f"--from {date_from} is after --to {date_to}")
        return where, args

    def search(
        self,
        query: str,
        date_from: str | None = None,
        date_to: str | None = None,
        kind: str | None = None,
        limit: int | None = 50,
    ) -> list[SearchHit]:
        """Full-text search (SQLite FTS5 syntax: AND, OR, NOT, "phrases", prefix*, title:word)."""
        where, args = self._filters(kind, date_from, date_to, False)
        sql = (
            "SELECT r.id, r.data, bm25(records_fts, 10.0, 1.0, 3.0, 3.0) AS rank FROM records_fts "
            "JOIN records r ON r.id = records_fts.rowid "
            f"WHERE records_fts MATCH ? AND {' AND '.join(where)} ORDER BY rank"
        )
        params: list[Any] = [query, *args]
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        try:
            rows = self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            raise UsageError(
                f"cannot search for {query!r}: {exc}",
                hint='quote phrases ("stem cell"), use AND/OR/NOT in capitals',
            ) from None
        return [SearchHit(r["id"], Record.from_json(r["data"]), r["rank"]) for r in rows]

    def count(self, kind: str | None = None) -> int:
        if kind:
            return self.conn.execute("SELECT count(*) FROM records WHERE deleted = 0 AND kind = ?", (kind,)).fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM records WHERE deleted = 0").fetchone()[0]

    def sources_of(self, record_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT source, item_key, origin, location, retrieved_at, run_id FROM source_items "
            "WHERE record_id = ? ORDER BY id",
            (record_id,),
        ).fetchall()
        return [dict(r) for r in rows]

    def merges_of(self, record_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT rule, score, detail, run_id, merged_at FROM merges WHERE record_id = ? ORDER BY id", (record_id,)
        ).fetchall()
        return [dict(r) for r in rows]

    def history_of(self, record_id: int) -> list[tuple[str, Record]]:
        """Earlier versions of a record, oldest first, with the time each was replaced."""
        rows = self.conn.execute(
            "SELECT changed_at, data FROM record_history WHERE record_id = ? ORDER BY id", (record_id,)
        ).fetchall()
        return [(r["changed_at"], Record.from_json(r["data"])) for r in rows]

    def stats(self) -> dict[str, Any]:
        q = self.conn.execute
        by_kind = {r[0]: r[1] for r in q("SELECT kind, count(*) FROM records WHERE deleted = 0 GROUP BY kind")}
        by_source = {r[0]: r[1] for r in q("SELECT source, count(*) FROM source_items GROUP BY source")}
        by_year = {
            str(r[0]): r[1]
            for r in q("SELECT year, count(*) FROM records WHERE deleted = 0 AND year IS NOT NULL GROUP BY year")
        }
        merges = {r[0]: r[1] for r in q("SELECT rule, count(*) FROM merges GROUP BY rule")}
        return {
            "path": str(self.path),
            "schema_version": self.schema_version,
            "records": self.count(),
            "deleted": q("SELECT count(*) FROM records WHERE deleted = 1").fetchone()[0],
            "by_kind": by_kind,
            "by_source": by_source,
            "by_year": dict(sorted(by_year.items())),
            "merges": merges,
            "runs": q("SELECT count(*) FROM runs").fetchone()[0],
        }

    # -- runs log --------------------------------------------------------------------------
    def start_run(self, kind: str, params: dict[str, Any]) -> int:
        """Log a run as 'running', by this process (see _mark_interrupted)."""
        pid, started = _this_process()
        try:
            cur = self.conn.execute(
                "INSERT INTO runs(kind, params, started_at, status, pid, host, process_started) "
                "VALUES (?, ?, ?, 'running', ?, ?, ?)",
                (kind, json.dumps(params, ensure_ascii=False, sort_keys=True), utc_now(), pid, _HOST, started),
            )
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None
        return int(cur.lastrowid)

    def finish_run(
        self, run_id: int, status: str = "ok", counts: dict[str, Any] | None = None, errors: list[str] | None = None
    ) -> None:
        try:
            self.conn.execute(
                "UPDATE runs SET finished_at = ?, status = ?, counts = ?, errors = ? WHERE id = ?",
                (utc_now(), status, json.dumps(counts or {}), json.dumps(errors or [], ensure_ascii=False), run_id),
            )
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None

    def _mark_interrupted(self) -> None:
        """Runs still 'running' whose process is gone (killed, crashed) become 'interrupted'.

        A run names its process by pid, host and the process's start time: another live process
        sharing the store keeps its run, and a pid reused by a new process is not taken for the
        old one. A run of another host, or logged before schema 14, is left as it is.
        """
        try:
            rows = self.conn.execute(
                "SELECT id, pid, host, process_started FROM runs WHERE status = 'running' AND pid IS NOT NULL"
            ).fetchall()
            gone = [r["id"] for r in rows if r["host"] == _HOST and not _alive(r["pid"], r["process_started"])]
            for run_id in gone:
                self.conn.execute(
                    "UPDATE runs SET status = 'interrupted', finished_at = coalesce(finished_at, ?), "
                    "errors = json_insert(coalesce(errors, '[]'), '$[#]', ?) WHERE id = ? AND status = 'running'",
                    (utc_now(), "the process running it ended before it finished (killed?); rerun the same "
                     "command to go on", run_id),
                )
        except sqlite3.Error:
            pass  # a read-only store keeps its log as it is

    def runs(self, kind: str | None = None, limit: int | None = 20) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM runs", []
        if kind:
            sql += " WHERE kind = ?"
            args.append(kind)
        sql += " ORDER BY id DESC"
        if limit:
            sql += " LIMIT ?"
            args.append(limit)
        out = []
        for r in self.conn.execute(sql, args).fetchall():
            d = dict(r)
            d["params"] = json.loads(d["params"])
            d["counts"] = json.loads(d["counts"])
            d["errors"] = json.loads(d["errors"])
            out.append(d)
        return out

    def get_run(self, run_id: int) -> dict[str, Any]:
        for run in self.runs(limit=None):
            if run["id"] == run_id:
                return run
        raise UsageError(f"no run {run_id} in {self.path}", hint="`litwatch runs` lists them")


def _store_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """A storage failure as one line: the disk is full, the file read-only, the database locked."""
    text = str(exc)
    low = text.lower()
    if "full" in low or "disk i/o" in low:
        hint = "free disk space (or move the database to a disk with room), then run the same command again"
    elif "readonly" in low or "read-only" in low:
        hint = "the database file (or its folder) cannot be written: check its permissions"
    elif "locked" in low or "busy" in low:
        hint = "another litwatch is writing to the same database; wait for it to finish"
    else:
        hint = "check the database file; `litwatch stats` shows what it holds"
    err = StoreError(f"{path}: could not store records: {text}", hint=hint)
    err.busy = "locked" in low or "busy" in low  # type: ignore[attr-defined]  # callers may retry these
    return err


_HOST = socket.gethostname()


def _process_started(pid: int) -> str | None:
    """The start time of process `pid` (clock ticks since boot, from /proc), or None where unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
        return stat.rsplit(")", 1)[1].split()[19]  # field 22: starttime
    except (OSError, IndexError):
        return None


def _this_process() -> tuple[int, str | None]:
    pid = os.getpid()
    return pid, _process_started(pid)


def _alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    except OSError:
        return True
    now = _process_started(pid)
    return started is None or now is None or now == started


def _classify_identifier(ident: str) -> tuple[str, str]:
    low = ident.lower()
    if low.startswith("pmid:"):
        return "pmid", ident[5:].strip()
    if ident.isdigit():
        return "pmid", ident
    nct = normalize_nct(ident) if low.startswith("nct") else None
    if nct:
        return "nct", nct
    pmcid = normalize_pmcid(ident) if low.startswith("pmc") else None
    if pmcid:
        return "pmcid", pmcid
    doi = normalize_doi(ident)
    if doi:
        return "doi", doi
    raise UsageError(f"{ident!r} is not a PMID, DOI, PMCID, NCT id or #store-id")
