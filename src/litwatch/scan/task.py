"""One scan task: one input file read, screened for every topic, annotated, written as Parquet.

This runs on a Dask worker (or anywhere): it calls exactly what the single-machine path calls,
`pubmed_xml.read_stream` (the sequential reader: a scan's parallelism is one file per worker;
`litwatch import` reads a big file with `formats.pubmed.parallel`, which yields the same Records),
`screen.rules.rule_decision(topic, record)` (through `rule_decisions`, which reads the record's
text once for all the topics) and `annotate.annotate_record(record, topic)`, so a scan and
`litwatch import` + `litwatch screen` decide alike record for record.

The task checks first that this process computes with the settings the scan was planned with
(litwatch, vocabulary, rules, code: a worker with another litwatch would give other answers),
and hashes the file's bytes (MD5, as NLM's .md5 files) as it reads them. Its output appears
under its final name only once complete (scan/parquet.write_rows); the manifest line is the
caller's to write, from the FileResult.
"""

from __future__ import annotations

import hashlib
import io
import os
import resource
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from litwatch.annotate import annotate_record
from litwatch.errors import LitwatchError
from litwatch.formats import pubmed_xml
from litwatch.formats.base import ParseIssue
from litwatch.records import Record
from litwatch.scan.parquet import ENTRY_CANDIDATE, ENTRY_DELETED, ENTRY_RECORD, write_rows
from litwatch.scan.plan import InputFile, engine_settings, parquet_path
from litwatch.screen.rules import Decision, rule_decisions
from litwatch.topics import Topic

__all__ = ["FileTask", "FileResult", "scan_file", "is_candidate", "ISSUES_KEPT"]

ISSUES_KEPT = 50  # per file, in the result and the manifest (the count is always whole)


@dataclass(slots=True)
class FileTask:
    file: InputFile
    out: str
    topics: list[Topic]
    settings: dict[str, Any]  # plan.scan_settings(topics) of the process that planned the scan


@dataclass(slots=True)
class FileResult:
    file: str
    path: str
    key: str
    size: int
    mtime_ns: int
    status: str = "ok"  # ok | failed
    md5: str | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)
    error: str | None = None
    parquet: str | None = None
    parquet_bytes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # total, cpu, read, screen, annotate, write
    worker: str = ""
    peak_rss_mb: float = 0.0
    settings: dict[str, Any] = field(default_factory=dict)

    def manifest_line(self, finished_at: str) -> dict[str, Any]:
        return {
            "file": self.file, "path": self.path, "key": self.key, "size": self.size, "mtime_ns": self.mtime_ns,
            "md5": self.md5, "parquet": self.parquet, "parquet_bytes": self.parquet_bytes,
            "settings": self.settings, "counts": self.counts, "issues": self.issues,
            "seconds": self.seconds, "worker": self.worker, "peak_rss_mb": self.peak_rss_mb,
            "finished_at": finished_at,
        }


class _HashingReader(io.RawIOBase):
    """The file's bytes as read, hashed on the way (so the MD5 costs no second pass)."""

    def __init__(self, raw) -> None:
        self._raw, self.md5 = raw, hashlib.md5()

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        n = self._raw.readinto(b)
        if n:
            self.md5.update(memoryview(b)[:n])
        return n or 0

    def finish(self) -> str:
        """Hash what the reader left unread (after a fatal error), then the digest."""
        while block := self._raw.read(1 << 20):
            self.md5.update(block)
        return self.md5.hexdigest()


def is_candidate(decision: Decision) -> bool:
    """Kept for a topic: included, or undecided after finding a concept of one of its include
    groups (nothing but an abstract could rule on it). Excluded records, and undecided ones the
    topic's concepts never touch, are only counted."""
    if decision.label == "include":
        return True
    if decision.label != "undecided":
        return False
    return any(c.get("group") and not c.get("masked_by") for c in decision.concepts)


def _where(record: Record) -> int:
    loc = record.provenance[0].location if record.provenance else None
    try:
        return int(str(loc).rsplit(" ", 1)[-1])
    except (TypeError, ValueError):
        return 0


def _record_columns(record: Record) -> dict[str, Any]:
    j = record.journal
    return {
        "doi": record.ids.doi, "pmcid": record.ids.pmcid, "title": record.title,
        "journal": j.iso_abbrev or j.title, "kind": record.kind, "language": record.language,
        "report_month": record.report_month(), "year": record.year,
        "publication_types": list(record.publication_types), "record": record.to_json(),
    }


def _mismatch(expected: dict[str, Any], here: dict[str, Any]) -> str | None:
    diff = [f"{k} {here.get(k)!r} (the scan expects {v!r})" for k, v in expected.items()
            if k != "topics" and here.get(k) != v]
    return ", ".join(diff) or None


def scan_file(task: FileTask, *, on_record: Callable[[int], None] | None = None) -> FileResult:
    """Scan one file; `on_record(n)` is called after the n-th item read (for progress, or tests).

    A file that cannot be read at all (not PubMed XML, not there on this worker) comes back
    `failed` with the reason; a bad record is counted, kept in `issues`, and the file goes on.
    """
    f = task.file
    started, cpu = time.perf_counter(), time.process_time()
    result = FileResult(f.name, f.path, f.key, f.size, f.mtime_ns, worker=f"{socket.gethostname()}:{os.getpid()}")
    here = engine_settings()
    result.settings = {**here, "topics": task.settings.get("topics", {})}
    wrong = _mismatch(task.settings, here)
    if wrong:
        result.status = "failed"
        result.error = (f"worker {result.worker} computes with {wrong}: install the same litwatch on every worker")
        return result
    try:
        raw = open(f.path, "rb")
    except OSError as exc:
        result.status = "failed"
        result.error = (f"cannot open {f.path} on {socket.gethostname()}: {exc.strerror} (every worker needs the "
                        "files at the same path)")
        return result
    with raw:
        hashing = _HashingReader(raw)
        try:
            rows, counts, timing = _scan_items(task, io.BufferedReader(hashing, 1 << 16), result, on_record)
        except LitwatchError as exc:  # nothing readable: not PubMed XML, an empty file
            result.status, result.error = "failed", exc.one_line()
            result.md5 = hashing.finish()
            return result
        result.md5 = hashing.finish()
    t = time.perf_counter()
    out = parquet_path(Path(task.out), f.name)
    meta = {"file": f.name, "md5": result.md5, "settings": result.settings}
    result.parquet_bytes = write_rows(out, rows, meta)
    result.parquet = str(out)
    timing["write"] = time.perf_counter() - t
    timing["total"] = time.perf_counter() - started
    timing["cpu"] = time.process_time() - cpu  # below total when the machine had other work
    result.counts = counts
    result.seconds = {k: round(v, 4) for k, v in timing.items()}
    result.peak_rss_mb = round(_peak_rss_kib() / 1024, 1)
    return result


def _peak_rss_kib() -> int:
    """This process's peak resident memory. VmHWM rather than ru_maxrss: Linux carries ru_maxrss
    over an exec, so a spawned worker would report its parent's peak when that was higher."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _scan_items(task: FileTask, stream, result: FileResult, on_record) -> tuple[list[dict], dict, dict]:
    f = task.file
    base = {"file": f.name, "file_key": f.key, "origin": f.path}
    rows: list[dict[str, Any]] = []
    labels = {t.name: Counter({"include": 0, "exclude": 0, "undecided": 0}) for t in task.topics}
    records = deleted = issues = candidates = 0
    screen_s = annotate_s = 0.0
    clock = time.perf_counter
    started = clock()
    for n, item in enumerate(pubmed_xml.read_stream(stream, origin=f.path), start=1):
        if isinstance(item, ParseIssue):
            issues += 1
            if len(result.issues) < ISSUES_KEPT:
                result.issues.append(str(item))
        elif item.deleted:
            deleted += 1
            rows.append({**base, "entry": ENTRY_DELETED, "seq": _where(item), "pmid": item.ids.pmid})
        else:
            records += 1
            seq, pmid = _where(item), item.ids.pmid
            t = clock()
            try:
                decided = list(zip(task.topics, rule_decisions(task.topics, item)))
                t2 = clock()
                screen_s += t2 - t
                kept = [(topic, d) for topic, d in decided if is_candidate(d)]
                columns = _record_columns(item) if kept else {}
                candidate_rows = [{**base, **columns, **_decision_columns(item, topic, d),
                                   "entry": ENTRY_CANDIDATE, "seq": seq, "pmid": pmid} for topic, d in kept]
                annotate_s += clock() - t2
            except Exception as exc:  # one record the rules or the annotator trip over: reported, not fatal
                issues += 1
                if len(result.issues) < ISSUES_KEPT:
                    result.issues.append(f"{f.path}: record {seq} (PMID {pmid}): not screened: "
                                         f"{type(exc).__name__}: {exc}")
                decided, candidate_rows = [], []
            for topic, d in decided:
                labels[topic.name][d.label] += 1
            if candidate_rows:
                candidates += 1
                rows.extend(candidate_rows)
            else:
                rows.append({**base, "entry": ENTRY_RECORD, "seq": seq, "pmid": pmid})
        if on_record is not None:
            on_record(n)
    total = clock() - started
    counts = {"records": records, "deleted": deleted, "issues": issues, "candidates": candidates,
              "topics": {name: dict(c) for name, c in labels.items()}}
    timing = {"read": total - screen_s - annotate_s, "screen": screen_s, "annotate": annotate_s}
    return rows, counts, timing


def _decision_columns(record: Record, topic: Topic, d: Decision) -> dict[str, Any]:
    out: dict[str, Any] = {"topic": topic.name, "label": d.label, "score": d.score, "reason": d.reason,
                           "matches": orjson.dumps(d.concepts).decode()}
    if d.label == "include":
        ann = annotate_record(record, topic)
        out.update(design=ann.design, evidence_level=ann.evidence_level, species=list(ann.species),
                   annotations=orjson.dumps(ann.to_dict()).decode())
    return out
