"""File readers and writers. `FORMATS` maps a format name to its reader module."""

from __future__ import annotations

__all__ = ["FORMATS", "reader_module", "read_file"]

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from litwatch.errors import UsageError

if TYPE_CHECKING:
    from litwatch.formats.base import ParseIssue
    from litwatch.records import Record

# format name -> module under litwatch.formats exposing read_stream(stream, *, origin)
FORMATS: dict[str, str] = {
    "pubmed-xml": "pubmed_xml",
    "medline": "medline_text",
    "jats": "jats",
    "ctgov-csv": "ctgov",
    "ctgov-json": "ctgov",
    "europepmc": "europepmc",
    "crossref": "crossref",
    "ris": "ris",
    "bibtex": "bibtex",
    "csv": "csv_table",
    "json-articles": "json_articles",
    "csl-json": "csl_json",
}


def reader_module(fmt: str) -> ModuleType:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", hint="choose one of: auto, " + ", ".join(FORMATS))
    return importlib.import_module(f"litwatch.formats.{FORMATS[fmt]}")


def read_file(path: str | Path, fmt: str = "auto") -> Iterator["Record | ParseIssue"]:
    """Read the file at `path` (gzip aware) as `fmt` ("auto": detected from the content).

    Yields Records and, for items that could not be read, ParseIssues (see formats/base.py).
    Raises ParseError when the file cannot be read at all, UsageError for an unknown format.
    """
    from litwatch.formats.base import open_input
    from litwatch.formats.detect import detect_format

    if fmt == "auto":
        fmt = detect_format(path)
    module = reader_module(fmt)
    stream, counter = open_input(path)
    try:
        yield from module.read_stream(stream, origin=str(path))
    finally:
        stream.close()
        counter.close()  # a GzipFile does not close the file under it
