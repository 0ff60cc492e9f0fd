"""Europe PMC REST /search with cursorMark paging (resultType=core).

Cursor marks encode the position in a stable sort, so a stored mark resumes a stopped run where
it left off. Records are mapped by `formats.europepmc.record_from_result`, exactly as a saved
search reply is imported, so preprints keep their link to the published version either way.
"""

from __future__ import annotations

from typing import Iterator

from litwatch.sources.base import Batch, Part, Window, collect_items, stamp
from litwatch.sources.http import BadReply, HttpClient, Reply

__all__ = ["EuropePMC", "windowed_query"]


def windowed_query(query: str, window: Window) -> str:
    """The query with the run's date limits in Europe PMC syntax."""
    if window.since:
        since, until = window.since.isoformat(), (window.until.isoformat() if window.until else "3000-01-01")
        return f"({query}) AND (FIRST_IDATE:[{since} TO {until}] OR UPDATE_DATE:[{since} TO {until}])"
    if window.date_from or window.date_to:
        lo = window.date_from.isoformat() if window.date_from else "1800-01-01"
        hi = window.date_to.isoformat() if window.date_to else "3000-01-01"
        return f"({query}) AND (FIRST_PDATE:[{lo} TO {hi}])"
    return query


def _page(reply: Reply) -> dict:
    data = reply.json()
    if not isinstance(data, dict) or not isinstance((data.get("resultList") or {}).get("result", None), list):
        if isinstance(data, dict) and "hitCount" in data and not data.get("resultList"):
            return {"hitCount": data.get("hitCount", 0), "resultList": {"result": []}}
        raise BadReply("no resultList in the reply")
    return data


class EuropePMC:
    name = "europepmc"

    def __init__(self, client: HttpClient, *, page_size: int = 500) -> None:
        self.client, self.page_size = client, min(page_size, 1000)
        self.warnings: list[str] = []

    def plan(self, query: str, window: Window) -> list[Part]:
        q = windowed_query(query, window)
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
