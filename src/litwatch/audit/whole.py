"""The article as a whole: the period it claims against the months it covers, trials mentioned
without being named (and the registered trials in the store that match its topic), papers of its
period and topic that it missed, and whether it dates works by one kind of date."""

from __future__ import annotations

import re
from typing import Any

from litwatch.audit.article import to_simplified
from litwatch.audit.lexicon import find_mentions
from litwatch.audit.model import Problem, problem
from litwatch.audit.refparse import MONTHS

__all__ = ["claimed_period", "months_named", "period_check", "trial_candidates", "missed_papers", "date_kind_check",
           "month_name"]

_EN_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_ZH_RANGE = re.compile(r"((?:19|20)\d{2})\s*年\s*(1[0-2]|0?[1-9])\s*月?\s*(?:到|至|—|–|-|~|～|－)\s*(?:((?:19|20)\d{2})\s*年\s*)?(1[0-2]|0?[1-9])\s*月")
_EN_RANGE = re.compile(rf"(?:from\s+)?{_EN_MONTH}\s*(?:((?:19|20)\d{{2}})\s*)?(?:–|—|-|to|through|until|and)\s*{_EN_MONTH}\s*,?\s*((?:19|20)\d{{2}})", re.I)
_ZH_MONTH = re.compile(r"((?:19|20)\d{2})\s*年\s*(1[0-2]|0?[1-9])\s*月(?!\s*(?:到|至|-|–|~|～))")
_EN_MONTH_YEAR = re.compile(rf"\b{_EN_MONTH}\s*,?\s*((?:19|20)\d{{2}})\b", re.I)


def _m(name: str) -> int:
    low = name.lower().rstrip(".")
    return MONTHS.get(low) or MONTHS[low[:3]]


def month_name(ym: str, lang: str) -> str:
    y, m = int(ym[:4]), int(ym[5:7])
    if lang.startswith("zh"):
        return f"{y}年{m}月"
    names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
    return f"{names[m - 1]} {y}"


def claimed_period(text: str) -> tuple[str, str] | None:
    """("2025-01", "2025-12") for "2025年1月到12月", "2025年1-12月", "January–December 2025"."""
    simple = to_simplified(text)
    for m in _ZH_RANGE.finditer(simple):
        y1, m1, y2, m2 = int(m.group(1)), int(m.group(2)), int(m.group(3) or m.group(1)), int(m.group(4))
        if (y2, m2) >= (y1, m1):
            return f"{y1:04d}-{m1:02d}", f"{y2:04d}-{m2:02d}"
    for m in _EN_RANGE.finditer(text):
        m1, m2, y2 = _m(m.group(1)), _m(m.group(3)), int(m.group(4))
        y1 = int(m.group(2)) if m.group(2) else (y2 if m1 <= m2 else y2 - 1)
        return f"{y1:04d}-{m1:02d}", f"{y2:04d}-{m2:02d}"
    return None


def months_named(sentences, year_hint: int | None, section_years: dict[int, int] | None = None) -> list[str]:
    """Months the article reports on: its headings' "2025年3月" / "March 2025", and dates it gives works."""
    out: set[str] = set()
    for s in sentences:
        simple = to_simplified(s.text)
        if _ZH_RANGE.search(simple) or _EN_RANGE.search(s.text):
            continue
        for m in _ZH_MONTH.finditer(simple):
            out.add(f"{int(m.group(1)):04d}-{int(m.group(2)):02d}")
        for m in _EN_MONTH_YEAR.finditer(s.text):
            if m.group(1).lower() == "may" and not m.group(2):
                continue
            out.add(f"{int(m.group(2)):04d}-{_m(m.group(1)):02d}")
        year = (section_years or {}).get(s.section, year_hint)
        if year and not s.heading:
            lead = re.match(r"^\s*(1[0-2]|0?[1-9])\s*月(?:\s*\d{1,2}\s*[日号])?\s*[，,、]", simple)
            if lead:
                out.add(f"{year:04d}-{int(lead.group(1)):02d}")
            lead = re.match(rf"^\s*(?:In|On)\s+(?:\d{{1,2}}\s+)?{_EN_MONTH}(?:\s+\d{{1,2}})?\s*,", s.text)
            if lead:
                out.add(f"{year:04d}-{_m(lead.group(1)):02d}")
    return sorted(out)


def _months_between(a: str, b: str) -> list[str]:
    y, m = int(a[:4]), int(a[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= b and len(out) < 240:
        out.append(f"{y:04d}-{m:02d}")
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def period_check(period: tuple[str, str] | None, covered: list[str]) -> tuple[dict[str, Any], list[Problem]]:
    if period is None:
        return {"claimed": None, "covered": covered, "missing": []}, []
    want = _months_between(*period)
    missing = [m for m in want if m not in covered]
    info = {"claimed": {"from": period[0], "to": period[1]}, "covered": [m for m in covered if m in want],
            "outside": [m for m in covered if m not in want], "missing": missing}
    probs = []
    if missing:
        probs.append(problem("period", "warning", "period.missing",
                             claimed={"en": f"{month_name(period[0], 'en')} to {month_name(period[1], 'en')}",
                                      "zh-Hans": f"{month_name(period[0], 'zh')}至{month_name(period[1], 'zh')}"},
                             missing={"en": ", ".join(month_name(m, "en") for m in missing),
                                      "zh-Hans": "、".join(month_name(m, "zh") for m in missing)}))
    return info, probs


_MSC = {"cell:uc-msc", "cell:wj-msc", "cell:bm-msc", "cell:ad-msc", "cell:dp-msc", "cell:placenta-msc", "cell:amniotic"}
_DEPRESSION = {"condition:mdd", "condition:trd", "condition:bipolar-depression", "condition:postpartum-depression",
               "condition:post-stroke-depression"}


def _widen(ids: set[str]) -> set[str]:
    """A concept also counts as its broader class: umbilical cord MSCs are MSCs and stem cells."""
    out = set(ids)
    for c in ids:
        base = c.split("+")[-1]
        if base in _MSC:
            out.add("cell:msc")
        if base.startswith("cell:"):
            out.add("cell:stem-cell")
        if c in _DEPRESSION:
            out.add("condition:depression")
    return out


def _topic_concepts(article_text: str) -> set[str]:
    counts: dict[str, int] = {}
    for m in find_mentions(article_text):
        if m.category in ("condition", "cell_source", "product"):
            for c in _widen({m.concept_id}):
                counts[c] = counts.get(c, 0) + 1
    return {c for c, n in counts.items() if n >= 2}


def trial_candidates(store, article_text: str, topic: str | None, period: tuple[str, str] | None,
                     limit: int = 10) -> list[dict[str, Any]]:
    """Registered trials in the store that match the article's topic (its profile, or its main concepts)."""
    ids: list[int] | None = None
    if topic:
        from litwatch.screen import included_ids

        ids = included_ids(store, topic)
    out = []
    wanted = _topic_concepts(article_text)
    conditions = {c for c in wanted if c.startswith(("condition:", "audit:"))}
    interventions = wanted - conditions - {"cell:stem-cell"} or wanted - conditions
    for rid, rec in store.iter_records(kind="trial", ids=ids):
        if ids is None:
            text = " ".join([rec.title or "", " ".join(rec.trial.conditions if rec.trial else []),
                             " ".join(rec.trial.interventions if rec.trial else [])])
            found = _widen({m.concept_id for m in find_mentions(text)})
            if not (found & conditions and found & interventions):
                continue
        t = rec.trial
        out.append({"record_id": rid, "nct": rec.ids.nct, "title": rec.title, "status": t.status if t else None,
                    "phase": t.phase if t else None, "start": rec.dates["trial_start"].value
                    if "trial_start" in rec.dates else None})
        if len(out) >= limit:
            break
    return out


def missed_papers(store, topic: str, period: tuple[str, str] | None, cited: set[int], limit: int = 50) -> list[dict]:
    from litwatch.screen import included_ids

    ids = included_ids(store, topic)
    out = []
    for rid, rec in store.iter_records(ids=ids):
        if rid in cited or rec.kind == "trial":
            continue
        month = rec.report_month()
        if period and (month is None or not (period[0] <= month <= period[1])):
            continue
        out.append({"record_id": rid, "ids": {k: v for k, v in (("pmid", rec.ids.pmid), ("doi", rec.ids.doi)) if v},
                    "title": rec.title, "month": month, "journal": rec.journal.title or rec.journal.iso_abbrev})
    out.sort(key=lambda x: (x["month"] or "", x["record_id"]))
    return out[:limit]


def date_kind_check(kinds: list[tuple[int, str]]) -> tuple[dict[str, Any], list[Problem]]:
    by: dict[str, list[int]] = {"online": [], "issue": []}
    for n, kind in kinds:
        if n not in by[kind]:
            by[kind].append(n)
    info = {k: sorted(v) for k, v in by.items()}
    probs = []
    if by["online"] and by["issue"]:
        probs.append(problem("date-kinds", "warning", "date-kinds.mixed",
                             online=" ".join(f"[{n}]" for n in sorted(by["online"])),
                             issue=" ".join(f"[{n}]" for n in sorted(by["issue"]))))
    return info, probs
