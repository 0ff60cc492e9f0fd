"""How this report's records were found, in the reader's terms: the files they came from (name,
format, when imported) or the live searches (service, query, date, count); the services'
warnings; the inclusion rules in one sentence; the versions that made the report; and the store
runs behind it, for the provenance appendix (never the body)."""

from __future__ import annotations

from typing import Any

from litwatch.report.texts import LANGS, is_zh, to_lang
from litwatch.services import SOURCE_NAMES

__all__ = ["report_sources", "report_runs", "rules_sentences", "versions"]

_LIVE = SOURCE_NAMES  # copies from a live service; any other source is a file


def report_sources(store, record_ids: list[int]) -> dict[str, Any]:
    """{"files": [...], "searches": [...], "warnings": [...]} for the records `record_ids`."""
    rows = store.source_groups(record_ids)
    runs = {}
    for run_id in sorted({r["run_id"] for r in rows if r["run_id"] is not None}):
        run = store.run(run_id)
        if run is not None:
            runs[run_id] = {k: run[k] for k in ("kind", "params", "counts", "started_at")}
    files, searches, warnings = [], [], []
    for r in rows:
        if r["source"].startswith("file:") or r["source"] not in _LIVE:
            origin = r["origin"] or ""
            files.append({"source": r["source"], "name": origin.replace("\\", "/").rsplit("/", 1)[-1] or origin,
                          "path": origin, "imported": (r["first"] or "")[:10], "records": r["n"]})
            continue
        run = runs.get(r["run_id"]) or {}
        params = run.get("params") or {}
        query = (params.get("queries") or {}).get(r["source"]) or _origin_query(r["origin"])
        searches.append({"source": r["source"], "query": query, "run_id": r["run_id"],
                         "date": (run.get("started_at") or r["first"] or "")[:10], "records": r["n"],
                         "date_from": params.get("date_from"), "date_to": params.get("date_to")})
    for run_id, run in runs.items():
        if run["kind"] != "fetch":
            continue
        counts = run.get("counts") or {}
        found = list(counts.get("warnings") or [])
        for src, summary in (counts.get("sources") or {}).items():
            found += [f"{src}: {w}" for w in (summary or {}).get("warnings") or []]
        for w in found:
            entry = {"run_id": run_id, "text": str(w)}
            if entry not in warnings:
                warnings.append(entry)
    return {"files": files, "searches": searches, "warnings": warnings}


def _origin_query(origin: str | None) -> str:
    """'PubMed efetch: <query> (records 1-200)' -> '<query>' (a run that logged no query)."""
    if not origin:
        return ""
    text = origin.split(": ", 1)[-1]
    return text.rsplit(" (", 1)[0] if text.endswith(")") else text


def report_runs(store, topic_name: str, source_run_ids: list[int], record_ids: list[int]) -> list[dict[str, Any]]:
    """The runs behind the report, oldest first: the imports and fetches its records came from, the
    screening runs that wrote the rule and model decisions in effect for them, and the annotation
    runs of its topic. A run that changed nothing for these records (a repeat screening) is not
    behind the report; a report's own runs never are."""
    wanted = set(source_run_ids)
    try:
        from litwatch.screen.decisions import latest_rows

        for kinds in latest_rows(store, topic_name, record_ids).values():
            for kind in ("rule", "model"):
                row = kinds.get(kind)
                if row is not None and row["run_id"] is not None:
                    wanted.add(int(row["run_id"]))
    except ImportError:  # pragma: no cover
        pass
    out = []
    for run in store.runs(limit=None):
        params = run.get("params") or {}
        annotation = run["kind"] == "annotate" and params.get("topic") in (topic_name, None)
        if run["id"] in wanted or annotation:
            out.append({k: run.get(k) for k in ("id", "kind", "started_at", "finished_at", "status")}
                       | {"params": params, "counts": run.get("counts") or {}})
    return sorted(out, key=lambda r: r["id"])


_KINDS = {
    "en": {"title": "both named in the title",
           "therapeutic": "joined in one sentence of the abstract by a therapeutic word (treat, alleviate, reverse ...)",
           "administration": "the intervention given in the methods with the condition, its models or its tests measured",
           "registry": "both listed by a registered trial",
           "association": "linked in one sentence of the abstract by an association word"},
    "zh-Hans": {"title": "标题同时提及两者",
                "therapeutic": "摘要同一句中以治疗性词语（治疗、缓解、逆转等）连接两者",
                "administration": "方法中给予该干预并测量该病症、其模型或行为学测试",
                "registry": "注册试验同时列出两者",
                "association": "摘要同一句中以关联性词语连接两者"},
}


def _short(label: str) -> str:
    """A context's label up to its explanation ('disease modelling: patient- ...' -> 'disease modelling')."""
    for sep in (":", "：", " (", "（"):
        label = label.split(sep)[0]
    return label.strip()


def rules_sentences(topic: Any) -> dict[str, str]:
    """The inclusion rules of `topic` in one sentence per language (what a reader needs to trust the list)."""
    concepts = getattr(topic, "concepts", {}) or {}
    groups = {g.name: g for g in (getattr(topic, "include", []) or [])}
    excludes = getattr(topic, "exclude", []) or []
    relations = getattr(topic, "relations", None)
    contexts = getattr(topic, "contexts", []) or []

    def names(ids: list[str], lang: str) -> str:
        base = "zh-Hans" if is_zh(lang) else "en"
        labels = []
        for cid in ids:
            c = concepts.get(cid)
            label = (getattr(c, "label", {}) or {}).get(base) or (getattr(c, "label", {}) or {}).get("en") or cid
            labels.append(label)
        sep = "、" if is_zh(lang) else ", "
        last = "或" if is_zh(lang) else " or "
        return labels[0] if len(labels) == 1 else sep.join(labels[:-1]) + last + labels[-1]

    out = {}
    for lang in LANGS:
        base = "zh-Hans" if is_zh(lang) else "en"
        if relations is not None and relations.intervention in groups:
            s = _relation_sentence(relations, groups, contexts, names, base)
        else:
            s = _cooccurrence_sentence(list(groups.values()), excludes, names, base)
        out[lang] = s if lang in ("en", "zh-Hans") else to_lang(s, lang)
    return out


def _relation_sentence(rel, groups, contexts, names, base: str) -> str:
    inter = names(groups[rel.intervention].any, base)
    cond = names(groups[rel.condition].any, base) if rel.condition and rel.condition in groups else None
    ways = [_KINDS[base][k] for k in rel.kinds if k in _KINDS[base]]
    seen: list[str] = []
    for c in contexts:
        label = _short((c.label or {}).get(base) or (c.label or {}).get("en") or c.name)
        if label and label not in seen:
            seen.append(label)
    if base == "en":
        what = f"the {inter} were studied as a treatment of {cond}" if cond else f"the {inter} were studied as a therapy"
        s = f"A record was included only when {what}: " + "; or ".join(ways)
        s += "; negated and hypothetical mentions never counted"
        if seen:
            s += ", nor did " + ", ".join(seen[:5]) + (" and other contexts the profile excludes" if len(seen) > 5 else "")
        return s + "; a ranker that learns from people's decisions may suggest more, and a person's decision always wins."
    what = f"将（1）{inter}作为（2）{cond}的治疗进行研究" if cond else f"将{inter}作为疗法进行研究"
    s = f"纳入标准：记录须{what}，即" + "，或".join(ways)
    s += "；否定或假设性的提及不计"
    if seen:
        s += "，" + "、".join(seen[:5]) + ("等" if len(seen) > 5 else "") + "情形亦不计"
    return s + "；排序模型可根据人工判定提出建议，人工判定始终优先。"


def _cooccurrence_sentence(groups, excludes, names, base: str) -> str:
    parts = [names(g.any, base) for g in groups if getattr(g, "any", None)]
    masked = [e.concept for e in excludes if getattr(e, "mode", "") == "mask"]
    if base == "en":
        numbered = "; and ".join(f"({k}) {part}" for k, part in enumerate(parts, 1))
        s = ("A record was included when its title, abstract, keywords or MeSH terms name both " + numbered
             if len(parts) > 1 else "A record was included when its title, abstract, keywords or MeSH terms name "
             + parts[0] if parts else "A record was included by the topic profile's rules")
        if masked:
            s += " (not counting " + names(masked, base).replace(" or ", " and ") + ")"
        return s + "; a ranker that learns from people's decisions may suggest more, and a person's decision always wins."
    numbered = "，以及".join(f"（{k}）{part}" for k, part in enumerate(parts, 1))
    s = ("纳入标准：题目、摘要、关键词或MeSH主题词须同时提及" + numbered if parts else "按主题配置的规则纳入")
    if masked:
        s += "；不计" + names(masked, base).replace("或", "和")
    return s + "；排序模型可根据人工判定提出建议，人工判定始终优先。"


def versions(topic: Any, annotator: str | None, vocabulary: str | None) -> dict[str, Any]:
    from litwatch import __version__

    try:
        from litwatch.screen.rules import RULES_VERSION
    except ImportError:  # pragma: no cover
        RULES_VERSION = None
    return {"litwatch": __version__, "annotator": annotator, "vocabulary": vocabulary, "rules": RULES_VERSION,
            "profile": getattr(topic, "version", None)}
