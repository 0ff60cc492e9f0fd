"""What every file reader shares: the reader protocol, bad-item reports and input opening.

A reader module exposes

    read_stream(stream: BinaryIO, *, origin: str) -> Iterator[Record | ParseIssue]

It yields Records as it goes (streaming: memory must not grow with the file), and a
ParseIssue for an item it cannot read (with the location: "record 12", "line 340"), then goes
on with the next item. It raises ParseError only when nothing at all can be read (empty file,
not this format). `origin` is the path or URL, used in provenance and messages.

`open_input` hands every reader UTF-8 (or single-byte) bytes: a file starting with a UTF-16 or
UTF-32 byte-order mark is decoded and given on as UTF-8 (an XML declaration naming UTF-16 says
UTF-8 then). `guarded` bounds what the readers other than PubMed XML's (which bounds its own,
see formats.pubmed.stream) see, in time and memory whatever a file holds: a run of whitespace
past 1 MiB is given as one line break (reported once, as a warning), and in line-oriented
formats a line longer than LITWATCH_MAX_RECORD_MB loses its end (reported as an error).

`open_xml` and `root_tag` open the XML readers' input (PubMed, JATS): gzip or not, and the root
element sniffed from the first chunk.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from litwatch import config
from litwatch.errors import ParseError
from litwatch.formats.gz import READ_ERRORS, open_gzip

__all__ = [
    "ParseIssue",
    "open_input",
    "CountingReader",
    "in_groups",
    "guarded",
    "GuardedReader",
    "record_limit",
    "CHUNK",
    "open_xml",
    "root_tag",
]

CHUNK = 1 << 16  # what the XML readers read at a time


@dataclass(slots=True)
class ParseIssue:
    """One item that could not be read; the rest of the file goes on."""

    origin: str
    location: str
    message: str
    warning: bool = False  # True: the item was still read (e.g. decoded as cp1252), nothing was skipped

    def __str__(self) -> str:
        return f"{self.origin}: {self.location}: {self.message}"


def record_limit() -> int:
    """The largest record (bytes) the readers take: LITWATCH_MAX_RECORD_MB."""
    return max(1 << 18, int(config.get_float("max_record_mb") * (1 << 20)))


class CountingReader(io.RawIOBase):
    """Wraps a binary file and counts bytes read from the underlying file, for progress bars."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self._raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.bytes_read += n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_input(path: str | Path) -> tuple[BinaryIO, CountingReader]:
    """Open a file for reading, transparently un-gzipping; returns (stream, counter of raw bytes)."""
    p = Path(path)
    try:
        raw = open(p, "rb")
    except FileNotFoundError:
        raise ParseError("file not found", path=str(p)) from None
    except IsADirectoryError:
        raise ParseError("is a directory, not a file", path=str(p)) from None
    except OSError as exc:
        raise ParseError(f"cannot open: {exc.strerror}", path=str(p)) from None
    counter = CountingReader(raw)
    buffered = io.BufferedReader(counter, buffer_size=1 << 16)
    stream: BinaryIO = buffered
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        stream = open_gzip(buffered)
        if not hasattr(stream, "peek"):  # (both gzip modules' readers have it; a wrapper costs a copy)
            stream = io.BufferedReader(_Raw(stream), buffer_size=1 << 16)
    return _unicode(stream), counter


# -- byte-order marks ------------------------------------------------------------------------
_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


class _Raw(io.RawIOBase):
    """A read()-only stream as a raw stream, so it can be buffered (and peeked at)."""

    def __init__(self, inner: BinaryIO) -> None:
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self._inner.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


class _Transcoded(io.RawIOBase):
    """A UTF-16/UTF-32 stream given on as UTF-8 (the mark dropped, an XML declaration made true)."""

    def __init__(self, inner: BinaryIO, encoding: str, bom: int) -> None:
        self._inner = inner
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        inner.read(bom)
        self._out = b""
        self._first = True
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        while not self._out and not self._eof:
            raw = self._inner.read(1 << 16)
            self._eof = not raw
            text = self._decoder.decode(raw, final=self._eof)
            out = text.encode("utf-8")
            if self._first and out:
                out = _XML_ENCODING.sub(rb"\1\2UTF-8\2", out, count=1)
                self._first = False
            self._out = out
        n = min(len(b), len(self._out))
        b[:n] = self._out[:n]
        self._out = self._out[n:]
        return n

    def close(self) -> None:
        self._inner.close()
        super().close()


def _unicode(stream) -> BinaryIO:
    head = stream.peek(4)[:4]
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return io.BufferedReader(_Transcoded(stream, encoding, len(bom)), buffer_size=1 << 16)
    return stream


# -- bounded input for the readers ----------------------------------------------------------
WS_RUN = 1 << 20  # whitespace past this is given as one line break


class GuardedReader(io.RawIOBase):
    """What a reader (other than PubMed XML's) gets: see the module docstring.

    `notes` collects a ParseIssue for each run of whitespace given as one line break and each
    line whose end was left out; `formats.read_file` yields them with the reader's items.
    """

    def __init__(self, inner: BinaryIO, origin: str, max_line: int | None = None) -> None:
        self._inner, self.origin, self.max_line = inner, origin, max_line
        self.notes: list[ParseIssue] = []
        self._out: list[bytes] = []
        self._held: list[bytes] = []  # a whitespace run under way (up to WS_RUN), or
        self._held_size = 0
        self._held_lines = 0
        self._line = 1  # the file's line of the next line given
        self._partial: list[bytes] = []  # the start of a line whose end has not come yet
        self._partial_len = 0
        self._cutting = False  # leaving out a too long line, up to its line break
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        while not self._out and not self._eof:
            self._pull()
        if not self._out:
            return 0
        data = self._out[0]
        n = min(len(b), len(data))
        b[:n] = data[:n]
        if n < len(data):
            self._out[0] = data[n:]
        else:
            self._out.pop(0)
        return n

    def _pull(self) -> None:
        block = self._inner.read(1 << 16)
        if not block:
            self._eof = True
            self._release()
            self._flush_partial()
            return
        if block.isspace() and (self._held or block[:1] in b" \t\r\n"):
            self._held_size += len(block)
            self._held_lines += block.count(b"\n")
            if self._held_size <= WS_RUN:
                self._held.append(block)
            return
        self._release()
        self._give(block)

    def _release(self) -> None:
        """The whitespace held back: as it was, or (past WS_RUN) as one line break."""
        if not self._held_size:
            return
        if self._held_size <= WS_RUN:
            for part in self._held:
                self._give(part)
        else:
            mb = self._held_size / (1 << 20)
            self.notes.append(ParseIssue(
                self.origin, f"line {self._line}",
                f"{mb:,.0f} MiB of whitespace ({self._held_lines:,} lines) read as one line break; "
                "line numbers after it count it as one line", warning=True))
            self._give(b"\n" if self._held_lines else b" ")
        self._held, self._held_size, self._held_lines = [], 0, 0

    def _give(self, data: bytes) -> None:
        if self.max_line is None:
            self._out.append(data)
            self._line += data.count(b"\n")
            return
        # whole lines go on; a line's start waits for its end, and a line past max_line is left out
        if self._cutting:
            nl = data.find(b"\n")
            if nl < 0:
                return
            self._cutting = False
            data = data[nl:]  # its line break ends the line left out
        last = data.rfind(b"\n")
        if last < 0:
            self._partial.append(data)
            self._partial_len += len(data)
            if self._partial_len > self.max_line:
                self._overlong()
            return
        first = data.find(b"\n")
        if self._partial_len + first > self.max_line:
            self._overlong()
            data = data[first:]
            last -= first
        elif self._partial:
            data = b"".join(self._partial) + data
            last += self._partial_len
        self._partial, self._partial_len = [data[last + 1 :]], len(data) - last - 1
        whole = data[: last + 1]
        self._out.append(whole)
        self._line += whole.count(b"\n")

    def _overlong(self) -> None:
        self.notes.append(ParseIssue(
            self.origin, f"line {self._line}",
            f"longer than {self.max_line / (1 << 20):g} MiB (LITWATCH_MAX_RECORD_MB): left out"))  # type: ignore[operator]
        self._partial, self._partial_len = [], 0
        self._cutting = True

    def _flush_partial(self) -> None:
        if self._partial_len and not self._cutting:
            self._out.append(b"".join(self._partial))
        self._partial, self._partial_len = [], 0

    def close(self) -> None:
        self._inner.close()
        super().close()


LINE_FORMATS = frozenset({"csv", "ctgov-csv", "ris", "medline", "bibtex"})


def guarded(stream: BinaryIO, origin: str, fmt: str) -> tuple[BinaryIO, GuardedReader]:
    """`stream` bounded for the reader of `fmt` (see GuardedReader); (buffered stream, the guard)."""
    guard = GuardedReader(stream, origin, record_limit() if fmt in LINE_FORMATS else None)
    return io.BufferedReader(guard, buffer_size=1 << 16), guard


def in_groups(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """`items` as consecutive lists of `size` (the last one shorter)."""
    group: list[Any] = []
    for item in items:
        group.append(item)
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group


# -- XML input -----------------------------------------------------------------------------
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)")


class _GzipHead:
    """A read()-only stream that replays bytes already read before the rest of `raw`."""

    def __init__(self, head: bytes, raw: BinaryIO) -> None:
        self._head, self._raw = head, raw

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n is None or n < 0:
                out, self._head = self._head + self._raw.read(), b""
            else:
                out, self._head = self._head[:n], self._head[n:]
            return out
        return self._raw.read(n)

    def readinto(self, buffer) -> int:  # ISA-L's GzipFile reads this way
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def open_xml(stream: BinaryIO, origin: str) -> tuple[BinaryIO, bytes]:
    """(stream of XML bytes, its first chunk), un-gzipping when the input is gzip."""
    first = stream.read(CHUNK)
    if first[:2] == b"\x1f\x8b":
        stream = open_gzip(_GzipHead(first, stream))
        try:
            first = stream.read(CHUNK)
        except READ_ERRORS as exc:
            raise ParseError(f"corrupt gzip data ({str(exc)[:80]})", path=origin) from None
    return stream, first


def root_tag(head: bytes, origin: str, accepted: set[str], what: str, expected: str) -> str:
    """The root element's name, sniffed from the first chunk; ParseError if not in `accepted`."""
    hint = f"expected {what} ({expected})"
    if not head.strip():
        raise ParseError("empty file", path=origin, hint=hint)
    m = _FIRST_TAG.search(_COMMENT.sub(b"", head))
    if not m:
        raise ParseError("not XML", path=origin, hint=hint)
    root = m.group(1).decode("ascii", "replace")
    if root not in accepted:
        raise ParseError(
            f"not {what}: the root element is <{root}>",
            path=origin,
            hint=f"{hint}; choose another --format",
        )
    return root
