"""`update_screening`: bring a topic's rule and ranker decisions up to date, doing only what changed.

    rules    re-read exactly the live records whose content hash, the profile's rules hash or the
             rules version differ from what they were last screened with (screen_state); a rule
             row is added only when the decision itself changed
    ranker   refitted and re-scored only when its training data (person decisions, rule labels
             and evidence) or its candidates changed (screen_models.fingerprint)
    nothing changed -> no work and no run row (a repeated report adds nothing to `runs`)

The decision policy (what the ranker may do) is `apply_ranker` below: a trusted ranker (see
screen/ranker.py) includes rule exclusions scoring at or above its threshold and excludes rule
inclusions scoring below the score that keeps `model_min_recall` of the person inclusions; these
are decisions by "model", listed as "suggested, not yet checked" until a person decides. An
untrusted ranker only suggests. A person's decision is never touched.

Screening is one stage with two parts (rules and ranker) over its own tables, so this update stays
in screen/; composing it with the other stages (annotation, the report) is `litwatch.jobs.refresh`.
Its tables are read and written through screen/state.py and screen/decisions.py, the records
through the store's queries.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

from litwatch.screen.decisions import POLICY_METHOD, add_decision, add_decisions, latest_rows, person_count
from litwatch.screen.ranker import Fit, fit_ranker, names_a_concept, training_universe
from litwatch.screen.rules import RULES_VERSION, Decision, evidence, rule_decision
from litwatch.screen.state import (
    forget_gone,
    gone_count,
    label_counts,
    model_row,
    person_fingerprint,
    save_model,
    save_scores,
    state_fingerprint,
    state_of,
    stale_ids,
    suggestion_counts,
    write_state,
)
from litwatch.topics import Topic, load_topic

__all__ = ["update_screening", "apply_ranker", "record_text", "RANKER_VERSION", "BATCH"]

RANKER_VERSION = 1
BATCH = 1000
SUGGEST_AT = 0.5  # an untrusted ranker suggests the other label when it crosses this probability
_NO_SUGGESTION = ("nothing-to-judge",)


def record_text(record) -> str:
    """The text the ranker reads: title, abstract, keywords, MeSH, trial conditions/interventions."""
    parts = [record.title or "", record.abstract_text, " ".join(record.keywords),
             " ".join(m.descriptor for m in record.mesh)]
    if record.trial is not None:
        parts += [" ".join(record.trial.conditions), " ".join(record.trial.interventions)]
    return " ".join(p for p in parts if p)


def _same(row, d: Decision) -> bool:
    return row is not None and row["label"] == d.label and (row["reason"] or "") == d.reason and (
        (row["score"] is None and d.score is None) or (row["score"] is not None and d.score is not None
                                                       and abs(row["score"] - d.score) < 1e-6)
    )


def _model_fingerprint(store, t: Topic) -> str:
    h = hashlib.sha1(f"{RANKER_VERSION}|{t.model_min_precision}|{t.model_min_recall}|".encode())
    h.update(person_fingerprint(store, t.name).encode())
    h.update(state_fingerprint(store, t.name).encode())
    return h.hexdigest()


def _rules_pass(store, t: Topic, todo: list[int], run_id: int, progress: Callable | None) -> int:
    phash = t.rules_hash()
    hashes = store.content_hashes(todo, live_only=False)
    latest = latest_rows(store, t.name, todo) if todo else {}
    changed = 0
    for start in range(0, len(todo), BATCH):
        chunk = todo[start:start + BATCH]
        state, rows = [], []
        with store.transaction():
            for rid, rec in store.iter_records(ids=chunk):
                d = rule_decision(t, rec)
                if not _same(latest.get(rid, {}).get("rule"), d):
                    rows.append((rid, d))
                state.append((rid, hashes[rid], phash, RULES_VERSION, d.label, evidence(d)))
            add_decisions(store, t.name, rows, run_id=run_id, method=f"rules v{RULES_VERSION}")
            changed += len(rows)
            write_state(store, t.name, state)
        if progress:
            progress(min(start + BATCH, len(todo)), len(todo))
    return changed


def _labels(store, topic: str) -> dict[int, int]:
    out = {}
    for rid, kinds in latest_rows(store, topic).items():
        person = kinds.get("person")
        if person is not None and person["label"] in ("include", "exclude"):
            out[rid] = int(person["label"] == "include")
    return out


def update_screening(store, topic: Topic | str, *, use_model: bool = True,
                     progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Rules (+ ranker) for what changed; persons are never overwritten. Returns counts
    (run_id None and up_to_date True when nothing had to be done)."""
    t = topic if isinstance(topic, Topic) else load_topic(topic)
    todo = stale_ids(store, t.name, t.rules_hash(), RULES_VERSION)
    gone = gone_count(store, t.name)
    model = model_row(store, t.name)
    fingerprint = None
    if not todo and not gone:
        fingerprint = _model_fingerprint(store, t)
        if not use_model or (model is not None and model["fingerprint"] == fingerprint):
            return _counts(store, t, run_id=None, rescreened=0, changed=0, model=model, up_to_date=True)
    run_id = store.start_run("screen", {"topic": t.name})
    try:
        changed = _rules_pass(store, t, todo, run_id, progress)
        with store.transaction():
            forget_gone(store, t.name)
        if use_model:
            fingerprint = _model_fingerprint(store, t)
            if model is None or model["fingerprint"] != fingerprint:
                changed += apply_ranker(store, t, run_id, fingerprint)
            model = model_row(store, t.name)
        counts = _counts(store, t, run_id=run_id, rescreened=len(todo), changed=changed, model=model)
    except BaseException:
        store.finish_run(run_id, "failed", {}, [])
        raise
    store.finish_run(run_id, "ok", {k: v for k, v in counts.items() if k not in ("run_id", "up_to_date")}, [])
    return counts


def _counts(store, t: Topic, *, run_id, rescreened: int, changed: int, model, up_to_date: bool = False) -> dict[str, Any]:
    rule = label_counts(store, t.name)
    sugg = suggestion_counts(store, t.name)
    persons = person_count(store, t.name)
    model_info = None
    if model is not None:
        model_info = {"trusted": bool(model["trusted"]), "include_at": model["include_at"],
                      "exclude_below": model["exclude_below"], **model["summary"],
                      "include": sugg.get("include:applied", 0), "exclude": sugg.get("exclude:applied", 0),
                      "suggested_include": sugg.get("include", 0), "suggested_exclude": sugg.get("exclude", 0)}
    return {"records": sum(rule.values()), "rule": rule, "model": model_info, "rescreened": rescreened,
            "changed": changed, "persons": persons, "run_id": run_id, "up_to_date": up_to_date}


def _explain(fit: Fit, rid: int, s: float, label: str, trusted: bool, persons: dict[int, int],
             rule_labels: dict[int, int]) -> str:
    if trusted:
        thr = fit.include_at if label == "include" else fit.exclude_below
        side = ">=" if label == "include" else "<"
        where = ("the least relevant-looking record a person included against the rules"
                 if label == "include" else "the most relevant-looking record a person excluded against the rules")
        head = (f"ranker P(relevant)={s:.2f} {side} {thr:.2f}, {where} (trusted: {fit.summary.get('why', '')})")
        if label == "exclude":
            head = head.replace(f"{side} {thr:.2f}", f"<= {thr - 1e-9:.2f}")
    else:
        head = (f"ranker P(relevant)={s:.2f} {'>=' if label == 'include' else '<'} {SUGGEST_AT:.2f}, against the "
                f"rules; not trusted to decide ({fit.summary.get('why', '')})")
    pool = [r for r, y in persons.items() if (y == 1) == (label == "include")]
    who = "a person"
    if not pool:
        pool = [r for r, y in rule_labels.items() if (y == 1) == (label == "include")][:2000]
        who = "the rules"
    near = fit.most_like(rid, pool)
    if near is not None and near[1] > 0:
        head += f"; most like #{near[0]} ({'included' if label == 'include' else 'excluded'} by {who})"
    return head


NEAR_MIN = 0.2  # cosine similarity a record needs to its nearest overturned record to be moved


def _nearest_agrees(fit: Fit, rid: int, persons: dict[int, int], rule_labels: dict[int, int], label: str) -> bool:
    """Move a record only when the person decision most like it overturned the rules the same way
    (a rule inclusion a person excluded, or the reverse), and closely enough."""
    flip = 0 if label == "exclude" else 1
    decided = [r for r in persons if rule_labels.get(r) == 1 - flip]  # what the rules said as this record
    near = fit.most_like(rid, decided)
    return near is not None and persons[near[0]] == flip and near[1] >= NEAR_MIN


def apply_ranker(store, t: Topic, run_id: int | None, fingerprint: str) -> int:
    """Fit the ranker, store its scores and suggestions, and write the trusted ranker's decisions.
    Returns the number of decision rows added."""
    state = state_of(store, t.name)
    persons = _labels(store, t.name)
    rule_labels = {rid: int(label == "include") for rid, (label, ev) in state.items()
                   if label in ("include", "exclude")}
    evidence_of = {rid: ev for rid, (_, ev) in state.items()}
    universe = sorted(set(training_universe(evidence_of)) | set(persons))
    texts = {rid: record_text(rec) for rid, rec in store.iter_records(ids=universe)}
    fit = fit_ranker(texts, evidence_of, rule_labels, persons, min_precision=t.model_min_precision,
                     min_recall=t.model_min_recall)
    latest = latest_rows(store, t.name)
    rows, wanted = [], {}
    if fit is not None:
        for rid, s in fit.score_of().items():
            label, ev = state.get(rid, ("undecided", []))
            if not names_a_concept(ev) and rid not in persons:
                continue  # in the training sample only: naming no concept, it is never suggested
            suggestion = None
            if persons and rid not in persons and not any(tag in ev for tag in _NO_SUGGESTION):
                if fit.trusted:
                    if label == "include" and fit.exclude_below is not None and s < fit.exclude_below \
                            and _nearest_agrees(fit, rid, persons, rule_labels, "exclude"):
                        suggestion = "exclude"
                    elif label == "exclude" and fit.include_at is not None and s >= fit.include_at \
                            and _nearest_agrees(fit, rid, persons, rule_labels, "include"):
                        suggestion = "include"
                elif label == "exclude" and s >= SUGGEST_AT:
                    suggestion = "include"
                elif label == "include" and s < SUGGEST_AT:
                    suggestion = "exclude"
            reason = _explain(fit, rid, s, suggestion, fit.trusted, persons, rule_labels) if suggestion else ""
            rows.append((rid, s, suggestion, bool(suggestion and fit.trusted), reason))
            if suggestion and fit.trusted:
                wanted[rid] = Decision(suggestion, round(s, 4), "model", reason)
    added = 0
    with store.transaction():
        for rid, kinds in latest.items():  # withdraw applied decisions the ranker no longer makes
            old = kinds.get("model")
            if old is not None and old["method"] == POLICY_METHOD and old["label"] != "undecided" and rid not in wanted:
                add_decision(store, t.name, rid, Decision("undecided", None, "model", "withdrawn: the ranker no longer "
                             "decides this record"), run_id=run_id, method=POLICY_METHOD)
                added += 1
            elif old is not None and old["method"] != POLICY_METHOD and old["label"] != "undecided" and rid not in wanted:
                # rows of the older policy (the ranker deciding alone on rule labels) stop counting
                add_decision(store, t.name, rid, Decision("undecided", None, "model", "withdrawn: decided by an "
                             "older ranker policy"), run_id=run_id, method=POLICY_METHOD)
                added += 1
        for rid, d in wanted.items():
            old = latest.get(rid, {}).get("model")
            if old is None or old["method"] != POLICY_METHOD or old["label"] != d.label:
                add_decision(store, t.name, rid, d, run_id=run_id, method=POLICY_METHOD)
                added += 1
        save_scores(store, t.name, rows)
        summary = dict(fit.summary) if fit is not None else {"why": "nothing to learn from: the rules decided one way only"}
        save_model(store, t.name, fingerprint, bool(fit and fit.trusted), fit.include_at if fit else None,
                   fit.exclude_below if fit else None, summary)
    return added
