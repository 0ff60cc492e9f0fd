"""Import files into the store: detect, read, upsert in batches, log the run, report bad records.

Progress goes to a callback (`FileProgress`: the file, bytes read, its size) for whoever shows it;
this module draws nothing (the CLI draws the bars).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import chain
from typing import TypeVar
from dataclasses import dataclass, field
from pathlib import Path

from litwatch.errors import LitwatchError, ParseError, StoreError
from litwatch.formats import read_opened, reader_module, reads_in_parallel
from litwatch.formats.base import ParseIssue, in_groups, open_input
from litwatch.formats.detect import detect_format
from litwatch.formats.pubmed.parallel import prepare_pubmed_parallel
from litwatch.records import Record
from litwatch.store import Store
from litwatch.store.prepare import Prepared, prepare
from litwatch.store.upsert import StoreCounts

__all__ = ["ImportSummary", "import_files", "FileProgress", "BATCH_SIZE"]

BATCH_SIZE = 500
T = TypeVar("T")
TRANSACTION_RECORDS = 2000
# (file, bytes of it read so far, its size in bytes): after each record, and once when it is read
FileProgress = Callable[[Path, int, int], None]


@dataclass(slots=True, kw_only=True)
class ImportSummary(StoreCounts):
    run_id: int
    files: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    formats: dict[str, str] = field(default_factory=dict)  # path -> format used

    def counts(self) -> dict[str, int]:
        return {"files": self.files, **StoreCounts.counts(self), "errors": len(self.errors),
                "warnings": len(self.warnings)}

    def note(self, issue: ParseIssue) -> None:
        (self.warnings if issue.warning else self.errors).append(str(issue))


def _expand(paths: Iterable[str | os.PathLike[str]], problems: list[str]) -> list[Path]:
    """The files to read: paths as given, folders walked; a folder that cannot be read is a problem
    (Path.rglob would pass over it without a word)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if not p.is_dir():
            out.append(p)
            continue
        found: list[Path] = []

        def unreadable(exc: OSError) -> None:
            problems.append(f"{exc.filename}: folder cannot be read ({exc.strerror}); its files were not imported")

        for folder, dirs, files in os.walk(p, onerror=unreadable):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            found.extend(Path(folder) / f for f in files if not f.startswith("."))
        out.extend(sorted(found))
    return out


def _store_file(store: Store, path: Path, fmt: str, summary: ImportSummary, progress: FileProgress | None) -> None:
    used = detect_format(path) if fmt == "auto" else fmt
    summary.formats[str(path)] = used
    seen: Counter[str] = Counter()
    if reads_in_parallel(path, used):  # big PubMed XML: worker processes read and prepare it
        batches: Iterator[list[Prepared]] = _issues_apart(_read_prepared(path, summary.run_id, progress), summary)
    else:
        records = _issues_apart(_read(path, used, progress), summary)
        batches = ([prepare(r, summary.run_id) for r in batch] for batch in in_groups(records, BATCH_SIZE))
    for batch in _transactions(batches):
        result = store.upsert_prepared(_number_repeats(batch, seen), run_id=summary.run_id)
        summary.add(result)
        summary.warnings.extend(result.conflicts)


def _transactions(batches: Iterator[list[Prepared]]) -> Iterator[list[Prepared]]:
    """Batches joined to TRANSACTION_RECORDS copies: each transaction makes the full-text index
    write and later merge a segment, and 2,000 records a transaction store 15 % faster than 500."""
    return in_groups(chain.from_iterable(batches), TRANSACTION_RECORDS)


def _number_repeats(batch: list[Prepared], seen: Counter[str]) -> list[Prepared]:
    """A file holding one item twice (a duplicate row, two versions of a PMID) keeps both copies:
    the second is 'pmid:1 @file #2', merged into the same record, and importing the file again
    finds every copy unchanged instead of flipping one stored copy between the two."""
    for item in batch:
        seen[item.item_key] += 1
        if seen[item.item_key] > 1:
            item.item_key = f"{item.item_key} #{seen[item.item_key]}"
    return batch


def _read_prepared(path: Path, run_id: int, progress: FileProgress | None) -> Iterator[list[Prepared] | ParseIssue]:
    """A big PubMed XML file parsed and prepared for the store by worker processes, in file order."""
    stream, counter = open_input(path)
    try:
        items = prepare_pubmed_parallel(stream, origin=str(path), prepare=partial(prepare, run_id=run_id))
        yield from _with_progress(items, counter, path, progress)
    finally:
        stream.close()


def _issues_apart(items: Iterator[T | ParseIssue], summary: ImportSummary) -> Iterator[T]:
    for item in items:
        if isinstance(item, ParseIssue):
            summary.note(item)
        else:
            yield item


def _read(path: Path, used: str, progress: FileProgress | None) -> Iterator[Record | ParseIssue]:
    reader_module(used)
    stream, counter = open_input(path)
    try:
        yield from _with_progress(read_opened(stream, used, str(path)), counter, path, progress)
    finally:
        stream.close()


def _with_progress(items, counter, path: Path, progress: FileProgress | None):
    if progress is None:
        yield from items
        return
    size = path.stat().st_size
    progress(path, 0, size)
    for item in items:
        progress(path, counter.bytes_read, size)
        yield item
    progress(path, size, size)


def _finish(store: Store, summary: ImportSummary, status: str) -> bool:
    try:
        store.finish_run(summary.run_id, status, summary.counts(), summary.errors + summary.warnings)
        return True
    except StoreError:
        return False  # the store takes nothing any more: the caller's error says so


def _stopped(store: Store, summary: ImportSummary, exc: StoreError) -> StoreError:
    logged = _finish(store, summary, "failed")
    stored = summary.read
    log = f"run {summary.run_id} is logged as failed" if logged else f"run {summary.run_id} could not be logged"
    err = StoreError(f"{exc.message}; the import stopped after storing {stored} record(s), {log}",
                     hint=exc.hint or "free disk space, then import the same files again (what is stored stays)")
    err.summary = summary  # type: ignore[attr-defined]
    return err


def import_files(
    store: Store,
    paths: Iterable[str | os.PathLike[str]],
    fmt: str = "auto",
    progress: FileProgress | None = None,
) -> ImportSummary:
    """Read every file (folders are walked) and store its records; bad records are reported, not fatal.

    `progress`, when given, is told how far each file has been read (see FileProgress).

    Raises ParseError only when not a single record could be read from any file, and StoreError
    when the store cannot be written (a full disk, a read-only file): the run is then logged as
    failed where that is still possible, and the error says how many records were stored.
    """
    problems: list[str] = []
    files = _expand(paths, problems)
    run_id = store.start_run("import", {"paths": [str(p) for p in files], "format": fmt})
    summary = ImportSummary(run_id=run_id)
    summary.errors.extend(problems)
    status = "failed"
    try:
        for path in files:
            summary.files += 1
            try:
                _store_file(store, path, fmt, summary, progress)
            except StoreError:
                raise  # nothing more can be stored: the run ends here
            except LitwatchError as exc:
                summary.errors.append(exc.one_line())
        status = "ok" if summary.read else "failed"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except StoreError as exc:
        status = "stopped"  # logged by _stopped
        summary.errors.append(exc.one_line())
        raise _stopped(store, summary, exc) from None
    finally:
        if status != "stopped":
            _finish(store, summary, status)
    if summary.read == 0 and summary.errors:
        raise ParseError(
            f"nothing could be read from {len(files)} file(s): " + "; ".join(summary.errors[:3]),
            hint="check the file, or name its format with --format",
        )
    return summary
