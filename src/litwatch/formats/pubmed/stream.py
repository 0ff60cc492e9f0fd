"""PubMed XML cut into records: the sequential reader, in bounded time and memory.

`read_stream` reads the current `PubmedArticleSet` (PubmedArticle, PubmedBookArticle,
DeleteCitation) and the older `MedlineCitationSet` (2016 DTD and before) as a stream: an lxml
pull parser fed 64 KiB chunks, events only for the record elements, and each record released
once mapped (by `mapper.record`), so memory stays flat whatever the file size.

`parse` feeds the un-gzipped blocks of a file to the pull parser with a framer looking at every
block first. The framer knows where each record starts and ends in the bytes, so that:

- a record's exact bytes are at hand for its raw_hash when its end event comes (cut once, never
  by re-joining a growing buffer);
- text between records (4 GB of whitespace in a 4 MB .xml.gz, say) is not given to the parser
  at all once it runs past 64 KiB and holds no markup: the parser would pile it up as the tail
  of the last record. Its lines are counted, so line numbers stay those of the file;
- a record larger than LITWATCH_MAX_RECORD_MB (32 MiB) is reported with its number and line and
  skipped: the parser is dropped and a fresh one, given the file's prolog again, goes on at the
  next record's start tag;
- malformed XML (an over-deep element, a broken tag, junk between records) ends only the record
  it is in: reported with its line, and reading goes on at the next record the same way. What
  follows the last record (or a file cut short) still ends the file with one issue.

Records, issues, their numbers and lines are exactly those of the plain pull parser on any file
it could read to the end.

For the parallel reader (`parallel`), `Splitter` cuts the un-gzipped stream into its prolog,
chunks of whole records and the rest; the workers parse the chunks with the parts here
(`ReadContext`, `make_parser`, `drain`), and `parse_blocks` takes over when a chunk cannot be
given as it is.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lxml import etree

from litwatch.clock import utc_now
from litwatch.formats.base import CHUNK, ParseIssue, open_xml, record_limit, root_tag
from litwatch.formats.gz import READ_ERRORS
from litwatch.formats.pubmed.mapper import BadRecord, record
from litwatch.records import Ids, Provenance, Record

__all__ = [
    "read_stream",
    "SOURCE",
    "parse_blocks",
    "pubmed_root",
    "record_tags",
    "ReadContext",
    "make_parser",
    "drain",
    "Splitter",
    "GAP_DROP",
]

SOURCE = "file:pubmed-xml"
GAP_DROP = 64 << 10  # text between records past this many bytes is not given to the parser
_PROLOG_KEEP = 1 << 20  # a prolog longer than this is not kept for starting again: the rest stops
_PROLOG_LIMIT = 4 << 20  # Splitter: no record start in the first 4 MiB, not worth splitting
_GIANT = 16 << 20  # Splitter: no record end in 16 MiB, the rest is the sequential reader's (which bounds it)

_PROLOG, _GAP, _RECORD, _EPILOG = range(4)

_ROOTS_CURRENT = {"PubmedArticleSet", "PubmedArticle", "PubmedBookArticleSet"}
_ROOTS_OLD = {"MedlineCitationSet", "MedlineCitation"}
_TAGS_CURRENT = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_TAGS_OLD = ("MedlineCitation", "DeleteCitation")


# -- reading ---------------------------------------------------------------------------------


def read_stream(
    stream: BinaryIO, *, origin: str, source: str = SOURCE
) -> Iterator[Record | ParseIssue]:
    """Yield a Record per PubmedArticle / MedlineCitation (and per deleted PMID), or ParseIssues.

    Raises ParseError when nothing can be read: an empty input or another XML root.
    """
    stream, head = open_xml(stream, origin)
    root = pubmed_root(head, origin)
    yield from parse_blocks(_blocks(stream, head), ReadContext(origin, source, utc_now()), record_tags(root), root)


def pubmed_root(head: bytes, origin: str) -> str:
    """The root element of PubMed XML; ParseError for anything else."""
    return root_tag(head, origin, _ROOTS_CURRENT | _ROOTS_OLD, "PubMed XML", "<PubmedArticleSet> or <MedlineCitationSet>")


def record_tags(root: str) -> tuple[str, ...]:
    """The elements that are records under this root."""
    return _TAGS_OLD if root in _ROOTS_OLD else _TAGS_CURRENT


def _blocks(stream: BinaryIO, head: bytes) -> Iterator[bytes]:
    chunk = head
    while chunk:
        yield chunk
        chunk = stream.read(CHUNK)


def make_parser(tags: tuple[str, ...], starts: bool = False) -> etree.XMLPullParser:
    """A pull parser with events for the record elements' ends (and starts, when asked)."""
    return etree.XMLPullParser(
        events=("start", "end") if starts else ("end",),
        tag=tags,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=True,
    )


def parse_blocks(
    blocks: Iterable[bytes], ctx: ReadContext, tags: tuple[str, ...], root: str | None = None
) -> Iterator[Record | ParseIssue]:
    """The reader proper: feed XML blocks, yield what each completed record becomes.

    Memory and time stay bounded whatever the blocks hold (see the module docstring): a giant
    record, or malformed XML inside one, is reported and reading goes on at the next record; a
    read error raised by `blocks` (truncated gzip), or malformed XML after the last record, ends
    the file with one ParseIssue, after every record completed before it. The parallel reader
    calls this too, with `ctx.count` set to the records before its first block.
    """
    limit = record_limit()
    framer = _Framer(tags, f"</{root}>".encode() if root else None, limit)
    ctx.raw = framer
    first_offset = ctx.line_offset  # the file's line of the stream's first line, less one
    parser = make_parser(tags, starts=True)
    it = _sized(blocks)
    pending: bytes | None = None
    while True:
        if pending is not None:
            chunk, pending = pending, None
        else:
            try:
                chunk = next(it, None)
            except READ_ERRORS as exc:
                yield ParseIssue(
                    ctx.origin, ctx.where_next(), f"truncated or corrupt gzip data ({str(exc)[:80]}); stopped here"
                )
                return
            if chunk is None:
                break
        feed, dropped = framer.admit(chunk)
        ctx.line_offset += dropped  # no record spans text left out, so no record's lines move
        if framer.giant:
            issue = _giant_issue(framer, ctx, limit, first_offset)
            pending = yield from _start_again(framer, ctx, it, issue, skip_open=framer.state == _RECORD)
        elif feed is None:
            continue
        else:
            try:
                parser.feed(feed)
            except etree.XMLSyntaxError as exc:
                yield from drain(parser, ctx)
                issue = _syntax_issue(ctx, exc, "")
                pending = yield from _start_again(framer, ctx, it, issue, skip_open=ctx.open is not None)
            else:
                yield from drain(parser, ctx)
                continue
        if pending is None:
            return
        parser = make_parser(tags, starts=True)
        ctx.open = None
        prolog = framer.prolog or b""
        ctx.line_offset = first_offset + framer.lines - prolog.count(b"\n")
        parser.feed(prolog)
    try:
        parser.close()
    except etree.XMLSyntaxError as exc:
        yield from drain(parser, ctx)
        yield _syntax_issue(ctx, exc, "; stopped here")
        return
    yield from drain(parser, ctx)


class _RawItems:
    """The input bytes of each record element, cut from the fed chunks, for `raw_hash`.

    Events arrive in document order and only after their closing tag was fed, so the n-th
    record is the next `<Tag ...>...</Tag>` after the previous one. Hashing these bytes is
    several times cheaper than re-serialising the element; if the cut ever fails (an odd
    closing tag, a non-ASCII-compatible encoding) it gives up for the rest of the file and
    the caller serialises instead.
    """

    __slots__ = ("buf", "pos", "ok")
    _patterns: dict[str, tuple[re.Pattern[bytes], bytes]] = {}  # tag -> (its start tag, its end tag)

    def __init__(self) -> None:
        self.buf, self.pos, self.ok = b"", 0, True

    def add(self, chunk: bytes) -> None:
        if self.ok:
            self.buf = self.buf[self.pos :] + chunk if self.pos < len(self.buf) else chunk
            self.pos = 0

    def take(self, tag: str) -> bytes | None:
        if not self.ok:
            return None
        patterns = self._patterns.get(tag)
        if patterns is None:
            patterns = self._patterns[tag] = (re.compile(b"<" + tag.encode() + rb"[\s>/]"), b"</" + tag.encode() + b">")
        start_re, close = patterns
        buf = self.buf
        m = start_re.search(buf, self.pos)
        end = buf.find(close, m.end()) if m else -1
        if end < 0:
            self.ok, self.buf = False, b""
            return None
        self.pos = end = end + len(close)
        return buf[m.start() : end]


class ReadContext:
    """What a read carries from record to record: numbering, provenance, raw-byte cutting.

    `count` is the number of records before the next one ("record N" is global, also when a
    parallel worker reads a chunk from the middle of the file); `line_offset` is added to lxml's
    line numbers for the same reason.
    """

    __slots__ = ("origin", "source", "retrieved_at", "count", "raw", "line_offset", "open")

    def __init__(self, origin: str, source: str, retrieved_at: str, count: int = 0, line_offset: int = 0) -> None:
        self.origin, self.source, self.retrieved_at = origin, source, retrieved_at
        self.count = count
        self.line_offset = line_offset
        self.raw = _RawItems()  # parse_blocks puts its framer here
        self.open: etree._Element | None = None  # the record element started and not yet ended

    def line(self, el: etree._Element) -> int | None:
        n = el.sourceline
        return n + self.line_offset if n else n

    def where_next(self) -> str:
        return f"after record {self.count}" if self.count else "before the first record"

    def provenance(self, raw: bytes) -> list[Provenance]:
        return [
            Provenance(self.source, self.origin, self.retrieved_at, hashlib.sha1(raw).hexdigest(), f"record {self.count}")
        ]


def drain(parser: etree.XMLPullParser, ctx: ReadContext) -> Iterator[Record | ParseIssue]:
    """What the records the parser completed become (mapped by `mapper.record`), each released."""
    for event, el in parser.read_events():
        if event == "start":
            ctx.open = el
            continue
        ctx.open = None
        tag = el.tag
        raw = ctx.raw.take(tag)
        if tag == "DeleteCitation":
            yield from _deletions(el, ctx)
        else:
            ctx.count += 1
            try:
                yield record(el, ctx.provenance(raw if raw is not None else etree.tostring(el)))
            except BadRecord as exc:
                yield ParseIssue(ctx.origin, f"record {ctx.count} (line {ctx.line(el)})", str(exc))
            except Exception as exc:  # a damaged record must not stop the file
                yield ParseIssue(
                    ctx.origin, f"record {ctx.count} (line {ctx.line(el)})", f"unreadable record: {exc!r}"
                )
        _release(el)


def _release(el: etree._Element) -> None:
    """Free a finished record and the siblings before it, keeping memory flat."""
    el.clear(keep_tail=True)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def _deletions(el: etree._Element, ctx: ReadContext) -> Iterator[Record | ParseIssue]:
    for p in el.iterchildren("PMID"):
        ctx.count += 1
        pmid = (p.text or "").strip()
        if not pmid.isdigit():
            yield ParseIssue(ctx.origin, f"record {ctx.count} (line {ctx.line(p)})", "DeleteCitation without a PMID")
            continue
        yield Record(ids=Ids(pmid=pmid), deleted=True, provenance=ctx.provenance(etree.tostring(p)))


# -- the framer ------------------------------------------------------------------------------


class _Framer:
    """Where the records are in the bytes given to the parser; see the module docstring.

    `admit(block)` scans a block and says what of it the parser gets. Offsets are absolute
    (bytes of the stream, given or left out, before a point) and `lines` counts the newlines
    before `offset`, the next byte to come.
    """

    def __init__(self, tags: tuple[str, ...], root_close: bytes | None, limit: int) -> None:
        alternatives = b"|".join(re.escape(t.encode()) for t in tags)
        root = rb"|(?P<root>" + re.escape(root_close[1:]) + rb")" if root_close else b""
        self._start = re.compile(rb"<(?:(?P<tag>" + alternatives + rb")[\s>/]" + root + rb")")
        self._closes = {t: b"</" + t.encode() + b">" for t in tags}
        self._keep = max(len(t) for t in tags) + 3  # a start tag cut at a block's end
        self.limit = limit
        self.state = _PROLOG
        self.offset = 0
        self.lines = 0
        self.carry = b""  # the unscanned end of what was given (a tag that may be cut in two), counted already
        self.tag: str | None = None
        self.parts: list[bytes] = []
        self.size = 0  # of the record under way, or of the text between records given so far
        self.gap_clean = True  # nothing since the last '>' that leaving out a block could split ('<', '&')
        self.prolog_parts: list[bytes] | None = []
        self.prolog_size = 0
        self.prolog: bytes | None = None
        self.prolog_checked: bool | None = None
        self.starts: deque[int] = deque()  # records started and not yet ended for the parser
        self.queue: deque[bytes] = deque()  # bytes of records complete and not yet taken
        self.ok = True  # False: raw bytes no longer line up with the parser's records
        self.giant = False
        self.mark: tuple[int, bytes, int] = (0, b"", 0)  # where the record or gap under way began: lines, buf, pos
        self.seen: deque[tuple[int, int, bytes]] = deque(maxlen=3)  # (offset, lines before, bytes) given lately
        self.last_resume = -1

    # -- what the parser gets --------------------------------------------------------------
    def admit(self, block: bytes) -> tuple[bytes | None, int]:
        """(the bytes of `block` to give the parser, or None; newlines left out before them)."""
        dropped = 0
        if self.state != _RECORD and self.gap_clean and not self.carry and self.size >= GAP_DROP:
            if self.state == _EPILOG:
                cut = -1 if block.isspace() else 0
            else:
                cut = _first(block.find(b"<"), block.find(b"&"))
            if cut != 0:
                left_out = block if cut < 0 else block[:cut]
                dropped = left_out.count(b"\n") if b"\n" in left_out else 0
                self.offset += len(left_out)
                self.lines += dropped
                if cut < 0:
                    return None, dropped
                block = block[cut:]
        self.seen.append((self.offset, self.lines, block))
        self._scan(block)
        self.offset += len(block)
        self.lines += block.count(b"\n")
        return block, dropped

    def _scan(self, block: bytes) -> None:
        buf = self.carry + block if self.carry else block
        lines_before = self.lines - self.carry.count(b"\n")
        base = self.offset - len(self.carry)
        self.carry = b""
        i = 0
        while i < len(buf):
            if self.state == _RECORD:
                close = self._closes[self.tag]  # type: ignore[index]
                k = buf.find(close, i)
                if k < 0:
                    keep = max(i, len(buf) - len(close) + 1)
                    self._grow(buf[i:keep])
                    self.carry = buf[keep:]
                    return
                end = k + len(close)
                self._grow(buf[i:end])
                if self.giant:
                    self.carry = buf[end:]
                    return
                self.queue.append(b"".join(self.parts))
                self._to_gap()
                i = end
                continue
            if self.state == _EPILOG:
                return
            m = self._start.search(buf, i)
            if m is None:
                lt = buf.rfind(b"<", max(i, len(buf) - self._keep))
                end = lt if lt >= 0 else len(buf)
                self._between(buf[i:end], lines_before, buf, i)
                self.carry = buf[end:]
                return
            self._between(buf[i : m.start()], lines_before, buf, i)
            if self.giant:
                self.carry = buf[m.start() :]
                return
            if m.group("root") is not None:
                self.state = _EPILOG
                return
            self._begin(m.group("tag").decode(), lines_before, buf, m.start(), base)
            gt = buf.find(b">", m.end() - 1)
            if gt > 0 and buf[gt - 1 : gt] == b"/":  # <DeleteCitation/>: a record of one tag
                self.queue.append(buf[m.start() : gt + 1])
                self._to_gap()
                i = gt + 1
            else:
                i = m.start()

    def _begin(self, tag: str, lines_before: int, buf: bytes, pos: int, base: int) -> None:
        if self.prolog_parts is not None:
            joined = b"".join(self.prolog_parts)
            self.prolog = joined if len(joined) <= _PROLOG_KEEP else None
            self.prolog_parts = None
        self.state, self.tag, self.parts, self.size = _RECORD, tag, [], 0
        self.mark = (lines_before, buf, pos)
        self.starts.append(base + pos)

    def _grow(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)
        if self.size > self.limit:
            self.giant = True

    def _between(self, data: bytes, lines_before: int, buf: bytes, pos: int) -> None:
        if not data:
            return
        if self.state == _PROLOG and self.prolog_parts is not None:
            self.prolog_parts.append(data)
            self.prolog_size += len(data)
            if self.prolog_size > _PROLOG_KEEP:
                self.prolog_parts = None
        if self.size == 0:
            self.mark = (lines_before, buf, pos)
        self.size += len(data)
        gt = data.rfind(b">")
        rest = data[gt + 1 :] if gt >= 0 else data
        clean = b"<" not in rest and b"&" not in rest
        self.gap_clean = clean if gt >= 0 else (self.gap_clean and clean)
        if self.size > self.limit and not self.gap_clean:
            self.giant = True  # markup or entities between records past the limit: neither left out nor piled up

    def _to_gap(self) -> None:
        self.state, self.tag, self.parts, self.size, self.gap_clean = _GAP, None, [], 0, True

    def mark_line(self) -> int:
        """Newlines before the start of the record (or text between records) under way."""
        lines, buf, pos = self.mark
        return lines + buf.count(b"\n", 0, pos)

    # -- raw bytes for the parser's records ------------------------------------------------
    def take(self, tag: str) -> bytes | None:
        """The bytes of the record the parser just ended (see pubmed_xml.drain)."""
        if self.starts:
            self.starts.popleft()
        if not self.ok:
            return None
        if self.queue and self.queue[0].startswith(b"<" + tag.encode()):
            return self.queue.popleft()
        self.ok = False  # out of step (a closing tag in a comment, say): the caller serialises from here
        self.queue.clear()
        return None

    # -- starting again --------------------------------------------------------------------
    def _lines_at(self, offset: int) -> int | None:
        for at, lines, data in self.seen:
            if at <= offset <= at + len(data):
                return lines + data.count(b"\n", 0, offset - at)
        return None

    def _given_from(self, offset: int) -> bytes | None:
        parts: list[bytes] = []
        for at, _, data in self.seen:
            if at + len(data) <= offset:
                continue
            if at > offset and not parts:
                return None
            parts.append(data[max(0, offset - at) :])
        return b"".join(parts) if parts else None

    def resume_here(self, skip_open: bool) -> bytes | None:
        """After a failure: the bytes from the next record start already given (the failing record
        left out when `skip_open`), the framer set to scan them again; None if there is none at hand."""
        known = list(self.starts)[1:] if skip_open else list(self.starts)
        known = [s for s in known if s > self.last_resume]
        if not known:
            return None
        at = known[0]
        data, lines = self._given_from(at), self._lines_at(at)
        if data is None or lines is None:
            return None
        self._reset(at, lines)
        return data

    def seek(self, block: bytes) -> bytes | None:
        """Look for the next record start in what is left unscanned and then in `block` (not given to
        any parser); the bytes from it on, the framer set to scan them, or None."""
        buf = self.carry + block if self.carry else block
        lines_before = self.lines - self.carry.count(b"\n")
        base = self.offset - len(self.carry)
        self.carry = b""
        pos = 0
        while True:
            m = self._start.search(buf, pos)
            if m is None or m.group("tag") is not None:
                break
            pos = m.end()  # the root's end tag: not a record
        if m is None:
            lt = buf.rfind(b"<", max(0, len(buf) - self._keep))
            end = lt if lt >= 0 else len(buf)
            self.carry = buf[end:]
            self.offset += len(block)
            self.lines += block.count(b"\n")
            return None
        self._reset(base + m.start(), lines_before + buf.count(b"\n", 0, m.start()))
        return buf[m.start() :]

    def _reset(self, offset: int, lines: int) -> None:
        self.offset, self.lines, self.carry = offset, lines, b""
        self.queue.clear()
        self.starts.clear()
        self.seen.clear()
        self.state, self.tag, self.parts, self.size, self.gap_clean = _GAP, None, [], 0, True
        self.giant = False
        self.last_resume = offset


def _first(*positions: int) -> int:
    found = [p for p in positions if p >= 0]
    return min(found) if found else -1


def _sized(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """Blocks of at most CHUNK bytes (a caller may hand over megabytes at once)."""
    for block in blocks:
        if len(block) <= CHUNK:
            yield block
            continue
        view = memoryview(block)
        for i in range(0, len(block), CHUNK):
            yield bytes(view[i : i + CHUNK])


def _start_again(framer: _Framer, ctx, it: Iterator[bytes], issue: ParseIssue, *, skip_open: bool):
    """After a failure: yield the issue; return the bytes from the next record start on (None: none)."""
    if skip_open:
        ctx.count += 1  # the record given up on keeps its number
    ctx.open = None
    resumed = None
    if framer.prolog is not None and not _prolog_ok(framer.prolog, framer):
        framer.prolog = None
    if framer.prolog is not None:  # a fresh parser needs the file's prolog
        resumed = framer.resume_here(skip_open)
        block: bytes | None = b""  # first what is left of the bytes scanned
        while resumed is None and block is not None:
            resumed = framer.seek(block)
            if resumed is None:
                try:
                    block = next(it, None)
                except READ_ERRORS:
                    block = None
    issue.message += "; went on at the next record" if resumed is not None else "; stopped here"
    yield issue
    return resumed


def _prolog_ok(prolog: bytes, framer: _Framer) -> bool:
    """Whether a fresh parser takes the prolog (a damaged one would fail again at once)."""
    if framer.prolog_checked is None:
        try:
            make_parser(tuple(framer._closes)).feed(prolog)
            framer.prolog_checked = True
        except etree.XMLSyntaxError:
            framer.prolog_checked = False
    return framer.prolog_checked


def _giant_issue(framer: _Framer, ctx, limit: int, first_offset: int) -> ParseIssue:
    line = first_offset + framer.mark_line() + 1
    mb = limit / (1 << 20)
    if framer.state == _RECORD:
        return ParseIssue(ctx.origin, f"record {ctx.count + 1} (line {line})",
                          f"a record larger than {mb:g} MiB (LITWATCH_MAX_RECORD_MB); skipped")
    return ParseIssue(ctx.origin, f"line {line}, {ctx.where_next()}",
                      f"more than {mb:g} MiB of markup between records; skipped")


def _syntax_issue(ctx, exc: etree.XMLSyntaxError, then: str) -> ParseIssue:
    line = getattr(exc, "lineno", None)
    if line:
        line += ctx.line_offset
    where = f"line {line}, {ctx.where_next()}" if line else ctx.where_next()
    msg = str(getattr(exc, "msg", "") or exc).split(" (<string>")[0]
    # libxml2 counts the lines it was given, not the file's (text left out, a fresh parser after a
    # failure): its own line numbers go; the location names the file's line
    msg = _LIBXML_LINES.sub("", msg).strip(" ,")
    return ParseIssue(ctx.origin, where, f"malformed XML ({msg}){then}")


_LIBXML_LINES = re.compile(r",? line \d+(?:, column \d+)?")


# -- chunks of whole records, for the parallel reader --------------------------------------


class Splitter:
    """The un-gzipped stream as: prolog, chunks of whole records, the rest.

    Reads CHUNK-sized blocks as the sequential reader does, so a corrupt gzip stream ends at
    the same byte; a read error is kept and raised again, in its place, by `rest()`. A chunk is
    cut after the last record end once about `chunk_records` records' worth of bytes are in.
    It never scans a whole chunk: counting its records and lines here took the main process as
    long as un-gzipping it, so whoever parses a chunk counts them (see parallel._Pipeline._collect).
    """

    def __init__(self, stream: BinaryIO, head: bytes, tags: tuple[str, ...], chunk_records: int) -> None:
        self._stream = stream
        self._parts = [head]
        self._size = len(head)
        self._closes = [b"</" + t.encode() + b">" for t in tags]
        self._starts = re.compile(b"<(?:" + b"|".join(t.encode() for t in tags) + rb")[\s>/]")
        self._chunk_records = chunk_records
        self._record_bytes = 0  # bytes per record, from the chunks parsed so far
        self._learnt_bytes = 0  # ... of which parsed, holding _learnt_records records
        self._learnt_records = 0
        self._sizes: deque[int] = deque()  # the sizes of the chunks cut and not yet parsed
        self._cut_any = False
        self._eof = False
        self.error: BaseException | None = None
        self.col = 0  # bytes since the last newline before what is left

    @property
    def at_end(self) -> bool:
        return self._eof

    def _read(self) -> bool:
        if self._eof:
            return False
        try:
            block = self._stream.read(CHUNK)
        except READ_ERRORS as exc:
            self.error, self._eof = exc, True
            return False
        if not block:
            self._eof = True
            return False
        self._parts.append(block)
        self._size += len(block)
        return True

    def _joined(self) -> bytes:
        if len(self._parts) != 1:
            self._parts = [b"".join(self._parts)]
        return self._parts[0]

    def _consume(self, n: int) -> bytes:
        buf = self._joined()
        data, rest = buf[:n], buf[n:]
        self._parts, self._size = [rest], len(rest)
        nl = data.rfind(b"\n")
        self.col = len(data) - nl - 1 if nl >= 0 else self.col + len(data)
        return data

    def prolog(self) -> bytes | None:
        """The bytes before the first record's start tag; None when there is nothing safe to cut."""
        while True:
            m = self._starts.search(self._joined())
            if m or self._size > _PROLOG_LIMIT or not self._read():
                break
        if m is None:
            return None
        head = self._joined()[: m.start()]
        if b"<!--" in head or b"<![CDATA[" in head:
            return None  # a closing tag could hide in there; not worth the risk
        return self._consume(m.start())

    def learn(self, records: int) -> None:
        """The oldest chunk cut and not yet learnt from held `records` records: size chunks by it."""
        self._learnt_bytes += self._sizes.popleft() if self._sizes else 0
        self._learnt_records += records
        if self._learnt_records:
            self._record_bytes = max(1, self._learnt_bytes // self._learnt_records)

    def next_chunk(self) -> tuple[bytes, int, bool] | None:
        """The next run of about `chunk_records` whole records (fewer at the end), as (its bytes,
        bytes between the last newline before it and its start, whether it is the first); None
        after the last."""
        if not self._record_bytes:  # first chunk: guess the record size from what is in already
            buf = self._joined()
            n = sum(buf.count(c) for c in self._closes)
            self._record_bytes = max(1, self._cut(buf, len(buf)) // n) if n else CHUNK
        want = self._chunk_records * self._record_bytes
        while True:
            while self._size < want and self._read():
                pass
            buf = self._joined()
            cut = self._cut(buf, want)
            if cut > 0:
                break
            if self._eof or self._size >= _GIANT:
                return None
            want = max(self._size + CHUNK, 2 * want)  # doubling: re-joining and re-scanning stay linear
        col, first = self.col, not self._cut_any
        data = self._consume(cut)
        self._cut_any = True
        self._sizes.append(len(data))
        return data, col, first

    def _cut(self, buf: bytes, want: int) -> int:
        """The end of the last record closing tag in buf[:want], else of the first one after; 0: none."""
        near = max(0, want - 2 * CHUNK)
        for start, end in ((near, want), (0, near)):  # the newest bytes first: absent tags cost a scan
            ends = [at + len(c) for c in self._closes if (at := buf.rfind(c, start, end)) >= 0]
            if ends:
                return max(ends)
        ends = [at + len(c) for c in self._closes if (at := buf.find(c, max(0, want - len(c)))) >= 0]
        return min(ends) if ends else 0

    def take_rest(self) -> bytes:
        """Everything left, once the stream is read to its end (normally the root's end tag)."""
        while self._read():
            pass
        return self._consume(self._size)

    def rest(self) -> Iterator[bytes]:
        """What is left of the buffer, then the rest of the stream, then its read error if any."""
        if self._size:
            yield self._consume(self._size)
        while self._read():
            yield self._consume(self._size)
        yield from self.raise_error()

    def raise_error(self) -> Iterator[bytes]:
        if self.error is not None:
            raise self.error
        yield from ()
