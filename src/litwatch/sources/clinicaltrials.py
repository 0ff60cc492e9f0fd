"""ClinicalTrials.gov API v2: /studies with query.cond / query.intr / query.term and pageToken paging.

A topic's ClinicalTrials.gov query may name the API's query areas, separated by semicolons:
`cond=depression; intr=mesenchymal OR exosome` sends query.cond and query.intr; text without
`area=` goes to query.term. Records are mapped by `formats.ctgov.record_from_study`.
"""

from __future__ import annotations

import re
from typing import Iterator

from litwatch.errors import SourceError
from litwatch.sources.base import Batch, Part, Window, collect_items, stamp
from litwatch.sources.http import BadReply, HttpClient, Reply

__all__ = ["ClinicalTrials", "query_params", "QUERY_AREAS"]

QUERY_AREAS = ("cond", "intr", "term", "titles", "outc", "spons", "lead", "id", "locn")
_AREA = re.compile(r"^\s*(" + "|".join(QUERY_AREAS) + r")\s*[=:]\s*(.+?)\s*$", re.I)


def query_params(query: str, window: Window) -> dict[str, str]:
    """API v2 parameters for a query string and the run's dates."""
    params: dict[str, str] = {}
    for piece in query.split(";"):
        piece = " ".join(piece.split())  # profiles write long queries over several lines
        if not piece:
            continue
        m = _AREA.match(piece)
        area, text = (m.group(1).lower(), m.group(2)) if m else ("term", piece.strip())
        key = f"query.{area}"
        params[key] = f"{params[key]} AND {text}" if key in params else text
    if window.since:
        until = window.until.isoformat() if window.until else "MAX"
        params["filter.advanced"] = f"AREA[LastUpdatePostDate]RANGE[{window.since.isoformat()},{until}]"
    elif window.date_from or window.date_to:
        lo = window.date_from.isoformat() if window.date_from else "MIN"
        hi = window.date_to.isoformat() if window.date_to else "MAX"
        posted = f"AREA[StudyFirstPostDate]RANGE[{lo},{hi}]"
        # and what was updated lately (a trial registered long ago, changed now): Essie expressions
        # join AREA[...] terms with OR / AND and parentheses (clinicaltrials.gov, "Constructing
        # Complex Search Queries"; filter.advanced in the API v2 reference)
        if window.entry_from:
            entry_to = window.entry_to or window.until
            updated = f"AREA[LastUpdatePostDate]RANGE[{window.entry_from.isoformat()},{entry_to or 'MAX'}]"
            posted = f"({posted} OR {updated})"
        params["filter.advanced"] = posted
    return params


def _page(reply: Reply) -> dict:
    data = reply.json()
    if isinstance(data, dict) and not isinstance(data.get("studies"), list):
        message = data.get("message") or data.get("error") or data.get("errorMessage")
        if isinstance(message, str) and message.strip():  # an error-shaped reply is an error
            raise SourceError(f"query refused: {' '.join(message.split())[:200]}", source="ClinicalTrials.gov",
                              hint="check the ClinicalTrials.gov query (cond=...; intr=...; term=...)")
    if not isinstance(data, dict) or not isinstance(data.get("studies"), list):
        raise BadReply("no studies list in the reply")
    return data


class ClinicalTrials:
    name = "clinicaltrials"

    def __init__(self, client: HttpClient, *, page_size: int = 1000) -> None:
        self.client, self.page_size = client, min(page_size, 1000)
        self.warnings: list[str] = []

    def plan(self, query: str, window: Window) -> list[Part]:
        params = query_params(query, window)
        shown = " ".join(f"{k}={v}" for k, v in params.items())
        return [Part(key="all", query=shown, spec={"params": params})]

    def batches(self, part: Part, cursor: str | None) -> Iterator[Batch]:
        token, yielded = cursor, False
        try:
            for batch in self._walk(part, token):
                yielded = True
                yield batch
        except SourceError as exc:
            if yielded or not token or "HTTP 400" not in exc.message:
                raise
            # a page token from a stopped run may have expired: walk the query again from the
            # start (upserts are idempotent, so pages seen before only come back unchanged)
            self.warnings.append("ClinicalTrials.gov: stored page token refused, started the query over")
            yield from self._walk(part, None)

    def _walk(self, part: Part, token: str | None) -> Iterator[Batch]:
        from litwatch.formats.ctgov import record_from_study

        while True:
            params = {**part.spec["params"], "format": "json", "pageSize": self.page_size}
            if token:
                params["pageToken"] = token
            else:
                params["countTotal"] = "true"
            data = self.client.get("studies", params, parse=_page, cache=True)
            if "totalCount" in data:
                part.total = int(data["totalCount"])
            origin = f"ClinicalTrials.gov: {part.query}" + (f" (page {token})" if token else "")
            records, issues = collect_items(
                data["studies"],
                lambda s: record_from_study(s, origin=origin),
                lambda i, s: f"{origin}: study {i + 1} ({_nct(s)})",
            )
            nxt = data.get("nextPageToken")
            done = not nxt or not data["studies"]
            yield Batch(stamp(records, "clinicaltrials", part.query), issues, None if done else nxt, done, part.total)
            if done:
                return
            token = nxt


def _nct(study: dict) -> str:
    try:
        return study["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return "no NCT id"
