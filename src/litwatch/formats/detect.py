"""Format detection from a file's content, and the text decoding policy of the text readers.

`detect_format(path)` reads the first few KB (through `open_input`, so .gz files are looked
into) and names the format; the file name is never trusted.

Decoding policy (`text_lines`): text is read as UTF-8, a leading byte-order mark dropped. A
line that is not valid UTF-8 is decoded as cp1252 (latin-1 for the five bytes cp1252 leaves
undefined), so no character is lost and nothing crashes; the first such line is reported once
as a ParseIssue naming it, and the reading goes on.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from litwatch.errors import ParseError
from litwatch.formats.base import ParseIssue, open_input
from litwatch.formats.gz import READ_ERRORS

__all__ = ["detect_format", "detect_bytes", "text_lines", "decode_line", "FORMAT_HINT", "SNIFF_BYTES"]

SNIFF_BYTES = 32 * 1024

FORMAT_HINT = (
    "litwatch reads pubmed-xml, medline, jats, ctgov-csv, ctgov-json, europepmc, crossref, ris, "
    "bibtex, csv, json-articles and csl-json; name the format with --format if it was not recognised"
)

_TITLE_COLUMNS = {"title", "primary title", "article title", "ti", "document title", "title_clean"}
_BIBTEX = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.M)
_RIS = re.compile(r"^\s*TY {1,2}- ", re.M)
_MEDLINE = re.compile(r"^PMID- ", re.M)
_JSON_ARTICLES = re.compile(r'^\{\s*"\d+"\s*:\s*\{')


def detect_format(path: str | Path) -> str:
    """The format name of the file at `path`, judged from its content; ParseError when unknown."""
    stream, _ = open_input(path)
    try:
        head = stream.read(SNIFF_BYTES)
    except READ_ERRORS as exc:
        raise ParseError(f"cannot read: {exc}", path=str(path)) from None
    finally:
        stream.close()
    return detect_bytes(head, path=str(path))


def detect_bytes(head: bytes, *, path: str | None = None) -> str:
    """The format of a file that starts with `head` (the first few KB)."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text:
        raise ParseError("empty file", path=path)
    if text.startswith("<"):
        return _detect_xml(text, path)
    if text[0] in "{[":
        fmt = _detect_json(text)
        if fmt:
            return fmt
    if _MEDLINE.search(text):
        return "medline"
    if _RIS.search(text):
        return "ris"
    if _BIBTEX.search(text):
        return "bibtex"
    fmt = _detect_csv(text)
    if fmt:
        return fmt
    raise ParseError("unknown file format", path=path, hint=FORMAT_HINT)


def _detect_xml(text: str, path: str | None) -> str:
    if re.search(r"<(PubmedArticleSet|MedlineCitationSet|PubmedArticle|PubmedBookArticle|MedlineCitation)[\s>]", text):
        return "pubmed-xml"
    if re.search(r"<!DOCTYPE\s+article\b", text) or re.search(r"<article[\s>]", text):
        return "jats"
    root = re.search(r"<([A-Za-z][\w:.-]*)", re.sub(r"<[?!][^>]*>", "", text))
    name = root.group(1) if root else "?"
    raise ParseError(f"XML with root <{name}> is not a format litwatch reads", path=path, hint=FORMAT_HINT)


def _detect_json(text: str) -> str | None:
    if text.startswith("{"):
        if '"protocolSection"' in text or re.match(r'\{\s*"studies"\s*:', text):
            return "ctgov-json"
        if '"resultList"' in text or '"hitCount"' in text:
            return "europepmc"
        if '"message-type"' in text:
            return "crossref"
        if _JSON_ARTICLES.match(text) and ('"title"' in text or '"abstract"' in text):
            return "json-articles"
        if '"studies"' in text:
            return "ctgov-json"
        return None
    if re.match(r"\[\s*(\]|\{)", text) and '"type"' in text and ('"title"' in text or '"id"' in text):
        return "csl-json"
    return None


def _detect_csv(text: str) -> str | None:
    first = text.splitlines()[0] if text else ""
    if "NCT Number" in first:
        return "ctgov-csv"
    for delimiter in (",", ";", "\t"):
        try:
            header = next(csv.reader([first], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        names = [h.strip().strip('"').lower() for h in header]
        if len(names) < 2:
            continue
        if _TITLE_COLUMNS & set(names):
            return "csv"
        # a table header without a title column: csv_table says which columns it found
        if all(re.fullmatch(r"[\w .()/-]{1,40}", n) for n in names):
            return "csv"
    return None


# -- decoding ------------------------------------------------------------------------------
def decode_line(raw: bytes) -> tuple[str, bool]:
    """(text, was_utf8) for one line of bytes; non-UTF-8 falls back to cp1252/latin-1."""
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), False
    except UnicodeDecodeError:
        return raw.decode("latin-1"), False


def text_lines(stream: BinaryIO, origin: str, issues: list[ParseIssue]) -> Iterator[str]:
    """Decoded lines of `stream` (line ends kept); the first non-UTF-8 line adds a ParseIssue to `issues`."""
    warned = False
    lineno = 0
    lines = iter(stream)
    while True:
        try:
            raw = next(lines)
        except StopIteration:
            return
        except READ_ERRORS as exc:  # a truncated .gz, a read error
            issues.append(ParseIssue(origin, f"line {lineno + 1}", f"file cut short or unreadable: {exc}"))
            return
        lineno += 1
        if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        line, ok = decode_line(raw)
        if not ok and not warned:
            warned = True
            issues.append(ParseIssue(origin, f"line {lineno}",
                                     "not valid UTF-8: read with cp1252 (and so every such line after it); "
                                     "nothing was skipped", warning=True))
        yield line
