"""make_report: the whole main job as one library call (fetch if needed, screen, annotate, build, render).

`litwatch report` is a thin wrapper over this; a notebook user calls it the same way. Screening
and annotation touch only what changed, and the report's own run row records a written report:
a repeat that writes the same report to the same file adds none.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from litwatch.errors import ReportError
from litwatch.report.build import build
from litwatch.report.citations import check_style
from litwatch.report.digest import Digest, ReportOptions, parse_period
from litwatch.report.render import EXTENSIONS, FORMATS, default_filename, render
from litwatch.report.texts import check_lang

__all__ = ["ReportResult", "make_report", "digest_fingerprint"]


@dataclass
class ReportResult:
    path: Path
    digest: Digest
    size: int
    fetched: bool = False
    steps: dict[str, Any] = field(default_factory=dict)  # what each step did (counts)
    run_id: int | None = None  # the report's run row (None: the same report was already recorded)

    def counts(self) -> dict[str, Any]:
        d = self.digest
        return {
            "included": d.included,
            "highlighted": sum(len(m.highlights) for m in d.months),
            "months": len(d.period.months()),
            "empty_months": sum(1 for m in d.months if m.kind == "month" and not m.count),
            "year_only": sum(m.count for m in d.months if m.kind == "year"),
            "undated": sum(m.count for m in d.months if m.kind == "undated"),
            "trials": d.counts.get("trials", 0),
            "trials_listed": d.counts.get("trials_listed", 0),
            "references": len(d.references),
            "quotes": len(d.provenance.get("quotes", [])),
        }


def digest_fingerprint(digest: Digest) -> str:
    """What the report says, without when it was made: equal fingerprints, equal reports."""
    data = digest.to_dict()
    data.pop("generated_at", None)
    return hashlib.sha1(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _already_recorded(store, params: dict[str, Any], fingerprint: str, path: Path, data: bytes) -> bool:
    for run in store.runs(kind="report", limit=20):
        if run.get("params") == params and run.get("status") == "ok":
            c = run.get("counts") or {}
            return c.get("fingerprint") == fingerprint and path.exists()
    return False


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
    digest = build(profile, period, options, store=store)
    note("render")
    data = render(digest, fmt, lang, style=style)
    path = Path(output) if output else Path(default_filename(profile.name, period.start, period.end, lang, fmt))
    params = {"topic": profile.name, "from": period.start, "to": period.end, "lang": lang, "format": fmt,
              "style": style, "path": str(path)}
    fingerprint = digest_fingerprint(digest)
    repeat = _already_recorded(store, params, fingerprint, path, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    result = ReportResult(path, digest, len(data), fetched, steps, None)
    if not repeat:
        run_id = store.start_run("report", params)
        store.finish_run(run_id, "ok", result.counts() | {"bytes": len(data), "path": str(path),
                                                          "fingerprint": fingerprint,
                                                          "sha1": hashlib.sha1(data).hexdigest()}, [])
        result.run_id = run_id
    return result


def _plain(value: Any) -> Any:
    """A summary object as plain data for the step log."""
    if hasattr(value, "counts") and callable(value.counts):
        return value.counts()
    if isinstance(value, dict):
        return value
    return str(value)
