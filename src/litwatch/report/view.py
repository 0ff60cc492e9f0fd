"""The Digest seen in one language: every string a renderer shows, ready to lay out.

Markdown, HTML (and so PDF) and DOCX all read this view, so they cannot disagree on a number,
a date or a reference. Everything a reader sees is in the report's language: dates, phases,
statuses, countries, table headers, the PRISMA labels; record texts (titles, journal names,
institutions, the authors' sentences) stay as published, journal names inside 《》 in Chinese,
and each title gets a gloss in Chinese made from its concepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litwatch.report.charts import evidence_map_svg, stacked_bars_svg
from litwatch.report.citations import STYLES, FormattedReference, check_style, default_style, format_references
from litwatch.report.dates import format_date, format_iso, format_month, format_month_short, format_period
from litwatch.report.digest import Digest, MonthSection, Paper
from litwatch.report.entries import safe_url
from litwatch.report.prisma import prisma_rows, prisma_svg, source_name
from litwatch.report.texts import check_lang, has, is_zh, t

__all__ = ["View", "make_view", "month_ranges"]


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
    months: list[dict[str, Any]]  # year groups: {"heading" (None when not grouped), "items": [...]}
    trials: dict[str, Any]
    summary: list[str]
    caveats: list[str]
    references: list[FormattedReference]
    provenance: dict[str, Any]
    suggestions: dict[str, Any]
    grouped: bool
    digest: Digest = field(repr=False)

    def t(self, key: str, **values: Any) -> str:
        return t(key, self.lang, **values)


def make_view(digest: Digest, lang: str, style: str | None = None, charts: bool = True) -> View:
    check_lang(lang)
    # an explicit style wins; else Chinese takes GB/T 7714, others the profile's style or Vancouver
    style = check_style(style) or digest.options.get("style") or _profile_style(digest.topic, lang)
    entries = [(r["number"], r["record_id"], r["csl"]) for r in digest.references]
    references = format_references(entries, style)
    _add_online_dates(references, digest.references, lang)
    grouped = len(digest.period.months()) > 24
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
        months=_months(digest, lang, grouped),
        trials=_trials(digest, lang),
        summary=digest.summary["sentences"].get(lang) or digest.summary["sentences"].get("zh-Hans", []),
        caveats=digest.summary["caveats"].get(lang) or digest.summary["caveats"].get("zh-Hans", []),
        references=references,
        provenance=_provenance(digest, lang),
        suggestions=_suggestions(digest, lang),
        grouped=grouped,
        digest=digest,
    )


def _profile_style(topic: dict[str, Any], lang: str) -> str:
    """The profile's style for `lang` (a short name or a CSL file name), else the language default."""
    profile = topic.get("report_style")
    if isinstance(profile, dict):
        profile = profile.get(lang) or (profile.get("zh-Hans") if lang.startswith("zh-Hant") else None)
    by_csl = {csl: short for short, csl in STYLES.items()}
    profile = by_csl.get(profile, profile)
    return profile if profile in STYLES else default_style(lang)


def _add_online_dates(refs: list[FormattedReference], raw: list[dict[str, Any]], lang: str) -> None:
    """A reference dated by its issue also shows the online date the entry may be placed by."""
    for ref, r in zip(refs, raw):
        online = r.get("online")
        if online:
            note = t("dates.epub", lang, date=format_date(online["value"], lang, online["precision"]))
            ref.text = f"{ref.text} {note}"
            ref.html = f"{ref.html} {_html_escape(note)}"


def _html_escape(s: str) -> str:
    import html

    return html.escape(s, quote=False)


# -- method -----------------------------------------------------------------------------------
def _method(d: Digest, lang: str) -> dict[str, Any]:
    counts = d.search.get("prisma") or {}
    search = d.search
    files = [{"name": f["name"], "format": source_name(f["source"], lang), "imported": format_date(f["imported"], lang),
              "records": f["records"]} for f in search.get("files", [])]
    searches = [{"service": source_name(s["source"], lang), "query": s["query"], "date": format_date(s["date"], lang),
                 "records": s["records"],
                 "span": format_period(s["date_from"][:7], s["date_to"][:7], lang)
                 if s.get("date_from") and s.get("date_to") else ""}
                for s in search.get("searches", [])]
    placed = d.counts.get("papers_by_placement") or {}
    placement_text = ""
    if placed.get("year") or placed.get("undated"):
        parts = [t(f"method.placement_{k}", lang, n=placed[k]) for k in ("year", "undated") if placed.get(k)]
        placement_text = t("method.placement", lang, n=d.counts.get("papers", 0),
                           parts=("，" if is_zh(lang) else "; ").join(parts))
    flow = d.counts.get("placement") or {}
    if flow.get("year_only") or flow.get("undated"):
        placement_text = (placement_text + (" " if placement_text and not is_zh(lang) else "") + t(
            "method.placement_flow", lang, n=d.counts.get("records", 0), year=flow.get("year_only", 0),
            undated=flow.get("undated", 0))).strip()
    v = d.method.get("versions") or {}
    return {
        "intro": t("method.intro", lang) if files or searches else t("method.intro_none", lang),
        "files": files,
        "searches": searches,
        "warnings": [w["text"] for w in search.get("warnings", [])],
        "rules": (d.method.get("rules") or {}).get(lang, ""),
        "placement": placement_text,
        "versions": t("method.versions", lang, litwatch=v.get("litwatch"), annotator=v.get("annotator"),
                      vocabulary=v.get("vocabulary"), rules=v.get("rules"), profile=v.get("profile")),
        "prisma": counts,
        "prisma_rows": prisma_rows(counts, lang),
        "prisma_svg": prisma_svg(counts, lang),
    }


def _counts(d: Digest, table: dict[str, int], lang: str) -> list[tuple[str, int]]:
    return [(d.label(cid, lang), n) for cid, n in table.items()]


def _map_title(emap: dict[str, Any], lang: str) -> str:
    """'Evidence map: cell source × outcome or mechanism (number of papers)', from the map's dimensions."""
    dims = emap.get("dimensions") or {"rows": ["cell_source"], "cols": ["outcome_measure", "mechanism"]}

    def names(cats: list[str]) -> str:
        words = [t(f"category_names.{c}", lang) if has(f"category_names.{c}", lang) else c.replace("_", " ")
                 for c in cats]
        head = t("studied.list_sep", lang).join(words[:-1])
        return head + t("overview.map_or", lang) + words[-1] if head else words[-1]

    return t("overview.evidence_map", lang, rows=names(dims["rows"]), cols=names(dims["cols"]))


def _overview(d: Digest, lang: str, charts: bool) -> dict[str, Any]:
    ov = d.overview
    # designs strongest evidence first, "other" last (drawn grey)
    designs = sorted(ov["by_design"], key=lambda ds: (ds == "design:other", ov.get("design_levels", {}).get(ds, 99), ds))
    by_year = ov.get("bars") == "year"
    keys = list(ov["per_month"])
    series = [(d.label(ds, lang), [ov["per_month"].get(m, {}).get(ds, 0) for m in keys]) for ds in designs]
    emap = ov["evidence_map"]
    out = {
        "included_text": t("overview.included", lang, papers=d.counts.get("papers", ov["included"]),
                           trials=d.counts.get("trials", 0)),
        "tables": [
            (t("overview.by_design", lang), _counts(d, ov["by_design"], lang)),
            (t("overview.by_species", lang), _counts(d, ov["by_species"], lang)),
            (t("overview.by_cell_source", lang), _counts(d, ov["by_cell_source"], lang)),
        ],
        "chart_title": t("overview.per_year_chart" if by_year else "overview.per_month_chart", lang),
        "chart_note": t("overview.not_in_chart", lang, n=ov["not_in_chart"]) if ov.get("not_in_chart") else "",
        "map_title": _map_title(emap, lang),
        "map": {
            "rows": [d.label(r, lang) for r in emap["rows"]],
            "cols": [d.label(c, lang) for c in emap["cols"]],
            "counts": emap["counts"],
        },
    }
    if charts:
        labels = [(f"{k}年" if is_zh(lang) else k) if by_year else format_month_short(k, lang) for k in keys]
        out["chart_svg"] = stacked_bars_svg(labels, series, out["chart_title"], lang, t("overview.none", lang),
                                            other=d.label("design:other", lang))
        out["map_svg"] = evidence_map_svg(
            out["map"]["rows"], out["map"]["cols"], emap["counts"], out["map_title"], lang, t("overview.none", lang)
        )
    return out


# -- entries ----------------------------------------------------------------------------------
def _ids_text(ids: dict[str, str]) -> str:
    parts = []
    if ids.get("pmid"):
        parts.append(f"PMID: {ids['pmid']}")
    if ids.get("doi"):
        parts.append(f"doi:{ids['doi']}")
    if ids.get("pmcid"):
        parts.append(ids["pmcid"])
    return "; ".join(parts)


def date_text(p: Paper, lang: str) -> str:
    """'online 19 February 2025 (issue October 2015)', '2025年2月19日在线发表', 'year only: 2024'."""
    kind = p.date_kind
    if kind == "undated" or not p.date:
        return t("dates.undated", lang)
    if p.date_precision == "season":
        value = _season(p.date, lang)
    else:
        value = format_date(p.date, lang, "year" if kind == "year" else p.date_precision)
    text = t(f"dates.{kind}", lang, date=value)
    other = p.other_date
    if other:
        oprec = "year" if other.get("precision") in ("year", "season") else other.get("precision", "day")
        text += t("dates.other_issue", lang, date=format_date(other["value"], lang, oprec))
    return text


_SEASONS = {1: ("Winter", "冬季"), 3: ("Spring", "春季"), 6: ("Summer", "夏季"), 9: ("Autumn", "秋季")}


def _season(iso: str, lang: str) -> str:
    """'2025-03-01' at season precision: 'Spring 2025' / '2025年春季'."""
    year, month = int(iso[:4]), int(iso[5:7])
    en, zh = _SEASONS.get(month, (None, None))
    if en is None:
        return format_date(iso, lang, "year")
    return f"{year}年{zh}" if is_zh(lang) else f"{en} {year}"


def _cap(s: str, lang: str) -> str:
    return s[:1].upper() + s[1:] if lang == "en" else s


def _paper(p: Paper, lang: str) -> dict[str, Any]:
    dt = date_text(p, lang)
    journal = t("month.journal", lang, journal=p.journal) if p.journal else ""
    inst = t("month.institution", lang, inst=p.institution) if p.institution else ""
    if is_zh(lang):
        byline = dt + ("，" + journal if journal else "") + ("；" + inst if inst else "") + "。"
    else:
        byline = _cap(dt, lang) + (", " + journal if journal else "") + (". " + inst if inst else "") + "."
    findings = []
    for f in p.findings:
        findings.append({"text": f.text, "sentence_id": f.sentence_id, "generated": (f.generated or {}).get(lang, "")})
    return {
        "record_id": p.record_id,
        "citation": p.citation,
        "title": p.title,
        "gloss": (p.gloss or {}).get(lang, ""),
        "date_text": dt,
        "journal": journal,
        "byline": byline,
        "institution": inst,
        "studied": (p.studied or {}).get(lang, ""),
        "findings": findings,
        "annotated": p.annotated,
        "quote_lang": p.language if p.language and len(p.language) == 2 else "en",
        "url": safe_url(p.url),
        "ids_text": _ids_text(p.ids),
        "ids": p.ids,
    }


def _section_heading(m: MonthSection, lang: str) -> str:
    if m.kind == "year":
        year = f"{m.month}年" if is_zh(lang) else m.month
        return t("month.year_part", lang, year=year)
    if m.kind == "undated":
        return t("month.undated", lang)
    return format_month(m.month, lang)


def month_ranges(months: list[str], lang: str) -> str:
    """Consecutive months as ranges: 'January–July 2015, October 2015' / '2015年1月至7月、2015年10月'."""
    runs: list[list[str]] = []
    for m in months:
        y, mo = int(m[:4]), int(m[5:7])
        if runs:
            py, pm = int(runs[-1][-1][:4]), int(runs[-1][-1][5:7])
            if (y, mo) == ((py, pm + 1) if pm < 12 else (py + 1, 1)):
                runs[-1].append(m)
                continue
        runs.append([m])
    parts = []
    for r in runs:
        a, b = r[0], r[-1]
        if a == b:
            parts.append(format_month(a, lang))
        elif a[:4] == b[:4]:
            if is_zh(lang):
                parts.append(f"{format_month(a, lang)}至{int(b[5:7])}月")
            else:
                parts.append(f"{format_month(a, lang).rsplit(' ', 1)[0]}–{format_month(b, lang)}")
        else:
            parts.append(format_month(a, lang) + ("至" if is_zh(lang) else " – ") + format_month(b, lang))
    return ("、" if is_zh(lang) else ", ").join(parts)


def _months(d: Digest, lang: str, grouped: bool) -> list[dict[str, Any]]:
    """Year groups (one unnamed group when the period is 24 months or less) of items: a month
    with papers, a year's "month not known" part, the undated part, or a line naming empty months."""
    groups: list[dict[str, Any]] = []
    empty_years: list[int] = []

    def flush_years() -> None:
        if not empty_years:
            return
        ys = [f"{y}年" if is_zh(lang) else str(y) for y in empty_years]
        text = ys[0] if len(ys) == 1 else ys[0] + ("至" if is_zh(lang) else "–") + ys[-1]
        groups.append({"heading": None, "id": f"year-{empty_years[0]}", "items": [
            {"kind": "empty", "text": t("month.empty_year", lang, year=text)}]})
        empty_years.clear()

    by_year: dict[str, list[MonthSection]] = {}
    for m in d.months:
        key = "undated" if m.kind == "undated" else m.month[:4]
        by_year.setdefault(key, []).append(m)
    keys = [f"{y:04d}" for y in d.period.years()] + (["undated"] if "undated" in by_year else [])
    current: dict[str, Any] | None = {"heading": None, "id": "months-list", "items": []} if not grouped else None
    for key in keys:
        sections = by_year.get(key, [])
        if grouped:
            if key != "undated" and not any(s.count for s in sections):
                empty_years.append(int(key))
                continue
            flush_years()
            heading = t("month.undated", lang) if key == "undated" else t(
                "month.year_heading", lang, year=f"{key}年" if is_zh(lang) else key)
            current = {"heading": heading, "id": f"year-{key}", "items": []}
            groups.append(current)
        assert current is not None
        empty: list[str] = []
        for s in sections:
            if s.kind == "month" and not s.count:
                empty.append(s.month)
                continue
            if empty:
                current["items"].append({"kind": "empty", "text": t("month.empty", lang, months=month_ranges(empty, lang))})
                empty = []
            if grouped and s.kind == "undated":
                heading = t("month.undated", lang)
            else:
                heading = _section_heading(s, lang)
            current["items"].append({
                "kind": "section", "section": s.kind, "month": s.month, "id": f"month-{s.month}",
                "heading": heading, "count": s.count,
                "highlights": [_paper(p, lang) for p in s.highlights],
                "others": [_paper(p, lang) for p in s.others],
            })
        if empty:
            current["items"].append({"kind": "empty", "text": t("month.empty", lang, months=month_ranges(empty, lang))})
    flush_years()
    if not grouped:
        return [current] if current else []
    return groups


# -- trials -----------------------------------------------------------------------------------
def _status(value: str | None, lang: str) -> str:
    if not value:
        return ""
    key = f"status.{value.upper()}"
    return t(key, lang) if has(key, lang) else value.replace("_", " ").capitalize()


def phase_text(value: str | None, lang: str) -> str:
    """'PHASE1/PHASE2' -> 'Phase 1/Phase 2' / 'I 期/II 期'; unknown spellings stay as they are."""
    if not value:
        return ""
    out = []
    for part in value.replace("|", "/").split("/"):
        key = "phases." + part.strip().upper().replace(" ", "")
        out.append(t(key, lang) if has(key, lang) else part.strip())
    return "/".join(out)


def country_text(countries: list[str], lang: str) -> str:
    names = []
    for c in countries:
        key = f"countries.{c}"
        names.append(t(key, lang) if is_zh(lang) and has(key, lang) else c)
    return ("、" if is_zh(lang) else ", ").join(dict.fromkeys(names))


def _trials(d: Digest, lang: str) -> dict[str, Any]:
    tr = d.trials
    groups_info = tr.get("groups") or {}
    by_group: dict[str, list[dict[str, Any]]] = {"registered": [], "updated": [], "active": []}
    changes, links = [], []
    for e in tr.get("items", []):
        by_group.setdefault(e.group, []).append({
            "nct": e.nct or "",
            "title": e.title,
            "gloss": (e.gloss or {}).get(lang, ""),
            "phase": phase_text(e.phase, lang),
            "status": _status(e.status, lang),
            "enrollment": "" if e.enrollment is None else str(e.enrollment),
            "sponsor": e.sponsor or "",
            "countries": country_text(e.countries, lang),
            "start": format_month_short(e.start[:7], lang) if e.start else "",
            "url": safe_url(e.url),
        })
        if e.new_in_period and e.first_posted:
            changes.append(f"{e.nct}：" if is_zh(lang) else f"{e.nct}: ")
            changes[-1] += t("trials.new", lang, date=format_date(e.first_posted, lang))
        for c in e.status_changes:
            sep = "：" if is_zh(lang) else ": "
            changes.append(f"{e.nct}{sep}" + t("trials.status_change", lang, old=_status(c["old"], lang),
                                                new=_status(c["new"], lang), date=format_date(c["date"], lang)))
        for p in e.papers:
            ref = f"[{p['citation']}] " if p.get("citation") else ""
            links.append(t("trials.link", lang, nct=e.nct, paper=f"{ref}{p['title']} ({_ids_text(p['ids'])})"))
    groups = []
    for key in ("registered", "updated", "active"):
        info = groups_info.get(key) or {"total": len(by_group[key]), "shown": len(by_group[key])}
        if not info["total"]:
            continue
        groups.append({
            "key": key,
            "title": t(f"trials.{key}", lang),
            "intro": t(f"trials.{key}_intro", lang, n=info["total"]),
            "items": by_group[key],
            "more": t("trials.more", lang, n=info["total"] - info["shown"]) if info["total"] > info["shown"] else "",
        })
    total = tr.get("total", 0)
    return {
        "intro": t("trials.intro", lang) if total else t("trials.none", lang),
        "groups": groups,
        "items": [i for g in groups for i in g["items"]],
        "changes": changes,
        "links": links,
        "columns": ["nct", "title", "phase", "status", "enrollment", "start", "countries"],
    }


# -- appendices -------------------------------------------------------------------------------
def _provenance(d: Digest, lang: str) -> dict[str, Any]:
    p = d.provenance
    runs = []
    for r in d.search.get("runs", []):
        kind_key, status_key = f"run_kinds.{r['kind']}", f"run_status.{r.get('status')}"
        runs.append({
            "id": r["id"],
            "kind": t(kind_key, lang) if has(kind_key, lang) else r["kind"],
            "started": format_iso(r.get("started_at"), lang),
            "status": t(status_key, lang) if has(status_key, lang) else (r.get("status") or ""),
            "params": _params(r.get("params") or {}),
        })
    quotes = [{**q, "generated_text": (q.get("generated") or {}).get(lang, "")} for q in p.get("quotes", [])]
    return {
        "quotes": quotes,
        "versions": t("provenance.versions", lang, litwatch=p.get("litwatch_version"),
                      annotator=p.get("annotator_version")),
        "runs": runs,
        "runs_text": t("provenance.runs", lang, runs=", ".join(f"#{r}" for r in p.get("run_ids", [])) or "—"),
    }


def _params(params: dict[str, Any]) -> str:
    """A run's parameters in one short line (file paths cut to their names)."""
    parts = []
    for k, v in sorted(params.items()):
        if v in (None, "", [], {}):
            continue
        if isinstance(v, list):
            v = ", ".join(str(x).rsplit("/", 1)[-1] for x in v)
        elif isinstance(v, dict):
            v = ", ".join(str(x) for x in v)
        parts.append(f"{k}: {v}")
    text = "; ".join(parts)
    return text if len(text) <= 200 else text[:199] + "…"


def _suggestions(d: Digest, lang: str) -> dict[str, Any]:
    items = []
    for s in d.suggestions:
        label = s.get("label") or ""
        key = f"suggestions.{label}"
        items.append({"record_id": s.get("record_id"), "title": s.get("title") or "",
                      "label": t(key, lang) if has(key, lang) else label,
                      "score": f"{s['score']:.2f}" if isinstance(s.get("score"), (int, float)) else "",
                      "reason": s.get("reason") or ""})
    return {"items": items, "title": t("suggestions.title", lang), "intro": t("suggestions.intro", lang)}
