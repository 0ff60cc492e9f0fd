"""A loopback server that replays recorded real replies of the four services, with faults.

The data are the real files in the shared data folder:
- E-utilities: esearch replies are built in the recorded eSearchResult shape; efetch pages are
  PubmedArticleSet documents made of the recorded PubmedArticle elements (pubmed*.xml,
  test_current_medline.xml.gz) and the 604 MEDLINE citations of medline16n0902.xml.gz, each
  wrapped as a PubmedArticle, so a search has enough distinct real records to page through;
- Europe PMC: the 25 results of search_cancer_core.json, paged with cursor marks;
- ClinicalTrials.gov: the three API v2 studies, copied under new NCT ids to fill several pages;
- Crossref: works_10.1371_journal.pone.0033693.json and works_query_author.json.

Each article gets an entry date (edat = pdat) spread over 2015-2016 so date slicing is real.
Faults come from a schedule applied to the n-th request: 429 with Retry-After (seconds or
HTTP-date), 500/502/503, connection reset, a reply slower than the client's timeout, a body
shorter than its Content-Length, a complete but cut (invalid) XML/JSON body. Every request is
logged with its arrival time, so tests can check the client's rate.

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
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from lxml import etree

__all__ = ["Dataset", "ReplayServer", "FAULTS", "fault_pattern"]

FAULTS = ("429", "429-date", "500", "502", "503", "reset", "slow", "truncated", "invalid")
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
    faults = list(FAULTS)
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
    hits: list[Hit] = field(default_factory=list)
    webenvs: dict[str, list[Article]] = field(default_factory=dict)
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
        st = self.server.state
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        _, fault = st.next_fault()
        hit = Hit(time.monotonic(), url.path, params, fault, headers={k.lower(): v for k, v in self.headers.items()})
        with st.lock:
            st.hits.append(hit)
        if st.delay:
            time.sleep(st.delay)
        try:
            status, ctype, body, headers = self._route(url.path, params)
        except _Reply as r:
            status, ctype, body, headers = r.status, r.ctype, r.body, {}
        hit.status = status
        if fault and status == 200:
            self._fault(fault, ctype, body)
        else:
            hit.fault = None if status != 200 else hit.fault
            self._send(status, ctype, body, headers)

    # -- faults ---------------------------------------------------------------------------
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
        arts = self.server.state.data.articles
        dt = p.get("datetype")
        if dt:
            lo = date(*map(int, p["mindate"].split("/")))
            hi = date(*map(int, p["maxdate"].split("/")))
            key = "mdat" if dt == "mdat" else "edat"
            arts = [a for a in arts if lo <= getattr(a, key) <= hi]
        env = f"MCID_{len(self.server.state.webenvs) + 1:08x}"
        self.server.state.webenvs[env] = list(arts)
        xml = (
            '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN"'
            ' "https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
            f"<eSearchResult><Count>{len(arts)}</Count><RetMax>0</RetMax><RetStart>0</RetStart>"
            f"<QueryKey>1</QueryKey><WebEnv>{env}</WebEnv><IdList></IdList></eSearchResult>"
        )
        return 200, "text/xml; charset=UTF-8", xml.encode(), {}

    def _efetch(self, p):
        arts = self.server.state.webenvs.get(p.get("WebEnv", ""))
        if arts is None:
            err = b'<?xml version="1.0" ?><eFetchResult><ERROR>Unable to obtain query #1</ERROR></eFetchResult>'
            return 200, "text/xml", err, {}
        start, size = int(p.get("retstart", 0)), int(p.get("retmax", 20))
        if start > self.server.state.max_retstart:
            raise _Reply(400, "text/plain", b"retstart cannot be larger than 9998")
        body = b"".join(a.xml for a in arts[start : start + size])
        doc = b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet>' + body + b"</PubmedArticleSet>"
        return 200, "text/xml; charset=UTF-8", doc, {}

    def _epmc(self, p):
        q = p.get("query", "")
        if "BADQUERY" in q:
            raise _Reply(400, "application/json", b'{"errCode":400,"errMsg":"Invalid query"}')
        results = self.server.state.data.epmc_results
        m = re.search(r"FIRST_IDATE:\[(\d{4}-\d\d-\d\d)", q)
        if m:
            results = [r for r in results if (r.get("firstIndexDate") or "") >= m.group(1)]
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
        return 200, "application/json;charset=UTF-8", json.dumps(data).encode(), {}

    def _ctgov(self, p):
        if any("BADQUERY" in v for k, v in p.items() if k.startswith("query.")):
            raise _Reply(400, "text/plain", b"Invalid query.term: unexpected token")
        studies = self.server.state.data.studies
        adv = p.get("filter.advanced", "")
        m = re.search(r"LastUpdatePostDate\]RANGE\[(\d{4}-\d\d-\d\d)", adv)
        if m:
            studies = [s for s in studies if _last_update(s) >= m.group(1)]
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


class _Reply(Exception):
    def __init__(self, status: int, ctype: str, body: bytes) -> None:
        self.status, self.ctype, self.body = status, ctype, body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: ServerState

    def handle_error(self, request, client_address) -> None:  # a client gone mid-reply is expected here
        pass


class ReplayServer:
    """Start with `with ReplayServer(dataset) as srv:`; `srv.env()` points litwatch at it."""

    def __init__(self, data: Dataset, **state) -> None:
        self.state = ServerState(data, **state)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self.state
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "ReplayServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

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
