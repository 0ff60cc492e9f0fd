"""A loopback server answering the look-ups an audit makes, from real and fixture records.

PubMed E-utilities: efetch by id, esearch ("10.x/y"[doi], title words [ti] AND author [au] AND
year [dp]) and ECitMatch; Crossref: works/{doi} and works?query.bibliographic (ranked by shared
title words, with a score); Europe PMC search (DOI:"..." / TITLE:"..." over the Crossref works).
The PubMed articles are PubmedArticle elements from XML files (the shared real file of PMID
29768149 and our fixture works); the Crossref works are the shared real reply for
10.1371/journal.pone.0033693 and our fixture works. Only ever binds 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from lxml import etree

from tests.serving import ServedInThread

__all__ = ["Corpus", "LiteratureServer"]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) >= 4}


@dataclass
class Article:
    pmid: str
    xml: bytes
    doi: str | None
    title: str
    authors: list[str]
    journal: set[str]
    year: str
    volume: str
    first_page: str


@dataclass
class Corpus:
    articles: dict[str, Article] = field(default_factory=dict)
    works: dict[str, dict] = field(default_factory=dict)

    def add_pubmed_file(self, path: Path) -> None:
        root = etree.parse(str(path)).getroot()
        for el in root.iter("PubmedArticle"):
            pmid = el.findtext(".//MedlineCitation/PMID")
            doi = next((x.text.lower() for x in el.iter("ArticleId") if x.get("IdType") == "doi" and x.text), None)
            art = el.find(".//Article")
            year = art.findtext(".//JournalIssue/PubDate/Year") or art.findtext(".//ArticleDate/Year") or ""
            pages = art.findtext(".//MedlinePgn") or ""
            self.articles[pmid] = Article(
                pmid=pmid, xml=etree.tostring(el), doi=doi, title="".join(art.find("ArticleTitle").itertext()),
                authors=[a.findtext("LastName") or "" for a in art.iter("Author")],
                journal={(art.findtext(".//Journal/Title") or "").lower(), (art.findtext(".//ISOAbbreviation") or "").lower()},
                year=year, volume=art.findtext(".//JournalIssue/Volume") or "", first_page=re.split(r"[-–]", pages)[0])

    def add_crossref_file(self, path: Path) -> None:
        data = json.loads(Path(path).read_text("utf-8"))
        msg = data.get("message", data)
        for work in msg.get("items", [msg] if "DOI" in msg else []):
            self.works[work["DOI"].lower()] = work


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        with self.server.lock:
            self.server.hits.append((url.path, params))
        status, ctype, body = self._route(url.path, params)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _route(self, path: str, p: dict[str, str]):
        c = self.server.corpus
        if path == "/eutils/efetch.fcgi":
            ids = [i for i in p.get("id", "").split(",") if i in c.articles]
            body = b"".join(c.articles[i].xml for i in ids)
            return 200, "text/xml", b'<?xml version="1.0" ?>\n<PubmedArticleSet>' + body + b"</PubmedArticleSet>"
        if path == "/eutils/esearch.fcgi":
            ids = self._esearch(p.get("term", ""))
            xml = (f"<eSearchResult><Count>{len(ids)}</Count><RetMax>{len(ids)}</RetMax><RetStart>0</RetStart><IdList>"
                   + "".join(f"<Id>{i}</Id>" for i in ids) + "</IdList></eSearchResult>")
            return 200, "text/xml", xml.encode()
        if path == "/eutils/ecitmatch.cgi":
            lines = []
            for line in re.split(r"[\r\n]+", p.get("bdata", "")):
                parts = line.split("|")
                if len(parts) < 6:
                    continue
                journal, year, volume, page, author, key = (x.strip().lower() for x in parts[:6])
                hit = next((a.pmid for a in c.articles.values() if journal in a.journal and a.year == year
                            and a.volume == volume and a.first_page.lower() == page
                            and a.authors and a.authors[0].lower() == author.split()[0]), None)
                lines.append("|".join(parts[:6]) + "|" + (hit or "NOT_FOUND"))
            return 200, "text/plain", ("\n".join(lines) + "\n").encode()
        if path.startswith("/crossref/works/"):
            doi = unquote(path[len("/crossref/works/"):]).lower()
            work = c.works.get(doi)
            if work is None:
                return 404, "text/plain", b"Resource not found."
            return 200, "application/json", json.dumps({"status": "ok", "message-type": "work", "message": work}).encode()
        if path == "/crossref/works":
            q = _words(p.get("query.bibliographic", ""))
            scored = sorted(((len(q & _words(" ".join(w.get("title", [])))), w) for w in c.works.values()),
                            key=lambda x: -x[0])
            items = [dict(w, score=float(s * 10)) for s, w in scored if s >= 3][: int(p.get("rows", 5))]
            msg = {"total-results": len(items), "items": items, "items-per-page": len(items)}
            return 200, "application/json", json.dumps({"status": "ok", "message-type": "work-list", "message": msg}).encode()
        if path.startswith("/articles/") and self.server.pages is not None:
            page = self.server.pages / Path(path).name
            if page.is_file():
                ctype = "text/html; charset=utf-8" if page.suffix == ".html" else "text/plain; charset=utf-8"
                return 200, ctype, page.read_bytes()
        if path == "/epmc/search":
            return 200, "application/json", json.dumps({"hitCount": 0, "resultList": {"result": []}}).encode()
        return 404, "text/plain", b"no such endpoint"

    def _esearch(self, term: str) -> list[str]:
        c = self.server.corpus
        m = re.fullmatch(r"\s*(10\.\S+)\[doi\]\s*", term, re.I)
        if m:
            return [a.pmid for a in c.articles.values() if a.doi == m.group(1).lower()]
        ti = [w.lower() for w in re.findall(r"(\S+)\[ti\]", term)]
        au = [w.lower() for w in re.findall(r"(\S+)\[au\]", term)]
        dp = re.findall(r"(\d{4})\[dp\]", term)
        out = []
        for a in c.articles.values():
            words = _words(a.title)
            if ti and not all(w in words for w in ti):
                continue
            if au and not (a.authors and a.authors[0].lower() in au):
                continue
            if dp and a.year not in dp:
                continue
            out.append(a.pmid)
        return out if (ti or au) else []


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class LiteratureServer(ServedInThread):
    """`with LiteratureServer(corpus) as srv:`; `srv.env()` points litwatch's services at it."""

    def __init__(self, corpus: Corpus, pages: Path | None = None) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.corpus = corpus
        self._server.pages = pages  # a folder whose files are served under /articles/
        self._server.hits = []
        self._server.lock = threading.Lock()

    def env(self) -> dict[str, str]:
        return {"LITWATCH_PUBMED_URL": f"{self.base}/eutils/", "LITWATCH_CROSSREF_URL": f"{self.base}/crossref/",
                "LITWATCH_EUROPEPMC_URL": f"{self.base}/epmc/"}

    def hits(self, prefix: str = "") -> list[tuple[str, dict[str, str]]]:
        with self._server.lock:
            return [h for h in self._server.hits if h[0].startswith(prefix)]
