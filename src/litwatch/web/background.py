"""Long jobs started from the web (fetch, refresh, report builds) run in background threads.

Each job opens its own Store, calls one `litwatch.jobs` function with a progress callback and
keeps the events, so /runs/jobs/{id}.json shows them live (the page polls it). A job's state is
also written to `work_dir/jobs/{id}.json`, so with several server processes (`serve --workers`)
any of them can show it.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from litwatch.clock import utc_now
from litwatch.errors import LitwatchError

__all__ = ["WebJob", "JobRunner"]

MAX_EVENTS = 300
KEEP_JOBS = 100


@dataclass
class WebJob:
    id: str
    kind: str  # fetch | refresh | report
    params: dict[str, Any]
    by: str
    status: str = "queued"  # queued | running | ok | failed
    events: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    created_at: str = field(default_factory=utc_now)
    started_at: str | None = None
    finished_at: str | None = None
    link: str | None = None  # where the result is (a report draft)

    @property
    def done(self) -> bool:
        return self.status in ("ok", "failed")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "WebJob":
        return cls(**{k: d[k] for k in ("id", "kind", "params", "by", "status", "events", "result", "error",
                                        "created_at", "started_at", "finished_at", "link")})

    def to_dict(self) -> dict[str, Any]:
        last = self.events[-1] if self.events else None
        return {"id": self.id, "kind": self.kind, "params": self.params, "by": self.by, "status": self.status,
                "done": self.done, "events": self.events, "last": last, "result": self.result,
                "error": self.error, "created_at": self.created_at, "started_at": self.started_at,
                "finished_at": self.finished_at, "link": self.link}


def _plain(value: Any) -> Any:
    if hasattr(value, "counts") and callable(value.counts):
        value = value.counts()
    if hasattr(value, "to_dict") and callable(value.to_dict):
        value = value.to_dict()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class JobRunner:
    def __init__(self, db: Path, work_dir: Path, threads: int = 2) -> None:
        self.db = Path(db)
        self.folder = Path(work_dir) / "jobs"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="litwatch-job")
        self._jobs: dict[str, WebJob] = {}
        self._lock = threading.Lock()

    def _save(self, job: WebJob) -> None:
        path = self.folder / f"{job.id}.json"
        tmp = path.with_suffix(f".{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(job.to_dict(), ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(tmp, path)  # readers in other processes never see half a file

    def start(self, kind: str, params: dict[str, Any], by: str,
              work: Callable[..., Any], link: Callable[[Any], str | None] | None = None) -> WebJob:
        """Run `work(store=..., progress=...)` in the background; returns the job at once."""
        job = WebJob(secrets.token_hex(6), kind, params, by)
        with self._lock:
            self._jobs[job.id] = job
        self._save(job)
        self._prune()
        self._pool.submit(self._run, job, work, link)
        return job

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in files[:-KEEP_JOBS]:
            with self._lock:
                job = self._jobs.get(old.stem)
                if job is not None and not job.done:
                    continue
                self._jobs.pop(old.stem, None)
            old.unlink(missing_ok=True)

    def _run(self, job: WebJob, work: Callable[..., Any], link) -> None:
        from litwatch.store import open_store

        job.status, job.started_at = "running", utc_now()
        self._save(job)
        saved = [time.monotonic()]

        def progress(event) -> None:
            data = event.to_dict() if hasattr(event, "to_dict") else {"message": str(event)}
            data["at"] = round(time.time(), 3)
            job.events.append(data)
            del job.events[:-MAX_EVENTS]
            if time.monotonic() - saved[0] > 0.25:
                saved[0] = time.monotonic()
                self._save(job)

        try:
            with open_store(self.db) as store:
                result = work(store=store, progress=progress)
            job.result = _plain(result) if result is not None else {}
            job.link = link(result) if link else None
            job.status = "ok"
        except LitwatchError as exc:
            job.error, job.status = exc.one_line(), "failed"
        except Exception as exc:  # a bug: keep the job page useful, the traceback in the event log
            job.error, job.status = f"internal error: {type(exc).__name__}: {exc}", "failed"
            job.events.append({"job": job.kind, "stage": "error", "message": traceback.format_exc(limit=5)})
        finally:
            job.finished_at = utc_now()
            self._save(job)

    def get(self, job_id: str) -> WebJob | None:
        job = self._jobs.get(job_id)
        if job is not None:
            return job
        if not job_id.isalnum():
            return None
        try:  # started by another server process
            return WebJob.from_dict(json.loads((self.folder / f"{job_id}.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def all(self) -> list[WebJob]:
        files = sorted(self.folder.glob("*.json"), key=lambda p: -p.stat().st_mtime)[:KEEP_JOBS]
        jobs = [self.get(p.stem) for p in files]
        return sorted((j for j in jobs if j is not None), key=lambda j: j.created_at, reverse=True)

    def wait(self, job_id: str, timeout: float = 60.0) -> WebJob | None:
        """Block until the job is done (tests)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            job = self.get(job_id)
            if job is None or job.done:
                return job
            time.sleep(0.05)
        return self.get(job_id)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
