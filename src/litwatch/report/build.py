"""build(topic, period, options) -> Digest: read the store, screening and annotations; compute.

Nothing here formats for a reader: it collects records, decisions and annotations into the Digest,
whose every number comes from the store and whose every quoted sentence carries its record and
sentence id. Screening and annotation must be up to date (the CLI brings them up to date first);
records without stored annotations are annotated in memory so the report never lacks them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime, timezone
from typing import Any, Iterable

from litwatch import __version__
from litwatch.errors import ReportError
from litwatch.records import Record
from litwatch.report.citations import CitationRegistry, csl_item
from litwatch.report.digest import (
    Digest,
    Finding,
    MonthSection,
    Paper,
    Period,
    ReportOptions,
    TrialEntry,
    parse_period,
)
from litwatch.report.summary import all_languages, study_class, summary_facts
from litwatch.report.texts import LANGS, join_list, t, to_lang

__all__ = ["build", "lead_institution"]

_DATE_KEYS = ("electronic", "issue", "pubmed", "entrez")
_INSTITUTION = re.compile(
    r"universit|hospital|institut|college|academy|school|centre|center|clinic|laborator|foundation|"
    r"大学|大學|学院|學院|医院|醫院|研究所|研究院|中心|院|学|學",
    re.I,
)
_PREFERRED = re.compile(r"universit|hospital|institut|college|academy|大学|大學|医院|醫院|研究所|研究院|学院|學院", re.I)
_EMAIL = re.compile(r"\S+@\S+")


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """Attribute or key: annotations and topics may come as dataclasses or dicts."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


# -- per-record facts -------------------------------------------------------------------------
def lead_institution(record: Record) -> str | None:
    """The first author's first affiliation, cut to the institution ('Fudan University')."""
    for author in record.authors[:1]:
        for aff in author.affiliations[:1]:
            aff = _EMAIL.sub("", aff).strip(" .;")
            parts = [p.strip(" .") for p in re.split(r"[,;，；]", aff) if p.strip(" .")]
            for pattern in (_PREFERRED, _INSTITUTION):
                for part in parts:
                    if pattern.search(part):
                        return part
            return parts[0] if parts else None
    return None


def _report_date(record: Record) -> tuple[str | None, str]:
    for key in _DATE_KEYS:
        d = record.dates.get(key)
        if d is not None and d.month:
            return d.value, d.precision
    d = record.best_date()
    return (d.value, d.precision) if d else (None, "year")


def _ids(record: Record) -> dict[str, str]:
    i = record.ids
    return {k: v for k, v in (("pmid", i.pmid), ("doi", i.doi), ("pmcid", i.pmcid), ("nct", i.nct)) if v}


def _url(record: Record) -> str | None:
    i = record.ids
    if i.doi:
        return f"https://doi.org/{i.doi}"
    if i.pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{i.pmid}/"
    if i.pmcid:
        return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{i.pmcid}/"
    if i.nct:
        return f"https://clinicaltrials.gov/study/{i.nct}"
    return None


def _concepts(ann: Any) -> dict[str, list[str]]:
    """Concept ids per category, in order of first mention, negated mentions left out."""
    out: dict[str, list[str]] = defaultdict(list)
    for m in _get(ann, "mentions", []) or []:
        if _get(m, "negated"):
            continue
        cid, cat = _get(m, "concept_id"), _get(m, "category")
        if cid and cid not in out[cat]:
            out[cat].append(cid)
    for s in _get(ann, "species", []) or []:
        if s not in out["species"]:
            out["species"].append(s)
    return out


def _interventions(concepts: dict[str, list[str]]) -> list[str]:
    products = concepts.get("product", [])
    composites = [p for p in products if "+" in p]
    used = {part for c in composites for part in c.split("+")}
    rest = [c for c in concepts.get("cell_source", []) + products if c not in used and c not in composites]
    return (composites + rest)[:3]


def _cell_sources(concepts: dict[str, list[str]]) -> list[str]:
    """Cell sources, a composite product counted under its parent cell."""
    out = list(concepts.get("cell_source", []))
    for p in concepts.get("product", []):
        if "+" in p:
            cell = p.split("+", 1)[1]
            if cell not in out:
                out.append(cell)
    return [c for c in out if c.startswith("cell:")]


def _studied(design: str | None, concepts: dict[str, list[str]], sample: dict, labels) -> dict[str, str]:
    out = {}
    for lang in LANGS:
        d = labels(design, lang) if design else t("studied.design_default", lang)
        if lang == "en":
            d = d[:1].upper() + d[1:]
        species = concepts.get("species", [])[:2]
        inter = _interventions(concepts)
        routes = concepts.get("route", [])[:2]
        size = ""
        if sample.get("participants"):
            size = t("studied.participants", lang, n=sample["participants"])
        elif sample.get("animals_per_group"):
            size = t("studied.animals", lang, n=sample["animals_per_group"])
        out[lang] = t(
            "studied.sentence",
            lang,
            design=d,
            species=t("studied.species", lang, species=join_list([labels(s, lang) for s in species], lang))
            if species else "",
            intervention=t("studied.intervention", lang, intervention=join_list([labels(c, lang) for c in inter], lang))
            if inter else "",
            route=t("studied.route", lang, route=join_list([labels(r, lang) for r in routes], lang)) if routes else "",
            size=size,
        )
    return out


def _findings(record: Record, ann: Any, limit: int) -> list[Finding]:
    sentences = {_get(s, "id"): s for s in _get(ann, "sentences", []) or []}
    abstract = record.abstract_text
    out = []
    for sid in _get(ann, "key_findings", []) or []:
        s = sentences.get(sid)
        if s is None or _get(s, "field", "abstract") != "abstract":
            continue
        start, end = _get(s, "start"), _get(s, "end")
        text = abstract[start:end].strip()
        if not text:
            continue
        lead = len(abstract[start:end]) - len(abstract[start:end].lstrip())
        out.append(Finding(sentence_id=sid, start=start + lead, end=start + lead + len(text), text=text))
        if len(out) >= limit:
            break
    return out


# -- the build ---------------------------------------------------------------------------------
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
    if "zh-Hans" in texts and "zh-Hant" not in texts:
        texts["zh-Hant"] = {k: to_lang(v, "zh-Hant") for k, v in texts["zh-Hans"].items()}
    if "zh-Hans" in names and "zh-Hant" not in names:
        names["zh-Hant"] = to_lang(names["zh-Hans"], "zh-Hant")
    return {
        "name": _get(topic, "name"),
        "names": names,
        "texts": texts,
        "queries": dict(_get(topic, "queries", {}) or {}),
        "highlights_per_month": _get(topic, "highlights_per_month", 3) or 3,
        "report_style": _get(topic, "report_style"),
    }


def build(
    topic: Any,
    period: Period | tuple[str, str] | str,
    options: ReportOptions | None = None,
    *,
    store: Any = None,
) -> Digest:
    """The Digest of `topic` (a Topic or its name) over `period` from `store` (default: settings' db)."""
    from litwatch.store import open_store

    options = options or ReportOptions()
    if isinstance(topic, str):
        from litwatch.topics import load_topic

        topic = load_topic(topic)
    if isinstance(period, str):
        period = parse_period(*period.split("_", 1)) if "_" in period else parse_period(period)
    elif isinstance(period, tuple):
        period = parse_period(*period)
    own = store is None
    store = open_store(None) if own else store
    try:
        return _build(store, topic, period, options)
    finally:
        if own:
            store.close()


def _build(store: Any, topic: Any, period: Period, options: ReportOptions) -> Digest:
    from litwatch.screen import decisions_for, included_ids

    if store.count() == 0:
        raise ReportError(
            f"the store {store.path} holds no records",
            hint=f"run `litwatch fetch {_get(topic, 'name')}` or `litwatch import FILE` first",
        )
    tdict = _topic_dict(topic)
    labels = _Labels()
    included = list(included_ids(store, tdict["name"]))
    decisions = decisions_for(store, tdict["name"], included) if included else {}
    papers = _papers(store, topic, period, included, decisions, labels, options)
    months, registry = _months(period, papers, options.highlights_per_month or tdict["highlights_per_month"])
    trials = _trials(store, period, included, papers, registry, options)
    references = _references(store, registry, papers)
    overview = _overview(period, papers, labels)
    previous = period.previous()
    facts = summary_facts(
        [p.study_class for p in papers],
        [p.design for p in papers],
        [p._size for p in papers if p.study_class == "clinical" and p._size],
        overview.pop("_cells"),
        overview.pop("_mechanisms"),
        {"from": previous.start, "to": previous.end, "n": _count_included(store, included, previous)},
    )
    summary = {"facts": facts, **all_languages(facts, labels)}
    search = _search(store, tdict, period)
    quotes = [
        {"citation": p.citation, "record_id": p.record_id, "sentence_id": f.sentence_id,
         "start": f.start, "end": f.end, "text": f.text}
        for m in months for p in m.highlights for f in p.findings
    ]
    try:
        from litwatch.annotate import ANNOTATOR_VERSION
    except ImportError:  # pragma: no cover
        ANNOTATOR_VERSION = None
    provenance = {
        "quotes": quotes,
        "litwatch_version": __version__,
        "annotator_version": ANNOTATOR_VERSION,
        "run_ids": [r["id"] for r in search["runs"]],
        "store": str(store.path),
    }
    return Digest(
        topic=tdict,
        period=period,
        generated_at=options.generated_at or datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        options={"style": options.style,
                 "highlights_per_month": options.highlights_per_month or tdict["highlights_per_month"]},
        search=search,
        overview=overview,
        months=months,
        trials=trials,
        summary=summary,
        references=references,
        provenance=provenance,
        labels=labels.table,
    )


class _Paper(Paper):
    """A Paper with the build's scratch fields (removed before the Digest is returned)."""

    __slots__ = ("_size", "_concepts", "_ncts")


def _papers(store, topic, period, included, decisions, labels, options) -> list[_Paper]:
    from litwatch.annotate import annotate_record, get_annotations

    out = []
    for rid, record in store.iter_records(date_from=period.start, date_to=period.end, ids=included):
        if record.kind == "trial":
            continue
        ann = get_annotations(store, rid) or annotate_record(record, topic)
        concepts = _concepts(ann)
        design = _get(ann, "design")
        sample = _get(ann, "sample_size", {}) or {}
        date, precision = _report_date(record)
        dec = decisions.get(rid)
        p = _Paper(
            record_id=rid,
            title=(record.title or "").strip() or "(untitled)",
            date=date,
            date_precision=precision,
            month=record.report_month() or period.start,
            journal=record.journal.title or record.journal.iso_abbrev,
            institution=lead_institution(record),
            ids=_ids(record),
            url=_url(record),
            design=design,
            evidence_level=_get(ann, "evidence_level"),
            study_class=study_class(design, concepts.get("species", [])),
            score=_get(dec, "score"),
            studied=_studied(design, concepts, sample, labels),
            findings=_findings(record, ann, options.findings_per_paper),
            language=record.language,
        )
        p._size = sample.get("participants")
        p._concepts = concepts
        p._ncts = sorted(set(_paper_ncts(record)))
        for cid in concepts.get("species", []) + ([design] if design else []):
            labels(cid, "en")
        out.append(p)
    return out


def _rank_key(p: Paper) -> tuple:
    # strongest evidence first, then the screening score, then papers with a quotable finding
    return (p.evidence_level or 99, -(p.score or 0.0), 0 if p.findings else 1, p.date or "", p.record_id)


def _months(period: Period, papers: list[Paper], per_month: int) -> tuple[list[MonthSection], CitationRegistry]:
    by_month: dict[str, list[Paper]] = defaultdict(list)
    for p in papers:
        by_month[p.month].append(p)
    registry = CitationRegistry()
    out = []
    for month in period.months():
        ranked = sorted(by_month.get(month, []), key=_rank_key)
        section = MonthSection(month, ranked[:per_month], sorted(ranked[per_month:], key=lambda p: (p.date or "", p.record_id)))
        for p in section.highlights:
            p.citation = registry.cite(p.record_id)
        out.append(section)
    return out, registry


def _references(store, registry: CitationRegistry, papers: list[Paper]) -> list[dict[str, Any]]:
    out = []
    for rid in registry.order():
        record = store.get(rid)
        out.append({"number": registry.numbers[rid], "record_id": rid, "csl": csl_item(record, rid)})
    return out


def _overview(period: Period, papers: list[_Paper], labels) -> dict[str, Any]:
    by_design, by_species, by_cell, by_class = Counter(), Counter(), Counter(), Counter()
    per_month = {m: Counter() for m in period.months()}
    outcomes, mechanisms = Counter(), Counter()
    pairs: Counter = Counter()
    for p in papers:
        design = p.design or "design:other"
        by_design[design] += 1
        by_class[p.study_class] += 1
        per_month.setdefault(p.month, Counter())[design] += 1
        c = p._concepts
        for s in c.get("species", []):
            by_species[s] += 1
        cell_list = _cell_sources(c)
        for cell in cell_list:
            by_cell[cell] += 1
        effects = c.get("outcome_measure", []) + c.get("mechanism", [])
        for m in c.get("mechanism", []):
            mechanisms[m] += 1
        for e in effects:
            outcomes[e] += 1
        for cell in cell_list:
            for e in effects:
                pairs[(cell, e)] += 1
    cols = [e for e, _ in outcomes.most_common() if any(pairs[(c, e)] for c in by_cell)][:10]
    rows = [c for c, _ in by_cell.most_common() if any(pairs[(c, e)] for e in cols)][:8]
    for cid in list(by_design) + list(by_species) + rows + cols + [m for m, _ in mechanisms.most_common(3)]:
        labels(cid, "en")
    return {
        "included": len(papers),
        "by_class": dict(by_class),
        "by_design": dict(by_design.most_common()),
        "design_levels": {p.design: p.evidence_level for p in papers if p.design and p.evidence_level},
        "by_species": dict(by_species.most_common()),
        "by_cell_source": dict(by_cell.most_common()),
        "per_month": {m: dict(c) for m, c in sorted(per_month.items())},
        "evidence_map": {"rows": rows, "cols": cols, "counts": [[pairs[(r, e)] for e in cols] for r in rows]},
        "_cells": by_cell,
        "_mechanisms": mechanisms,
    }


def _count_included(store, included: list[int], period: Period) -> int:
    n = 0
    for start in range(0, len(included), 500):
        chunk = included[start : start + 500]
        marks = ",".join("?" * len(chunk))
        n += store.conn.execute(
            f"SELECT count(*) FROM records WHERE id IN ({marks}) AND deleted = 0 AND kind != 'trial' "
            "AND report_month >= ? AND report_month <= ?",
            [*chunk, period.start, period.end],
        ).fetchone()[0]
    return n


def _search(store, tdict: dict[str, Any], period: Period) -> dict[str, Any]:
    from litwatch.screen import prisma_counts

    name = tdict["name"]
    runs = []
    for run in store.runs(limit=None):
        params = run.get("params") or {}
        about_topic = name in str(params.get("topic", "")) or name in str(params.get("query", ""))
        if run["kind"] == "import" or about_topic:
            runs.append({k: run.get(k) for k in ("id", "kind", "started_at", "finished_at", "status", "counts")}
                        | {"params": params})
    runs = sorted(runs[:40], key=lambda r: r["id"])
    return {
        "sources": [{"source": s, "query": q} for s, q in tdict["queries"].items()],
        "runs": runs,
        "prisma": prisma_counts(store, name, period.start, period.end),
    }


# -- trials -----------------------------------------------------------------------------------
def _status_changes(store, rid: int, record: Record, period: Period) -> list[dict[str, str]]:
    versions = [(changed_at, old) for changed_at, old in store.history_of(rid)] + [(None, record)]
    out = []
    for (changed_at, old), (_, new) in zip(versions, versions[1:]):
        a, b = _get(old.trial, "status"), _get(new.trial, "status")
        if a and b and a != b:
            d = new.dates.get("last_update")
            when = d.value if d else (changed_at or "")[:10]
            if period.contains(when[:7]):
                out.append({"old": a, "new": b, "date": when})
    return out


def _trials(store, period, included, papers, registry, options) -> dict[str, Any]:
    by_nct = defaultdict(list)
    for p in papers:
        for nct in p._ncts:
            by_nct[nct].append({"record_id": p.record_id, "title": p.title, "citation": p.citation, "ids": p.ids})
    items = []
    for rid, rec in store.iter_records(kind="trial", ids=included):
        tr = rec.trial
        posted = rec.dates.get("first_posted")
        start = rec.dates.get("trial_start")
        if posted and posted.value[:7] > period.end:
            continue  # registered after the period
        entry = TrialEntry(
            record_id=rid,
            nct=rec.ids.nct,
            title=(rec.title or "").strip(),
            phase=_get(tr, "phase"),
            status=_get(tr, "status"),
            enrollment=_get(tr, "enrollment"),
            sponsor=_get(tr, "sponsor"),
            countries=list(_get(tr, "countries", []) or []),
            start=start.value if start else None,
            first_posted=posted.value if posted else None,
            url=_get(tr, "url") or _url(rec),
            new_in_period=bool(posted and period.contains(posted.value)),
            status_changes=_status_changes(store, rid, rec, period),
            papers=_linked_papers(store, rec, by_nct),
        )
        items.append(entry)
    items.sort(key=lambda e: (not e.new_in_period, not e.status_changes, not e.papers,
                              _neg(e.start or e.first_posted or ""), e.nct or ""))
    shown = items[: options.max_trials]
    return {"items": shown, "total": len(items), "shown": len(shown),
            "new": sum(e.new_in_period for e in items), "changed": sum(bool(e.status_changes) for e in items)}


def _neg(iso: str) -> str:
    # sort dates descending inside an ascending sort key
    return "".join(chr(0x10FFFF - ord(c)) for c in iso)


def _paper_ncts(record: Record) -> Iterable[str]:
    if record.ids.nct:
        yield record.ids.nct
    for link in record.links:
        if link.accession and link.accession.upper().startswith("NCT"):
            yield link.accession.upper()


def _linked_papers(store, trial: Record, by_nct) -> list[dict[str, Any]]:
    out = list(by_nct.get(trial.ids.nct, [])) if trial.ids.nct else []
    seen = {p["record_id"] for p in out}
    for pmid in _get(trial.trial, "linked_pmids", []) or []:
        rid = store.resolve(pmid)
        if rid is not None and rid not in seen:
            rec = store.get(rid)
            out.append({"record_id": rid, "title": rec.title, "citation": None, "ids": _ids(rec)})
            seen.add(rid)
    return out
