"""Page data built from library calls: a record, its annotations and decisions, topic summaries.

Each function returns plain data (the JSON twin shows exactly it); templates only lay it out.
Record texts are never turned into markup here: highlighted spans are segments of plain text
that the (autoescaping) templates wrap in <mark>.
"""

from __future__ import annotations

from typing import Any

from litwatch.annotate.view import annotation_view
from litwatch.records import Record
from litwatch.web.security import doi_url, safe_url

__all__ = ["segments", "record_summary", "record_links", "record_view", "annotation_view", "decision_view",
           "month_chart", "bar", "topic_summary", "topic_view", "screen_view"]



def segments(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`text` cut into plain and highlighted pieces; overlapping spans keep the outermost first."""
    out: list[dict[str, Any]] = []
    pos = 0
    for s in sorted(spans, key=lambda s: (s["start"], s["start"] - s["end"])):
        start, end = s["start"], s["end"]
        if start < pos or end > len(text) or start >= end:
            continue
        if start > pos:
            out.append({"text": text[pos:start]})
        out.append({"text": text[start:end], **{k: v for k, v in s.items() if k not in ("start", "end", "text")}})
        pos = end
    if pos < len(text):
        out.append({"text": text[pos:]})
    return out


def _abstract_sections(record: Record, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sections = []
    for section, (start, end) in zip(record.abstract, record.section_offsets()):
        inside = [{**s, "start": s["start"] - start, "end": s["end"] - start}
                  for s in spans if s["start"] >= start and s["end"] <= end]
        sections.append({"label": section.label or "", "category": section.category or "",
                         "segments": segments(section.text, inside)})
    return sections


def record_links(record: Record) -> list[dict[str, str]]:
    """Links to the record elsewhere; only http(s) addresses become links."""
    ids = record.ids
    links = []
    if ids.pmid and ids.pmid.isdigit():
        links.append({"label": f"PMID {ids.pmid}", "url": f"https://pubmed.ncbi.nlm.nih.gov/{ids.pmid}/"})
    if ids.doi:
        links.append({"label": f"doi:{ids.doi}", "url": doi_url(ids.doi)})
    if ids.pmcid and ids.pmcid[3:].isdigit():
        links.append({"label": ids.pmcid, "url": f"https://pmc.ncbi.nlm.nih.gov/articles/{ids.pmcid}/"})
    if ids.nct and ids.nct[3:].isdigit():
        links.append({"label": ids.nct, "url": f"https://clinicaltrials.gov/study/{ids.nct}"})
    if record.trial is not None and record.trial.url:
        links.append({"label": "trial record", "url": safe_url(record.trial.url)})
    return links


def _authors(record: Record) -> list[str]:
    names = []
    for a in record.authors:
        if a.collective:
            names.append(a.collective)
        elif a.family:
            names.append(f"{a.family} {a.initials or a.given or ''}".strip())
    return names


def record_summary(record_id: int, record: Record) -> dict[str, Any]:
    """A row of a list: id, title, kind, month, journal, first authors."""
    authors = _authors(record)
    return {
        "id": record_id,
        "title": record.title or "(no title)",
        "kind": record.kind,
        "month": record.report_month(),
        "journal": record.journal.title or record.journal.iso_abbrev or "",
        "authors": ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else ""),
        "ids": {k: getattr(record.ids, k) for k in ("pmid", "doi", "pmcid", "nct") if getattr(record.ids, k)},
    }


def decision_view(d) -> dict[str, Any]:
    return {"label": d.label, "by": d.by, "score": d.score, "reason": d.reason, "note": d.note,
            "decided_at": d.decided_at}


def record_view(store, record_id: int, *, topic: str | None, viewer_name: str | None, admin: bool,
                show_screening: bool) -> dict[str, Any]:
    """Everything the record page shows; screening parts only when `show_screening`, and in blind
    mode the others' decisions only once the viewer has decided the record."""
    from litwatch.annotate import get_annotations
    from litwatch.screen import team

    record = store.get(record_id)
    ann = annotation_view(record, get_annotations(store, record_id))
    spans = ann["spans"] if ann else {"title": [], "abstract": []}
    data: dict[str, Any] = {
        "record": {
            **record_summary(record_id, record),
            "title_segments": segments(record.title or "", spans["title"]),
            "abstract": _abstract_sections(record, spans["abstract"]),
            "authors_all": _authors(record),
            "publication_types": record.publication_types,
            "mesh": [m.descriptor for m in record.mesh],
            "keywords": record.keywords,
            "language": record.language,
            "dates": {k: v.value for k, v in record.dates.items()},
            "links": record_links(record),
            "trial": None if record.trial is None else {
                "status": record.trial.status, "phase": record.trial.phase, "enrollment": record.trial.enrollment,
                "conditions": record.trial.conditions, "interventions": record.trial.interventions,
                "sponsor": record.trial.sponsor, "countries": record.trial.countries},
            "corrections": [{"kind": link.kind, "pmid": link.pmid, "doi": link.doi, "text": link.text}
                            for link in record.links if link.kind],
        },
        "annotations": ann,
        "sources": store.sources_of(record_id),
        "merges": store.merges_of(record_id),
        "versions": len(store.history_of(record_id)),
        "screening": None,
    }
    if show_screening and topic:
        settings = team.settings(store, topic)
        visible = team.can_see_others(store, topic, record_id, viewer_name or "", settings)
        effective = team.effective_for(store, topic, [record_id])[record_id]
        revs = team.reviews(store, topic, [record_id]).get(record_id, {})
        history = team.record_history(store, topic, record_id)
        hidden = 0
        if not visible:
            hidden = sum(1 for who in revs if who != viewer_name)
            revs = {who: r for who, r in revs.items() if who == viewer_name}
            history = [h for h in history if h["by_kind"] != "person" or h["by"] == viewer_name]
        blind_effective = not visible and effective.by not in ("rule", "model", "", viewer_name)
        adj = team.adjudications(store, topic, [record_id]).get(record_id)
        data["screening"] = {
            "topic": topic,
            "blind": settings.blind,
            "effective": None if blind_effective else decision_view(effective),
            "reviews": [r.to_dict() for r in revs.values()],
            "hidden_reviews": hidden,
            "adjudication": adj.to_dict() if adj and visible else None,
            "conflict": visible and len({r.label for r in revs.values() if r.label != "undecided"}) > 1,
            "history": history,
        }
    return data


def month_chart(counts: dict[str, int], included: dict[str, int], months: int = 24) -> dict[str, Any]:
    """Bars for the last `months` months that have records: heights as numbers for an SVG."""
    keys = sorted(k for k in counts if k)[-months:]
    top = max([counts[k] for k in keys] or [1])
    width, height = 24, 120
    bars = []
    for i, k in enumerate(keys):
        h = round(height * counts[k] / top) if top else 0
        hi = round(height * included.get(k, 0) / top) if top else 0
        bars.append({"month": k, "records": counts[k], "included": included.get(k, 0), "x": i * width + 4,
                     "w": width - 6, "h": h, "y": height - h + 10, "hi": hi, "yi": height - hi + 10})
    return {"bars": bars, "width": max(len(keys) * width + 8, 60), "height": height + 40, "top": top}


def bar(parts: dict[str, int], width: int = 300) -> list[dict[str, Any]]:
    """A stacked horizontal bar (SVG rectangles) of named counts."""
    total = sum(parts.values()) or 1
    x, out = 0.0, []
    for name, n in parts.items():
        w = width * n / total
        out.append({"name": name, "n": n, "x": round(x, 1), "w": round(w, 1)})
        x += w
    return out


# -- topics ------------------------------------------------------------------------------------

def _last_run(store, kind: str, topic: str) -> dict | None:
    for run in store.runs(kind=kind, limit=200):
        params = run.get("params") or {}
        if topic in (params.get("topic"), params.get("target")):
            return {"id": run["id"], "started_at": run["started_at"], "finished_at": run["finished_at"],
                    "status": run["status"]}
    return None


def topic_summary(store, topic_name: str, title: str) -> dict:
    """Counts of one topic for the home and topic pages (library calls only)."""
    from litwatch.screen import prisma_counts, team

    counts = prisma_counts(store, topic_name)
    revs = team.reviews(store, topic_name)
    by_people = sum(1 for r in revs.values() if any(x.label != "undecided" for x in r.values()))
    return {
        "name": topic_name,
        "title": title,
        "records": counts["records"],
        "included": counts["included"],
        "excluded": sum(counts["excluded"].values()),
        "undecided": counts["undecided"],
        "screened_by_people": by_people,
        "reviewers": len({who for r in revs.values() for who in r}),
        "open_conflicts": len(team.conflicts(store, topic_name)),
        "last_fetch": _last_run(store, "fetch", topic_name),
        "last_screening": _last_run(store, "screen", topic_name),
        "prisma": counts,
        "bar": bar({"included": counts["included"], "excluded": sum(counts["excluded"].values()),
                    "undecided": counts["undecided"]}),
    }


def topic_view(store, topic, name: str) -> dict[str, Any]:
    """The topic page: counts, records and inclusions per month, reviewers, agreement, settings."""
    from litwatch.screen import included_ids, team

    summary = topic_summary(store, name, topic.title("en"))
    settings = team.settings(store, name)
    months: dict[str, int] = {}
    included_months: dict[str, int] = {}
    included = set(included_ids(store, name))
    for rid, month in store.report_months().items():
        months[month] = months.get(month, 0) + 1
        if rid in included:
            included_months[month] = included_months.get(month, 0) + 1
    return {
        "title": topic.title("en"),
        "topic": {"name": name, "title": topic.title("en"), "names": topic.names, "queries": topic.queries,
                  "description": topic.description},
        "summary": summary,
        "settings": {"blind": settings.blind, "reviews_per_record": settings.reviews_per_record},
        "exclusion_reasons": team.exclusion_reasons(topic),
        "excluded_by_reason": team.exclusion_counts(store, name),
        "progress": [p.to_dict() for p in team.progress(store, name)],
        "agreement": [a.to_dict() for a in team.agreement(store, name)],  # names no record: fine when blind
        "chart": month_chart(months, included_months),
    }


# -- screening ---------------------------------------------------------------------------------

def screen_view(store, topic, name: str, reviewer: str, order: list, skipped: list[int]) -> dict[str, Any]:
    """The screening page: the first record of the reviewer's queue with the rules' matches
    highlighted, the machine's suggestion, the others' decisions (not in blind mode before the
    reviewer decided), progress and the stopping estimate."""
    from litwatch.screen import rule_decision, team

    settings = team.settings(store, name)
    known = team.reviews(store, name)  # read once, for the queue, the progress and the estimate
    todo = team.queue(store, name, reviewer, order=order, skip=skipped, team=settings, known=known)
    current = None
    if todo:
        rid = todo[0]
        record = store.get(rid)
        spans: dict[str, list[dict[str, Any]]] = {"title": [], "abstract": []}
        for c in rule_decision(topic, record).concepts:
            if c.get("field") in spans and not c.get("masked_by"):
                spans[c["field"]].append({"start": c["start"], "end": c["end"], "concept": c.get("concept", ""),
                                          "category": "group" if c.get("group") else "exclusion"})
        label, p = next(((lab, p) for r, lab, p in order if r == rid), ("undecided", None))
        revs = known.get(rid, {})
        mine = revs.get(reviewer)
        others = [r.to_dict() for who, r in revs.items() if who != reviewer and r.label != "undecided"]
        visible = team.can_see_others(store, name, rid, reviewer, settings)
        current = {
            "id": rid,
            "title_segments": segments(record.title or "(no title)", spans["title"]),
            "abstract": _abstract_sections(record, spans["abstract"]),
            "kind": record.kind,
            "month": record.report_month(),
            "journal": record.journal.title or "",
            # the machine's suggestion shows in blind mode too: blinding is about people
            "suggestion": {"label": label, "p": p},
            "my_note": mine.note if mine else None,
            "my_tags": mine.tags if mine else [],
            "others": others if visible else [],
            "others_hidden": 0 if visible else len(others),
        }
    return {
        "title": f"Screening · {topic.title('en')}",
        "topic": {"name": name, "title": topic.title("en")},
        "blind": settings.blind,
        "current": current,
        "queue_length": len(todo),
        "skip": ",".join(map(str, skipped)),
        "skip_next": ",".join(map(str, skipped + ([current["id"]] if current else []))),
        "exclusion_reasons": team.exclusion_reasons(topic),
        "progress": next((p.to_dict() for p in team.progress(store, name, known=known) if p.reviewer == reviewer),
                         None),
        "stopping": team.stopping(store, name, reviewer, order=order, remaining=len(todo), known=known),
        "keys": {"i": "include", "e": "exclude", "u": "undo", "s": "skip", "n": "note"},
    }
