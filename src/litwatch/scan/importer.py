"""`litwatch import --scan DIR`: a scan's candidates into the store, as `litwatch import` stores them.

Each candidate's latest version (scan/order.py) is stored from the Record JSON the scan kept,
which is the reader's own Record with its provenance: source file:pubmed-xml, origin the
baseline or update file's path, location "record N". So the store holds exactly the copy that
`litwatch import FILE` would have stored (importing the file itself afterwards finds it
unchanged), and importing the scan again changes nothing. A PMID whose latest occurrence is a
DeleteCitation is marked deleted, as an import of the update file does. A PMID the store holds
whose latest version is a candidate for no topic is named in the summary's warnings: the scan
keeps no copy of that version, so the store still has the earlier one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from litwatch.formats.base import in_groups
from litwatch.ingest import TRANSACTION_RECORDS, ImportSummary
from litwatch.records import Ids, Provenance, Record
from litwatch.scan.order import connect
from litwatch.store import Store
from litwatch.store.prepare import prepare

__all__ = ["import_scan"]


def _records(out: Path) -> Iterator[Record]:
    con = connect(out)
    try:
        # one row per PMID (a candidate has a row per topic): its latest version, in file order
        cur = con.execute("SELECT any_value(record), min(file_key), min(seq) FROM latest GROUP BY pmid "
                          "ORDER BY 2, 3")
        while batch := cur.fetchmany(2000):
            for (text, _key, _seq) in batch:
                yield Record.from_json(text)
        cur = con.execute("SELECT pmid, origin, seq FROM latest_deleted ORDER BY file_key, seq")
        while batch := cur.fetchmany(2000):
            for pmid, origin, seq in batch:
                yield Record(ids=Ids(pmid=pmid), deleted=True,
                             provenance=[Provenance("file:pubmed-xml", origin, None, None, f"record {seq}")])
    finally:
        con.close()


def import_scan(store: Store, out: str | Path,
                progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Store the candidates of the scan in `out` (and its deletions); returns the import's counts.

    Logged as a run of kind `import` with params {"scan": out}. Raises UsageError when `out`
    holds no scan.
    """
    out = Path(out)
    records = _records(out)
    first = next(records, None)  # the folder is checked before a run is logged
    run_id = store.start_run("import", {"scan": str(out.resolve())})
    summary = ImportSummary(run_id=run_id, files=len(list((out / "parts").glob("*.parquet"))))
    status = "failed"
    try:
        stream = records if first is None else _chain(first, records)
        for batch in in_groups((prepare(r, run_id) for r in stream), TRANSACTION_RECORDS):
            summary.add(store.upsert_prepared(batch, run_id=run_id))
            if progress:
                progress(summary.read)
        _note_dropped(store, out, summary)
        status = "ok"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        store.finish_run(run_id, status, summary.counts(), summary.errors)
    return summary


def _note_dropped(store: Store, out: Path, summary: ImportSummary) -> None:
    """A PMID stored as a candidate whose newer version no topic keeps: the scan holds no copy of
    that version to store, so the store keeps the older one; say so."""
    con = connect(out)
    try:
        rows = con.execute("SELECT pmid, file, seq FROM latest_dropped ORDER BY file_key, seq").fetchall()
    finally:
        con.close()
    for pmid, file, seq in rows:
        if store.resolve(pmid) is not None:
            summary.warnings.append(f"PMID {pmid}: its latest version ({file}, record {seq}) is no longer a candidate "
                                    f"for any topic; the store keeps its earlier copy (import {file} to bring it)")


def _chain(first: Record, rest: Iterator[Record]) -> Iterator[Record]:
    yield first
    yield from rest
