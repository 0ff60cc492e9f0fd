"""PubMed through NCBI E-utilities: esearch (usehistory) then efetch in batches.

PubMed will not page past record 9,999 of one search, so a larger result set is cut into date
slices by halving the range until each slice fits. A WebEnv expires after a while; a part that
is resumed (or whose WebEnv expired mid-way) runs its esearch again and goes on from the stored
offset, unless the count changed meanwhile, in which case the part starts over: upserts are
idempotent, so a repeat costs requests but never duplicates.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Iterator

from lxml import etree

from litwatch.errors import ParseError, SourceError
from litwatch.formats import pubmed_xml
from litwatch.sources.base import Batch, Part, Window, collect_items, stamp
from litwatch.sources.http import BadReply, HttpClient, Reply

__all__ = ["PubMed", "MAX_PER_SEARCH", "EARLIEST", "esearch"]

MAX_PER_SEARCH = 9999
EARLIEST = date(1800, 1, 1)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


class _Expired(Exception):
    """efetch could not use the WebEnv (expired or unknown): search again."""


def _xml(reply: Reply) -> etree._Element:
    try:
        return etree.fromstring(reply.content, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise BadReply(f"invalid XML ({exc})") from None


def _ymd(d: date) -> str:
    return d.strftime("%Y/%m/%d")


def esearch(client: HttpClient, term: str, datetype: str | None, mindate: date | None, maxdate: date | None) -> dict:
    """Count, WebEnv and query_key of a search (no ids: efetch reads them from the history)."""
    params = {"db": "pubmed", "term": term, "usehistory": "y", "retmax": 0}
    if datetype and (mindate or maxdate):
        params.update(datetype=datetype, mindate=_ymd(mindate or EARLIEST), maxdate=_ymd(maxdate or date.today()))
    root = client.get("esearch.fcgi", params, parse=_xml)
    error = root.findtext("ERROR")
    if root.tag != "eSearchResult" or root.findtext("Count") is None:
        if error and _transient(error):
            raise SourceError(f"search backend failed: {error}", source="PubMed", hint="try again in a few minutes")
        raise SourceError(
            f"search refused: {error or 'no Count in the reply'}",
            source="PubMed",
            hint="check the PubMed query syntax (try it at pubmed.ncbi.nlm.nih.gov)",
        )
    return {
        "count": int(root.findtext("Count") or 0),
        "webenv": root.findtext("WebEnv"),
        "query_key": root.findtext("QueryKey"),
        "warnings": [el.text for el in root.iter("OutputMessage", "QuotedPhraseNotFound") if el.text],
    }


def _transient(message: str) -> bool:
    low = message.lower()
    return "backend" in low or "temporarily" in low or "rate limit" in low


class PubMed:
    """Connector: `plan` slices the query into parts, `batches` walks one part with efetch."""

    name = "pubmed"

    def __init__(
        self, client: HttpClient, *, batch_size: int = 200, max_per_search: int = MAX_PER_SEARCH, datetype: str = "pdat"
    ) -> None:
        self.client, self.batch_size, self.max_per_search, self.datetype = client, batch_size, max_per_search, datetype
        self.warnings: list[str] = []

    # -- planning ---------------------------------------------------------------------------
    def plan(self, query: str, window: Window) -> list[Part]:
        if window.since:  # new (entry date) or revised (modification date) since the last run
            until = window.until or date.today()
            return [p for dt in ("edat", "mdat") for p in self._split(query, dt, window.since, until)]
        if window.date_from or window.date_to:
            return self._split(query, self.datetype, window.date_from or EARLIEST, window.date_to or window.until)
        found = esearch(self.client, query, None, None, None)
        if found["count"] <= self.max_per_search:
            return [self._part(query, None, None, None, found)]
        return self._split(query, "edat", EARLIEST, window.until or date.today())

    def _split(self, query: str, datetype: str, lo: date, hi: date | None) -> list[Part]:
        hi = hi or date.today()
        found = esearch(self.client, query, datetype, lo, hi)
        if found["count"] <= self.max_per_search or lo >= hi:
            if found["count"] > self.max_per_search:
                self.warnings.append(
                    f"PubMed: {found['count']} records on {_ymd(lo)} alone; only the first "
                    f"{self.max_per_search} can be fetched (narrow the query)"
                )
            return [self._part(query, datetype, lo, hi, found)] if found["count"] else []
        mid = lo + (hi - lo) // 2
        return self._split(query, datetype, lo, mid) + self._split(query, datetype, mid + timedelta(days=1), hi)

    def _part(self, query: str, datetype: str | None, lo: date | None, hi: date | None, found: dict) -> Part:
        key = f"{datetype}:{_ymd(lo)}-{_ymd(hi)}" if datetype else "all"  # type: ignore[arg-type]
        spec = {"datetype": datetype, "mindate": lo.isoformat() if lo else None, "maxdate": hi.isoformat() if hi else None}
        shown = f"{query} [{key}]" if datetype else query
        return Part(key=key, query=shown, spec={"term": query, **spec}, total=found["count"], state=found)

    # -- fetching ---------------------------------------------------------------------------
    def _search(self, part: Part) -> dict:
        s = part.spec
        to_date = lambda v: date.fromisoformat(v) if v else None  # noqa: E731
        return esearch(self.client, s["term"], s.get("datetype"), to_date(s.get("mindate")), to_date(s.get("maxdate")))

    def batches(self, part: Part, cursor: str | None) -> Iterator[Batch]:
        offset = int(cursor or 0)
        found = part.state or self._search(part)
        if part.total is not None and found["count"] != part.total and offset:
            offset = 0  # the result set moved since the checkpoint: offsets no longer line up
        part.total = found["count"]
        limit = min(part.total, self.max_per_search)
        while offset < limit:
            size = min(self.batch_size, limit - offset)
            try:
                records, issues = self._efetch(part, found, offset, size)
            except _Expired:
                found = part.state = self._search(part)
                records, issues = self._efetch(part, found, offset, size)
            offset += size
            yield Batch(records, issues, str(offset) if offset < limit else None, offset >= limit, part.total)
        if limit == 0:
            yield Batch([], [], None, True, 0)

    def _efetch(self, part: Part, found: dict, offset: int, size: int):
        params = {
            "db": "pubmed",
            "query_key": found["query_key"],
            "WebEnv": found["webenv"],
            "retstart": offset,
            "retmax": size,
            "retmode": "xml",
        }
        origin = f"PubMed efetch: {part.query} (records {offset + 1}-{offset + size})"
        items = self.client.get("efetch.fcgi", params, parse=lambda r: self._articles(r, origin))
        records, issues = collect_items(items, lambda r: r, lambda i, _: f"{origin}: item {i + 1}")
        return stamp(records, "pubmed", part.query), issues

    @staticmethod
    def _articles(reply: Reply, origin: str) -> list:
        root = _xml(reply)  # a truncated body fails here and is fetched again
        if root.tag != "PubmedArticleSet":
            error = root.findtext(".//ERROR") or root.tag
            if "query" in error.lower() or "webenv" in error.lower() or "history" in error.lower():
                raise _Expired(error)
            raise BadReply(f"unexpected efetch reply <{root.tag}>: {error}")
        try:
            return list(pubmed_xml.read_stream(io.BytesIO(reply.content), origin=origin, source="pubmed"))
        except ParseError as exc:
            raise BadReply(str(exc)) from None
