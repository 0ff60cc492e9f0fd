"""A loopback server that replays recorded real replies of the four services, with faults.

The data are the real files in the shared data folder:
- E-utilities: esearch replies are built in the recorded eSearchResult shape (IdList paged by
  retstart/retmax, ErrorList/WarningList for phrases and fields PubMed did not find); efetch pages
  are PubmedArticleSet documents made of the recorded PubmedArticle elements (pubmed*.xml,
  test_current_medline.xml.gz) and the 604 MEDLINE citations of medline16n0902.xml.gz, each
  wrapped as a PubmedArticle, so a search has enough distinct real records to page through;
  efetch also takes `id=` lists, by GET or POST, and esearch takes POST;
- Europe PMC: the 25 results of search_cancer_core.json, paged with cursor marks; queries are
  evaluated (bare words against all of a result's text, TITLE_ABS:/KW:/TITLE: against those
  fields, FIRST_PDATE/FIRST_IDATE ranges, AND/OR/NOT and parentheses);
- ClinicalTrials.gov: the three API v2 studies, copied under new NCT ids to fill several pages;
  filter.advanced AREA[StudyFirstPostDate|LastUpdatePostDate]RANGE[...] terms joined by OR/AND;
- Crossref: works_10.1371_journal.pone.0033693.json and works_query_author.json.

Each article gets an entry date (edat = pdat unless a test sets them apart) spread over
2015-2016 so date slicing is real.

Faults come from a schedule applied to the n-th request. Generic ones (any service): 429 with
Retry-After (seconds or HTTP-date), 500/502/503, connection reset, a reply slower than the
client's timeout, a body shorter than its Content-Length, a complete but cut (invalid) XML/JSON
body. NCBI's own, each exactly as E-utilities sends it (sources in the comments at `_ncbi_fault`):
"history-400" (efetch: HTTP 400 with an <eFetchResult><ERROR>Cannot retrieve history data...
body, and the WebEnv is gone), "backend" (esearch: HTTP 200 with <ERROR>Search Backend failed:
...), "429-json" (HTTP 429 with NCBI's JSON body and no Retry-After), "short" (efetch: HTTP 200
holding fewer articles than asked for). A fault that does not fit the request (an efetch fault on
an esearch) lets it through. Every request is logged with its arrival time, so tests can check
the client's rate.

Hostile modes, for the HTTP limits: `redirect` (302 to another host, query string kept),
`trickle` (a body sent one byte at a time with a pause between), `oversize_mb` (a body that
never ends before that many MiB, optionally gzip-compressed), `retry_after_s` with "503" faults.

Only ever binds 127.0.0.1.
"""

from __future__ import annotations

import base64
import copy
import email.utils
import gzip
import json
import re
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from lxml import etree

from tests.serving import ServedInThread

__all__ = ["Dataset", "ReplayServer", "FAULTS", "NCBI_FAULTS", "fault_pattern", "ncbi_fault_pattern"]

FAULTS = ("429", "429-date", "500", "502", "503", "reset", "slow", "truncated", "invalid")
NCBI_FAULTS = ("history-400", "backend", "429-json", "short")
MAX_URL = 4096  # longest GET request target the replay takes
PUBMED_FILES = [
    "pubmed/pubmed1.xml",
    "pubmed/pubmed2.xml",
    "pubmed/pubmed4.xml",
    "pubmed/pubmed5.xml",
    "pubmed/pubmed6.xml",
    "pubmed/pubmed7.xml",
    "pubmed/pubmed-29768149.xml",
    "pubmed/test_current_medline.xml.gz",
]


def fault_pattern(share: float = 0.45) -> list[str | None]:
    """A repeating schedule with every fault once and enough successes in between.

    No two faults follow each other more than twice in a row, so any request needs at most
    three attempts however the schedule lines up.
    """
    return _with_successes(list(FAULTS), share)


def ncbi_fault_pattern(share: float = 0.45) -> list[str | None]:
    """As fault_pattern, with NCBI's own faults among the generic ones."""
    return _with_successes([f for pair in zip(NCBI_FAULTS, FAULTS) for f in pair] + list(FAULTS[len(NCBI_FAULTS):]),
                           share)


def _with_successes(faults: list[str], share: float) -> list[str | None]:
    """`faults` in order, at most two in a row, with successes (None) between them so that faults
    are about `share` of the schedule."""
    oks = max(1, round(len(faults) * (1 - share) / share))
    out: list[str | None] = []
    while faults or oks:
        if faults:
            out.append(faults.pop(0))
        if faults and len(out) % 3 == 1:
            out.append(faults.pop(0))
        if oks:
            out.append(None)
            oks -= 1
    return out


def _read(path: Path) -> bytes:
    return gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()


@dataclass
class Article:
    pmid: str
    xml: bytes
    edat: date
    mdat: date
    pdat: date | None = None  # publication date when it differs from the entry date

    def date(self, kind: str) -> date:
        if kind == "pdat":
            return self.pdat or self.edat
        return self.mdat if kind == "mdat" else self.edat


@dataclass
class Dataset:
    articles: list[Article]
    epmc_results: list[dict]
    studies: list[dict]
    crossref_work: dict
    crossref_items: list[dict]

    @classmethod
    def load(cls, data: Path, trial_copies: int = 10) -> "Dataset":
        elements = []
        for name in PUBMED_FILES:
            root = etree.fromstring(_read(data / name))
            elements += [etree.tostring(a) for a in root.iter("PubmedArticle")]
        medline = etree.fromstring(_read(data / "pubmed/medline16n0902.xml.gz"))
        for cit in medline.iter("MedlineCitation"):
            elements.append(b"<PubmedArticle>" + etree.tostring(cit) + b"</PubmedArticle>")
        articles, seen = [], set()
        start = date(2015, 1, 1)
        for i, xml in enumerate(elements):
            pmid = re.search(rb"<PMID[^>]*>(\d+)</PMID>", xml).group(1).decode()
            if pmid in seen:
                continue
            seen.add(pmid)
            day = start + timedelta(days=(i * 7) % 730)
            articles.append(Article(pmid, xml, day, day))
        articles.sort(key=lambda a: (a.edat, int(a.pmid)))
        epmc = json.loads((data / "europepmc/search_cancer_core.json").read_text())["resultList"]["result"]
        studies = _trial_copies(data, trial_copies)
        work = json.loads((data / "crossref/works_10.1371_journal.pone.0033693.json").read_text())
        items = json.loads((data / "crossref/works_query_author.json").read_text())["message"]["items"]
        return cls(articles, epmc, studies, work, items)

    def expected_ids(self) -> dict[str, set[str]]:
        return {
            "pubmed": {a.pmid for a in self.articles},
            "europepmc": {f"{r['source']}:{r['id']}" for r in self.epmc_results},
            "clinicaltrials": {s["protocolSection"]["identificationModule"]["nctId"] for s in self.studies},
        }


def _trial_copies(data: Path, copies: int) -> list[dict]:
    """The three recorded studies, plus copies under new NCT ids (and a marked title) to fill pages."""
    originals = [json.loads(p.read_text()) for p in sorted((data / "clinicaltrials/api-v2").glob("*.json"))]
    out = list(originals)
    for k in range(1, copies):
        for j, study in enumerate(originals):
            s = copy.deepcopy(study)
            ident = s["protocolSection"]["identificationModule"]
            ident["nctId"] = f"NCT9{k:03d}{j:04d}"
            ident["briefTitle"] = f"{ident.get('briefTitle', '')} (copy {k})"
            out.append(s)
    return out


@dataclass
class Hit:
    t: float
    path: str
    params: dict[str, str]
    fault: str | None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "GET"


@dataclass
class ServerState:
    data: Dataset
    schedule: list[str | None] = field(default_factory=list)
    fault_every: int = 0  # apply the schedule from this request number on
    delay: float = 0.0
    slow_s: float = 1.0
    retry_after_s: int = 1
    rate_headers: tuple[int, str] | None = None  # Crossref x-rate-limit-limit / -interval
    max_retstart: int = 9998
    refuse_prefix: str | None = None  # answer 400 on these paths (a query the service rejects)
    redirect: str | None = None  # answer 302 to this base (path and query kept): a host we must not follow to
    trickle: float = 0.0  # seconds between the bytes of a body
    oversize_mb: int = 0  # a body of this many MiB (of XML/JSON filler)
    oversize_gzip: bool = False  # ... sent gzip-compressed (a small transfer that grows on reading)
    epmc_nolist: int = 0  # the next this many Europe PMC replies count hits and hold no resultList
    epmc_words: bool = False  # evaluate a query's words too (else only its date ranges: every result matches)
    hits: list[Hit] = field(default_factory=list)
    webenvs: dict[str, list[Article]] = field(default_factory=dict)
    searches: int = 0  # esearches answered (numbers the WebEnvs)
    pending: list[str] = field(default_factory=list)  # NCBI faults scheduled on requests they could not meet
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_fault(self) -> tuple[int, str | None]:
        with self.lock:
            n = len(self.hits)
            fault = self.schedule[n % len(self.schedule)] if self.schedule and n >= self.fault_every else None
            return n, fault

    def faults_injected(self) -> int:
        return sum(1 for h in self.hits if h.fault)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        self._handle(url, parse_qs(url.query, keep_blank_values=True))

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        size = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(size).decode("utf-8", "replace") if size else ""
        params = parse_qs(url.query, keep_blank_values=True)
        for k, v in parse_qs(form, keep_blank_values=True).items():
            params.setdefault(k, []).extend(v)
        self._handle(url, params, method="POST")

    def _handle(self, url, query: dict[str, list[str]], method: str = "GET") -> None:
        st = self.server.state
        if method == "GET" and len(self.path) > MAX_URL:
            # web servers refuse request lines of more than a few KB (curl.se/mail/lib-2011-01/0205.html)
            self._send(414, "text/html", b"<html><body>414 Request-URI Too Long</body></html>", {})
            return
        params = {k: v[-1] for k, v in query.items()}
        _, fault = st.next_fault()
        hit = Hit(time.monotonic(), url.path, params, fault, headers={k.lower(): v for k, v in self.headers.items()},
                  method=method)
        with st.lock:
            st.hits.append(hit)
        if st.delay:
            time.sleep(st.delay)
        if st.redirect:
            hit.fault, hit.status = None, 302
            self._send(302, "text/html", b"moved", {"Location": st.redirect + self.path})
            return
        if fault in NCBI_FAULTS or (fault is None and st.pending):
            # an NCBI fault meets the next request it fits (an efetch fault waits for an efetch)
            with st.lock:
                if fault is not None and fault not in st.pending:
                    st.pending.append(fault)
                waiting = list(st.pending)
            fault = hit.fault = None
            for kind in waiting:
                if self._ncbi_fault(kind, url.path, params):
                    with st.lock:
                        st.pending.remove(kind)
                    hit.fault, hit.status = kind, {"history-400": 400, "429-json": 429}.get(kind, 200)
                    return
        try:
            status, ctype, body, headers = self._route(url.path, params)
        except _Reply as r:
            status, ctype, body, headers = r.status, r.ctype, r.body, r.headers
        hit.status = status
        if fault and status == 200:
            self._fault(fault, ctype, body)
        elif st.oversize_mb and status == 200:
            self._oversize(ctype)
        elif st.trickle and status == 200:
            self._trickle(ctype, body)
        else:
            hit.fault = None if status != 200 else hit.fault
            self._send(status, ctype, body, headers)

    # -- faults ---------------------------------------------------------------------------
    def _ncbi_fault(self, fault: str, path: str, p: dict[str, str]) -> bool:
        """NCBI's faults, as its users have recorded them; False when the request cannot meet this one."""
        st = self.server.state
        if fault == "history-400" and path.endswith("efetch.fcgi") and p.get("WebEnv"):
            # the history server dropped the search: HTTP 400 with this body (an SRA download
            # script's recorded example; HTTP 400 + eFetchResult: github.com/massimoaria/pubmedR/issues/7)
            st.webenvs.pop(p["WebEnv"], None)
            self._send(400, "text/xml; charset=UTF-8", _history_error(p), {})
            return True
        if fault == "backend" and path.endswith("esearch.fcgi"):
            # HTTP 200, no Count (github.com/biopython/biopython/issues/3890 and #5025)
            body = (_ESEARCH_HEAD + "<eSearchResult>\n\t<ERROR>Search Backend failed: Unable to open connection "
                    "to #PMQuerySrv?dbaf=pubmed</ERROR>\n</eSearchResult>\n")
            self._send(200, "text/xml; charset=UTF-8", body.encode(), {})
            return True
        if fault == "429-json" and path.startswith("/eutils"):
            # no Retry-After; the body names the count and the limit (github.com/MVesuviusC/primerTree/issues/33,
            # biocommons/bioutils#16, ropensci/rentrez#132); X-RateLimit-* headers as in mtisza1/Cenote-Taker2#18
            limit = 10 if p.get("api_key") else 3
            body = json.dumps({"error": "API rate limit exceeded", "api-key": p.get("api_key") or "127.0.0.1",
                               "count": str(limit + 1), "limit": str(limit)}, separators=(",", ":"))
            self._send(429, "application/json", body.encode(),
                       {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": "0"})
            return True
        if fault == "short" and path.endswith("efetch.fcgi"):
            # fewer articles than asked for, HTTP 200 (github.com/skoval/RISmed/issues/12: 80 of 1000;
            # wcmc-its/ReCiter#41: 206 of 208)
            arts = self._efetch_articles(p)
            if arts is None or len(arts) < 2:
                return False
            n = len(arts)
            keep = [a for i, a in enumerate(arts) if i not in {n // 3, n // 2, n - 1}]
            self._send(200, "text/xml; charset=UTF-8", _article_set(keep), {})
            return True
        return False

    def _oversize(self, ctype: str) -> None:
        """A body of oversize_mb MiB of spaces, chunked; gzip-compressed it is about a thousandth of that."""
        st = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if st.oversize_gzip:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        head, block = _filler(st.oversize_gzip)
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(head), head))
            for _ in range(st.oversize_mb - 1):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
            self.wfile.write(b"0\r\n\r\n")  # (a gzip stream without its trailer: never read that far)
        except OSError:
            pass  # the client stopped reading, as it should

    def _trickle(self, ctype: str, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(self.server.state.trickle)
        except OSError:
            pass

    def _fault(self, fault: str, ctype: str, body: bytes) -> None:
        st = self.server.state
        if fault in ("429", "503", "429-date"):
            when = str(st.retry_after_s)
            if fault == "429-date":
                when = email.utils.formatdate(time.time() + st.retry_after_s, usegmt=True)
            self._send(503 if fault == "503" else 429, "text/plain", b"slow down", {"Retry-After": when})
        elif fault in ("500", "502"):
            self._send(int(fault), "text/html", b"<html><body>Bad Gateway</body></html>", {})
        elif fault == "reset":
            self._reset()
        elif fault == "slow":
            time.sleep(st.slow_s)
            try:
                self._send(200, ctype, body, {})
            except OSError:
                pass
        elif fault == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self._reset()
        elif fault == "invalid":
            self._send(200, ctype, body[: len(body) // 2], {})

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _send(self, status: int, ctype: str, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        rate = self.server.state.rate_headers
        if rate and self.path.startswith("/crossref"):
            self.send_header("x-rate-limit-limit", str(rate[0]))
            self.send_header("x-rate-limit-interval", rate[1])
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    # -- routes ---------------------------------------------------------------------------
    def _route(self, path: str, p: dict[str, str]):
        refuse = self.server.state.refuse_prefix
        if refuse and path.startswith(refuse):
            raise _Reply(400, "text/plain", b"Invalid query: unexpected token")
        if path == "/eutils/esearch.fcgi":
            return self._esearch(p)
        if path == "/eutils/efetch.fcgi":
            return self._efetch(p)
        if path == "/epmc/search":
            return self._epmc(p)
        if path == "/ctgov/studies":
            return self._ctgov(p)
        if path.startswith("/crossref/works"):
            return self._crossref(unquote(path[len("/crossref/works"):].lstrip("/")), p)
        raise _Reply(404, "text/plain", b"no such endpoint")

    def _esearch(self, p):
        if "BADQUERY" in p.get("term", ""):
            raise _Reply(400, "application/json", b'{"error":"Invalid query: unbalanced parentheses"}')
        term = p.get("term", "")
        if "zzzoutofrange" in term:
            # HTTP 200 (github.com/biopython/biopython/issues/4189)
            body = (_ESEARCH_HEAD + "<eSearchResult>\n\t<ERROR>Search Backend failed: Exception:\nPosition 15000 is "
                    "out of acceptable range [9999,9998]</ERROR>\n</eSearchResult>\n")
            return 200, "text/xml; charset=UTF-8", body.encode(), {}
        arts = self.server.state.data.articles
        dt = p.get("datetype")
        if dt:
            lo = date(*map(int, p["mindate"].split("/")))
            hi = date(*map(int, p["maxdate"].split("/")))
            arts = [a for a in arts if lo <= a.date(dt) <= hi]
        errors, warnings = _esearch_messages(term)
        with self.server.state.lock:
            self.server.state.searches += 1
            env = f"MCID_{self.server.state.searches:08x}"
        self.server.state.webenvs[env] = list(arts)
        start, size = int(p.get("retstart", 0)), int(p.get("retmax", 20))
        ids = "".join(f"<Id>{a.pmid}</Id>" for a in arts[start : start + min(size, 9999)])
        xml = (
            _ESEARCH_HEAD
            + f"<eSearchResult><Count>{len(arts)}</Count><RetMax>{min(size, max(0, len(arts) - start))}</RetMax>"
            f"<RetStart>{start}</RetStart><QueryKey>1</QueryKey><WebEnv>{env}</WebEnv><IdList>{ids}</IdList>"
            f"<TranslationSet/><QueryTranslation>{_xml_text(term)}</QueryTranslation>{errors}{warnings}</eSearchResult>"
        )
        return 200, "text/xml; charset=UTF-8", xml.encode(), {}

    def _efetch_articles(self, p) -> list[Article] | None:
        st = self.server.state
        if p.get("id"):
            by_pmid = {a.pmid: a for a in st.data.articles}
            return [by_pmid[i] for i in p["id"].split(",") if i.strip() in by_pmid]
        arts = st.webenvs.get(p.get("WebEnv", ""))
        if arts is None:
            return None
        start, size = int(p.get("retstart", 0)), int(p.get("retmax", 20))
        return arts[start : start + size]

    def _efetch(self, p):
        st = self.server.state
        if not p.get("id") and p.get("WebEnv", "") not in st.webenvs:
            raise _Reply(400, "text/xml; charset=UTF-8", _history_error(p))
        if int(p.get("retstart", 0)) > st.max_retstart and not p.get("id"):
            # github.com/biopython/biopython/issues/4189 (esearch); efetch's wording as recorded in a test double
            raise _Reply(400, "text/xml; charset=UTF-8", (
                _EFETCH_HEAD + "<eFetchResult>\n\t<ERROR>Search backend cannot retrieve history data. Reason: "
                "Exception: 'retstart' cannot be larger than 9998.</ERROR>\n</eFetchResult>\n").encode())
        return 200, "text/xml; charset=UTF-8", _article_set(self._efetch_articles(p) or []), {}

    def _epmc(self, p):
        q = p.get("query", "")
        if "BADQUERY" in q:
            raise _Reply(400, "application/json", b'{"errCode":400,"errMsg":"Invalid query"}')
        words = self.server.state.epmc_words
        results = [r for r in self.server.state.data.epmc_results if _epmc_match(q, r, words)]
        size = int(p.get("pageSize", 25))
        mark = p.get("cursorMark", "*")
        start = 0 if mark == "*" else int(base64.b64decode(mark))
        page = results[start : start + size]
        nxt = base64.b64encode(str(start + len(page)).encode()).decode()
        data = {
            "version": "6.9",
            "hitCount": len(results),
            "nextCursorMark": nxt if page else mark,
            "request": {"queryString": q, "resultType": p.get("resultType"), "cursorMark": mark, "pageSize": size},
            "resultList": {"result": page},
        }
        with self.server.state.lock:
            spoil = self.server.state.epmc_nolist > 0
            self.server.state.epmc_nolist -= spoil
        if spoil:
            del data["resultList"]  # a reply that counts hits and holds none (ContentMine/getpapers#114, #153)
        return 200, "application/json;charset=UTF-8", json.dumps(data).encode(), {}

    def _ctgov(self, p):
        if any("BADQUERY" in v for k, v in p.items() if k.startswith("query.")):
            raise _Reply(400, "text/plain", b"Invalid query.term: unexpected token")
        studies = self.server.state.data.studies
        adv = p.get("filter.advanced", "")
        if adv:
            studies = [s for s in studies if _ctgov_match(adv, s)]
        token = p.get("pageToken")
        if token and not token.startswith("tok-"):
            raise _Reply(400, "text/plain", b"Invalid pageToken")
        start = int(token[4:]) if token else 0
        size = int(p.get("pageSize", 10))
        page = studies[start : start + size]
        data: dict = {"studies": page}
        if start + size < len(studies):
            data["nextPageToken"] = f"tok-{start + size}"
        if p.get("countTotal") == "true":
            data["totalCount"] = len(studies)
        return 200, "application/json", json.dumps(data).encode(), {}

    def _crossref(self, doi: str, p):
        d = self.server.state.data
        if doi:
            if doi.lower() != d.crossref_work["message"]["DOI"].lower():
                raise _Reply(404, "text/plain", b"Resource not found.")
            return 200, "application/json", json.dumps(d.crossref_work).encode(), {}
        rows = int(p.get("rows", 20))
        cursor = p.get("cursor")
        start = 0 if cursor in (None, "*") else int(cursor)
        items = d.crossref_items[start : start + rows]
        msg = {"total-results": len(d.crossref_items), "items": items, "items-per-page": rows,
               "query": {"start-index": start, "search-terms": p.get("query.bibliographic")}}
        if cursor is not None:
            msg["next-cursor"] = str(start + len(items))
        body = {"status": "ok", "message-type": "work-list", "message-version": "1.0.0", "message": msg}
        return 200, "application/json", json.dumps(body).encode(), {}


def _last_update(study: dict) -> str:
    st = study["protocolSection"].get("statusModule") or {}
    return (st.get("lastUpdatePostDateStruct") or {}).get("date", "")


def _first_posted(study: dict) -> str:
    st = study["protocolSection"].get("statusModule") or {}
    return (st.get("studyFirstPostDateStruct") or {}).get("date", "")


_ESEARCH_HEAD = ('<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch '
                 '20060628//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n')
_EFETCH_HEAD = ('<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eEfetchResult PUBLIC "-//NLM//DTD efetch '
                '20131226//EN" "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd">\n')
_KNOWN_FIELDS = {"tiab", "ti", "ab", "mh", "mesh", "au", "dp", "pt", "la", "tw", "all fields", "title/abstract",
                 "mesh terms", "majr", "sh", "edat", "pdat", "mdat", "ot"}


def _history_error(p: dict[str, str]) -> bytes:
    """efetch's reply when the history server no longer holds the WebEnv (HTTP 400)."""
    return (
        _EFETCH_HEAD + "<eFetchResult>\n"
        f"\t<ERROR>Cannot retrieve history data. query_key: {p.get('query_key', '1')}, WebEnv: "
        f"{p.get('WebEnv', '')}, retstart: {p.get('retstart', '0')}, retmax: {p.get('retmax', '20')}</ERROR>\n"
        "\t<ERROR>Can't fetch uids from history because of: NCBI C++ Exception:\n"
        '    Error: UNK_MODULE(CException::eInvalid) "UNK_FILE", line 18446744073709551615: UNK_FUNC --- \n'
        "</ERROR>\n</eFetchResult>\n"
    ).encode()


_FILLERS: dict[bool, tuple[bytes, bytes]] = {}


def _filler(gzipped: bool) -> tuple[bytes, bytes]:
    """(first MiB, each further MiB) of a body of spaces; gzip-compressed, each MiB is a repeatable
    deflate block (a full flush resets the window, so every later block compresses alike)."""
    if gzipped not in _FILLERS:
        mib = b" " * (1 << 20)
        if gzipped:
            comp = zlib.compressobj(9, zlib.DEFLATED, 31)
            head = comp.compress(mib) + comp.flush(zlib.Z_FULL_FLUSH)
            _FILLERS[gzipped] = (head, comp.compress(mib) + comp.flush(zlib.Z_FULL_FLUSH))
        else:
            _FILLERS[gzipped] = (mib, mib)
    return _FILLERS[gzipped]


def _article_set(arts: list[Article]) -> bytes:
    body = b"".join(a.xml for a in arts)
    return b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet>' + body + b"</PubmedArticleSet>"


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esearch_messages(term: str) -> tuple[str, str]:
    """PubMed's ErrorList/WarningList for a term: a word 'zzznotfound...' is a phrase PubMed lacks, an
    unknown [tag] a field it lacks (DTD eSearch 20060628: ErrorList (PhraseNotFound*, FieldNotFound*),
    WarningList (PhraseIgnored*, QuotedPhraseNotFound*, OutputMessage*))."""
    phrases = re.findall(r"\b(zzznotfound\w*)", term, re.I)
    quoted = re.findall(r'"(zzzquoted[^"]*)"', term, re.I)
    fields = [f for f in re.findall(r"\[([^\]]+)\]", term) if f.lower() not in _KNOWN_FIELDS]
    errors = "".join(f"<PhraseNotFound>{_xml_text(x)}</PhraseNotFound>" for x in phrases)
    errors += "".join(f"<FieldNotFound>{_xml_text(x)}</FieldNotFound>" for x in fields)
    warnings = "".join(f"<QuotedPhraseNotFound>{_xml_text(chr(34) + x + chr(34))}</QuotedPhraseNotFound>"
                       for x in quoted)
    return (f"<ErrorList>{errors}</ErrorList>" if errors else "",
            f"<WarningList>{warnings}<OutputMessage>No items found.</OutputMessage></WarningList>" if warnings else "")


# -- Europe PMC and ClinicalTrials.gov query evaluation ------------------------------------------
_EPMC_TOKEN = re.compile(r'\s*(\(|\)|\bAND\b|\bOR\b|\bNOT\b|[A-Z_]+:\[[^\]]*\]|[A-Z_]+:"[^"]*"|[A-Z_]+:\S+?(?=[\s)]|$)'
                         r'|"[^"]*"|[^\s()]+)')


def _epmc_text(r: dict, field: str | None) -> str:
    title, abstract = r.get("title") or "", r.get("abstractText") or ""
    kws = " ".join((r.get("keywordList") or {}).get("keyword") or [])
    if field == "TITLE":
        return title
    if field == "ABSTRACT":
        return abstract
    if field == "KW":
        return kws
    if field == "TITLE_ABS":
        return f"{title} {abstract}"
    return json.dumps(r)  # unfielded: anything the result holds (full text, affiliations, ...)


def _epmc_term(token: str, r: dict, words: bool) -> bool:
    m = re.match(r"([A-Z_]+):(.*)$", token)
    field, value = (m.group(1), m.group(2)) if m else (None, token)
    if value.startswith("["):
        lo, hi = re.findall(r"\d{4}-\d\d-\d\d", value) or ("0000", "9999")
        key = {"FIRST_PDATE": "firstPublicationDate", "FIRST_IDATE": "firstIndexDate",
               "UPDATE_DATE": "dateOfRevision"}.get(field or "", "")
        return lo <= (r.get(key) or "") <= hi
    if not words:
        return True
    value = value.strip('"').lower()
    text = _epmc_text(r, field).lower()
    if value.endswith("*"):
        return re.search(r"\b" + re.escape(value[:-1]), text) is not None
    return re.search(r"\b" + re.escape(value) + r"\b", text) is not None


def _epmc_match(query: str, r: dict, words: bool = True) -> bool:
    """Whether result `r` matches; with words=False only the date ranges count (words are neutral)."""
    tokens = [t for t in _EPMC_TOKEN.findall(query) if t.strip()]
    pos = 0

    def both(a, b):  # AND where None (a word not evaluated) is neutral
        return b if a is None else a if b is None else (a and b)

    def either(a, b):
        return b if a is None else a if b is None else (a or b)

    def expr():
        nonlocal pos
        value = conj()
        while pos < len(tokens) and tokens[pos] == "OR":
            pos += 1
            value = either(value, conj())
        return value

    def conj():
        nonlocal pos
        value = unary()
        while pos < len(tokens) and tokens[pos] not in ("OR", ")"):
            if tokens[pos] == "AND":
                pos += 1
            value = both(value, unary())
        return value

    def unary():
        nonlocal pos
        if pos >= len(tokens):
            return None
        tok = tokens[pos]
        pos += 1
        if tok == "NOT":
            value = unary()
            return None if value is None else not value
        if tok == "(":
            value = expr()
            pos += 1  # ")"
            return value
        m = re.match(r"([A-Z_]+):\[", tok)
        if not words and not m:
            return None
        return _epmc_term(tok, r, words)

    result = expr() if tokens else None
    return True if result is None else result


def _ctgov_match(adv: str, study: dict) -> bool:
    """AREA[StudyFirstPostDate|LastUpdatePostDate]RANGE[a,b] terms joined by OR / AND (left to right)."""
    result: bool | None = None
    op = "OR"
    for m in re.finditer(r"\b(AND|OR)\b|AREA\[(\w+)\]RANGE\[([^,\]]*),([^\]]*)\]", adv):
        if m.group(1):
            op = m.group(1)
            continue
        area, lo, hi = m.group(2), m.group(3).strip(), m.group(4).strip()
        day = _last_update(study) if area == "LastUpdatePostDate" else _first_posted(study)
        ok = (lo in ("MIN", "") or day >= lo) and (hi in ("MAX", "") or day <= hi)
        result = ok if result is None else (result or ok) if op == "OR" else (result and ok)
    return True if result is None else result


class _Reply(Exception):
    def __init__(self, status: int, ctype: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.status, self.ctype, self.body, self.headers = status, ctype, body, headers or {}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: ServerState

    def handle_error(self, request, client_address) -> None:  # a client gone mid-reply is expected here
        pass


class ReplayServer(ServedInThread):
    """Start with `with ReplayServer(dataset) as srv:`; `srv.env()` points litwatch at it."""

    def __init__(self, data: Dataset, **state) -> None:
        self.state = ServerState(data, **state)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self.state
        self.port = self._server.server_address[1]

    def env(self) -> dict[str, str]:
        return {
            "LITWATCH_PUBMED_URL": f"{self.base}/eutils/",
            "LITWATCH_EUROPEPMC_URL": f"{self.base}/epmc/",
            "LITWATCH_CTGOV_URL": f"{self.base}/ctgov/",
            "LITWATCH_CROSSREF_URL": f"{self.base}/crossref/",
        }

    def hits(self, prefix: str = "") -> list[Hit]:
        with self.state.lock:
            return [h for h in self.state.hits if h.path.startswith(prefix)]

    def figures(self) -> dict[str, int]:
        hits = self.hits()
        return {"requests": len(hits), "faults": sum(1 for h in hits if h.fault)}
