"""Helpers the JSON, CSV, RIS and BibTeX readers share: dates, names, markup, JSON loading."""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from litwatch.errors import ParseError
from litwatch.formats import dates as _dates
from litwatch.clock import utc_now
from litwatch.formats.base import ParseIssue, record_limit
from litwatch.formats.gz import READ_ERRORS
from litwatch.formats.detect import decode_line
from litwatch.records import Author, Provenance, content_hash

__all__ = [
    "ITEM_ERRORS",
    "parse_date_text",
    "date_from_parts",
    "split_authors",
    "person",
    "strip_markup",
    "load_json",
    "salvage_items",
    "salvage_object",
    "make_provenance",
    "clean",
]

# what a malformed item raises inside a mapper; anything else is a bug and propagates
ITEM_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)


_ASCII_SPACE = re.compile(r"[ \t\r\n\f\v]+")


def clean(value: Any) -> str | None:
    """A stripped string with ASCII whitespace runs made one space, or None when empty.

    Other spaces (thin, no-break) are text and are kept.
    """
    if value is None:
        return None
    text = _ASCII_SPACE.sub(" ", str(value)).strip(" ")
    return text or None


# one date parser for every reader: formats.dates (MedlineDate ranges, seasons, ISO, "June 3, 2019")
date_from_parts = _dates.date_from_parts
parse_date_text = _dates.parse_date_text


# -- names ---------------------------------------------------------------------------------
_GROUP = re.compile(r"\b(group|consortium|committee|collaborat\w*|investigators|network|society|association|"
                    r"working party|task force|team|organi[sz]ation|institute|council)\b", re.I)
_INITIALS = re.compile(r"(?:[A-Z][a-z]?\.?[a-z]?\s*-?\s*){1,4}")
_PARTICLES = {"de", "del", "della", "der", "den", "van", "von", "da", "di", "du", "la", "le", "dos", "das", "ter", "ten", "vander", "st", "st."}


def _initials(given: str | None) -> str | None:
    if not given:
        return None
    parts = [p for p in re.split(r"[\s.\-]+", given) if p]
    return "".join(p[0].upper() for p in parts) or None


def person(name: str) -> Author | None:
    """'Family, Given', 'Given Family', 'J Smith', 'de Vreede, Gert-Jan' -> Author."""
    name = clean(name)
    if not name:
        return None
    name = name.strip(" ,;")
    if not name:
        return None
    after_comma = name.partition(",")[2]
    if re.fullmatch(r"\{[^{}]+\}", name) or (_GROUP.search(name) and (not after_comma or len(after_comma.split()) > 3)):
        return Author(collective=name.strip("{}").strip())  # "{The Group}", "COPLANT Study Group"
    if "," in name:
        family, _, given = name.partition(",")
        family, given = family.strip(), given.strip() or None
        return Author(family=family or None, given=given, initials=_initials(given))
    words = name.split()
    if len(words) == 1:
        return Author(family=words[0])
    if re.fullmatch(r"[A-Z]{1,3}", words[-1]) and not re.fullmatch(r"[A-Z]\.?", words[0]):
        return Author(family=" ".join(words[:-1]), initials=words[-1])  # MEDLINE style "Smith JD"
    i = len(words) - 1
    while i > 1 and words[i - 1].lower() in _PARTICLES:
        i -= 1
    given, family = " ".join(words[:i]), " ".join(words[i:])
    return Author(family=family, given=given, initials=_initials(given))


def split_authors(text: str | None) -> list[Author]:
    """Authors from one string: ';'-separated, 'A and B', or 'Given Family, Given Family'."""
    text = clean(text)
    if not text:
        return []
    if ";" in text:
        parts = text.split(";")
    else:
        parts = re.split(r"\s+and\s+|\s*&\s*", text)
        expanded: list[str] = []
        for p in parts:
            chunks = [c.strip() for c in p.split(",") if c.strip()]
            if len(chunks) == 2 and _INITIALS.fullmatch(chunks[1]):
                expanded.append(p)  # "van Zwieten, P A": one name
            elif len(chunks) >= 4 and len(chunks) % 2 == 0 and all(
                    _INITIALS.fullmatch(c) or len(c.split()) == 1 for c in chunks[1::2]):
                expanded += [f"{f}, {g}" for f, g in zip(chunks[::2], chunks[1::2])]  # "Lundell, B., Lings, B."
            elif len(chunks) > 1 and all(len(c.split()) >= 2 for c in chunks):
                expanded += chunks  # "Given Family, Given Family": every chunk a full name
            else:
                expanded.append(p)
        parts = expanded
    return [a for a in (person(p) for p in parts) if a]


# -- markup --------------------------------------------------------------------------------
_TAG = re.compile(
    r"</?(?:[a-z]+:)?(?:h[1-6]|b|i|em|strong|sub|sup|u|p|br|span|scp|sc|small|inf|italic|bold|div|"
    r"title|list|list-item|sec|label|ext-link|xref|underline|monospace|math|mi|mo|mn|mrow|msub|msup|"
    r"mfrac|mtext|mstyle|semantics|annotation|inline-formula|named-content|a|ol|ul|li)"
    r"""(?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s<>]+))*\s*/?>""",
    re.I,
)


def strip_markup(text: str | None) -> str:
    """Text without HTML/JATS inline tags and entities; every character of text kept."""
    if not text:
        return ""
    return html.unescape(_TAG.sub("", text))


# -- JSON and provenance -------------------------------------------------------------------
def salvage_items(text: str, key: str | None) -> list[Any] | None:
    """The complete items of a cut-off JSON array (`"key": [` ..., or a top-level `[` when key is None)."""
    m = re.search(r'"%s"\s*:\s*\[' % re.escape(key), text) if key else re.match(r"\s*\[", text)
    if not m:
        return None
    decoder, pos, items = json.JSONDecoder(), m.end(), []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return items
        try:
            item, pos = decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError):
            return items
        items.append(item)


def salvage_object(text: str) -> dict[str, Any] | None:
    """The complete members of a cut-off top-level JSON object of objects."""
    decoder, out = json.JSONDecoder(), {}
    pos = text.find("{") + 1
    if pos == 0:
        return None
    while True:
        m = re.compile(r'\s*,?\s*"((?:[^"\\]|\\.)*)"\s*:\s*').match(text, pos)
        if not m:
            return out
        try:
            value, pos = decoder.raw_decode(text, m.end())
            name = json.loads(f'"{m.group(1)}"')  # a damaged key (a control character) ends it too
        except (json.JSONDecodeError, RecursionError):
            return out
        out[name] = value


def load_json(stream: BinaryIO, origin: str, salvage: Callable[[str], Any] | None = None) -> tuple[Any, list[ParseIssue]]:
    """The whole JSON document of `stream`; UTF-8 (BOM dropped), cp1252 fallback with an issue.

    Invalid JSON raises ParseError, unless `salvage(text)` recovers the complete items before
    the damage (a cut-off download): then those come back with an issue naming the position.
    """
    issues: list[ParseIssue] = []
    cap = 4 * record_limit()  # one JSON document is read whole: more than this is refused, not held
    try:
        parts, size = [], 0
        while size <= cap:  # a raw stream answers read(n) with what one read gives: ask until the end
            part = stream.read(min(1 << 20, cap + 1 - size))
            if not part:
                break
            parts.append(part)
            size += len(part)
    except READ_ERRORS as exc:
        raise ParseError(f"file cut short or unreadable: {exc}", path=origin) from None
    data = b"".join(parts) if size <= cap else b""
    del parts
    if size > cap:
        raise ParseError(f"a JSON document larger than {cap >> 20} MiB; not read", path=origin,
                         hint="split it into smaller files, or raise LITWATCH_MAX_RECORD_MB (a quarter of the limit)")
    if not data.strip():
        raise ParseError("empty file", path=origin)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        text = "".join(decode_line(chunk)[0] for chunk in data.splitlines(keepends=True))
        issues.append(ParseIssue(origin, f"line {line}", "not valid UTF-8: read with cp1252; nothing was skipped",
                                 warning=True))
    try:
        return json.loads(text), issues
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        rescued = salvage(text) if salvage else None
        if rescued:
            issues.append(ParseIssue(origin, where, f"not valid JSON ({exc.msg}); read the complete items before it"))
            return rescued, issues
        raise ParseError(f"not valid JSON: {exc.msg}", path=origin, location=where) from None
    except RecursionError:
        raise ParseError("JSON nested too deeply", path=origin) from None


def make_provenance(source: str, origin: str, raw: Any, location: str | None) -> Provenance:
    raw_text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, sort_keys=True)
    return Provenance(source=source, origin=origin, retrieved_at=utc_now(),
                      raw_hash=content_hash(raw_text), location=location)


def csv_rows(
    reader: Any, header: list[str], origin: str, issues: list[ParseIssue]
) -> Iterator[tuple[str, dict[str, str]] | ParseIssue]:
    """(location, row) for every well-formed row of a csv.DictReader, a ParseIssue for each bad one
    (a csv error, or more or fewer fields than the header); pending decoding issues come first."""
    n = 0
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield from drain(issues)
            yield ParseIssue(origin, f"line {start}", f"bad CSV: {exc}")
            continue
        if all(not v.strip() if isinstance(v, str) else not any(x.strip() for x in v) if isinstance(v, list) else True
               for v in row.values()):
            continue  # a line of nothing but blanks is a blank line
        n += 1
        yield from drain(issues)
        where = f"row {n} (line {start})"
        if None in row or any(v is None for v in row.values()):
            yield ParseIssue(origin, where, f"expected the {len(header)} columns of the header")
            continue
        yield where, row
    yield from drain(issues)


def csv_records(
    reader: Any, header: list[str], origin: str, issues: list[ParseIssue],
    make: Callable[[dict[str, str], str], Any], what: str,
) -> Iterator[Any]:
    """`make(row, location)` for every well-formed row; a row it cannot map becomes a ParseIssue."""
    for item in csv_rows(reader, header, origin, issues):
        if isinstance(item, ParseIssue):
            yield item
            continue
        where, row = item
        try:
            yield make(row, where)
        except ITEM_ERRORS as exc:
            yield ParseIssue(origin, where, f"cannot read {what}: {exc}")


def drain(issues: list[ParseIssue]) -> Iterator[ParseIssue]:
    while issues:
        yield issues.pop(0)
