"""PubMed through NCBI E-utilities: esearch (usehistory) then efetch in batches.

PubMed will not page past record 9,999 of one search, so a larger result set is cut into date
slices by halving the range until each slice fits. A WebEnv expires after a while (NCBI's rule
of thumb is 8 hours: github.com/ropensci/rentrez/issues/110); a part that is resumed (or whose
WebEnv expired mid-way) runs its esearch again and goes on from the stored offset, unless the
count changed meanwhile, in which case the part starts over: upserts are idempotent, so a
repeat costs requests but never duplicates.

Each search also lists its PMIDs (a part holds at most 9,999), and every efetch batch is checked
against the PMIDs it should hold: NCBI sometimes answers with fewer articles than asked for
(github.com/skoval/RISmed/issues/12, wcmc-its/ReCiter#41), and the missing ones are asked for
again by id, never skipped.

How E-utilities fails, and what this module does about it:
- efetch answers HTTP 400 with an <eFetchResult><ERROR>Cannot retrieve history data...</ERROR>
  body when the history server dropped the WebEnv (the 400 + eFetchResult shape:
  github.com/massimoaria/pubmedR/issues/7): search again, go on from the same offset;
- esearch answers HTTP 200 with <ERROR>Search Backend failed: ...</ERROR> and no Count, an
  intermittent fault (github.com/biopython/biopython/issues/3890, #5025): retried with backoff;
  the same words with "out of acceptable range" are no passing fault (#4189): one-line error;
- esearch lists what it could not use in <ErrorList> (PhraseNotFound, FieldNotFound) and
  <WarningList> (PhraseIgnored, QuotedPhraseNotFound, OutputMessage): these become the run's
  warnings, which the report's method section shows;
- the JSON 429 without Retry-After is handled by the HTTP client (sources/http.py);
- a query longer than 2,000 characters is sent by POST (NCBI asks for POST for long requests:
  "The E-utilities In-Depth", www.ncbi.nlm.nih.gov/books/NBK25499/).
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Iterator

from lxml import etree

from litwatch.errors import ParseError, SourceError
from litwatch.formats import pubmed_xml
from litwatch.sources.base import Batch, Part, Window, collect_items, stamp
from litwatch.sources.http import BadReply, HttpClient, Reply

__all__ = ["PubMed", "MAX_PER_SEARCH", "EARLIEST", "POST_ABOVE", "esearch", "efetch_ids", "search_warnings"]

MAX_PER_SEARCH = 9999
EARLIEST = date(1800, 1, 1)
POST_ABOVE = 2000  # characters of query: longer ones go by POST
REFETCH_ROUNDS = 3  # times a PMID missing from a batch is asked for again by id
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
_ID_BATCH = 200


class _Expired(Exception):
    """efetch could not use the WebEnv (expired or unknown): search again."""


class Busy(BadReply):
    """E-utilities reported a passing failure of its own (Search Backend failed ...): retried with backoff."""

    service_said = True


def _xml(reply: Reply) -> etree._Element:
    try:
        return etree.fromstring(reply.content, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise BadReply(f"invalid XML ({exc})") from None


def _ymd(d: date) -> str:
    return d.strftime("%Y/%m/%d")


def _errors(root: etree._Element) -> str:
    """The texts of an E-utilities reply's ERROR elements, as one line."""
    texts = [" ".join((el.text or "").split()) for el in root.iter("ERROR")]
    return "; ".join(t for t in texts if t)


# NCBI's words for a request that can never succeed (a position past 9,998: biopython#4189, pubmedR#7),
# for a history it no longer holds, and for a passing failure of its own
_OUT_OF_RANGE = re.compile(r"out of (acceptable )?range|cannot be larger than", re.I)
_HISTORY = re.compile(r"retrieve history|from history|webenv|unable to obtain query", re.I)
_TRANSIENT = re.compile(r"backend|temporar|unavailable|timed? ?out|try again|unable to open connection|"
                        r"not supported: pubmed", re.I)


def _search_failed(message: str) -> Exception:
    if _TRANSIENT.search(message) and not _OUT_OF_RANGE.search(message):
        return Busy(f"PubMed answered: {message}")
    return SourceError(f"search refused: {message}", source="PubMed",
                       hint="check the PubMed query syntax (try it at pubmed.ncbi.nlm.nih.gov)")


def _esearch_reply(reply: Reply) -> dict:
    root = _xml(reply)
    error = _errors(root)
    if root.tag != "eSearchResult" or root.findtext("Count") is None:
        raise _search_failed(error or f"no Count in the <{root.tag}> reply")
    return {
        "count": int(root.findtext("Count") or 0),
        "webenv": root.findtext("WebEnv"),
        "query_key": root.findtext("QueryKey"),
        "ids": [el.text.strip() for el in root.iterfind("IdList/Id") if el.text and el.text.strip()],
        "warnings": search_warnings(root),
    }


def _esearch_refused(reply: Reply) -> None:
    """A 4xx esearch reply in E-utilities' own XML: its ERROR text decides (else the client's one line)."""
    try:
        root = etree.fromstring(reply.content, _PARSER)
    except etree.XMLSyntaxError:
        return None
    error = _errors(root)
    if error:
        raise _search_failed(error)
    return None


def search_warnings(root: etree._Element) -> list[str]:
    """One line for each thing PubMed could not use in the query (esearch's ErrorList and WarningList)."""
    out = []
    kinds = (
        ("ErrorList/PhraseNotFound", "phrase not found, searched without it: {}"),
        ("ErrorList/FieldNotFound", "unknown search field [{}] in the query"),
        ("WarningList/QuotedPhraseNotFound", "quoted phrase not found: {}"),
        ("WarningList/PhraseIgnored", "ignored in the query: {}"),
        ("WarningList/OutputMessage", "{}"),
    )
    for path, text in kinds:
        for el in root.iterfind(path):
            value = " ".join((el.text or "").split())
            if value and value.rstrip(".").lower() != "no items found":  # a zero count says that already
                out.append("PubMed: " + text.format(value))
    return out


def esearch(
    client: HttpClient, term: str, datetype: str | None, mindate: date | None, maxdate: date | None, *,
    retmax: int = 0,
) -> dict:
    """Count, WebEnv, query_key, the first `retmax` PMIDs and the warnings of a search."""
    params = {"db": "pubmed", "term": term, "usehistory": "y", "retmax": retmax}
    if datetype and (mindate or maxdate):
        params.update(datetype=datetype, mindate=_ymd(mindate or EARLIEST), maxdate=_ymd(maxdate or date.today()))
    send = client.post if len(term) > POST_ABOVE else client.get
    return send("esearch.fcgi", params, parse=_esearch_reply, refused=_esearch_refused)


def efetch_ids(client: HttpClient, pmids: list[str], origin: str) -> tuple[list, set[str]]:
    """The articles of these PMIDs (by POST when the list is long) and the PMIDs the reply held."""
    params = {"db": "pubmed", "id": ",".join(pmids), "retmode": "xml"}
    send = client.post if len(pmids) > _ID_BATCH else client.get
    return send("efetch.fcgi", params, parse=lambda r: _articles(r, origin), refused=_efetch_refused)


def _efetch_refused(reply: Reply) -> None:
    """efetch's 400 replies carry <eFetchResult><ERROR>: an expired history, a position past 9,998, or worse."""
    try:
        root = etree.fromstring(reply.content, _PARSER)
    except etree.XMLSyntaxError:
        return None
    error = _errors(root)
    if not error:
        return None
    _raise_fetch_error(error)
    return None


def _raise_fetch_error(error: str) -> None:
    if _OUT_OF_RANGE.search(error):
        raise SourceError(f"efetch refused: {error}", source="PubMed",
                          hint="narrow the query or its dates (PubMed pages at most 9,999 records of one search)")
    if _HISTORY.search(error):
        raise _Expired(error)
    if _TRANSIENT.search(error):
        raise Busy(f"PubMed answered: {error}")
    raise SourceError(f"efetch refused: {error}", source="PubMed", hint="try again later; if it persists, "
                      "report the message to NCBI (eutilities@ncbi.nlm.nih.gov)")


_PMID_PATHS = ("PubmedArticle/MedlineCitation/PMID", "PubmedBookArticle/BookDocument/PMID")


def _articles(reply: Reply, origin: str) -> tuple[list, set[str]]:
    root = _xml(reply)  # a truncated body fails here and is fetched again
    if root.tag != "PubmedArticleSet":
        _raise_fetch_error(_errors(root) or f"unexpected <{root.tag}> reply")
    held = {(el.text or "").strip() for path in _PMID_PATHS for el in root.iterfind(path)}
    try:
        items = list(pubmed_xml.read_stream(io.BytesIO(reply.content), origin=origin, source="pubmed"))
    except ParseError as exc:
        raise BadReply(str(exc)) from None
    return items, held


class PubMed:
    """Connector: `plan` slices the query into parts, `batches` walks one part with efetch."""

    name = "pubmed"

    def __init__(
        self, client: HttpClient, *, batch_size: int = 200, max_per_search: int = MAX_PER_SEARCH, datetype: str = "pdat"
    ) -> None:
        self.client, self.batch_size, self.max_per_search, self.datetype = client, batch_size, max_per_search, datetype
        self.warnings: list[str] = []

    def _note(self, found: dict) -> dict:
        for line in found.get("warnings", ()):
            if line not in self.warnings:
                self.warnings.append(line)
        return found

    def _esearch(self, term: str, datetype: str | None, lo: date | None, hi: date | None, *, ids: bool = False) -> dict:
        return self._note(esearch(self.client, term, datetype, lo, hi, retmax=self.max_per_search if ids else 0))

    # -- planning ---------------------------------------------------------------------------
    def plan(self, query: str, window: Window) -> list[Part]:
        if window.since:  # new (entry date) or revised (modification date) since the last run
            until = window.until or date.today()
            return [p for dt in ("edat", "mdat") for p in self._split(query, dt, window.since, until)]
        if window.date_from or window.date_to:
            parts = self._split(query, self.datetype, window.date_from or EARLIEST, window.date_to or window.until)
            if window.entry_from and self.datetype != "edat":
                # late-indexed records: published in the range's past, entered in PubMed only lately
                parts += self._split(query, "edat", window.entry_from, window.entry_to or window.until)
            return parts
        found = self._esearch(query, None, None, None, ids=True)
        if found["count"] <= self.max_per_search:
            return [self._part(query, None, None, None, found)]
        return self._split(query, "edat", EARLIEST, window.until or date.today())

    def _split(self, query: str, datetype: str, lo: date, hi: date | None) -> list[Part]:
        hi = hi or date.today()
        found = self._esearch(query, datetype, lo, hi, ids=True)
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
        return self._esearch(s["term"], s.get("datetype"), to_date(s.get("mindate")), to_date(s.get("maxdate")), ids=True)

    def batches(self, part: Part, cursor: str | None) -> Iterator[Batch]:
        offset = int(cursor or 0)
        found = part.state if part.state.get("ids") is not None else self._search(part)
        if part.total is not None and found["count"] != part.total and offset:
            offset = 0  # the result set moved since the checkpoint: offsets no longer line up
        part.total = found["count"]
        part.state = found
        limit = min(part.total, self.max_per_search)
        while offset < limit:
            size = min(self.batch_size, limit - offset)
            try:
                records, issues = self._batch(part, found, offset, size)
            except _Expired:
                found = part.state = self._search(part)
                if found["count"] != part.total:  # a new search that holds other records: start the part over
                    part.total, offset = found["count"], 0
                    limit = min(part.total, self.max_per_search)
                    continue
                records, issues = self._batch(part, found, offset, size)
            offset += size
            yield Batch(records, issues, str(offset) if offset < limit else None, offset >= limit, part.total)
        if limit == 0:
            yield Batch([], [], None, True, 0)

    def _batch(self, part: Part, found: dict, offset: int, size: int) -> tuple[list, list[str]]:
        """One efetch batch, checked against the PMIDs the search listed for it; missing ones asked for by id."""
        params = {
            "db": "pubmed",
            "query_key": found["query_key"],
            "WebEnv": found["webenv"],
            "retstart": offset,
            "retmax": size,
            "retmode": "xml",
        }
        origin = f"PubMed efetch: {part.query} (records {offset + 1}-{offset + size})"
        items, held = self.client.get("efetch.fcgi", params, parse=lambda r: _articles(r, origin),
                                      refused=_efetch_refused)
        expected = found.get("ids", [])[offset : offset + size]
        missing = [p for p in expected if p not in held]
        rounds = 0
        while missing and rounds < REFETCH_ROUNDS:
            rounds += 1
            self.client.stats.fault("short-batch")
            more, got = efetch_ids(self.client, missing, f"{origin}, asked again by PMID")
            items += more
            missing = [p for p in missing if p not in got]
        records, issues = collect_items(items, lambda r: r, lambda i, _: f"{origin}: item {i + 1}")
        for pmid in missing:
            issues.append(f"{origin}: PMID {pmid} was found by the search but efetch did not return it "
                          f"(asked {REFETCH_ROUNDS + 1} times)")
        return stamp(records, "pubmed", part.query), issues
