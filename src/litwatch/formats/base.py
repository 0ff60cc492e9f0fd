"""What every file reader shares: the reader protocol, bad-item reports and input opening.

A reader module exposes

    read_stream(stream: BinaryIO, *, origin: str) -> Iterator[Record | ParseIssue]

It yields Records as it goes (streaming: memory must not grow with the file), and a
ParseIssue for an item it cannot read (with the location: "record 12", "line 340"), then goes
on with the next item. It raises ParseError only when nothing at all can be read (empty file,
not this format). `origin` is the path or URL, used in provenance and messages.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from litwatch.errors import ParseError
from litwatch.formats.gz import open_gzip

__all__ = ["ParseIssue", "open_input", "utc_now", "CountingReader", "in_groups"]


@dataclass(slots=True)
class ParseIssue:
    """One item that could not be read; the rest of the file goes on."""

    origin: str
    location: str
    message: str
    warning: bool = False  # True: the item was still read (e.g. decoded as cp1252), nothing was skipped

    def __str__(self) -> str:
        return f"{self.origin}: {self.location}: {self.message}"


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


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
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        return open_gzip(buffered), counter
    return buffered, counter


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
