"""Update files in file order: the latest word on each PMID wins, a deletion included.

A scan writes each file on its own, in whatever order the workers finish. What the files say
together is read afterwards from the Parquet parts: for every PMID, the rows of its latest
occurrence, ordered by (file_key, seq), that is by file in NLM's order and by place within the
file. A newer version of a record overrules the older one whatever either decided (a record
an update no longer includes drops out), and a DeleteCitation as the latest occurrence removes
the PMID. The same SQL serves `scan-summary`, `import --scan` and the README's DuckDB example.

Only PMIDs that are a candidate or deleted somewhere need ordering; the semi-join keeps the
window small however many records the parts hold.
"""

from __future__ import annotations

from pathlib import Path

from litwatch.errors import UsageError
from litwatch.scan.plan import PARTS

__all__ = ["parts_glob", "latest_sql", "connect"]


def parts_glob(out: str | Path) -> str:
    return str(Path(out) / PARTS / "*.parquet")


def latest_sql(parts: str, entries: tuple[str, ...] = ("candidate",)) -> str:
    """SQL for the rows of each PMID's latest occurrence, keeping those whose entry is in `entries`.

    `parts` is a glob of Parquet files (parts_glob); quote-safe for DuckDB.
    """
    src = "read_parquet('" + parts.replace("'", "''") + "')"
    wanted = ", ".join("'" + e + "'" for e in entries)
    return f"""
WITH rows AS (SELECT * FROM {src}),
touched AS (SELECT DISTINCT pmid FROM rows WHERE entry IN ('candidate', 'deleted')),
latest AS (
  SELECT r.* FROM rows r SEMI JOIN touched t ON r.pmid = t.pmid
  QUALIFY dense_rank() OVER (PARTITION BY r.pmid ORDER BY r.file_key DESC, r.seq DESC) = 1
)
SELECT * FROM latest WHERE entry IN ({wanted})
""".strip()


def connect(out: str | Path):
    """A DuckDB connection over OUT/parts with the views `parts` (every row), `latest` (the
    candidate rows of each PMID's latest occurrence), `latest_deleted` (PMIDs whose latest
    occurrence deletes them) and `latest_dropped` (PMIDs a candidate somewhere whose latest
    version is a candidate for no topic); UsageError when there are no parts."""
    import duckdb

    parts_dir = Path(out) / PARTS
    if not Path(out).is_dir():
        raise UsageError(f"no such folder: {out}", hint="give the --out folder of a scan")
    if not any(parts_dir.glob("*.parquet")):
        raise UsageError(f"{out} holds no scan results ({PARTS}/*.parquet)", hint="run `litwatch scan ... --out DIR` first")
    con = duckdb.connect()
    glob = parts_glob(out)
    con.execute(f"CREATE VIEW parts AS SELECT * FROM read_parquet('{glob.replace(chr(39), chr(39) * 2)}')")
    con.execute(f"CREATE VIEW latest AS {latest_sql(glob)}")
    con.execute(f"CREATE VIEW latest_deleted AS {latest_sql(glob, ('deleted',))}")
    # PMIDs that were a candidate in some file and whose latest version is a candidate for nothing
    con.execute(f"CREATE VIEW latest_dropped AS {latest_sql(glob, ('record',))}")
    return con
