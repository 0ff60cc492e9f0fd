"""Crossref REST: one work by DOI, bibliographic search (for resolving references), and query paging.

Works are mapped by `formats.crossref.record_from_work`, which records retractions and
corrections (update-to, relation). Crossref's own rate limit arrives in x-rate-limit-* headers
and is followed by the HTTP client; a contact e-mail (LITWATCH_EMAIL) puts us in the polite pool.
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import quote

from litwatch.errors import SourceError, UsageError
from litwatch.records import Record, normalize_doi
from litwatch.sources.base import Batch, Part, Window, collect_items, stamp
from litwatch.sources.http import BadReply, HttpClient, Reply

__all__ = ["Crossref", "get_work", "search_bibliographic"]


def _message(kind: str):
    def parse(reply: Reply) -> dict:
        data = reply.json()
        if isinstance(data, dict) and data.get("status") == "failed":  # an error-shaped reply is an error
            detail = " ".join(str(data.get("message", "")).split())[:200]
            raise SourceError(f"request refused ({data.get('message-type', 'error')}): {detail}", source="Crossref",
                              hint="check the DOI or the query")
        if not isinstance(data, dict) or data.get("message-type") != kind or not isinstance(data.get("message"), dict):
            raise BadReply(f"not a Crossref {kind} reply")
        return data["message"]

    return parse


def _map(work: dict, origin: str) -> Record:
    from litwatch.formats.crossref import record_from_work

    return record_from_work(work, origin=origin)


def get_work(client: HttpClient, doi: str) -> Record | None:
    """The work with this DOI, or None when Crossref does not know it."""
    norm = normalize_doi(doi)
    if not norm:
        raise UsageError(f"{doi!r} is not a DOI", hint="a DOI starts with 10., e.g. 10.1371/journal.pone.0033693")
    work = client.get(f"works/{quote(norm, safe='/')}", parse=_message("work"), cache=True, not_found=lambda r: None)
    if work is None:
        return None
    return stamp([_map(work, f"Crossref works/{norm}")], "crossref", norm)[0]


def search_bibliographic(client: HttpClient, citation: str, *, rows: int = 5) -> list[Record]:
    """Best matches for a free-text citation (query.bibliographic), best first."""
    msg = client.get(
        "works", {"query.bibliographic": citation, "rows": rows}, parse=_message("work-list"), cache=True
    )
    origin = f"Crossref query.bibliographic: {citation[:80]}"
    records, _ = collect_items(msg.get("items", []), lambda w: _map(w, origin), lambda i, w: f"item {i + 1}")
    return stamp(records, "crossref", origin)


class Crossref:
    """A query walked with Crossref deep paging (cursor), capped at `max_records` (relevance order)."""

    name = "crossref"

    def __init__(self, client: HttpClient, *, page_size: int = 200, max_records: int = 1000) -> None:
        self.client, self.page_size, self.max_records = client, min(page_size, 1000), max_records
        self.warnings: list[str] = []

    def plan(self, query: str, window: Window) -> list[Part]:
        filters = []
        if window.since:
            filters.append(f"from-index-date:{window.since.isoformat()}")
        else:
            if window.date_from:
                filters.append(f"from-pub-date:{window.date_from.isoformat()}")
            if window.date_to:
                filters.append(f"until-pub-date:{window.date_to.isoformat()}")
        params = {"query.bibliographic": query}
        if filters:
            params["filter"] = ",".join(filters)
        return [Part(key="all", query=" ".join(f"{k}={v}" for k, v in params.items()), spec={"params": params})]

    def batches(self, part: Part, cursor: str | None) -> Iterator[Batch]:
        # cursor = "<offset>|<crossref cursor>": Crossref cursors expire after minutes, so a resumed
        # part starts a fresh cursor and skips the offset already stored
        offset, _, mark = (cursor or "0|*").partition("|")
        seen, skip = 0, int(offset) if mark != "*" else 0
        mark = "*"
        while True:
            params = {**part.spec["params"], "rows": self.page_size, "cursor": mark}
            msg = self.client.get("works", params, parse=_message("work-list"))
            part.total = min(int(msg.get("total-results") or 0), self.max_records)
            items = msg.get("items") or []
            fresh = items[max(0, skip - seen):] if seen < skip else items
            fresh = fresh[: max(0, self.max_records - max(seen, skip))]
            seen += len(items)
            origin = f"Crossref: {part.query}"
            records, issues = collect_items(fresh, lambda w: _map(w, origin), lambda i, w: f"{origin}: {w.get('DOI')}")
            nxt = msg.get("next-cursor")
            done = not items or not nxt or seen >= self.max_records or len(items) < self.page_size
            yield Batch(stamp(records, "crossref", part.query), issues, None if done else f"{seen}|{nxt}", done, part.total)
            if done:
                if seen >= self.max_records and int(msg.get("total-results") or 0) > self.max_records:
                    self.warnings.append(f"Crossref: stopped at {self.max_records} of {msg.get('total-results')} results")
                return
            mark = nxt
