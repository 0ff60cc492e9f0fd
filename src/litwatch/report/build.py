"""build(topic, period, options) -> Digest: read the store, screening and annotations; compute.

Nothing here formats for a reader and nothing here writes: it collects the period's records,
their effective decisions and stored annotations into the Digest. The period's records are those
reported in one of its months, those dated only by a year it overlaps, and undated ones; one
computation over exactly those ids gives the PRISMA flow, the summary, the overview and the trials
section, so they agree. Every quoted sentence carries its record and sentence id, and every
generated sentence its structured finding with spans.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from typing import Any

from litwatch.errors import ReportError
from litwatch.report.citations import CitationRegistry, csl_item
from litwatch.report.digest import Digest, MonthSection, Paper, Period, ReportOptions, parse_period
from litwatch.report.entries import lead_institution, make_paper
from litwatch.report.method import report_runs, report_sources, rules_sentences, versions
from litwatch.report.phrasing import Phraser, title_glosses
from litwatch.report.summary import all_languages, summary_facts
from litwatch.report.texts import LANGS, to_lang
from litwatch.report.trials import build_trials, paper_ncts

__all__ = ["build", "annotation_ids", "lead_institution"]


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """Attribute or key: topics may come as dataclasses or dicts."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


class _Labels:
    """Concept labels in every language, collected as the build meets concept ids."""

    def __init__(self) -> None:
        self.table: dict[str, dict[str, str]] = {}

    def __call__(self, cid: str, lang: str) -> str:
        if cid not in self.table:
            self.table[cid] = {lg: self._one(cid, lg) for lg in LANGS}
        return self.table[cid][lang]

    @staticmethod
    def _one(cid: str, lang: str) -> str:
        try:
            from litwatch.annotate import concept_label

            return concept_label(cid, lang)
        except Exception:  # an id the vocabulary no longer knows still gets a readable name
            return cid.split(":", 1)[-1].replace("-", " ")


def _topic_dict(topic: Any) -> dict[str, Any]:
    texts = {k: dict(v) for k, v in (_get(topic, "texts", {}) or {}).items()}
    names = dict(_get(topic, "names", {}) or {})
    for lang in ("zh-Hant", "zh-Hant-HK"):
        if "zh-Hans" in texts and lang not in texts:
            texts[lang] = {k: to_lang(v, lang) for k, v in texts["zh-Hans"].items()}
        if "zh-Hans" in names and lang not in names:
            names[lang] = to_lang(names["zh-Hans"], lang)
    return {
        "name": _get(topic, "name"),
        "names": names,
        "texts": texts,
        "queries": dict(_get(topic, "queries", {}) or {}),
        "highlights_per_month": _get(topic, "highlights_per_month", 3) or 3,
        "report_style": _get(topic, "report_style"),
        "version": _get(topic, "version"),
    }


def build(
    topic: Any,
    period: Period | tuple[str, str] | str,
    options: ReportOptions | None = None,
    *,
    store: Any,
) -> Digest:
    """The Digest of `topic` (a Topic or its name) over `period`, read from `store`.

    Reads only: screening and annotation are brought up to date before (the report job does it,
    annotating `annotation_ids`); a record without stored annotations gets a plain entry."""
    options = options or ReportOptions()
    return _build(store, _as_topic(topic), _as_period(period), options)


def annotation_ids(store: Any, topic: Any, period: Period | tuple[str, str] | str) -> list[int]:
    """The records whose annotations a report of `topic` over `period` reads: the period's included
    records, and every included trial (the trials section lists those updated or active in it too)."""
    from litwatch.screen import included_ids

    period = _as_period(period)
    every = set(included_ids(store, _get(_as_topic(topic), "name")))
    in_period = {rid for rid, _m, _y in store.period_ids(period.start, period.end)} & every
    rest = sorted(every - in_period)
    trials = {rid for rid, kind in store.kinds(rest, live_only=False).items() if kind == "trial"} if rest else set()
    return sorted(in_period | trials)


def _as_topic(topic: Any) -> Any:
    if isinstance(topic, str):
        from litwatch.topics import load_topic

        return load_topic(topic)
    return topic


def _as_period(period: Period | tuple[str, str] | str) -> Period:
    if isinstance(period, str):
        return parse_period(*period.split("_", 1)) if "_" in period else parse_period(period)
    if isinstance(period, tuple):
        return parse_period(*period)
    return period


class _Paper(Paper):
    """A Paper with the build's scratch fields (dropped when the Digest is serialised)."""

    __slots__ = ("_size", "_concepts", "_ncts")


def _build(store: Any, topic: Any, period: Period, options: ReportOptions) -> Digest:
    from litwatch.annotate import get_annotations_many
    from litwatch.screen import decisions_for, included_ids, prisma_counts, unchecked_suggestions

    if store.count() == 0:
        raise ReportError(
            f"the store {store.path} holds no records",
            hint=f"run `litwatch fetch {_get(topic, 'name')}` or `litwatch import FILE` first",
        )
    tdict = _topic_dict(topic)
    name = tdict["name"]
    labels = _Labels()
    ph = Phraser(labels)
    rows = store.period_ids(period.start, period.end)
    period_ids = [r[0] for r in rows]
    placed = Counter("month" if m else "year" if y else "undated" for _, m, y in rows)
    every_included = set(included_ids(store, name))
    included = [rid for rid in period_ids if rid in every_included]
    prisma = prisma_counts(store, name, record_ids=period_ids)
    decisions = decisions_for(store, name, included) if included else {}
    anns = get_annotations_many(store, included)
    papers: list[_Paper] = []
    for rid, record in store.iter_records(ids=included):
        if record.kind == "trial":
            continue
        ann = anns.get(rid)
        p = make_paper(rid, record, ann, decisions.get(rid), ph, options.findings_per_paper)
        paper = _Paper(**{f: getattr(p, f) for f in Paper.__dataclass_fields__})
        paper._size = (ann.sample_size or {}).get("participants") if ann else None
        paper._concepts = _concepts(ann)
        paper._ncts = sorted(set(paper_ncts(record)))
        for cid in paper._concepts.get("species", []) + ([paper.design] if paper.design else []):
            labels(cid, "en")
        papers.append(paper)
    per_month = options.highlights_per_month or tdict["highlights_per_month"]
    months, registry = _sections(period, papers, per_month)

    def trial_gloss(rid: int) -> dict[str, str]:
        from litwatch.annotate import get_annotations

        ann = get_annotations(store, rid)
        return title_glosses(ph, ann.profile, ann.design, "trial") if ann is not None and ann.profile else {}

    trials = build_trials(store, period, every_included, set(period_ids), papers, options.max_trials, trial_gloss)
    references = _references(store, registry)
    overview = _overview(period, papers, labels, _map_dimensions(topic))
    counts = {
        "records": prisma["records"],
        "identified": sum((prisma.get("identified") or {}).values()),
        "included": prisma["included"],
        "papers": len(papers),
        "trials": trials["registered"],
        "trials_listed": len(trials["items"]),
        "placement": {"month": placed["month"], "year_only": placed["year"], "undated": placed["undated"]},
        "papers_by_placement": dict(Counter(m.kind for m in months for _ in m.highlights + m.others)),
        "unannotated": sum(1 for p in papers if not p.annotated),
        "included_by": prisma.get("included_by", {}),
        "excluded": prisma.get("excluded", {}),
    }
    previous = period.previous()
    facts = summary_facts(
        [p.study_class for p in papers],
        [p.design for p in papers],
        [p._size for p in papers if p.study_class == "clinical" and p._size],
        overview.pop("_cells"),
        overview.pop("_mechanisms"),
        {"from": previous.start, "to": previous.end, "n": _count_previous(store, every_included, previous)},
    )
    facts["trials"] = counts["trials"]
    facts["unannotated"] = counts["unannotated"]
    facts["undated"] = counts["papers_by_placement"].get("undated", 0)
    facts["year_only"] = counts["papers_by_placement"].get("year", 0)
    summary = {"facts": facts, **all_languages(facts, labels)}
    sources = report_sources(store, period_ids)
    source_runs = sorted({s["run_id"] for s in sources["searches"] if s.get("run_id")}
                         | store.import_run_ids(period_ids))
    runs = report_runs(store, name, source_runs, period_ids)
    search = {
        "files": sources["files"],
        "searches": sources["searches"],
        "warnings": sources["warnings"],
        "queries": [{"source": s, "query": q} for s, q in tdict["queries"].items()],
        "runs": runs,
        "prisma": prisma,
    }
    suggestions = [_plain(s) for s in unchecked_suggestions(store, name, record_ids=period_ids)]
    try:
        from litwatch.annotate import ANNOTATOR_VERSION, default_vocabulary

        annotator, vocab_hash = ANNOTATOR_VERSION, default_vocabulary().hash
    except ImportError:  # pragma: no cover
        annotator = vocab_hash = None
    quotes = [
        {"citation": p.citation, "record_id": p.record_id, "sentence_id": f.sentence_id, "start": f.start,
         "end": f.end, "text": f.text, "generated": f.generated}
        for m in months for p in m.highlights for f in p.findings
    ]
    ver = versions(topic, annotator, vocab_hash)
    provenance = {
        "quotes": quotes,
        "litwatch_version": ver["litwatch"],
        "annotator_version": annotator,
        "versions": ver,
        "run_ids": [r["id"] for r in runs],
        "store": str(store.path),
    }
    return Digest(
        topic=tdict,
        period=period,
        generated_at=options.generated_at or datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        options={"style": options.style, "highlights_per_month": per_month},
        search=search,
        overview=overview,
        months=months,
        trials=trials,
        summary=summary,
        references=references,
        provenance=provenance,
        labels=labels.table,
        counts=counts,
        method={"rules": rules_sentences(topic), "versions": ver},
        suggestions=suggestions,
    )


def _plain(s: Any) -> dict[str, Any]:
    if isinstance(s, dict):
        return dict(s)
    return {k: getattr(s, k, None) for k in ("record_id", "label", "score", "reason", "title")}


def _concepts(ann: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    if ann is None:
        return out
    for m in ann.mentions:
        if m.negated:
            continue
        if m.concept_id not in out[m.category]:
            out[m.category].append(m.concept_id)
    out["species"] = list(ann.species)
    return out


def _rank_key(p: Paper) -> tuple:
    # strongest evidence first, then the screening score, then papers with a quotable finding
    generated = any(f.generated for f in p.findings)
    return (p.evidence_level or 99, -(p.score or 0.0), 0 if generated else 1 if p.findings else 2, p.date or "",
            p.record_id)


def _sections(period: Period, papers: list[Paper], per_month: int) -> tuple[list[MonthSection], CitationRegistry]:
    """Months in order, each year's "month not known" part after its months, undated last."""
    by_key: dict[tuple[str, str], list[Paper]] = defaultdict(list)
    for p in papers:
        if p.month:
            by_key[("month", p.month)].append(p)
        elif p.year:
            by_key[("year", str(p.year))].append(p)
        else:
            by_key[("undated", "undated")].append(p)
    order: list[tuple[str, str]] = []
    months = period.months()
    for year in period.years():
        order += [("month", m) for m in months if m.startswith(f"{year:04d}-")]
        order.append(("year", f"{year:04d}"))
    order.append(("undated", "undated"))
    registry = CitationRegistry()
    out = []
    for kind, key in order:
        here = by_key.get((kind, key), [])
        if kind != "month" and not here:
            continue
        ranked = sorted(here, key=_rank_key)
        section = MonthSection(key, ranked[:per_month], sorted(ranked[per_month:], key=lambda p: (p.date or "", p.record_id)),
                               kind)
        for p in section.highlights:
            p.citation = registry.cite(p.record_id)
        out.append(section)
    return out, registry


def _references(store, registry: CitationRegistry) -> list[dict[str, Any]]:
    out = []
    for rid in registry.order():
        record = store.get(rid)
        out.append({"number": registry.numbers[rid], "record_id": rid, "csl": csl_item(record, rid),
                    "online": _online(record)})
    return out


def _online(record) -> dict[str, str] | None:
    """The online date when the reference (dated by its issue) would not show it."""
    e, i = record.dates.get("electronic"), record.dates.get("issue")
    if e is None or i is None or e.value[:7] == i.value[:7]:
        return None
    return {"value": e.value, "precision": e.precision}


def _map_dimensions(topic: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The annotation categories of the evidence map's rows and columns, from the profile's
    [evidence_map] (default: cell sources x outcomes and mechanisms)."""
    from litwatch.annotate.vocab import CATEGORIES
    from litwatch.topics.model import EvidenceMap

    spec = _get(topic, "evidence_map") or EvidenceMap()
    rows, cols = tuple(_get(spec, "rows") or ()), tuple(_get(spec, "columns") or ())
    for cat in rows + cols:
        if cat not in CATEGORIES:
            raise ReportError(f"topic {_get(topic, 'name')!r}: [evidence_map] names {cat!r}, not an annotation category",
                              hint="use " + ", ".join(CATEGORIES))
    return rows, cols


def _dimension(concepts: dict[str, list[str]], categories: tuple[str, ...]) -> list[str]:
    """A paper's concepts of `categories`, once each; cell sources as `_cell_sources` counts them."""
    out: list[str] = []
    for cat in categories:
        for cid in _cell_sources(concepts) if cat == "cell_source" else concepts.get(cat, []):
            if cid not in out:
                out.append(cid)
    return out


def _overview(period: Period, papers: list[_Paper], labels,
              dimensions: tuple[tuple[str, ...], tuple[str, ...]] = (("cell_source",), ("outcome_measure", "mechanism"))
              ) -> dict[str, Any]:
    by_design, by_species, by_cell, by_class = Counter(), Counter(), Counter(), Counter()
    long = len(period.months()) > 24
    per_month: dict[str, Counter] = {}
    if long:
        for y in period.years():
            per_month[f"{y:04d}"] = Counter()
    else:
        per_month = {m: Counter() for m in period.months()}
    mechanisms = Counter()
    row_dims, col_dims = dimensions
    row_counts, col_counts, pairs = Counter(), Counter(), Counter()
    for p in papers:
        design = p.design or "design:other"
        by_design[design] += 1
        by_class[p.study_class] += 1
        bucket = (p.month[:4] if long else p.month) if p.month else None
        if bucket in per_month:
            per_month[bucket][design] += 1
        c = p._concepts
        for s in c.get("species", []):
            by_species[s] += 1
        for cell in _cell_sources(c):
            by_cell[cell] += 1
        for m in c.get("mechanism", []):
            mechanisms[m] += 1
        row_list, col_list = _dimension(c, row_dims), _dimension(c, col_dims)
        row_counts.update(row_list)
        col_counts.update(col_list)
        for r in row_list:
            for e in col_list:
                pairs[(r, e)] += 1
    cols = [e for e, _ in col_counts.most_common() if any(pairs[(r, e)] for r in row_counts)][:8]
    rows = [r for r, _ in row_counts.most_common() if any(pairs[(r, e)] for e in cols)][:8]
    for cid in list(by_design) + list(by_species) + list(by_cell) + rows + cols + [m for m, _ in mechanisms.most_common(3)]:
        labels(cid, "en")
    return {
        "included": len(papers),
        "by_class": dict(by_class),
        "by_design": dict(by_design.most_common()),
        "design_levels": {p.design: p.evidence_level for p in papers if p.design and p.evidence_level},
        "by_species": dict(by_species.most_common()),
        "by_cell_source": dict(by_cell.most_common()),
        "per_month": {m: dict(c) for m, c in sorted(per_month.items())},
        "bars": "year" if long else "month",
        "not_in_chart": sum(1 for p in papers if not p.month),
        "evidence_map": {"rows": rows, "cols": cols, "counts": [[pairs[(r, e)] for e in cols] for r in rows],
                         "dimensions": {"rows": list(row_dims), "cols": list(col_dims)}},
        "_cells": by_cell,
        "_mechanisms": mechanisms,
    }


def _cell_sources(concepts: dict[str, list[str]]) -> list[str]:
    """Cell sources, a composite product counted under its parent cell."""
    out = list(concepts.get("cell_source", []))
    for p in concepts.get("product", []):
        if "+" in p:
            cell = p.split("+", 1)[1]
            if cell not in out:
                out.append(cell)
    return [c for c in out if c.startswith("cell:")]


def _count_previous(store, included: set[int], period: Period) -> int:
    """Included papers of the previous period (dated ones: undated records belong to no period)."""
    ids = [rid for rid, month, year in store.period_ids(period.start, period.end)
           if rid in included and (month or year)]
    return sum(1 for kind in store.kinds(ids, live_only=False).values() if kind != "trial") if ids else 0
