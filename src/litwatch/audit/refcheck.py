"""The problems of one reference: what it says against the record it resolved to.

Severity: an error is a fact the reference gets wrong (a wrong DOI, another journal, volume or
first page, a retracted work); a warning is something a reader should fix or know (a missing
DOI or volume, an in-press placeholder, a name damaged by encoding, a correction); info is a
remark (a DOI whose year differs from the cited one, which often means an online-first date).
"""

from __future__ import annotations

import re

from litwatch.audit.match import (
    doi_year, journal_matches, name_pattern, record_years, same_first_author, same_number, same_pages,
    title_similarity,
)
from litwatch.audit.model import Problem, problem
from litwatch.audit.refparse import ParsedReference, damaged_name
from litwatch.audit.resolve import Resolution
from litwatch.records import Record

__all__ = ["reference_problems", "PREPRINT_SERVERS"]

PREPRINT_SERVERS = re.compile(r"\b(?:bio|med|psy|chem|eco|socar|eartharxiv|ar)xiv\b|research square|\bssrn\b|preprints?\.org|"
                              r"\bauthorea\b|\bpreprint\b|\bqeios\b|\bjmir preprints\b", re.I)
_DOI_OK = re.compile(r"^10\.\d{4,9}/[-._;()/:a-z0-9<>\[\]]+$", re.I)


def _fmt_pages(p: str | None) -> str:
    return p or "—"


def reference_problems(p: ParsedReference, res: Resolution, *, online: bool) -> list[Problem]:
    out: list[Problem] = []
    rec = res.record
    # -- what the reference says on its own ------------------------------------------------------
    for ph in p.placeholders:
        if rec is not None and (rec.journal.volume or rec.journal.pages):
            out.append(problem("placeholder", "warning", "placeholder.now", placeholder=ph,
                               volume=rec.journal.volume or "—", issue=rec.journal.issue or "—",
                               pages=_fmt_pages(rec.journal.pages)))
        else:
            out.append(problem("placeholder", "warning", "placeholder", placeholder=ph))
    if "run-together" in p.notes:
        out.append(problem("title", "warning", "title.run-together"))
    damaged = [a["family"] for a in p.authors if damaged_name(a["family"])]
    for fam in damaged:
        right = None
        if rec is not None:
            pat = name_pattern(fam)
            right = next((a.family for a in rec.authors if a.family and pat.match(a.family)), None)
        if right:
            out.append(problem("author", "warning", "author.encoding.record", cited=fam, record=right))
        else:
            out.append(problem("author", "warning", "author.encoding", cited=fam))
    if p.doi and not _DOI_OK.match(p.doi):
        out.append(problem("doi", "error", "doi.malformed", doi=p.doi))

    if rec is None:
        if res.doi_unknown:
            out.append(problem("doi", "error", "doi.unknown", doi=p.doi))
        if online and res.errors and not res.doi_unknown:
            out.append(problem("unresolved", "warning", "unresolved.failed", error=res.errors[0]))
        elif online:
            out.append(problem("unresolved", "error", "unresolved.online"))
        else:
            out.append(problem("unresolved", "warning", "unresolved.offline"))
        if not p.doi:
            out.append(problem("missing-doi", "info", "missing-doi.unknown"))
        return out

    # -- against the record -----------------------------------------------------------------------
    if res.doi_elsewhere is not None:
        _, other = res.doi_elsewhere
        out.append(problem("doi", "error", "doi.elsewhere", doi=p.doi, other=other.title or "?",
                           right=rec.ids.doi or "—"))
    elif res.doi_unknown and rec.ids.doi and p.doi and rec.ids.doi.lower() != p.doi.lower():
        out.append(problem("doi", "error", "doi.wrong", doi=p.doi, right=rec.ids.doi))
    elif p.doi and rec.ids.doi and p.doi.lower() != rec.ids.doi.lower():
        out.append(problem("doi", "error", "doi.wrong", doi=p.doi, right=rec.ids.doi))
    if not p.doi:
        if rec.ids.doi:
            out.append(problem("missing-doi", "warning", "missing-doi.record", right=rec.ids.doi))
        elif (p.year or 0) >= 2000 or p.journal:
            out.append(problem("missing-doi", "warning", "missing-doi.unknown"))
    if p.pmid and rec.ids.pmid and p.pmid != rec.ids.pmid:
        out.append(problem("doi", "error", "pmid.wrong", pmid=p.pmid, right=rec.ids.pmid))

    tsim = title_similarity(p.title, rec.title) if p.title and rec.title else None
    if tsim is not None and "run-together" not in p.notes:
        if tsim < 0.55:
            out.append(problem("title", "error", "title.differs", record=rec.title))
        elif tsim < 0.85:
            out.append(problem("title", "warning", "title.close", record=rec.title, similarity=round(tsim, 2)))
    j = journal_matches(p.journal, rec)
    if j is False:
        out.append(problem("journal", "error", "journal.differs", cited=p.journal,
                           record=rec.journal.title or rec.journal.iso_abbrev))
    years = record_years(rec)
    if p.year and years and p.year not in years:
        sev = "warning" if any(abs(p.year - y) == 1 for y in years) and rec.dates.get("electronic") else "error"
        out.append(problem("year", sev, "year.differs", cited=p.year, record=", ".join(str(y) for y in sorted(years))))
    dy = doi_year(p.doi) if p.doi and rec.ids.doi and p.doi.lower() == rec.ids.doi.lower() else None
    if p.year and dy and dy != p.year and not any(pr.kind == "year" for pr in out) and abs(dy - p.year) <= 2:
        out.append(problem("year", "info", "year.doi", cited=p.year, doi_year=dy, volume=p.volume or "—"))
    v = same_number(p.volume, rec.journal.volume)
    if v is False:
        out.append(problem("volume", "error", "volume.differs", cited=p.volume, record=rec.journal.volume))
    elif p.volume is None and rec.journal.volume and not p.placeholders:
        out.append(problem("volume", "warning", "volume.missing", record=rec.journal.volume))
    elif p.volume is None and not rec.journal.volume and not p.placeholders and p.journal and rec.kind != "preprint" \
            and not PREPRINT_SERVERS.search(p.journal):
        out.append(problem("volume", "warning", "volume.missing.unknown"))
    i = same_number(p.issue, rec.journal.issue)
    if i is False:
        out.append(problem("issue", "warning", "issue.differs", cited=p.issue, record=rec.journal.issue))
    pg = same_pages(p.pages, rec.journal.pages)
    if pg is False:
        out.append(problem("pages", "error", "pages.differs", cited=p.pages, record=rec.journal.pages))
    elif p.pages is None and rec.journal.pages and not p.placeholders:
        out.append(problem("pages", "warning", "pages.missing", record=rec.journal.pages))
    fa = same_first_author(p, rec)
    if fa is False and not damaged:
        out.append(problem("author", "error", "author.first", cited=p.first_author,
                           record=rec.authors[0].display() if rec.authors else "?"))
    if p.authors and not p.et_al and len(rec.authors) > len(p.authors) + 1 and fa:
        out.append(problem("author", "info", "author.count", cited=len(p.authors), record=len(rec.authors)))
    out.extend(_links(rec))
    is_preprint = rec.kind == "preprint" or bool(p.journal and PREPRINT_SERVERS.search(p.journal))
    if is_preprint:
        published = next((lk for lk in rec.links if lk.kind in ("published-as", "is-preprint-of")), None)
        if published is not None:
            out.append(problem("preprint", "warning", "preprint.published",
                               published=published.doi or (f"PMID:{published.pmid}" if published.pmid else
                                                          published.accession or published.text or "?")))
        else:
            out.append(problem("preprint", "info", "preprint"))
    return out


def _links(rec: Record) -> list[Problem]:
    out = []
    seen = set()
    for lk in rec.links:
        target = lk.doi or (f"PMID:{lk.pmid}" if lk.pmid else None) or lk.text or ""
        if lk.kind in ("retracted-by", "retraction-in", "partial-retraction-in") and "retracted" not in seen:
            out.append(problem("retracted", "error", "retracted", target=target))
            seen.add("retracted")
        elif lk.kind in ("expression-of-concern-in",) and "concern" not in seen:
            out.append(problem("retracted", "warning", "concern", target=target))
            seen.add("concern")
        elif lk.kind in ("erratum-in", "corrected-and-republished-in", "update-in", "correction-in") and "corrected" not in seen:
            out.append(problem("corrected", "warning", "corrected", target=target))
            seen.add("corrected")
    if "retracted" not in seen and any(pt.lower() == "retracted publication" for pt in rec.publication_types):
        out.append(problem("retracted", "error", "retracted", target=""))
    return out
