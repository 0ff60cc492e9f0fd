"""File readers and writers. `FORMATS` maps a format name to its reader module."""

from __future__ import annotations

__all__ = ["FORMATS", "reader_module"]

import importlib
from types import ModuleType

from litwatch.errors import UsageError

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
