"""One-off look-ups of single works, for checking references: PubMed, Crossref, Europe PMC.

A fetch walks a query's whole result set; an audit asks small questions instead: the work with
this PMID or DOI, the PMID of a citation (ECitMatch), the best matches of a field search or of
a free-text citation (Crossref `query.bibliographic`). Every request goes through the polite
client of `sources/http.py` (rate limits, retries, Retry-After, identification, cache) and every
reply is mapped by the same `formats` mappers a fetch or an import uses, so a looked-up record
is stored exactly like a fetched one.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlsplit

from lxml import etree

from litwatch.errors import ParseError, SourceError
from litwatch.records import Record, normalize_doi
from litwatch.sources.base import collect_items, stamp
from litwatch.sources.http import BadReply, HttpClient, HttpOptions, Reply, limiter_for
from litwatch.services import SOURCES

__all__ = ["Lookup", "CitationQuery", "fetch_page"]

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


@dataclass(frozen=True, slots=True)
class CitationQuery:
    """One line of an ECitMatch request: journal (title or ISO abbreviation), year, volume,
    first page, first author ("mann bj"), and the caller's key."""

    journal: str
    year: str | int
    volume: str
    first_page: str
    author: str
    key: str

    def bdata(self) -> str:
        clean = lambda v: re.sub(r"[|\r\n]+", " ", str(v or "")).strip()  # noqa: E731
        return "|".join(clean(v) for v in (self.journal, self.year, self.volume, self.first_page, self.author,
                                             self.key)) + "|"


class Lookup:
    """Clients for PubMed, Crossref and Europe PMC made on first use; `close()` ends them."""

    def __init__(self, *, transport: Any = None, options: HttpOptions | None = None) -> None:
        self._transport, self._options = transport, options
        self._clients: dict[str, HttpClient] = {}

    def client(self, source: str) -> HttpClient:
        if source not in self._clients:
            self._clients[source] = HttpClient(source, transport=self._transport, options=self._options)
        return self._clients[source]

    def requests(self) -> dict[str, int]:
        return {s: c.stats.requests for s, c in self._clients.items()}

    def close(self) -> None:
        for c in self._clients.values():
            c.close()
        self._clients.clear()

    def __enter__(self) -> "Lookup":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- PubMed -------------------------------------------------------------------------------
    def pubmed_records(self, pmids: list[str]) -> list[Record]:
        """The PubMed records of these PMIDs (efetch XML); unknown PMIDs are simply absent."""
        ids = [p for p in dict.fromkeys(str(p).strip() for p in pmids) if p.isdigit()]
        if not ids:
            return []
        origin = f"PubMed efetch id={','.join(ids)}"

        def parse(reply: Reply) -> list:
            from litwatch.formats import pubmed_xml

            root = _xml(reply)
            if root.tag != "PubmedArticleSet":
                error = root.findtext(".//ERROR") or root.tag
                raise BadReply(f"unexpected efetch reply <{root.tag}>: {error}")
            try:
                return list(pubmed_xml.read_stream(io.BytesIO(reply.content), origin=origin))
            except ParseError as exc:
                raise BadReply(str(exc)) from None

        items = self.client("pubmed").get("efetch.fcgi", {"db": "pubmed", "id": ",".join(ids), "retmode": "xml"},
                                          parse=parse, cache=True)
        records, _ = collect_items(items, lambda r: r, lambda i, _: f"{origin}: item {i + 1}")
        return stamp(records, "pubmed", origin)

    def pubmed_search(self, term: str, *, retmax: int = 5) -> list[str]:
        """PMIDs of a PubMed field search ("title words"[ti] AND liu h[au] AND 2025[dp]), best first."""

        def parse(reply: Reply) -> list[str]:
            root = _xml(reply)
            if root.tag != "eSearchResult":
                raise BadReply(f"unexpected esearch reply <{root.tag}>")
            if root.findtext("Count") is None:
                error = root.findtext("ERROR") or "no Count in the reply"
                raise SourceError(f"search refused: {error}", source="PubMed", hint="check the search term")
            return [el.text for el in root.iter("Id") if el.text]

        return self.client("pubmed").get("esearch.fcgi", {"db": "pubmed", "term": term, "retmax": retmax},
                                         parse=parse, cache=True)

    def ecitmatch(self, citations: list[CitationQuery]) -> dict[str, str | None]:
        """PMID (or None) for each citation's key, from PubMed's citation matcher."""
        if not citations:
            return {}

        def parse(reply: Reply) -> dict[str, str | None]:
            out: dict[str, str | None] = {}
            for line in reply.text().splitlines():
                parts = line.strip().split("|")
                if len(parts) >= 7:
                    pmid = parts[6].strip()
                    out[parts[5].strip()] = pmid if pmid.isdigit() else None
            if not out and reply.text().strip():
                raise BadReply("not an ECitMatch reply")
            return out

        bdata = "\r".join(c.bdata() for c in citations)
        found = self.client("pubmed").get("ecitmatch.cgi", {"db": "pubmed", "retmode": "xml", "bdata": bdata},
                                          parse=parse, cache=True)
        return {c.key: found.get(c.key) for c in citations}

    # -- Crossref -----------------------------------------------------------------------------
    def crossref_work(self, doi: str) -> Record | None:
        """The Crossref work with this DOI, or None when Crossref does not know it."""
        from litwatch.formats.crossref import record_from_work

        norm = normalize_doi(doi)
        if not norm:
            return None
        work = self.client("crossref").get(f"works/{quote(norm, safe='/()')}", parse=_crossref("work"), cache=True,
                                           not_found=lambda r: None)
        if work is None:
            return None
        origin = f"Crossref works/{norm}"
        records, _ = collect_items([work], lambda w: record_from_work(w, origin=origin), lambda i, w: origin)
        return stamp(records, "crossref", origin)[0] if records else None

    def crossref_bibliographic(self, citation: str, *, rows: int = 3) -> list[Record]:
        """Crossref's best matches for a free-text citation, best first (score in extra)."""
        from litwatch.formats.crossref import record_from_work

        msg = self.client("crossref").get("works", {"query.bibliographic": citation[:1000], "rows": rows},
                                          parse=_crossref("work-list"), cache=True)
        origin = f"Crossref query.bibliographic: {citation[:120]}"
        items = [w for w in (msg.get("items") or []) if isinstance(w, dict)]
        records, _ = collect_items(items, lambda w: record_from_work(w, origin=origin), lambda i, w: f"item {i + 1}")
        for rec, work in zip(records, items):
            if isinstance(work.get("score"), (int, float)):
                rec.extra["crossref_score"] = work["score"]
        return stamp(records, "crossref", origin)

    # -- Europe PMC ---------------------------------------------------------------------------
    def europepmc_search(self, query: str, *, page_size: int = 3) -> list[Record]:
        """Europe PMC's first results for a query (DOI:"10.x/y", TITLE:"...", EXT_ID:123)."""
        from litwatch.formats.europepmc import record_from_result

        def parse(reply: Reply) -> list[dict]:
            data = reply.json()
            results = (data.get("resultList") or {}).get("result") if isinstance(data, dict) else None
            if not isinstance(results, list):
                if isinstance(data, dict) and "hitCount" in data:
                    return []
                raise BadReply("no resultList in the reply")
            return results

        results = self.client("europepmc").get(
            "search", {"query": query, "format": "json", "resultType": "core", "pageSize": page_size},
            parse=parse, cache=True)
        origin = f"Europe PMC search: {query}"
        records, _ = collect_items(results, lambda r: record_from_result(r, origin=origin), lambda i, r: f"result {i + 1}")
        return stamp(records, "europepmc", origin)


def _xml(reply: Reply) -> etree._Element:
    try:
        return etree.fromstring(reply.content, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise BadReply(f"invalid XML ({exc})") from None


def _crossref(kind: str):
    def parse(reply: Reply) -> dict:
        data = reply.json()
        if not isinstance(data, dict) or data.get("message-type") != kind or not isinstance(data.get("message"), dict):
            raise BadReply(f"not a Crossref {kind} reply")
        return data["message"]

    return parse


# -- web pages (an article given as a URL) ---------------------------------------------------------

# a page is no registered source: Crossref's row (its base URL is only a placeholder) under its own name and rate
_WEB = replace(SOURCES["crossref"], name="web", labels={"en": "web page"}, rate=(2, 1.0))


class _PageClient(HttpClient):
    """The polite client for one web site: its own rate limit, no service credentials sent.

    sources/http.py knows only the four literature services; a page is fetched through the same
    sending, retry and error code under a rate limit of its own (see the audit's report note).
    """

    def __init__(self, url: str, *, transport: Any = None, options: HttpOptions | None = None) -> None:
        parts = urlsplit(url)
        super().__init__("crossref", base_url=f"{parts.scheme}://{parts.netloc}/", transport=transport, options=options)
        self.source, self.info = "web", _WEB
        self.limiter = limiter_for("web", self.host, *_WEB.rate)

    def _network_hint(self) -> str:
        return "check the address and the network connection, or save the page and audit the file"

    def _refused(self, reply: Reply) -> SourceError:
        return SourceError(f"HTTP {reply.status} for {reply.url}", source="web page",
                           hint="check the address, or save the page and audit the file")


def fetch_page(url: str, *, transport: Any = None, options: HttpOptions | None = None) -> tuple[bytes, str]:
    """(body, content type) of a web page."""
    parts = urlsplit(url)
    path = parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
    with _PageClient(url, transport=transport, options=options) as client:
        reply = client.get(path, parse=lambda r: r)
    return reply.content, (reply.headers.get("content-type") or "").lower()
