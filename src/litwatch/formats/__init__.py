"""File readers and writers. `FORMATS` maps a format name to its reader module."""

from __future__ import annotations

__all__ = ["FORMATS", "reader_module", "read_file", "read_opened", "reads_in_parallel"]

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
    A big PubMed XML file is read by worker processes (see `reads_in_parallel`): the same items.
    Raises ParseError when the file cannot be read at all, UsageError for an unknown format.
    """
    from litwatch.formats.base import open_input
    from litwatch.formats.detect import detect_format

    if fmt == "auto":
        fmt = detect_format(path)
    reader_module(fmt)  # an unknown format fails before the file is opened
    parallel = reads_in_parallel(path, fmt)
    stream, counter = open_input(path)
    try:
        if parallel:
            from litwatch.formats.pubmed import parallel as pubmed_parallel

            yield from pubmed_parallel.read_pubmed_parallel(stream, origin=str(path))
        else:
            yield from read_opened(stream, fmt, str(path))
    finally:
        stream.close()
        counter.close()  # a GzipFile does not close the file under it


def reads_in_parallel(path: str | Path, fmt: str) -> bool:
    """Whether the file at `path`, read as `fmt`, is read by worker processes: PubMed XML big
    enough for them to pay (`formats.pubmed.parallel.worth_parallel`). `litwatch import` asks too."""
    if fmt != "pubmed-xml":
        return False
    from litwatch.formats.pubmed.parallel import worth_parallel

    return worth_parallel(path)


def read_opened(stream, fmt: str, origin: str) -> Iterator["Record | ParseIssue"]:
    """The items of a stream from `open_input`, read as `fmt` under formats.base.guarded's bounds
    (PubMed XML's reader bounds its own input), with the guard's notes among them."""
    from litwatch.formats.base import guarded

    module = reader_module(fmt)
    if fmt == "pubmed-xml":
        yield from module.read_stream(stream, origin=origin)
        return
    stream, guard = guarded(stream, origin, fmt)
    for item in module.read_stream(stream, origin=origin):
        while guard.notes:
            yield guard.notes.pop(0)
        yield item
    while guard.notes:
        yield guard.notes.pop(0)
