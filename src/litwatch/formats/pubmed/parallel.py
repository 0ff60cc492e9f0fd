"""PubMed XML read by several processes: the same Records, in the same order, faster.

The main process un-gzips the stream and cuts it into chunks of whole records by looking for
the records' closing tags near the end of each chunk's worth of bytes (`</PubmedArticle>`,
`</PubmedBookArticle>`, `</MedlineCitation>` in the old MedlineCitationSet, `</DeleteCitation>`);
it never scans a whole chunk. Each chunk is wrapped in the file's own prolog (XML declaration,
DOCTYPE, root start tag) and the root's end tag, and parsed in a worker process by the
sequential reader's own code (`stream`'s parts). A worker does not know where
its chunk sits: it numbers its records from 1 and counts the chunk's records and lines, and the
main process, collecting chunks in file order, shifts "record N" by the records before the
chunk, so "record N" and raw_hash are those the sequential reader gives. Up to _DEPTH chunks
per worker are in flight, kept in files, so memory stays flat.

A chunk a worker cannot give as it is (a bad record to report, malformed XML, a worker that
died) the main process parses again itself, now knowing the records and lines before it, so
its ParseIssues carry the file's own record numbers and lines. Whatever the chunking cannot
promise (malformed XML, or a closing tag inside a comment that cut in the wrong place), the
sequential reader does instead, from that chunk to the end of the file: it parses the file's
prolog, blank lines and spaces up to the chunk's line and column, and the rest of the stream,
so its records and its one ParseIssue (with libxml2's line numbers) are exactly those of
`stream.read_stream` on the whole file.

Reading Records, the main process is one of the `workers`: it parses a share of the chunks
itself, by the same code, yielding each record as soon as it is made (see `_inline_share` and
`_Pipeline._collect_inline`). Records a worker made travel as msgpack and are rebuilt, which
costs a fifth of what parsing them does, so on 2 CPUs one worker and the main process together
read faster than two workers (bench/parse_pubmed.py). Importing, the main process writes the
store, and every chunk goes to the workers, which also prepare the records for the store with the
function the importer hands over (`prepare_pubmed_parallel(..., prepare=)`): this module knows
nothing of the store.

`worth_parallel(path)` is the one place that decides whether a file is big enough for this
reader: `formats.read_file` and `litwatch import` both ask it.
"""

from __future__ import annotations

import gc
import multiprocessing
import operator
import os
import pickle
import shutil
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar

import msgspec
from lxml import etree

from litwatch import records as _rec
from litwatch.clock import utc_now
from litwatch.formats.base import CHUNK, ParseIssue, in_groups, open_xml
from litwatch.formats.pubmed.stream import (
    SOURCE,
    ReadContext,
    Splitter,
    drain,
    make_parser,
    parse_blocks,
    pubmed_root,
    record_tags,
)
from litwatch.records import Record

__all__ = [
    "read_pubmed_parallel",
    "prepare_pubmed_parallel",
    "Relocatable",
    "worth_parallel",
    "default_workers",
    "CHUNK_RECORDS",
    "MIN_BYTES",
    "MIN_GZIP_BYTES",
    "MIN_CPUS",
]

CHUNK_RECORDS = 500
_DEPTH = 8  # chunks in flight per worker: 2 made imports 12 % and reading 8 % slower on 2 CPUs
_SET_ROOTS = {"PubmedArticleSet", "PubmedBookArticleSet", "MedlineCitationSet"}
# A file this big is read by worker processes: below it, starting them costs more than it saves.
# Uncompressed size for plain files, size on disk for gzip.
MIN_BYTES = 4 << 20
MIN_GZIP_BYTES = 1 << 20
MIN_CPUS = 2


def default_workers() -> int:
    """Worker processes when none are asked for: one per CPU this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worth_parallel(path: str | os.PathLike[str]) -> bool:
    """Whether the PubMed XML file at `path` is read faster by worker processes than by one."""
    # One CPU: nothing to gain. Two idle CPUs: 30,000 records import 40 % faster through the pool
    # (bench/parse_pubmed.py); on a machine busy with other work it can be slower.
    if default_workers() < MIN_CPUS:
        return False
    try:
        with open(path, "rb") as f:
            gzipped = f.read(2) == b"\x1f\x8b"
        return Path(path).stat().st_size >= (MIN_GZIP_BYTES if gzipped else MIN_BYTES)
    except OSError:  # the sequential path reports it properly
        return False


def read_pubmed_parallel(
    stream: BinaryIO,
    *,
    origin: str,
    workers: int | None = None,
    chunk_records: int = CHUNK_RECORDS,
    source: str = SOURCE,
) -> Iterator[Record | ParseIssue]:
    """What `stream.read_stream` yields, read by `workers` processes (default: one per CPU).

    Raises ParseError when nothing can be read (empty input, another XML root), as it does.
    """
    yield from _read(stream, origin, workers, chunk_records, source, prepare_fn=None)


class Relocatable(Protocol):
    """What `prepare` gives: a record made ready for its destination, whose place in the file
    ("record N") can still be set once the records before its chunk are counted."""

    def relocate(self, location: str) -> None: ...


P = TypeVar("P", bound=Relocatable)


def prepare_pubmed_parallel(
    stream: BinaryIO,
    *,
    origin: str,
    prepare: Callable[[Record], P],
    workers: int | None = None,
    chunk_records: int = CHUNK_RECORDS,
    source: str = SOURCE,
) -> Iterator[list[P] | ParseIssue]:
    """The file's records as batches of `prepare(record)`, and its ParseIssues.

    The workers prepare the records themselves (the store's `prepare`, say, with the run id
    bound), so only small plain objects come back: `prepare` must be a function a worker can
    call (any function with fork, a picklable one elsewhere) and give an object with
    `relocate(location)`; a dataclass travels fastest. Batches (of at most CHUNK_RECORDS) and
    issues come in file order.
    """
    yield from _read(stream, origin, workers, chunk_records, source, prepare_fn=prepare)


# -- the plan ------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class _Settings:
    """What every chunk of one file shares; a worker receives it once."""

    origin: str
    source: str
    retrieved_at: str
    tags: tuple[str, ...]
    prolog: bytes
    close: bytes
    prepare: Callable[[Record], Any] | None  # prepare_pubmed_parallel's prepare, or None for Records

    @property
    def root(self) -> str:
        return self.close[2:-1].decode()


@dataclass(slots=True)
class _Job:
    data: bytes | None  # None once written to `path` for a worker
    col: int  # bytes between the last newline and the chunk
    first: bool  # the chunk right after the prolog
    future: Future | None = None
    path: str | None = None  # the chunk's file for the worker
    inline: bool = False  # parsed by the main process itself when its turn comes


def _read(
    stream: BinaryIO,
    origin: str,
    workers: int | None,
    chunk_records: int,
    source: str,
    prepare_fn: Callable[[Record], Any] | None,
) -> Iterator[Any]:
    stream, head = open_xml(stream, origin)
    root = pubmed_root(head, origin)  # raises before the first next(), as read_stream does on it
    tags = record_tags(root)
    workers = default_workers() if workers is None else workers
    retrieved_at = utc_now()
    split = Splitter(stream, head, tags, max(1, chunk_records))
    prolog = split.prolog() if root in _SET_ROOTS and workers > 1 else None
    if prolog is None:  # one record, an odd prolog, or one worker: the sequential reader
        ctx = ReadContext(origin, source, retrieved_at)
        return _shaped(parse_blocks(split.rest(), ctx, tags, root), prepare_fn)
    settings = _Settings(origin, source, retrieved_at, tags, prolog, b"</" + root.encode() + b">", prepare_fn)
    return _Pipeline(settings, split, workers, prepare_fn).run()


class _Pipeline:
    """Cut chunks, keep up to _DEPTH per worker in flight, yield their results in order."""

    def __init__(self, st: _Settings, split: Splitter, workers: int, prepare_fn) -> None:
        self.st, self.split, self.prepare_fn = st, split, prepare_fn
        # Reading, the main process is one of the `workers`: it parses a share of the chunks itself
        # (see _inline_share). Importing, it has the store to write: all chunks go to the pool.
        self.workers = workers - 1 if prepare_fn is None else workers
        self.inline_share = _inline_share(self.workers) if prepare_fn is None else 0.0
        # chunks given to the pool and not yet collected: enough that the workers never run dry
        # while the main process writes a transaction or parses a chunk itself
        self.depth = _DEPTH * self.workers
        self.prolog_lines = st.prolog.count(b"\n")
        # Where the next chunk to collect starts: records before it, newlines before it. Chunks
        # are numbered only as they are collected, in file order, from what each one held; the
        # workers number their records from 1 and the main process shifts them (see _collect).
        self.count = 0
        self.lines = self.prolog_lines
        self.pending: deque[_Job] = deque()
        self.pool: ProcessPoolExecutor | None = None
        self.folder: str | None = None  # chunks travel as files: see _submit
        self.submitted = 0
        self.chunks_seen = 0

    def run(self) -> Iterator[Any]:
        try:
            yield from self._chunks()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)

    def _next_job(self) -> _Job | None:
        chunk = self.split.next_chunk()
        return _Job(*chunk) if chunk is not None else None

    def _chunks(self) -> Iterator[Any]:
        split = self.split
        first = self._next_job()
        second = self._next_job() if first else None
        if second is None:  # one chunk at most: not worth a pool; the stream is read exactly as one piece
            blocks = chain([self.st.prolog], [first.data] if first else [], split.rest())
            ctx = ReadContext(self.st.origin, self.st.source, self.st.retrieved_at)
            yield from _shaped(parse_blocks(blocks, ctx, self.st.tags, self.st.root), self.prepare_fn)
            return
        try:
            self.pool = _start_pool(self.st, self.workers)
        except (OSError, ImportError, NotImplementedError):  # no process support here: _submit copes
            self.pool = None
        self._submit(first)
        job: _Job | None = second
        while job is not None:
            self._submit(job)
            while self.pending and (self._in_flight() >= self.depth or _ready(self.pending[0])):
                if (yield from self._collect()) is _STOP:
                    return
                while self.pending and self.pending[0].inline and job is not None and self._in_flight() < self.depth:
                    # the pool gets its next chunks before the main process parses one itself
                    job = self._next_job()
                    if job is not None:
                        self._submit(job)
            if job is not None:
                job = self._next_job()
        while self.pending:
            if (yield from self._collect()) is _STOP:
                return
        yield from self._tail()

    def _in_flight(self) -> int:
        return sum(1 for j in self.pending if not j.inline)

    def _submit(self, job: _Job) -> None:
        """Hand a chunk to the pool. Chunks and results travel as files: on Python 3.11 a worker
        killed (out of memory, say) while megabytes sit in the pool's pipes hangs the pool."""
        self.pending.append(job)
        self.chunks_seen += 1
        k, f = self.chunks_seen, self.inline_share
        if int(k * f) != int((k - 1) * f):  # spread evenly: the k-th chunk when k*f passes a whole number
            job.inline = True
            return
        try:
            if self.folder is None:
                self.folder = tempfile.mkdtemp(prefix="litwatch-pubmed-")
            self.submitted += 1
            job.path = os.path.join(self.folder, f"{self.submitted}.xml")
            with open(job.path, "wb") as f:
                f.write(job.data)
            job.future = self.pool.submit(_work, job.path, job.first)
        except Exception:  # no processes or files to be had (a sandbox, a dead worker): _collect reads it here
            job.future = None
        else:
            job.data = None  # the file has it, should the sequential reader need it again

    def _collect(self) -> Iterator[Any]:
        job = self.pending[0]
        if job.inline:
            return (yield from self._collect_inline(job))
        try:
            ok, out, records, newlines = job.future.result() if job.future else (False, None, 0, 0)
        except Exception:  # a worker died (killed, out of memory): read on without it
            ok = False
        if not ok:  # anything to report, or a worker gone: this chunk again, here, numbered in place
            if job.data is None:
                job.data = _read_back(job.path)
            _remove(job.path)
            job.inline = True
            return (yield from self._collect_inline(job))
        n = self.count
        try:
            for item in _load_groups(out, self.prepare_fn is None):  # written whole before the answer
                if type(item) is list:  # a batch of prepared records
                    for prepared in item:
                        n += 1
                        prepared.relocate(f"record {n}")
                else:
                    n += 1
                    item.provenance[0].location = f"record {n}"
                yield item
        except _UNREADABLE:  # a record the typed decoder refused: the sequential reader from here
            _remove(out)
            yield from self._sequential_from(job, skip=n - self.count)
            return _STOP
        self.pending.popleft()
        _remove(job.path)
        _remove(out)
        self.count += records
        self.lines += newlines
        self.split.learn(records)
        return None

    def _collect_inline(self, job: _Job) -> Iterator[Any]:
        """Parse the head chunk here, with the workers' code.

        Reading Records, each is yielded as soon as it is made: holding a chunk's records until
        it proved sound cost 12 % more CPU (memory and garbage collection). Should the chunk
        then fail, the sequential reader takes over from its start and the records already
        given are skipped: it reads the same bytes, so it makes them again, first and alike.
        Importing (a worker's chunk done again) the chunk is proved sound before it is yielded.
        """
        st = self.st
        if self.prepare_fn is not None:
            with _no_collection():
                ok, items, count_end = _parse_chunk(st, job.data, self.count, self.lines - self.prolog_lines, job.first)
            if not ok:
                yield from self._sequential_from(job)
                return _STOP
            yield from _shaped(items, self.prepare_fn)
        else:
            doc = st.prolog + job.data + st.close
            ctx = _chunk_context(st, doc, self.count, self.lines - self.prolog_lines, job.first)
            given = 0
            items = _parse_doc(doc, ctx, st.tags)
            while True:
                try:
                    item = next(items, None)
                except etree.XMLSyntaxError:
                    item = _STOP
                if item is None:
                    break
                if item is _STOP or not ctx.raw.ok:  # see _parse_chunk
                    yield from self._sequential_from(job, skip=given)
                    return _STOP
                yield item
                given += 1
            count_end = ctx.count
        self.pending.popleft()
        self.split.learn(count_end - self.count)
        self.count = count_end
        self.lines += job.data.count(b"\n")
        return None

    def _sequential_from(self, job: _Job, skip: int = 0) -> Iterator[Any]:
        """The sequential reader from `job`'s chunk to the end: exact records, issues and lines
        (less the first `skip` items, already given)."""
        for later in self.pending:
            if later.future:
                later.future.cancel()
        datas = [j.data if j.data is not None else _read_back(j.path) for j in self.pending]
        self.pending.clear()
        blocks = chain(self._lead_in(self.lines, job.col), datas, self.split.rest())
        items = parse_blocks(blocks, self._context(), self.st.tags, self.st.root)
        yield from _shaped(islice(items, skip, None), self.prepare_fn)

    def _tail(self) -> Iterator[Any]:
        """What follows the last record (normally just the root's end tag)."""
        if not self.split.at_end:  # a record too big to cut: the sequential reader takes the rest
            blocks = chain(self._lead_in(self.lines, self.split.col), self.split.rest())
            yield from _shaped(parse_blocks(blocks, self._context(), self.st.tags, self.st.root), self.prepare_fn)
            return
        lines, col = self.lines, self.split.col
        tail = self.split.take_rest()
        if not self.split.error and tail.strip() == self.st.close:  # the common, well-formed end
            return
        quick = list(parse_blocks(chain([self.st.prolog, tail], self.split.raise_error()), self._context(), self.st.tags,
                                  self.st.root))
        if quick:  # something to report: again with the file's line numbers
            blocks = chain(self._lead_in(lines, col), [tail], self.split.raise_error())
            yield from _shaped(parse_blocks(blocks, self._context(), self.st.tags, self.st.root), self.prepare_fn)

    def _context(self) -> ReadContext:
        return ReadContext(self.st.origin, self.st.source, self.st.retrieved_at, count=self.count)

    def _lead_in(self, lines: int, col: int) -> Iterator[bytes]:
        """The prolog, then newlines and spaces so that what follows sits at its line and column."""
        yield self.st.prolog
        newlines = lines - self.prolog_lines
        while newlines > 0:
            n = min(newlines, CHUNK)
            yield b"\n" * n
            newlines -= n
        if lines == self.prolog_lines:  # same line as the prolog's end
            col -= len(self.st.prolog) - (self.st.prolog.rfind(b"\n") + 1)
        if col > 0:
            yield b" " * col


_STOP = object()


def _read_back(path: str | None) -> bytes:
    with open(path, "rb") as f:  # type: ignore[arg-type]
        return f.read()


def _ready(job: _Job) -> bool:
    return job.future is None or job.future.done()


def _remove(path: str | None) -> None:
    if path:
        try:
            os.remove(path)
        except OSError:
            pass


def _shaped(items: Iterable[Record | ParseIssue], prepare_fn) -> Iterator[Any]:
    """Records as they are, or (prepare mode) as batches of prepared records between issues."""
    if prepare_fn is None:
        yield from items
        return
    batch: list[Any] = []
    for item in items:
        if isinstance(item, ParseIssue):
            if batch:
                yield batch
                batch = []
            yield item
            continue
        batch.append(prepare_fn(item))
        if len(batch) >= CHUNK_RECORDS:
            yield batch
            batch = []
    if batch:
        yield batch


# -- the workers ---------------------------------------------------------------------------

_SETTINGS: _Settings | None = None
_WRITER_FIRST = 5  # niceness added to import workers


def _start_pool(st: _Settings, workers: int) -> ProcessPoolExecutor:
    # fork: no re-import in the workers, and they start in milliseconds
    method = "fork" if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_init_worker,
        initargs=(st,),
    )


def _init_worker(st: _Settings) -> None:
    global _SETTINGS
    _SETTINGS = st
    if st.prepare is not None:
        # In an import the store writer is the bottleneck: with more processes than CPUs it
        # should get a CPU whenever it can use one (9 % faster on 2 CPUs; reading alone gains nothing).
        try:
            os.nice(_WRITER_FIRST)
        except OSError:
            pass
    # what the fork inherited is never freed here: keep the collector off it (and off its pages)
    gc.freeze()


def _chunk_context(st: _Settings, doc: bytes, base: int, line_offset: int, first: bool) -> ReadContext:
    ctx = ReadContext(st.origin, st.source, st.retrieved_at, count=base, line_offset=line_offset)
    ctx.raw.add(doc)  # the whole chunk at once: record bytes are cut from it without re-joining
    if not first:
        ctx.raw.pos = len(st.prolog)  # search for the first record where the sequential reader would
    return ctx


def _parse_chunk(st: _Settings, data: bytes, base: int, line_offset: int, first: bool) -> tuple[bool, list, int]:
    """A chunk's items parsed in this process: (ok, items, records counted at its end)."""
    doc = st.prolog + data + st.close
    ctx = _chunk_context(st, doc, base, line_offset, first)
    try:
        items = list(_parse_doc(doc, ctx, st.tags))
    except etree.XMLSyntaxError:
        return False, [], ctx.count
    return ctx.raw.ok, items, ctx.count


# What one record costs on the machine the bench ran on (2 CPUs), in microseconds of CPU, with
# the C mapper: parsed and mapped in the main process; parsed, mapped and sent as msgpack by a
# worker; received from one; un-gzipped and cut into chunks, which the main process does for all.
_COST_HERE, _COST_WORKER, _COST_RECEIVE, _COST_SPLIT = 90.0, 110.0, 20.0, 6.0


def _inline_share(pool: int) -> float:
    """The share of the chunks the main process parses itself beside `pool` workers (0: none).

    The share f that keeps all busy: f*here + (1-f)*receive + split = (1-f)*worker/pool. With one
    worker (2 CPUs) that is 0.47; measured, 0.45 and 0.50 read 15,600-16,000 records/s, 0.40
    14,200-14,600 and 0.35 13,000-13,300. From 3 workers on, receiving and cutting are work enough.
    """
    if pool < 1:
        return 0.0
    per_worker = _COST_WORKER / pool
    share = (per_worker - _COST_RECEIVE - _COST_SPLIT) / (_COST_HERE - _COST_RECEIVE + per_worker)
    return share if share > 0.05 else 0.0


def _work(path: str, first: bool) -> tuple[bool, str | None, int, int]:
    """Parse the chunk in file `path`: (ok, the file of its records, their number, its newlines).

    Records go to the file as msgpack frames (see _write_records), prepared copies as pickles.

    The worker does not know where its chunk sits in the file: it numbers its records from 1
    and the main process shifts them. A chunk with anything to report (a bad record, malformed
    XML) is not ok: the main process parses it again knowing its place, for exact messages.
    Items are written in small groups as they come, so few records are alive at once: a chunk's
    worth of live records costs more in garbage collection and cold memory than the writing.
    """
    st = _SETTINGS
    assert st is not None
    with open(path, "rb") as f:
        data = f.read()
    doc = st.prolog + data + st.close
    ctx = _chunk_context(st, doc, 0, 0, first)
    items = _records_only(_parse_doc(doc, ctx, st.tags))
    out = path + ".out"
    try:
        with _no_collection(), open(out, "wb") as f:
            if st.prepare is None:
                for group in in_groups(items, _GROUP):
                    _write_records(group, f)
            else:
                for batch in in_groups(map(st.prepare, items), CHUNK_RECORDS):
                    _register(type(batch[0]))
                    _dump([batch], f)
        if not ctx.raw.ok:  # the sequential reader would hash re-serialised elements from here on
            raise _NotClean
    except (etree.XMLSyntaxError, _NotClean):
        _remove(out)
        return False, None, 0, 0
    return True, out, ctx.count, data.count(b"\n")


class _NotClean(Exception):
    """A chunk a worker cannot give as it is: see _work."""


def _records_only(items: Iterable[Record | ParseIssue]) -> Iterator[Record]:
    for item in items:
        if isinstance(item, ParseIssue):
            raise _NotClean
        yield item


_GROUP = 50


def _parse_doc(doc: bytes, ctx: ReadContext, tags: tuple[str, ...]) -> Iterator[Record | ParseIssue]:
    parser = make_parser(tags)
    for i in range(0, len(doc), CHUNK):
        parser.feed(doc[i : i + CHUNK])
        yield from drain(parser, ctx)
    parser.close()
    yield from drain(parser, ctx)


def _load_groups(path: str, records: bool) -> Iterator[Any]:
    """What _work wrote: its Records (msgpack frames), or its batches of prepared records (pickles)."""
    with open(path, "rb") as f:
        if records:
            decode = _RECORDS_DECODER.decode
            while head := f.read(4):
                frame = f.read(int.from_bytes(head, "little"))
                with _no_collection():
                    group = decode(frame)
                yield from group
            return
        while True:
            try:
                with _no_collection():
                    group = pickle.load(f)
            except EOFError:
                return
            yield from group


# Records travel from a worker as MessagePack, typed by the Record classes themselves: msgspec
# writes them 2.3 times as fast as pickle does and builds them without running __init__.
_RECORDS_ENCODER = msgspec.msgpack.Encoder()
_RECORDS_DECODER = msgspec.msgpack.Decoder(list[Record])
_UNREADABLE = (msgspec.DecodeError, msgspec.ValidationError, OSError)


def _write_records(group: list[Record], f: BinaryIO) -> None:
    frame = _RECORDS_ENCODER.encode(group)
    f.write(len(frame).to_bytes(4, "little"))
    f.write(frame)


@contextmanager
def _no_collection() -> Iterator[None]:
    """Garbage collection off while a batch of records is built: they are all alive and make no
    reference cycles, so collections in the meantime would find nothing and only cost time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# Dataclasses pickled as (class, field values): about twice as fast to write as pickle's default
# for slotted dataclasses, and as fast to read.
def _reducer(cls: type) -> Callable[[Any], tuple]:
    names = [f.name for f in fields(cls)]
    get = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (cls, (get(obj),))
    return lambda obj: (cls, get(obj))


_DISPATCH = {
    cls: _reducer(cls)
    for cls in (
        _rec.Record,
        _rec.Ids,
        _rec.AbstractSection,
        _rec.Author,
        _rec.Journal,
        _rec.DateValue,
        _rec.MeshQualifier,
        _rec.MeshHeading,
        _rec.Grant,
        _rec.Link,
        _rec.Reference,
        _rec.Trial,
        _rec.Provenance,
        ParseIssue,
    )
}


def _register(cls: type) -> None:
    """Pickle what `prepare` gives the fast way too, when it is a dataclass built from its fields."""
    if cls not in _DISPATCH and is_dataclass(cls) and all(f.init for f in fields(cls)):
        _DISPATCH[cls] = _reducer(cls)


class _Pickler(pickle.Pickler):
    dispatch_table = _DISPATCH


def _dump(obj: Any, f: BinaryIO) -> None:
    _Pickler(f, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
