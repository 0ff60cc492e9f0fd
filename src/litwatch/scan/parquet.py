"""The Parquet file a scan writes for each input file: its schema, its rows, written atomically.

One file `OUT/parts/NAME.parquet` per input file NAME, one row per

- `entry = "candidate"`: a record and a topic whose rules include it, or leave it undecided
  after finding one of the topic's concepts (a title naming the topic, no abstract to rule
  on): the decision, the record's JSON and, when included, its annotations;
- `entry = "record"`: a record that is a candidate for no topic (only where it is, so later
  files can overrule earlier ones: see scan/order.py);
- `entry = "deleted"`: a PMID the file deletes (DeleteCitation).

Columns (null where they do not apply):

    entry            string   candidate | record | deleted
    file, file_key   string   the input file's name, and the key files apply in (plan.file_key)
    origin           string   the path the scan read (the provenance's origin)
    seq              int32    the record's number in the file ("record N", deletions counted)
    pmid             string   PubMed id
    doi, pmcid       string
    title, journal, kind, language, report_month   string    (report_month YYYY-MM)
    year             int32
    publication_types list<string>
    topic            string   the topic profile's name
    label            string   include | undecided (the rules' decision)
    score            double
    reason           string   the rules' reason
    matches          string   JSON: the concepts that matched, with field and character span
    design           string   the annotated study design (included records)
    evidence_level   int32
    species          list<string>
    annotations      string   JSON: Annotations.to_dict() for this topic (included records)
    record           string   JSON: the Record (Record.to_json(), provenance included)

The file's schema metadata `litwatch.scan` holds the settings it was made with (plan.scan_settings).
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["SCHEMA", "ENTRY_CANDIDATE", "ENTRY_RECORD", "ENTRY_DELETED", "write_rows", "read_settings"]

ENTRY_CANDIDATE, ENTRY_RECORD, ENTRY_DELETED = "candidate", "record", "deleted"
_S, _I = pa.string(), pa.int32()
SCHEMA = pa.schema(
    [
        ("entry", _S), ("file", _S), ("file_key", _S), ("origin", _S), ("seq", _I), ("pmid", _S),
        ("doi", _S), ("pmcid", _S), ("title", _S), ("journal", _S), ("kind", _S), ("language", _S),
        ("report_month", _S), ("year", _I), ("publication_types", pa.list_(_S)),
        ("topic", _S), ("label", _S), ("score", pa.float64()), ("reason", _S), ("matches", _S),
        ("design", _S), ("evidence_level", _I), ("species", pa.list_(_S)), ("annotations", _S),
        ("record", _S),
    ]
)
METADATA_KEY = b"litwatch.scan"


def write_rows(path: Path, rows: list[dict[str, Any]], metadata: dict[str, Any]) -> int:
    """Write `rows` (dicts keyed by SCHEMA's names) to `path` atomically: a temporary file in the
    same folder, flushed, then renamed over `path`. A reader sees the old file or the new one,
    never half of one. Returns the file's size."""
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    table = table.replace_schema_metadata({METADATA_KEY: json.dumps(metadata, sort_keys=True).encode()})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path.stat().st_size


def read_settings(path: Path) -> dict[str, Any]:
    """The settings a part was written with (its schema metadata)."""
    meta = pq.read_schema(path).metadata or {}
    return json.loads(meta.get(METADATA_KEY, b"{}"))


def sweep_temporary(parts: Path) -> int:
    """Remove temporary files a killed task left behind; returns how many."""
    n = 0
    if parts.is_dir():
        for tmp in parts.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
            n += 1
    return n
