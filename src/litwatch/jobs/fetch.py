"""The fetch job: a query or a topic's queries from the live services into the store."""

from __future__ import annotations

from typing import Any

from litwatch.jobs.progress import ProgressCallback, notify

__all__ = ["fetch"]


def fetch(*, store, target: str | None, sources: list[str] | str | None = None, date_from: Any = None,
          date_to: Any = None, since_last_run: bool = False, resume: int | None = None,
          progress: ProgressCallback | None = None, per_batch: bool = False, **options: Any):
    """Fetch `target` (a query or a topic name/path; None with `resume`); returns the FetchSummary
    (raises SourceError, StoreError, FetchInterrupted). Progress: "search" at the start and "done"
    at the end; with `per_batch` (a terminal's bars) also one event per stored batch, its stage the
    source's name ("pubmed"), its message the source's label, done/total its records."""
    from litwatch.sources.fetch import fetch as fetch_sources
    from litwatch.services import label

    def batch(source: str, done: int, total: int | None) -> None:
        notify(progress, "fetch", source, done, total, label(source))

    notify(progress, "fetch", "search")
    summary = fetch_sources(store, target, sources=sources, date_from=date_from, date_to=date_to,
                            since_last_run=since_last_run, resume=resume,
                            progress=batch if progress is not None and per_batch else None, **options)
    notify(progress, "fetch", "done", message=f"run {summary.run_id}")
    return summary
