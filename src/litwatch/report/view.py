"""The Digest seen in one language: every string a renderer shows, ready to lay out.

Markdown, HTML (and so PDF) and DOCX all read this view, so they cannot disagree on a number,
a date or a reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litwatch.report.charts import evidence_map_svg, stacked_bars_svg
from litwatch.report.citations import STYLES, FormattedReference, check_style, default_style, format_references
from litwatch.report.dates import format_date, format_iso, format_month, format_month_short, format_period
from litwatch.report.digest import Digest, Paper
from litwatch.report.prisma import prisma_rows, prisma_svg, source_name
from litwatch.report.texts import check_lang, has, t

__all__ = ["View", "make_view"]


@dataclass
class View:
    lang: str
    style: str
    title: str
    intro: str
    disclaimer: str
    period_text: str
    generated_text: str
    method: dict[str, Any]
    overview: dict[str, Any]
    months: list[dict[str, Any]]
    trials: dict[str, Any]
    summary: list[str]
    caveats: list[str]
    references: list[FormattedReference]
    provenance: dict[str, Any]
    digest: Digest = field(repr=False)

    def t(self, key: str, **values: Any) -> str:
        return t(key, self.lang, **values)


def make_view(digest: Digest, lang: str, style: str | None = None, charts: bool = True) -> View:
    check_lang(lang)
    # an explicit style wins; else Chinese takes GB/T 7714, others the profile's style or Vancouver
    style = check_style(style) or digest.options.get("style") or _profile_style(digest.topic, lang)
    entries = [(r["number"], r["record_id"], r["csl"]) for r in digest.references]
    return View(
        lang=lang,
        style=style,
        title=digest.title(lang),
        intro=digest.text("intro", lang),
        disclaimer=digest.text("disclaimer", lang),
        period_text=format_period(digest.period.start, digest.period.end, lang),
        generated_text=format_iso(digest.generated_at, lang),
        method=_method(digest, lang),
        overview=_overview(digest, lang, charts),
        months=[_month(digest, m, lang) for m in digest.months],
        trials=_trials(digest, lang),
        summary=digest.summary["sentences"][lang],
        caveats=digest.summary["caveats"][lang],
        references=format_references(entries, style),
        provenance=_provenance(digest, lang),
        digest=digest,
    )


def _profile_style(topic: dict[str, Any], lang: str) -> str:
    """The profile's style for `lang` (a short name or a CSL file name), else the language default."""
    profile = topic.get("report_style")
    if isinstance(profile, dict):
        profile = profile.get(lang) or (profile.get("zh-Hans") if lang == "zh-Hant" else None)
    by_csl = {csl: short for short, csl in STYLES.items()}
    profile = by_csl.get(profile, profile)
    return profile if profile in STYLES else default_style(lang)


def _method(d: Digest, lang: str) -> dict[str, Any]:
    counts = d.search.get("prisma") or {}
    runs = [
        {
            "id": r["id"],
            "kind": r["kind"],
            "started": format_iso(r.get("started_at"), lang),
            "status": r.get("status") or "",
            "params": _params(r.get("params") or {}),
        }
        for r in d.search.get("runs", [])
    ]
    return {
        "sources": [{**s, "source": source_name(s["source"], lang)} for s in d.search.get("sources", [])],
        "runs": runs,
        "prisma": counts,
        "prisma_rows": prisma_rows(counts, lang),
        "prisma_svg": prisma_svg(counts, lang),
    }


def _params(params: dict[str, Any]) -> str:
    """A run's parameters in one short line (file paths cut to their names)."""
    parts = []
    for k, v in sorted(params.items()):
        if v in (None, "", [], {}):
            continue
        if isinstance(v, list):
            v = ", ".join(str(x).rsplit("/", 1)[-1] for x in v)
        parts.append(f"{k}: {v}")
    text = "; ".join(parts)
    return text if len(text) <= 200 else text[:199] + "…"


def _counts(d: Digest, table: dict[str, int], lang: str) -> list[tuple[str, int]]:
    return [(d.label(cid, lang), n) for cid, n in table.items()]


def _overview(d: Digest, lang: str, charts: bool) -> dict[str, Any]:
    ov = d.overview
    # designs strongest evidence first, "other" last (drawn grey)
    designs = sorted(ov["by_design"], key=lambda ds: (ds == "design:other", ov.get("design_levels", {}).get(ds, 99), ds))
    months = d.period.months()
    series = [(d.label(ds, lang), [ov["per_month"].get(m, {}).get(ds, 0) for m in months]) for ds in designs]
    emap = ov["evidence_map"]
    out = {
        "included_text": t("overview.included", lang, n=ov["included"]),
        "tables": [
            (t("overview.by_design", lang), _counts(d, ov["by_design"], lang)),
            (t("overview.by_species", lang), _counts(d, ov["by_species"], lang)),
            (t("overview.by_cell_source", lang), _counts(d, ov["by_cell_source"], lang)),
        ],
        "chart_title": t("overview.per_month_chart", lang),
        "map_title": t("overview.evidence_map", lang),
        "map": {
            "rows": [d.label(r, lang) for r in emap["rows"]],
            "cols": [d.label(c, lang) for c in emap["cols"]],
            "counts": emap["counts"],
        },
    }
    if charts:
        out["chart_svg"] = stacked_bars_svg(
            [format_month_short(m, lang) for m in months], series, out["chart_title"], lang,
            t("overview.none", lang), other=d.label("design:other", lang),
        )
        out["map_svg"] = evidence_map_svg(
            out["map"]["rows"], out["map"]["cols"], emap["counts"], out["map_title"], lang, t("overview.none", lang)
        )
    return out


def _ids_text(ids: dict[str, str]) -> str:
    parts = []
    if ids.get("pmid"):
        parts.append(f"PMID: {ids['pmid']}")
    if ids.get("doi"):
        parts.append(f"doi:{ids['doi']}")
    if ids.get("pmcid"):
        parts.append(ids["pmcid"])
    return "; ".join(parts)


def _paper(p: Paper, lang: str) -> dict[str, Any]:
    date_text = format_date(p.date, lang, p.date_precision)
    if p.journal:
        published = t("month.published", lang, date=date_text, journal=p.journal)
    else:
        published = t("month.published_nojournal", lang, date=date_text)
    return {
        "record_id": p.record_id,
        "citation": p.citation,
        "title": p.title,
        "date_text": date_text,
        "journal": p.journal or "",
        "published": published,
        "byline": published + (t("month.sep", lang) + t("month.institution", lang, inst=p.institution)
                               if p.institution else "") + t("month.end", lang),
        "institution": t("month.institution", lang, inst=p.institution) if p.institution else "",
        "studied": p.studied.get(lang, ""),
        "findings": [{"text": f.text, "sentence_id": f.sentence_id} for f in p.findings],
        "quote_lang": p.language if p.language and len(p.language) == 2 else "en",
        "url": p.url,
        "ids_text": _ids_text(p.ids),
        "ids": p.ids,
    }


def _month(d: Digest, m, lang: str) -> dict[str, Any]:
    return {
        "month": m.month,
        "heading": format_month(m.month, lang),
        "count": m.count,
        "highlights": [_paper(p, lang) for p in m.highlights],
        "others": [_paper(p, lang) for p in m.others],
    }


def _status(value: str | None, lang: str) -> str:
    if not value:
        return ""
    key = f"status.{value.upper()}"
    return t(key, lang) if has(key, lang) else value.replace("_", " ").capitalize()


def _trials(d: Digest, lang: str) -> dict[str, Any]:
    tr = d.trials
    items, changes, links = [], [], []
    for e in tr.get("items", []):
        items.append({
            "nct": e.nct or "",
            "title": e.title,
            "phase": (e.phase or "").replace("PHASE", "").replace("/", "/") or "",
            "status": _status(e.status, lang),
            "enrollment": "" if e.enrollment is None else str(e.enrollment),
            "sponsor": e.sponsor or "",
            "countries": ", ".join(e.countries),
            "start": format_date(e.start, lang, "month") if e.start else "",
            "url": e.url,
        })
        if e.new_in_period:
            changes.append(f"{e.nct}: " + t("trials.new", lang, date=format_date(e.first_posted, lang)))
        for c in e.status_changes:
            changes.append(f"{e.nct}: " + t("trials.status_change", lang, old=_status(c["old"], lang),
                                             new=_status(c["new"], lang), date=format_date(c["date"], lang)))
        for p in e.papers:
            ref = f"[{p['citation']}] " if p.get("citation") else ""
            links.append(t("trials.link", lang, nct=e.nct, paper=f"{ref}{p['title']} ({_ids_text(p['ids'])})"))
    total = tr.get("total", 0)
    return {
        "intro": t("trials.intro", lang, n=total) if total else t("trials.none", lang),
        "items": items,
        "changes": changes,
        "links": links,
        "more": t("trials.more", lang, n=total - len(items)) if total > len(items) else "",
    }


def _provenance(d: Digest, lang: str) -> dict[str, Any]:
    p = d.provenance
    return {
        "quotes": p.get("quotes", []),
        "versions": t("provenance.versions", lang, litwatch=p.get("litwatch_version"),
                      annotator=p.get("annotator_version")),
        "runs": t("provenance.runs", lang, runs=", ".join(f"#{r}" for r in p.get("run_ids", [])) or "—"),
    }
