"""The ingest job: import exported files into the store."""

from __future__ import annotations

import os
from typing import Iterable

from litwatch.jobs.progress import ProgressCallback, notify

__all__ = ["ingest"]


def ingest(*, store, paths: Iterable[str | os.PathLike[str]], fmt: str = "auto",
           progress: ProgressCallback | None = None):
    """Read every file (folders are walked) into `store`; returns the ImportSummary."""
    from litwatch.ingest import import_files

    paths = list(paths)
    notify(progress, "ingest", "read", 0, len(paths))
    summary = import_files(store, paths, fmt=fmt)
    notify(progress, "ingest", "done", len(paths), len(paths), f"{summary.read} records read")
    return summary
