"""Finding the record a reference cites: the store first, then (online) PubMed, Crossref, Europe PMC.

In the store: by PMID, PMCID or DOI, then by title words through full-text search. Online, in
order until a candidate fits: PubMed by PMID; Crossref by DOI (and PubMed's record of that DOI);
PubMed's citation matcher (ECitMatch) on journal, year, volume, first page and first author; a
PubMed field search on title words, author and year; Crossref's bibliographic matching of the
whole string; Europe PMC by DOI or title. What comes back is stored in the audit's fetch run (as
any fetch stores records, with provenance) and the reference resolves to the stored record.

A DOI whose work does not carry the reference's title, while the title finds another work, is
a DOI pointing elsewhere: the reference resolves to the titled work and the DOI is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from litwatch.audit.match import match_score, norm_text
from litwatch.audit.refparse import ParsedReference
from litwatch.errors import LitwatchError, SourceError
from litwatch.records import Record

__all__ = ["Resolution", "Resolver", "FetchLog"]

ACCEPT = 0.7  # a candidate found without a shared id needs this score (and a title this close)
TITLE_ACCEPT = 0.75
_FTS_STOP = {"with", "from", "into", "their", "after", "between", "through", "among", "versus", "under", "about",
             "using", "based", "during", "within", "without", "other", "study", "effects", "effect", "role"}


@dataclass
class Resolution:
    record_id: int | None = None
    record: Record | None = None
    score: dict[str, Any] = field(default_factory=dict)
    by: str | None = None  # doi | pmid | pmcid | title | ecitmatch | pubmed-search | bibliographic | europepmc
    source: str | None = None  # store | pubmed | crossref | europepmc
    doi_elsewhere: tuple[int | None, Record] | None = None  # the work the cited DOI belongs to, when not this one
    doi_unknown: bool = False  # looked up online and no service knows the DOI
    tried: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class FetchLog:
    """The audit's fetch run: started on the first record looked up online, finished at the end."""

    def __init__(self, store, params: dict[str, Any]) -> None:
        self.store, self.params = store, params
        self.run_id: int | None = None
        self.counts = {"read": 0, "new": 0, "updated": 0, "unchanged": 0, "merged": 0}
        self.errors: list[str] = []

    def store_records(self, records: list[Record]) -> list[int]:
        if not records:
            return []
        if self.run_id is None:
            self.run_id = self.store.start_run("fetch", self.params)
        result = self.store.upsert(records, run_id=self.run_id)
        for k in self.counts:
            self.counts[k] += getattr(result, k, 0)
        return list(result.record_ids)

    def finish(self, requests: dict[str, int]) -> None:
        if self.run_id is not None:
            self.store.finish_run(self.run_id, "failed" if self.errors and not self.counts["read"] else "ok",
                                  {"totals": {**self.counts, "requests": sum(requests.values())},
                                   "requests": requests}, self.errors)


class Resolver:
    def __init__(self, store, lookup=None, log: FetchLog | None = None, sources=("pubmed", "crossref", "europepmc")):
        self.store, self.lookup, self.log, self.sources = store, lookup, log, tuple(sources)

    # -- the store --------------------------------------------------------------------------
    def _by_id(self, ident: str) -> tuple[int, Record] | None:
        try:
            rid = self.store.resolve(ident)
        except LitwatchError:
            return None
        return (rid, self.store.get(rid)) if rid is not None else None

    def _by_title(self, p: ParsedReference, limit: int = 8) -> list[tuple[int, Record]]:
        words = [w for w in norm_text(p.title).split() if len(w) >= 4 and w not in _FTS_STOP and w.isascii()]
        if len(words) < 2:
            return []
        words = sorted(set(words), key=lambda w: (-len(w), w))[:8]
        out: list[tuple[int, Record]] = []
        for joiner in (" AND ", " OR "):
            query = joiner.join(f'title:"{w}"' for w in words)
            try:
                hits = self.store.search(query, limit=limit)
            except LitwatchError:
                hits = []
            out = [(h.record_id, h.record) for h in hits]
            if out:
                break
        return out

    def _best(self, p: ParsedReference, cands: list[tuple[int | None, Record]]):
        scored = [(match_score(p, r), rid, r) for rid, r in cands]
        scored.sort(key=lambda x: -x[0]["score"])
        return scored[0] if scored else None

    @staticmethod
    def _fits(sc: dict[str, Any]) -> bool:
        if sc["ids"]:
            return sc["title"] is None or sc["title"] >= 0.65 or sc["fields"] >= 0.7
        return sc["score"] >= ACCEPT and (sc["title"] is None or sc["title"] >= TITLE_ACCEPT)

    def resolve(self, p: ParsedReference, *, online: bool) -> Resolution:
        res = Resolution()
        id_hit = None
        for kind, value in (("pmid", p.pmid), ("doi", p.doi), ("pmcid", p.pmcid)):
            if value:
                hit = self._by_id(f"PMID:{value}" if kind == "pmid" else value)
                res.tried.append(f"store:{kind}")
                if hit:
                    id_hit = (hit, kind)
                    break
        title_hits = self._by_title(p) if p.title else []
        if p.title:
            res.tried.append("store:title")
        chosen = self._choose(p, id_hit, title_hits, "store")
        if chosen is not None:
            self._take(res, *chosen)
        if online and (res.record is None or res.score.get("score", 0) < 0.85 or res.doi_elsewhere) and self.lookup:
            self._online(p, res)
        return res

    def _choose(self, p, id_hit, title_hits, source):
        """(record id, record, score, by, source, doi_elsewhere) of the best fitting candidate."""
        best_title = self._best(p, [(rid, r) for rid, r in title_hits])
        if id_hit is not None:
            (rid, rec), kind = id_hit
            sc = match_score(p, rec)
            better = best_title is not None and best_title[1] != rid and self._fits(best_title[0]) and \
                (best_title[0]["title"] or 0) >= 0.9 and (sc["title"] if sc["title"] is not None else 1) < 0.8
            if self._fits(sc) and not (kind == "doi" and better):
                return rid, rec, sc, kind, source, None
            if kind == "doi" and best_title and self._fits(best_title[0]) and best_title[1] != rid:
                return best_title[1], best_title[2], best_title[0], "title", source, (rid, rec)
            if best_title is None or not self._fits(best_title[0]):
                return rid, rec, sc, kind, source, None  # the id says so; the fields' mismatch is reported
        if best_title and self._fits(best_title[0]):
            return best_title[1], best_title[2], best_title[0], "title", source, None
        return None

    def _take(self, res: Resolution, rid, rec, sc, by, source, elsewhere) -> None:
        res.record_id, res.record, res.score, res.by, res.source = rid, rec, sc, by, source
        if elsewhere is not None:
            res.doi_elsewhere = elsewhere

    # -- online -----------------------------------------------------------------------------
    def _stored(self, records: list[Record]) -> list[tuple[int | None, Record]]:
        if not records:
            return []
        ids = self.log.store_records(records) if self.log else [None] * len(records)
        out = []
        for rid, rec in zip(ids, records):
            out.append((rid, self.store.get(rid) if rid is not None else rec))
        return out

    def _try(self, res: Resolution, name: str, fn) -> list[tuple[int | None, Record]] | None:
        """What a look-up found (stored), or None when the service could not be asked."""
        res.tried.append(name)
        try:
            return self._stored(fn())
        except SourceError as exc:
            res.errors.append(exc.one_line())
            if self.log:
                self.log.errors.append(exc.one_line())
            return None

    def _online(self, p: ParsedReference, res: Resolution) -> None:
        lk = self.lookup
        use = set(self.sources)
        steps = []
        if p.pmid and "pubmed" in use:
            steps.append(("pmid", "pubmed", lambda: lk.pubmed_records([p.pmid])))
        if p.doi and "crossref" in use:
            steps.append(("doi", "crossref", lambda: [r for r in [lk.crossref_work(p.doi)] if r]))
        if p.doi and "pubmed" in use:
            steps.append(("doi", "pubmed", lambda: lk.pubmed_records(lk.pubmed_search(f"{p.doi}[doi]", retmax=2))))
        if "pubmed" in use and p.journal and p.year and p.volume and p.first_page and p.first_author:
            steps.append(("ecitmatch", "pubmed", lambda: self._ecitmatch(p)))
        if "pubmed" in use and p.title:
            steps.append(("pubmed-search", "pubmed", lambda: lk.pubmed_records(lk.pubmed_search(_field_search(p)))))
        if "crossref" in use:
            steps.append(("bibliographic", "crossref", lambda: lk.crossref_bibliographic(p.raw)))
        if "europepmc" in use and (p.doi or p.title):
            q = f'DOI:"{p.doi}"' if p.doi else f'TITLE:"{_quote(p.title)}"'
            steps.append(("europepmc", "europepmc", lambda q=q: lk.europepmc_search(q)))
        doi_looked, doi_found = False, False
        for by, source, fn in steps:
            got = self._try(res, f"{source}:{by}", fn)
            if by == "doi" and got is not None:
                doi_looked = True
                doi_found = doi_found or any(r.ids.doi and p.doi and r.ids.doi.lower() == p.doi.lower() for _, r in got)
            if not got:
                continue
            id_hit = None
            for rid, rec in got:
                if (by in ("doi", "pmid")) and ((p.doi and rec.ids.doi == p.doi) or (p.pmid and rec.ids.pmid == p.pmid)):
                    id_hit = ((rid, rec), by)
                    break
            others = [(rid, r) for rid, r in got if id_hit is None or rid != id_hit[0][0]]
            if res.doi_elsewhere is None and res.record is not None and id_hit is None:
                others.append((res.record_id, res.record))
            chosen = self._choose(p, id_hit, others, source)
            if chosen is None:
                continue
            rid, rec, sc, cby, csource, elsewhere = chosen
            if res.record is None or sc["score"] > res.score.get("score", 0) or elsewhere:
                self._take(res, rid, rec, sc, by if cby != "title" else (by if by not in ("doi", "pmid") else "title"),
                           csource, elsewhere)
            if res.score.get("score", 0) >= 0.85 and not (p.doi and doi_looked is False and by != "doi"):
                break
        if p.doi and doi_looked and not doi_found and res.doi_elsewhere is None:
            res.doi_unknown = True

    def _ecitmatch(self, p: ParsedReference) -> list[Record]:
        from litwatch.sources.lookup import CitationQuery

        given = p.authors[0].get("given", "") if p.authors else ""
        author = f"{p.first_author} {re.sub(r'[^A-Za-z]', '', given)}".strip().lower()
        q = CitationQuery(p.journal or "", p.year or "", p.volume or "", p.first_page or "", author, "ref")
        pmid = self.lookup.ecitmatch([q]).get("ref")
        return self.lookup.pubmed_records([pmid]) if pmid else []


def _quote(text: str | None) -> str:
    return re.sub(r"[\"()\[\]:]", " ", text or "").strip()


def _field_search(p: ParsedReference) -> str:
    words = [w for w in norm_text(p.title).split() if len(w) >= 4 and w not in _FTS_STOP][:8]
    term = " AND ".join(f"{w}[ti]" for w in words) or f'"{_quote(p.title)}"[ti]'
    if p.first_author and p.first_author.isascii():
        term += f" AND {p.first_author}[au]"
    if p.year:
        term += f" AND {p.year}[dp]"
    return term
