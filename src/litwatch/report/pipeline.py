"""Writing a built report: render the Digest, write the file, log the report's run row.

A repeat that writes the same report to the same file adds no run row. Bringing the store up to
date first (fetch if needed, screen, annotate) is the report job's, `litwatch.jobs.report`: this
module, like the rest of report/, only reads the store (and logs the report it wrote).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litwatch.errors import UsageError
from litwatch.report.citations import check_style
from litwatch.report.digest import Digest, Period, parse_period
from litwatch.report.render import EXTENSIONS, FORMATS, default_filename, render
from litwatch.report.texts import check_lang

__all__ = ["ReportResult", "write_report", "check_request", "digest_fingerprint"]


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


def write_report(store: Any, digest: Digest, *, fmt: str = "html", lang: str = "en", style: str | None = None,
                 output: str | Path | None = None, steps: dict[str, Any] | None = None,
                 fetched: bool = False) -> ReportResult:
    """Render `digest` as `fmt` into `output` (default: the report's file name) and log the report's run
    row, unless the same report was already written to the same file."""
    name = digest.topic.get("name") if isinstance(digest.topic, dict) else str(digest.topic)
    period = digest.period
    data = render(digest, fmt, lang, style=style)
    path = Path(output) if output else Path(default_filename(name, period.start, period.end, lang, fmt))
    params = {"topic": name, "from": period.start, "to": period.end, "lang": lang, "format": fmt,
              "style": style, "path": str(path)}
    fingerprint = digest_fingerprint(digest)
    repeat = _already_recorded(store, params, fingerprint, path, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    result = ReportResult(path, digest, len(data), fetched, dict(steps or {}), None)
    if not repeat:
        run_id = store.start_run("report", params)
        store.finish_run(run_id, "ok", result.counts() | {"bytes": len(data), "path": str(path),
                                                          "fingerprint": fingerprint,
                                                          "sha1": hashlib.sha1(data).hexdigest()}, [])
        result.run_id = run_id
    return result


def check_request(date_from: str, date_to: str, *, lang: str, fmt: str, style: str | None) -> Period:
    """The period of a report request, after checking its language, format and style (UsageError)."""
    period = parse_period(date_from, date_to)
    check_lang(lang)
    check_style(style)
    if fmt not in EXTENSIONS:
        raise UsageError(f"unknown report format {fmt!r}", hint="choose one of: " + ", ".join(FORMATS))
    return period
