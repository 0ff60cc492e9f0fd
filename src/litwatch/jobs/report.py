"""The report job: (fetch when needed,) refresh, build the Digest and render it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litwatch.jobs.progress import ProgressCallback, notify

__all__ = ["report"]


def report(*, store, topic: str, date_from: str, date_to: str | None = None, lang: str = "en", fmt: str = "html",
           style: str | None = None, output: str | Path | None = None, offline: bool = False,
           options: Any = None, progress: ProgressCallback | None = None):
    """Write the report of `topic` for the months date_from..date_to; returns the ReportResult."""
    from litwatch.report.pipeline import make_report

    return make_report(store, topic, date_from, date_to or date_from, lang=lang, fmt=fmt, style=style,
                       output=output, offline=offline, options=options,
                       step=lambda name: notify(progress, "report", name))
