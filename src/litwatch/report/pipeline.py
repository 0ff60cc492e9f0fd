"""make_report: the whole main job as one library call (fetch if needed, screen, annotate, build, render).

`litwatch report` is a thin wrapper over this; a notebook user calls it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from litwatch.errors import ReportError
from litwatch.report.build import build
from litwatch.report.citations import check_style
from litwatch.report.digest import Digest, ReportOptions, parse_period
from litwatch.report.render import EXTENSIONS, FORMATS, default_filename, render
from litwatch.report.texts import check_lang

__all__ = ["ReportResult", "make_report"]


@dataclass
class ReportResult:
    path: Path
    digest: Digest
    size: int
    fetched: bool = False
    steps: dict[str, Any] = field(default_factory=dict)  # what each step did (counts)
    run_id: int | None = None

    def counts(self) -> dict[str, Any]:
        d = self.digest
        return {
            "included": d.included,
            "highlighted": sum(len(m.highlights) for m in d.months),
            "months": len(d.months),
            "empty_months": sum(1 for m in d.months if not m.count),
            "trials": d.trials.get("total", 0),
            "references": len(d.references),
            "quotes": len(d.provenance.get("quotes", [])),
        }


def make_report(
    store: Any,
    topic: str,
    date_from: str,
    date_to: str,
    *,
    lang: str = "en",
    fmt: str = "html",
    style: str | None = None,
    output: str | Path | None = None,
    offline: bool = False,
    options: ReportOptions | None = None,
    step: Callable[[str], None] | None = None,
) -> ReportResult:
    """Bring the store up to date for `topic`, build the Digest of the period and write it as `fmt`."""
    from litwatch.topics import load_topic

    period = parse_period(date_from, date_to)
    check_lang(lang)
    check_style(style)
    if fmt not in EXTENSIONS:
        from litwatch.errors import UsageError

        raise UsageError(f"unknown report format {fmt!r}", hint="choose one of: " + ", ".join(FORMATS))
    profile = load_topic(topic)
    note = step or (lambda _name: None)
    steps: dict[str, Any] = {}
    fetched = False
    if not offline:
        from litwatch.sources.fetch import fetch, has_successful_fetch

        if not has_successful_fetch(store, profile.name, period.start, period.end):
            note("fetch")
            target = str(topic) if str(topic).endswith(".toml") else profile.name  # fetch finds paths too
            summary = fetch(store, target, date_from=period.start, date_to=period.end, progress=step is not None)
            steps["fetch"] = _plain(summary)
            fetched = True
    if store.count() == 0:
        raise ReportError(
            f"the store {store.path} holds no records",
            hint=f"run `litwatch import FILE` or `litwatch fetch {profile.name}`, or drop --offline",
        )
    from litwatch.annotate import annotate_store
    from litwatch.screen import update_screening

    note("screen")
    steps["screen"] = _plain(update_screening(store, profile))
    note("annotate")
    steps["annotate"] = _plain(annotate_store(store, profile))
    note("build")
    options = options or ReportOptions()
    if style:
        options.style = style
    run_id = store.start_run("report", {"topic": profile.name, "from": period.start, "to": period.end,
                                        "lang": lang, "format": fmt, "style": style})
    try:
        digest = build(profile, period, options, store=store)
        note("render")
        data = render(digest, fmt, lang, style=style)
        path = Path(output) if output else Path(default_filename(profile.name, period.start, period.end, lang, fmt))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except BaseException:
        store.finish_run(run_id, "failed", {}, [])
        raise
    result = ReportResult(path, digest, len(data), fetched, steps, run_id)
    store.finish_run(run_id, "ok", result.counts() | {"bytes": len(data), "path": str(path)}, [])
    return result


def _plain(value: Any) -> Any:
    """A summary object as plain data for the step log."""
    if hasattr(value, "counts") and callable(value.counts):
        return value.counts()
    if isinstance(value, dict):
        return value
    return str(value)
