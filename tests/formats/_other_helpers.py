"""Small helpers shared by the tests of the non-PubMed readers and the writers."""

from __future__ import annotations

import io
from pathlib import Path

from litwatch.formats import read_file, reader_module
from litwatch.formats.base import ParseIssue
from litwatch.records import Record

FIXTURES = Path(__file__).parent / "fixtures"


def read_all(path: str | Path, fmt: str = "auto") -> tuple[list[Record], list[ParseIssue]]:
    records: list[Record] = []
    issues: list[ParseIssue] = []
    for item in read_file(path, fmt):
        (records if isinstance(item, Record) else issues).append(item)
    return records, issues


def read_bytes(data: bytes, fmt: str, origin: str = "test-input") -> tuple[list[Record], list[ParseIssue]]:
    records: list[Record] = []
    issues: list[ParseIssue] = []
    for item in reader_module(fmt).read_stream(io.BytesIO(data), origin=origin):
        (records if isinstance(item, Record) else issues).append(item)
    return records, issues


def by_id(records: list[Record], attr: str) -> dict[str, Record]:
    return {getattr(r.ids, attr): r for r in records if getattr(r.ids, attr)}
