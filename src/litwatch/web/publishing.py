"""Report drafts and published versions.

`build_report_files` is the one place the web composes a report: the `jobs.report` job for the
first format (it screens, annotates, builds the Digest and writes it) and `report.render` of that
same Digest for the other formats, so all files of a draft say the same thing. It belongs in
`jobs/` once the report job can write several formats at once.

Published versions live inside the store (migration 0018: `published_reports` and
`published_report_files`), so the database file carries what readers were given; a version is
never changed, a new one gets the next number and earlier ones stay at their addresses
`/reports/{topic}/{from}_{to}/{version}`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from litwatch.clock import utc_now
from litwatch.errors import UsageError

__all__ = ["FORMAT_ORDER", "MEDIA_TYPES", "Draft", "build_report_files", "publish", "published", "versions",
           "published_file", "file_name", "load_draft"]

FORMAT_ORDER = ("html", "md", "pdf", "docx", "json", "atom")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
    "atom": "application/atom+xml",
}
_EXT = {"html": "html", "md": "md", "pdf": "pdf", "docx": "docx", "json": "json", "atom": "atom.xml"}
_DRAFT_ID = re.compile(r"^[a-f0-9]{16}$")


def file_name(fmt: str) -> str:
    return f"report.{_EXT[fmt]}"


@dataclass
class Draft:
    id: str
    folder: Path
    topic: str
    period_from: str
    period_to: str
    lang: str
    title: str
    formats: list[str]
    built_by: str
    built_at: str
    run_id: int | None = None
    counts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "topic": self.topic, "period_from": self.period_from, "period_to": self.period_to,
                "lang": self.lang, "title": self.title, "formats": self.formats, "built_by": self.built_by,
                "built_at": self.built_at, "run_id": self.run_id, "counts": self.counts,
                "files": {fmt: file_name(fmt) for fmt in self.formats}}

    def path(self, fmt: str) -> Path:
        return self.folder / file_name(fmt)


def build_report_files(*, store, topic: str, date_from: str, date_to: str, lang: str, formats: list[str],
                       style: str | None, offline: bool, folder: Path, draft_id: str, built_by: str,
                       highlights_per_month: int | None = None, progress: Callable | None = None) -> Draft:
    """Build a report draft: every format of `formats` (html and json always) into `folder`."""
    from litwatch import jobs
    from litwatch.report import render

    wanted = [f for f in FORMAT_ORDER if f in set(formats) | {"html", "json"}]
    unknown = set(formats) - set(FORMAT_ORDER)
    if unknown:
        raise UsageError(f"unknown report format(s) {', '.join(sorted(unknown))}",
                         hint="choose from " + ", ".join(FORMAT_ORDER))
    from litwatch.report import ReportOptions

    folder.mkdir(parents=True, exist_ok=True)
    options = ReportOptions(style=style, highlights_per_month=highlights_per_month)
    result = jobs.report(store=store, topic=topic, date_from=date_from, date_to=date_to, lang=lang, fmt="html",
                         style=style, output=folder / file_name("html"), offline=offline, options=options,
                         progress=progress)
    for fmt in wanted[1:]:
        if progress is not None:
            from litwatch.jobs import Progress

            progress(Progress("report", f"render {fmt}", wanted.index(fmt), len(wanted)))
        (folder / file_name(fmt)).write_bytes(render(result.digest, fmt, lang, style=style))
    if progress is not None:
        from litwatch.jobs import Progress

        progress(Progress("report", "done", len(wanted), len(wanted), f"{len(wanted)} files"))
    digest = result.digest
    draft = Draft(draft_id, folder, digest.topic.get("name", topic) if isinstance(digest.topic, dict) else topic,
                  digest.period.start, digest.period.end, lang, digest.title(lang), wanted, built_by, utc_now(),
                  result.run_id, result.counts())
    (folder / "draft.json").write_text(json.dumps(draft.to_dict(), ensure_ascii=False), encoding="utf-8")
    return draft


def load_draft(work_dir: Path, draft_id: str) -> Draft:
    if not _DRAFT_ID.match(draft_id or ""):
        raise UsageError(f"no draft {draft_id!r}")
    folder = work_dir / "drafts" / draft_id
    try:
        d = json.loads((folder / "draft.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UsageError(f"no draft {draft_id!r}", hint="build the report again") from None
    return Draft(d["id"], folder, d["topic"], d["period_from"], d["period_to"], d["lang"], d["title"],
                 d["formats"], d["built_by"], d["built_at"], d.get("run_id"), d.get("counts") or {})


def publish(store, draft: Draft, *, by: str) -> dict[str, Any]:
    """Store the draft's files as the next version of its (topic, period); returns the version row."""
    files = {fmt: draft.path(fmt).read_bytes() for fmt in draft.formats}
    with store.transaction():
        row = store.conn.execute(
            "SELECT coalesce(max(version), 0) FROM published_reports WHERE topic = ? AND period_from = ?"
            " AND period_to = ?", (draft.topic, draft.period_from, draft.period_to)).fetchone()
        version = int(row[0]) + 1
        cur = store.conn.execute(
            "INSERT INTO published_reports(topic, period_from, period_to, version, lang, title, published_by,"
            " published_at, run_id, counts) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (draft.topic, draft.period_from, draft.period_to, version, draft.lang, draft.title, by, utc_now(),
             draft.run_id, json.dumps(draft.counts)))
        report_id = int(cur.lastrowid)
        store.conn.executemany(
            "INSERT INTO published_report_files(report_id, fmt, filename, media_type, sha256, content)"
            " VALUES (?,?,?,?,?,?)",
            [(report_id, fmt, file_name(fmt), MEDIA_TYPES[fmt], hashlib.sha256(data).hexdigest(), data)
             for fmt, data in files.items()])
    return versions(store, draft.topic, draft.period_from, draft.period_to)[-1]


def _version_row(store, row) -> dict[str, Any]:
    d = dict(row)
    d["counts"] = json.loads(d.get("counts") or "{}")
    d["files"] = [dict(f) for f in store.conn.execute(
        "SELECT fmt, filename, media_type, sha256, length(content) AS size FROM published_report_files"
        " WHERE report_id = ? ORDER BY rowid", (d["id"],))]
    d["url"] = f"/reports/{d['topic']}/{d['period_from']}_{d['period_to']}/{d['version']}"
    return d


def published(store, topic: str | None = None) -> list[dict[str, Any]]:
    """Every published version, newest first (optionally of one topic)."""
    sql, args = "SELECT * FROM published_reports", []
    if topic:
        sql += " WHERE topic = ?"
        args.append(topic)
    return [_version_row(store, r) for r in store.conn.execute(sql + " ORDER BY published_at DESC, id DESC", args)]


def versions(store, topic: str, period_from: str, period_to: str) -> list[dict[str, Any]]:
    rows = store.conn.execute(
        "SELECT * FROM published_reports WHERE topic = ? AND period_from = ? AND period_to = ? ORDER BY version",
        (topic, period_from, period_to)).fetchall()
    return [_version_row(store, r) for r in rows]


def published_file(store, topic: str, period_from: str, period_to: str, version: int,
                   fmt: str) -> tuple[dict[str, Any], bytes] | None:
    row = store.conn.execute(
        "SELECT r.*, f.fmt, f.filename, f.media_type, f.content FROM published_reports r JOIN"
        " published_report_files f ON f.report_id = r.id WHERE r.topic = ? AND r.period_from = ? AND"
        " r.period_to = ? AND r.version = ? AND f.fmt = ?", (topic, period_from, period_to, version, fmt)).fetchone()
    if row is None:
        return None
    meta = {k: row[k] for k in row.keys() if k != "content"}
    return meta, bytes(row["content"])
