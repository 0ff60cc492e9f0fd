"""scan_files: the whole scan job, one Dask task per input file (see scan/__init__.py).

The process that calls it plans the files, skips those the manifest says are done, sends one
task per remaining file to the cluster, and notes each file in the manifest as its task comes
back, so a scan stopped at any point resumes with the files it had not noted. A worker that
dies mid-file (killed, out of memory) leaves at most a temporary file; the scheduler gives the
task to another worker (up to `distributed.scheduler.allowed-failures` times), and the file is
written again from the start, so its output is what one clean run gives.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litwatch.clock import utc_now
from litwatch.errors import LitwatchError, UsageError
from litwatch.scan.cluster import check_scheduler_address, dask_client, worker_settings
from litwatch.scan.parquet import sweep_temporary
from litwatch.scan.plan import PARTS, InputFile, append_manifest, done_files, plan_files, scan_settings
from litwatch.scan.summary import ScanSummary, scan_summary
from litwatch.scan.task import FileResult, FileTask, scan_file
from litwatch.topics import Topic, load_topic

__all__ = ["ScanProgress", "ScanResult", "scan_files", "DEFAULT_OUT"]

DEFAULT_OUT = "litwatch-scan"
_LOCK = ".scan.lock"


@dataclass(slots=True)
class ScanProgress:
    """One step of a scan, for a progress display."""

    event: str  # planned | done | failed
    files: int  # files planned
    skipped: int  # already done before this run
    finished: int = 0  # files done or failed in this run
    records: int = 0  # records read in this run
    result: FileResult | None = None


@dataclass
class ScanResult:
    out: str
    topics: list[str]
    files: list[str] = field(default_factory=list)  # every file planned, in apply order
    done: list[FileResult] = field(default_factory=list)  # scanned in this run
    skipped: list[str] = field(default_factory=list)  # done before and unchanged
    failed: list[FileResult] = field(default_factory=list)
    workers: int = 0
    cluster: str = ""
    seconds: float = 0.0
    settings: dict[str, Any] = field(default_factory=dict)
    summary: ScanSummary | None = None

    @property
    def records(self) -> int:
        return sum(r.counts.get("records", 0) for r in self.done)

    def counts(self) -> dict[str, int]:
        return {"files": len(self.files), "scanned": len(self.done), "skipped": len(self.skipped),
                "failed": len(self.failed), "records": self.records,
                "candidates": sum(r.counts.get("candidates", 0) for r in self.done)}


def _topics(topics: Iterable[Topic | str]) -> list[Topic]:
    out: dict[str, Topic] = {}
    for t in topics:
        topic = t if isinstance(t, Topic) else load_topic(t)
        out.setdefault(topic.name, topic)
    if not out:
        raise UsageError("no topic given", hint="name one or more topics: litwatch topic list")
    return list(out.values())


@contextmanager
def _locked(out: Path):
    """One scan at a time writes into a folder (two would append to one manifest)."""
    fd = os.open(out / _LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(f"another scan is writing to {out}", hint="wait for it, or give another --out") from None
        yield
    finally:
        os.close(fd)


def scan_files(
    topics: Iterable[Topic | str],
    files: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] = DEFAULT_OUT,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    progress: Callable[[ScanProgress], None] | None = None,
    task: Callable[[FileTask], FileResult] = scan_file,
    summarize: bool = True,
) -> ScanResult:
    """Scan PubMed XML `files` (folders, globs, paths) for `topics`, one Dask task per file.

    Runs on `client` when given, else on the scheduler at `scheduler`, else on a new LocalCluster
    of `workers` processes. Writes OUT/parts/NAME.parquet and a manifest line per file; files
    already done with the same settings are skipped. `task` is the function a worker runs per
    file (scan_file; tests wrap it). Returns what was scanned, skipped and failed, and (with
    `summarize`) the summary of everything in OUT.
    Raises UsageError / ProfileError for bad arguments, before any work is sent.
    """
    started = time.perf_counter()
    if workers is not None and workers < 1:
        raise UsageError("--workers must be 1 or more")
    if workers is not None and scheduler is not None:
        raise UsageError("give --workers or --scheduler, not both",
                         hint="an existing cluster has the workers it has; --workers starts a local one")
    if scheduler is not None:
        check_scheduler_address(scheduler)
    chosen = _topics(topics)
    planned = plan_files(list(files) if not isinstance(files, (str, os.PathLike)) else files)
    out_dir = Path(out).expanduser().resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder")
    (out_dir / PARTS).mkdir(parents=True, exist_ok=True)
    settings = scan_settings(chosen)
    result = ScanResult(str(out_dir), [t.name for t in chosen], [f.name for f in planned], settings=settings)
    with _locked(out_dir):
        done = done_files(out_dir, planned, settings)
        result.skipped = [f.name for f in planned if f.name in done]
        todo = [f for f in planned if f.name not in done]
        if progress:
            progress(ScanProgress("planned", len(planned), len(result.skipped)))
        if todo:
            context = nullcontext(client) if client is not None else dask_client(workers, scheduler)
            with context as c:
                _check_workers(c, settings)
                result.workers = len(c.scheduler_info().get("workers", {}))
                result.cluster = str(getattr(c, "scheduler", None) and c.scheduler.address)
                _run(c, todo, out_dir, chosen, settings, task, result, progress)
        sweep_temporary(out_dir / PARTS)
    if summarize and (result.done or result.skipped):
        result.summary = scan_summary(out_dir)
    result.seconds = time.perf_counter() - started
    return result


def _check_workers(client: Any, settings: dict[str, Any]) -> None:
    expected = {k: v for k, v in settings.items() if k != "topics"}
    wrong = {addr: s for addr, s in worker_settings(client).items() if s != expected}
    if wrong:
        addr, s = next(iter(wrong.items()))
        diff = ", ".join(f"{k} {s.get(k)!r} (here {v!r})" for k, v in expected.items() if s.get(k) != v)
        raise UsageError(f"{len(wrong)} worker(s) compute with other settings, e.g. {addr}: {diff}",
                         hint="install the same litwatch (and vocabulary) on every worker")


def _run(client: Any, todo: list[InputFile], out: Path, topics: list[Topic], settings: dict[str, Any],
         task: Callable[[FileTask], FileResult], result: ScanResult,
         progress: Callable[[ScanProgress], None] | None) -> None:
    from distributed import as_completed

    stamp = f"{os.getpid()}-{time.time_ns()}"
    futures = {}
    for f in todo:  # the biggest first: the last task to finish sets the scan's end
        fut = client.submit(task, FileTask(f, str(out), topics, settings), key=f"litwatch-scan-{f.name}-{stamp}",
                            pure=False, priority=f.size)
        futures[fut] = f
    records = 0
    try:
        for fut in as_completed(list(futures), loop=client.loop):
            f = futures.pop(fut)
            res = _outcome(fut, f)
            fut.release()
            if res.status == "ok" and not Path(res.parquet or "").exists():
                res.status = "failed"
                res.error = (f"the worker wrote {res.parquet}, which this machine cannot see: --out must be on a "
                             "file system that every worker and this machine share")
            if res.status == "ok":
                append_manifest(out, res.manifest_line(utc_now()))
                result.done.append(res)
                records += res.counts.get("records", 0)
            else:
                result.failed.append(res)
            if progress:
                progress(ScanProgress("done" if res.status == "ok" else "failed", len(result.files),
                                      len(result.skipped), len(result.done) + len(result.failed), records, res))
    except BaseException:  # interrupted: the files not yet noted are scanned again next time
        client.cancel(list(futures))
        raise


def _outcome(fut: Any, f: InputFile) -> FileResult:
    if fut.status != "error":
        return fut.result()
    exc = fut.exception()
    res = FileResult(f.name, f.path, f.key, f.size, f.mtime_ns, status="failed")
    name = type(exc).__name__
    if name == "KilledWorker":
        res.error = "the workers reading this file died each time (out of memory?); see the workers' logs"
    elif isinstance(exc, LitwatchError):
        res.error = exc.one_line()
    else:
        res.error = f"{name}: {exc}"
    return res

