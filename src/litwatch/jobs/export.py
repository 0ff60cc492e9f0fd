"""The export job: stored records (all, or a search's) to RIS, BibTeX, CSL-JSON or CSV.

It selects from the store and writes with `formats.writers`, which turns Records into those
formats and knows nothing of the store.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from litwatch.errors import UsageError
from litwatch.formats.writers import EXPORT_FORMATS, write_records
from litwatch.jobs.progress import ProgressCallback, notify

__all__ = ["ExportResult", "export", "export_records", "EXPORT_FORMATS"]


@dataclass
class ExportResult:
    path: Path
    fmt: str
    written: int


def export(*, store, fmt: str, output: str | os.PathLike[str], query: str | None = None,
           date_from: str | None = None, date_to: str | None = None, kind: str | None = None,
           progress: ProgressCallback | None = None) -> ExportResult:
    notify(progress, "export", "write")
    n = export_records(store, fmt, output, query=query, date_from=date_from, date_to=date_to, kind=kind)
    notify(progress, "export", "done", n, n)
    return ExportResult(Path(output), fmt, n)


def export_records(
    store,
    fmt: str,
    out: str | os.PathLike[str],
    query: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    kind: str | None = None,
) -> int:
    """Write the selected records to `out`; returns how many were written."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"cannot export as {fmt!r}", hint="choose one of: " + ", ".join(EXPORT_FORMATS))
    if query:
        records = [h.record for h in store.search(query, date_from, date_to, kind, limit=None)]
    else:
        records = [r for _, r in store.iter_records(kind=kind, date_from=date_from, date_to=date_to)]
    path = Path(out)
    try:
        with open(path, "w", encoding="utf-8", newline="") as stream:
            write_records(records, fmt, stream)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    return len(records)
