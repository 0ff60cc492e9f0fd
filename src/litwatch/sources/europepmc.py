"""Europe PMC REST /search with cursorMark paging (resultType=core).

The query's bare words are searched in title, abstract and keywords (`fielded_query`): left
unfielded, Europe PMC searches full texts too. A reply counting hits but holding no resultList
is asked for again, and one shaped as an error (errMsg) is reported as the error it is.

Cursor marks encode the position in a stable sort, so a stored mark resumes a stopped run where
it left off. Records are mapped by `formats.europepmc.record_from_result`, exactly as a saved
search reply is imported, so preprints keep their link to the published version either way.
"""

from __future__ import annotations

import re
from typing import Iterator

from litwatch.errors import SourceError
from litwatch.sources.base import Batch, Part, Window, collect_items, stamp
from litwatch.sources.http import BadReply, HttpClient, Reply

__all__ = ["EuropePMC", "windowed_query", "fielded_query", "FIELDS"]

# Where a bare word of a query is looked for: title, abstract and keywords. Unfielded, Europe PMC
# searches full texts and reference lists too, where "MSC" also matches the degree "MSc".
FIELDS = ("TITLE_ABS", "KW")

_TOKEN = re.compile(
    r'\s+|(?P<paren>[()])|(?P<op>\b(?:AND|OR|NOT)\b)'
    r'|(?P<fielded>[A-Za-z_]+:(?:"[^"]*"|\[[^\]]*\]|\{[^}]*\}|\(|[^\s()"]+))'
    r'|(?P<phrase>"[^"]*")|(?P<word>[^\s()"]+)'
)


def fielded_query(query: str) -> str:
    """The query with each bare word or "phrase" searched in title, abstract and keywords only.

    Words already fielded (TITLE:x, AUTH:"..", PUB_TYPE:..., FIELD:(...)) and the operators
    AND / OR / NOT and parentheses are kept as written.
    """
    out: list[str] = []
    pos, depth_kept = 0, 0  # depth_kept > 0: inside FIELD:( ... ), copied as written
    for m in _TOKEN.finditer(query):
        if m.start() != pos:  # an unbalanced quote: leave the rest as it is
            out.append(query[pos:])
            pos = len(query)
            break
        pos = m.end()
        text = m.group(0)
        if depth_kept:
            depth_kept += text.count("(") - text.count(")") if m.group("paren") or m.group("fielded") else 0
            out.append(text)
            continue
        if m.group("fielded"):
            if text.endswith("("):
                depth_kept = 1
            out.append(text)
        elif m.group("phrase") or m.group("word"):
            out.append("(" + " OR ".join(f"{f}:{text}" for f in FIELDS) + ")")
        else:
            out.append(text)
    if pos < len(query):
        out.append(query[pos:])
    return "".join(out).strip()


def windowed_query(query: str, window: Window) -> str:
    """The query with the run's date limits in Europe PMC syntax."""
    if window.since:
        since, until = window.since.isoformat(), (window.until.isoformat() if window.until else "3000-01-01")
        return f"({query}) AND (FIRST_IDATE:[{since} TO {until}] OR UPDATE_DATE:[{since} TO {until}])"
    if window.date_from or window.date_to:
        lo = window.date_from.isoformat() if window.date_from else "1800-01-01"
        hi = window.date_to.isoformat() if window.date_to else "3000-01-01"
        dates = f"FIRST_PDATE:[{lo} TO {hi}]"
        if window.entry_from:
            entry_to = window.entry_to or window.until
            dates += f" OR FIRST_IDATE:[{window.entry_from.isoformat()} TO {entry_to.isoformat() if entry_to else '3000-01-01'}]"
        return f"({query}) AND ({dates})"
    return query


def _page(reply: Reply) -> dict:
    data = reply.json()
    if not isinstance(data, dict):
        raise BadReply("the reply is not a JSON object")
    results = (data.get("resultList") or {}).get("result") if isinstance(data.get("resultList"), dict) else None
    if isinstance(results, list):
        return data
    message = data.get("errMsg") or data.get("error") or data.get("message")
    if message:  # an error-shaped reply is an error, whatever its HTTP status
        raise SourceError(f"search refused: {_one_line(message)}", source="Europe PMC",
                          hint="check the Europe PMC query syntax (try it at europepmc.org)")
    hits = data.get("hitCount")
    if hits in (0, "0"):
        return {**data, "resultList": {"result": []}}
    # hits counted and none given: a fault of the service (getpapers#114 and #153 tell of such
    # replies), not an empty result; asked again
    raise BadReply(f"hitCount {hits!r} but no resultList" if hits is not None else "no resultList in the reply")


def _one_line(value: object) -> str:
    text = " ".join(str(value).split())
    return text[:200] + ("..." if len(text) > 200 else "")


class EuropePMC:
    name = "europepmc"

    def __init__(self, client: HttpClient, *, page_size: int = 500) -> None:
        self.client, self.page_size = client, min(page_size, 1000)
        self.warnings: list[str] = []

    def plan(self, query: str, window: Window) -> list[Part]:
        q = windowed_query(fielded_query(query), window)
        return [Part(key="all", query=q, spec={"query": q})]

    def batches(self, part: Part, cursor: str | None) -> Iterator[Batch]:
        from litwatch.formats.europepmc import record_from_result

        mark = cursor or "*"
        while True:
            params = {
                "query": part.spec["query"],
                "resultType": "core",
                "format": "json",
                "pageSize": self.page_size,
                "cursorMark": mark,
            }
            data = self.client.get("search", params, parse=_page, cache=True)
            part.total = int(data.get("hitCount") or 0)
            results = data["resultList"]["result"]
            origin = f"Europe PMC search: {part.query} (cursorMark {mark})"
            records, issues = collect_items(
                results,
                lambda r: record_from_result(r, origin=origin),
                lambda i, r: f"{origin}: result {i + 1} ({r.get('source')}/{r.get('id')})",
            )
            nxt = data.get("nextCursorMark")
            done = len(results) < self.page_size or not nxt or nxt == mark
            yield Batch(stamp(records, "europepmc", part.query), issues, None if done else nxt, done, part.total)
            if done:
                return
            mark = nxt
