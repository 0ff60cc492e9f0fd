"""The period's summary, written from numbers only, and the caveats the designs call for.

The same `facts` (computed in build.py from the store) give the sentences in every language, so
the English and Chinese summaries cannot say different things.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable

from litwatch.report.dates import format_month
from litwatch.report.texts import LANGS, join_list, t

__all__ = ["study_class", "summary_facts", "summary_sentences", "caveats", "REVIEW_DESIGNS"]

REVIEW_DESIGNS = {"design:meta-analysis", "design:systematic-review", "design:narrative-review"}
CLINICAL_DESIGNS = {
    "design:rct",
    "design:nonrandomised-trial",
    "design:pilot-case-series",
    "design:case-report",
    "design:observational",
}
PRECLINICAL_DESIGNS = {"design:animal", "design:in-vitro"}
_RCT = "design:rct"
_SMALL = 100  # participants: below this a clinical evidence base is called small


def study_class(design: str | None, species: list[str]) -> str:
    """clinical | preclinical | review | other, from the design and, failing that, the species."""
    if design in REVIEW_DESIGNS:
        return "review"
    if design in PRECLINICAL_DESIGNS:
        return "preclinical"
    if design in CLINICAL_DESIGNS:
        return "clinical"
    if species and "species:human" not in species:
        return "preclinical"
    return "other"


def summary_facts(
    classes: list[str],
    designs: list[str | None],
    participants: list[int],
    cell_sources: Counter,
    mechanisms: Counter,
    previous: dict[str, Any],
) -> dict[str, Any]:
    count = Counter(classes)
    return {
        "included": len(classes),
        "clinical": count["clinical"],
        "preclinical": count["preclinical"],
        "review": count["review"],
        "other": count["other"],
        "rct": sum(1 for d in designs if d == _RCT),
        "participants": sum(participants) if participants else None,
        "clinical_with_size": len(participants),
        "max_participants": max(participants) if participants else None,
        "top_cell_sources": [[c, n] for c, n in cell_sources.most_common(3)],  # lists: JSON round-trips
        "top_mechanisms": [[c, n] for c, n in mechanisms.most_common(3)],
        "previous": previous,
    }


def summary_sentences(facts: dict[str, Any], label: Callable[[str, str], str], lang: str) -> list[str]:
    n = facts["included"]
    if n == 0:
        out = [t("summary.none", lang)]
    else:
        out = [t("summary.counts", lang, n=n, clinical=facts["clinical"], preclinical=facts["preclinical"],
                 review=facts["review"], other=facts["other"])]
    if facts.get("trials"):
        out.append(t("summary.trials", lang, n=facts["trials"]))
    if n:
        if facts["clinical"]:
            if facts["participants"]:
                out.append(t("summary.participants", lang, n=facts["participants"]))
            else:
                out.append(t("summary.no_participants", lang))
        for key, fact in (("top_cell_sources", "top_cell_sources"), ("top_mechanisms", "top_mechanisms")):
            if facts[fact]:
                items = [t("summary.item", lang, label=label(c, lang), n=k) for c, k in facts[fact]]
                out.append(t(f"summary.{key}", lang, items=join_list(items, lang)))
    prev = facts.get("previous") or {}
    if prev:
        diff = n - prev["n"]
        key = "previous_more" if diff > 0 else "previous_less" if diff < 0 else "previous_same"
        out.append(t(f"summary.{key}", lang, diff=abs(diff), prev=prev["n"],
                     prev_from=format_month(prev["from"], lang), prev_to=format_month(prev["to"], lang)))
    return out


def caveats(facts: dict[str, Any], lang: str) -> list[str]:
    out = []
    studies = facts["clinical"] + facts["preclinical"] + facts["other"]
    if facts["preclinical"]:
        out.append(t("summary.caveat_animals", lang, n=facts["preclinical"], total=studies))
    if facts["review"]:
        out.append(t("summary.caveat_reviews", lang, n=facts["review"], total=facts["included"]))
    if studies and not facts["rct"]:
        out.append(t("summary.caveat_no_rct", lang))
    if facts["clinical"] and facts["max_participants"] and facts["max_participants"] < _SMALL:
        out.append(t("summary.caveat_small", lang, n=facts["max_participants"]))
    if facts.get("year_only"):
        out.append(t("summary.caveat_year_only", lang, n=facts["year_only"]))
    if facts.get("undated"):
        out.append(t("summary.caveat_undated", lang, n=facts["undated"]))
    if facts.get("unannotated"):
        out.append(t("summary.caveat_unannotated", lang, n=facts["unannotated"]))
    out.append(t("summary.caveat_auto", lang))
    return out


def all_languages(facts: dict[str, Any], label: Callable[[str, str], str]) -> dict[str, dict[str, list[str]]]:
    return {
        "sentences": {lang: summary_sentences(facts, label, lang) for lang in LANGS},
        "caveats": {lang: caveats(facts, lang) for lang in LANGS},
    }
