"""Jobs: the only place that composes stages (DESIGN.md). The CLI and the web app call these.

Each job is a function with keyword arguments that returns a result object and reports progress
through a callback taking one `Progress` event; it never draws anything itself.

    from litwatch import jobs
    jobs.ingest(store=store, paths=["export.xml.gz"])
    jobs.refresh(store=store, topic="stem-cell-depression", progress=print)
    jobs.report(store=store, topic="stem-cell-depression", date_from="2025-01", date_to="2025-12")
"""

from __future__ import annotations

from litwatch.jobs.audit import audit
from litwatch.jobs.export import ExportResult, export
from litwatch.jobs.fetch import fetch
from litwatch.jobs.ingest import ingest
from litwatch.jobs.progress import Progress, ProgressCallback
from litwatch.jobs.refresh import RefreshResult, refresh
from litwatch.jobs.report import report

__all__ = [
    "Progress",
    "ProgressCallback",
    "ingest",
    "fetch",
    "refresh",
    "RefreshResult",
    "report",
    "export",
    "ExportResult",
    "audit",
]
