"""The report job: fetch when the store lacks the period, screen, annotate what the report reads,
build the Digest, render and write it.

Screening and annotation touch only what changed, and annotation only the records the report
reads (`report.build.annotation_ids`: the period's included records and the included trials) and
those this job's own fetch brought, as a refresh after that fetch would: a first offline report of
a large store does not annotate all of it. The report's own run row records a
written report: a repeat that writes the same report to the same file adds none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litwatch.jobs.progress import ProgressCallback, notify

__all__ = ["report"]


def report(*, store, topic: str, date_from: str, date_to: str | None = None, lang: str = "en", fmt: str = "html",
           style: str | None = None, output: str | Path | None = None, offline: bool = False,
           options: Any = None, progress: ProgressCallback | None = None):
    """Write the report of `topic` for the months date_from..date_to; returns the ReportResult."""
    from litwatch.annotate import annotate_store
    from litwatch.errors import ReportError
    from litwatch.jobs.fetch import fetch
    from litwatch.report import ReportOptions, build
    from litwatch.report.build import annotation_ids
    from litwatch.report.pipeline import check_request, write_report
    from litwatch.screen import update_screening
    from litwatch.sources.fetch import has_successful_fetch
    from litwatch.topics import load_topic

    period = check_request(date_from, date_to or date_from, lang=lang, fmt=fmt, style=style)
    profile = load_topic(topic)
    steps: dict[str, Any] = {}
    fetched = False
    brought: list[int] = []  # what this job's fetch stored
    if not offline and not has_successful_fetch(store, profile.name, period.start, period.end):
        notify(progress, "report", "fetch")
        target = str(topic) if str(topic).endswith(".toml") else profile.name  # fetch finds paths too
        summary = fetch(store=store, target=target, date_from=period.start, date_to=period.end,
                        progress=_relay(progress))
        steps["fetch"] = _plain(summary)
        fetched = True
        brought = store.run_record_ids(summary.run_id)
    if store.count() == 0:
        raise ReportError(
            f"the store {store.path} holds no records",
            hint=f"run `litwatch import FILE` or `litwatch fetch {profile.name}`, or drop --offline",
        )
    notify(progress, "report", "screen")
    steps["screen"] = _plain(update_screening(store, profile))
    notify(progress, "report", "annotate")
    steps["annotate"] = _plain(annotate_store(
        store, profile, sorted(set(annotation_ids(store, profile, period)) | set(brought)),
        progress=lambda done, total: notify(progress, "report", "annotate", done, total)))
    notify(progress, "report", "build")
    options = options or ReportOptions()
    if style:
        options.style = style
    digest = build(profile, period, options, store=store)
    notify(progress, "report", "render")
    return write_report(store, digest, fmt=fmt, lang=lang, style=style, output=output, steps=steps, fetched=fetched)


def _relay(progress: ProgressCallback | None) -> ProgressCallback | None:
    """The fetch's events, as steps of the report."""
    if progress is None:
        return None
    from litwatch.jobs.progress import Progress

    return lambda e: progress(Progress("report", "fetch", e.done, e.total, e.message or e.stage))


def _plain(value: Any) -> Any:
    """A summary object as plain data for the step log."""
    if hasattr(value, "counts") and callable(value.counts):
        return value.counts()
    if isinstance(value, dict):
        return value
    return str(value)
