"""The export job: stored records (all, or a search's) to RIS, BibTeX, CSL-JSON or CSV."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from litwatch.jobs.progress import ProgressCallback, notify

__all__ = ["ExportResult", "export"]


@dataclass
class ExportResult:
    path: Path
    fmt: str
    written: int


def export(*, store, fmt: str, output: str | os.PathLike[str], query: str | None = None,
           date_from: str | None = None, date_to: str | None = None, kind: str | None = None,
           progress: ProgressCallback | None = None) -> ExportResult:
    from litwatch.exporter import export_records

    notify(progress, "export", "write")
    n = export_records(store, fmt, output, query=query, date_from=date_from, date_to=date_to, kind=kind)
    notify(progress, "export", "done", n, n)
    return ExportResult(Path(output), fmt, n)
