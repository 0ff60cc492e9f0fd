"""How well a parsed reference fits a record: titles, journals (abbreviated or not), names, numbers."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rapidfuzz import fuzz

from litwatch.audit.citations import fold
from litwatch.audit.refparse import ParsedReference
from litwatch.records import Record

__all__ = ["norm_text", "title_similarity", "journal_matches", "same_first_author", "name_pattern",
           "record_years", "same_number", "same_pages", "match_score", "doi_year", "record_summary"]

_STOP = {"of", "the", "and", "et", "in", "for", "on", "de", "la", "des", "du", "und", "fur", "a", "an"}


def norm_text(text: str | None) -> str:
    if not text:
        return ""
    s = re.sub(r"<[^>]+>", " ", text)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.casefold().replace("&", " and ")
    s = re.sub(r"[^\w\u4e00-\u9fff]+", " ", s)
    return " ".join(s.split())


def title_similarity(a: str | None, b: str | None) -> float:
    """0..1; a title cut short or given without its subtitle still scores high."""
    x, y = norm_text(a), norm_text(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    best = max(fuzz.ratio(x, y), fuzz.token_sort_ratio(x, y)) / 100
    short, long_ = sorted((x, y), key=len)
    if len(short) >= 25 and len(short) / len(long_) >= 0.45:
        best = max(best, fuzz.partial_ratio(short, long_) / 100 * 0.97)
    return best


def _jtokens(name: str) -> list[str]:
    return [t for t in norm_text(name).split() if t not in _STOP]


def _abbrev_of(short: list[str], full: list[str]) -> bool:
    """Every cited word is the start of the full title's word in the same place ("Res" for "Research")."""
    if not short or len(short) != len(full):
        return False
    return all(f.startswith(s) or (len(s) >= 4 and fuzz.ratio(s, f[: len(s)]) >= 75) for s, f in zip(short, full))


def journal_matches(cited: str | None, record: Record) -> bool | None:
    """None when either side has no journal; else whether the cited name is the record's journal."""
    if not cited:
        return None
    names = [n for n in (record.journal.title, record.journal.iso_abbrev) if n]
    if not names:
        return None
    c = _jtokens(cited)
    for name in names:
        f = _jtokens(name)
        if c == f or _abbrev_of(c, f) or _abbrev_of(f, c):
            return True
        cj, fj = "".join(c), "".join(f)
        if cj and fj and (cj == fj or fuzz.ratio(cj, fj) >= 90):
            return True
    return False


def name_pattern(family: str) -> re.Pattern[str]:
    """A name with "?" or U+FFFD for lost characters as a pattern: "Sim?o" matches "Simão"."""
    parts = [".{1,2}" if ch in "?\ufffd" else re.escape(ch) for ch in family.strip()]
    return re.compile("^" + "".join(parts) + "$", re.I)


def same_first_author(p: ParsedReference, record: Record) -> bool | None:
    fam = p.first_author
    rec = next((a for a in record.authors if a.family or a.collective), None)
    if not fam or rec is None:
        return None
    rec_name = rec.family or rec.collective or ""
    if bool(re.search(r"[\u4e00-\u9fff]", fam)) != bool(re.search(r"[\u4e00-\u9fff]", rec_name)):
        return None  # a Chinese name against its romanisation: not comparable here
    if fold(fam) == fold(rec_name) or name_pattern(fam).match(unicodedata.normalize("NFC", rec_name)):
        return True
    # "van der Berg" cited as "Berg", or a double name cited by one part
    a, b = fold(fam), fold(rec_name)
    return bool(a and b and (a in b or b in a) and min(len(a), len(b)) >= 4)


def record_years(record: Record) -> set[int]:
    years = set()
    for key in ("issue", "electronic"):
        d = record.dates.get(key)
        if d:
            years.add(d.year)
    if not years:
        d = record.best_date()
        if d:
            years.add(d.year)
    return years


def _num(v: str | None) -> str:
    return re.sub(r"^0+(?=\w)", "", re.sub(r"\s+", "", (v or "").strip().lower()))


def same_number(a: str | None, b: str | None) -> bool | None:
    if not a or not b:
        return None
    return _num(a) == _num(b)


def _first_page(p: str) -> str:
    return _num(re.split(r"[-–—]", p)[0])


def same_pages(a: str | None, b: str | None) -> bool | None:
    if not a or not b:
        return None
    fa, fb = _first_page(a), _first_page(b)
    if fa == fb:
        return True
    # "e33693" against "33693", "Article 102643" against "102643"
    return fa.lstrip("e") == fb.lstrip("e") and bool(fa.lstrip("e"))


def doi_year(doi: str | None) -> int | None:
    if not doi:
        return None
    m = re.search(r"[./_\-]((?:19|20)\d{2})[./_\-]", doi)
    return int(m.group(1)) if m else None


def match_score(p: ParsedReference, record: Record) -> dict[str, Any]:
    """{"score": 0..1, "title": similarity, "ids": which ids agree, ...} for one candidate."""
    ids = []
    if p.doi and record.ids.doi and p.doi.lower() == record.ids.doi.lower():
        ids.append("doi")
    if p.pmid and record.ids.pmid == p.pmid:
        ids.append("pmid")
    if p.pmcid and record.ids.pmcid and record.ids.pmcid.upper() == p.pmcid.upper():
        ids.append("pmcid")
    parts: list[tuple[float, float]] = []
    tsim = title_similarity(p.title, record.title) if p.title and record.title else None
    if tsim is not None:
        parts.append((0.55, tsim))
    fa = same_first_author(p, record)
    if fa is not None:
        parts.append((0.15, 1.0 if fa else 0.0))
    years = record_years(record)
    if p.year and years:
        parts.append((0.1, 1.0 if p.year in years else (0.5 if any(abs(p.year - y) == 1 for y in years) else 0.0)))
    j = journal_matches(p.journal, record)
    if j is not None:
        parts.append((0.1, 1.0 if j else 0.0))
    elif p.journal and not (record.journal.title or record.journal.iso_abbrev):
        parts.append((0.1, 0.5))  # a cited journal the record cannot confirm (a preprint has none)
    nums = [x for x in (same_number(p.volume, record.journal.volume), same_pages(p.pages, record.journal.pages))
            if x is not None]
    if nums:
        parts.append((0.1, sum(nums) / len(nums)))
    fields = sum(w * v for w, v in parts) / sum(w for w, _ in parts) if parts else 0.0
    score = 0.5 + 0.5 * fields if ids else fields
    if not ids and tsim is not None and tsim < 0.6:
        score = min(score, tsim)
    return {"score": round(score, 3), "title": round(tsim, 3) if tsim is not None else None, "ids": ids,
            "fields": round(fields, 3)}


def record_summary(record: Record) -> dict[str, Any]:
    j = record.journal
    dates = {k: v.value[: {"day": 10, "month": 7, "season": 7, "year": 4}.get(v.precision, 10)]
             for k, v in record.dates.items() if k in ("electronic", "issue")}
    return {
        "ids": {k: v for k, v in (("pmid", record.ids.pmid), ("doi", record.ids.doi), ("pmcid", record.ids.pmcid),
                                  ("nct", record.ids.nct)) if v},
        "kind": record.kind,
        "title": record.title,
        "authors": [a.display() for a in record.authors[:3]] + (["et al."] if len(record.authors) > 3 else []),
        "journal": j.title or j.iso_abbrev,
        "volume": j.volume, "issue": j.issue, "pages": j.pages,
        "dates": dates,
    }
