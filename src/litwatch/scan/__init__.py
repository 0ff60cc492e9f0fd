"""Whole-PubMed scans on Dask distributed: many topics over the baseline and update files.

    from litwatch.scan import scan_files, scan_summary, import_scan
    result = scan_files(["stem-cell-depression", "msc-trials"], "pubmed/", out="scan", workers=8)
    result = scan_files(topics, "pubmed/", out="scan", scheduler="tcp://10.0.0.5:8786")
    scan_summary("scan").included            # {"msc-trials": 1234, ...}
    import_scan(store, "scan")                # the candidates into the store

One task per input file (scan/task.py) reads it with litwatch's PubMed reader, screens every
record with each topic's rules, annotates what a topic includes, and writes one Parquet file
(scan/parquet.py: the schema) and a manifest line (scan/plan.py). Files apply in NLM's order
and the latest version of a PMID wins (scan/order.py). The modules:

    plan.py      which files, in which order, the settings, the manifest, which files are done
    task.py      the per-file task, run on a worker
    parquet.py   the Parquet schema and the atomic writer
    order.py     the latest occurrence of each PMID (DuckDB SQL over the parts)
    summary.py   counts per topic, year and design
    importer.py  a scan's candidates into the store
    cluster.py   LocalCluster or an existing scheduler
    run.py       scan_files, the job
"""

from __future__ import annotations

from litwatch.scan.importer import import_scan
from litwatch.scan.order import connect, latest_sql
from litwatch.scan.parquet import SCHEMA
from litwatch.scan.plan import InputFile, file_key, plan_files, read_manifest, scan_settings
from litwatch.scan.run import DEFAULT_OUT, ScanProgress, ScanResult, scan_files
from litwatch.scan.summary import ScanSummary, scan_summary
from litwatch.scan.task import FileResult, FileTask, is_candidate, scan_file

__all__ = [
    "scan_files",
    "ScanResult",
    "ScanProgress",
    "DEFAULT_OUT",
    "scan_file",
    "FileTask",
    "FileResult",
    "is_candidate",
    "scan_summary",
    "ScanSummary",
    "import_scan",
    "plan_files",
    "InputFile",
    "file_key",
    "scan_settings",
    "read_manifest",
    "connect",
    "latest_sql",
    "SCHEMA",
]
