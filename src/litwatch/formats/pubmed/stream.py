"""The sequential PubMed XML reader's loop: blocks to the pull parser, in bounded time and memory.

`parse` feeds the un-gzipped blocks of a file to lxml's pull parser, as `pubmed_xml.read_stream`
always did, with a framer looking at every block first. The framer knows where each record
starts and ends in the bytes, so that:

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
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator

from lxml import etree

from litwatch import config
from litwatch.formats.base import ParseIssue
from litwatch.formats.gz import READ_ERRORS
from litwatch.records import Record

__all__ = ["parse", "record_limit", "GAP_DROP"]

CHUNK = 1 << 16
GAP_DROP = 64 << 10  # text between records past this many bytes is not given to the parser
_PROLOG_KEEP = 1 << 20  # a prolog longer than this is not kept for starting again: the rest stops

_PROLOG, _GAP, _RECORD, _EPILOG = range(4)


def record_limit() -> int:
    """The largest record (bytes) the readers take: LITWATCH_MAX_RECORD_MB."""
    return max(1 << 18, int(config.get_float("max_record_mb") * (1 << 20)))


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


def parse(blocks: Iterable[bytes], ctx, tags: tuple[str, ...], root: str | None = None) -> Iterator[Record | ParseIssue]:
    """Records and issues of the blocks (see the module docstring); `ctx` is a pubmed_xml.ReadContext."""
    from litwatch.formats.pubmed_xml import drain, make_parser

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
    from litwatch.formats.pubmed_xml import make_parser

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
