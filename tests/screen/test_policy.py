"""The decision policy: the ranker decides alone only when persons taught it and it is precise
enough; otherwise it suggests; persons always win; real data gets no ranker inclusions."""

from __future__ import annotations

import tomllib

import pytest

from litwatch.screen import (
    decisions_for,
    included_ids,
    prisma_counts,
    record_decision,
    unchecked_suggestions,
    update_screening,
)
from litwatch.screen.decisions import add_decision
from litwatch.screen.rules import Decision
from litwatch.topics import topic_source
from litwatch.topics.model import topic_from_dict

from tests.screen.corpus import load_corpus

TOPIC = "stem-cell-depression"
HSCT_OUT = ["n-hsct-survival", "n-hsct-myeloma", "n-cart", "n-hsct-lymphoma", "n-hsct-zh-hant"]
KEPT_IN = ["tp-rodent-cums-exosomes", "tp-human-trd-phase1", "tp-review-meta", "tp-rodent-lps-evs",
           "tp-human-bipolar"]


def without_transplant_contexts():
    """The built-in profile without the contexts that know transplantation and biomarkers: the
    near misses a reviewer must teach."""
    data = tomllib.loads(topic_source(TOPIC))
    gone = {"other_treatment", "transplant_setting", "biomarkers"}
    data["contexts"] = [c for c in data["contexts"] if c["name"] not in gone]
    return topic_from_dict(data, where="test profile")


@pytest.fixture()
def corpus_store(store):
    items = load_corpus()
    ids = dict(zip((it.key for it in items), store.upsert([it.record for it in items]).record_ids))
    return store, ids


def test_no_person_decisions_no_ranker_decisions_on_the_corpus(corpus_store):
    store, ids = corpus_store
    c = update_screening(store, TOPIC)
    assert c["model"]["trusted"] is False and "rule decisions alone are not ground truth" in c["model"]["why"]
    assert all(d.by == "rule" for d in decisions_for(store, TOPIC).values())
    assert unchecked_suggestions(store, TOPIC) == []


def test_person_exclusions_move_similar_rule_inclusions(corpus_store):
    store, ids = corpus_store
    topic = without_transplant_contexts()
    update_screening(store, topic)
    before = decisions_for(store, topic.name)
    assert before[ids["n-hsct-title-only"]].label == "include" and before[ids["n-trial-hsct-cbt"]].label == "include"
    for key in HSCT_OUT:
        record_decision(store, topic, ids[key], "exclude", by="ana")
    for key in KEPT_IN:
        record_decision(store, topic, ids[key], "include", by="ana")
    c = update_screening(store, topic)
    assert c["model"]["trusted"] is True and c["model"]["exclude"] >= 2
    after = decisions_for(store, topic.name)
    for key in ("n-hsct-title-only", "n-trial-hsct-cbt"):
        d = after[ids[key]]
        assert (d.label, d.by) == ("exclude", "model"), key
        assert "excluded against the rules" in d.reason
    suggested = {s.record_id: s for s in unchecked_suggestions(store, topic)}
    assert ids["n-hsct-title-only"] in suggested
    s = suggested[ids["n-hsct-title-only"]]
    assert s.label == "exclude" and s.applied and "[applied:" in s.reason
    assert s.title == "Depression and quality of life after haematopoietic stem cell transplantation"
    # the persons' own decisions stand, and most of the true papers stay in
    assert all(after[ids[k]].by == "ana" for k in HSCT_OUT + KEPT_IN)
    truly_in = [ids[it.key] for it in load_corpus() if it.truth]
    assert sum(after[r].label == "include" for r in truly_in) >= len(truly_in) - 2
    p = prisma_counts(store, topic.name)
    assert p["excluded"]["model"] == c["model"]["exclude"] and p["included_by"]["model"] == 0
    assert p["suggested"]["exclude"] == len([x for x in suggested.values() if x.label == "exclude"])


def test_a_person_overrides_the_ranker_and_is_never_overwritten(corpus_store):
    store, ids = corpus_store
    topic = without_transplant_contexts()
    update_screening(store, topic)
    for key in HSCT_OUT:
        record_decision(store, topic, ids[key], "exclude", by="ana")
    for key in KEPT_IN:
        record_decision(store, topic, ids[key], "include", by="ana")
    update_screening(store, topic)
    rid = ids["n-hsct-title-only"]
    assert decisions_for(store, topic.name)[rid].by == "model"
    record_decision(store, topic, rid, "include", by="bob", note="reviews quality of life in depression")
    update_screening(store, topic)
    d = decisions_for(store, topic.name)[rid]
    assert (d.label, d.by, d.note) == ("include", "bob", "reviews quality of life in depression")
    assert rid not in {s.record_id for s in unchecked_suggestions(store, topic)}
    assert rid in included_ids(store, topic.name)


def test_few_person_decisions_only_suggest(corpus_store):
    store, ids = corpus_store
    topic = without_transplant_contexts()
    update_screening(store, topic)
    record_decision(store, topic, ids["n-hsct-survival"], "exclude", by="ana")
    record_decision(store, topic, ids["tp-human-trd-phase1"], "include", by="ana")
    c = update_screening(store, topic)
    assert c["model"]["trusted"] is False and "needs at least 3" in c["model"]["why"]
    assert not any(d.by == "model" and d.label != "undecided" for d in decisions_for(store, topic.name).values())
    assert all(not s.applied and "not applied: the rules' decision stands" in s.reason
               for s in unchecked_suggestions(store, topic))


def test_model_decisions_of_the_older_policy_stop_counting(corpus_store):
    store, ids = corpus_store
    update_screening(store, TOPIC)
    rid = ids["n-reply"]
    with store.transaction():  # what the ranker trained on rule labels alone used to write
        add_decision(store, TOPIC, rid, Decision("include", 0.7, "model", "ranker P(relevant)=0.70"),
                     method="tfidf-lsa+stack+max+balanced")
    assert decisions_for(store, TOPIC)[rid].by == "rule"  # a rule decision outranks it already
    record_decision(store, TOPIC, ids["tp-review-meta"], "include", by="ana")  # the ranker refits
    update_screening(store, TOPIC)
    rows = store.conn.execute("SELECT label, reason FROM decisions WHERE record_id = ? AND by = 'model' ORDER BY id",
                              (rid,)).fetchall()
    assert [r["label"] for r in rows] == ["include", "undecided"] and "older ranker policy" in rows[-1]["reason"]


def test_prisma_counts_keep_their_shape(corpus_store):
    store, _ = corpus_store
    update_screening(store, TOPIC)
    p = prisma_counts(store, TOPIC)
    assert set(p) == {"identified", "duplicates_removed", "records", "screened", "undecided", "excluded",
                      "included", "included_by", "included_by_kind", "suggested"}
    assert set(p["included_by"]) == {"rule", "model", "person"} and set(p["excluded"]) == {"rule", "model", "person"}
    relevant = [it for it in load_corpus() if it.truth]
    assert p["included"] == sum(p["included_by"].values()) == p["included_by"]["rule"] == len(relevant)
    trials = sum(it.record.kind == "trial" for it in relevant)
    assert trials >= 2 and p["included_by_kind"] == {"paper": len(relevant) - trials, "trial": trials}


# -- the shared real data -------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory, shared_data):
    from litwatch.ingest import import_files
    from litwatch.store import open_store

    path = tmp_path_factory.mktemp("shared") / "shared.db"
    with open_store(path) as store:
        import_files(store, [
            shared_data / "pubmed" / "medline16n0902.xml.gz",
            shared_data / "clinicaltrials" / "legacy-csv" / "clinicalMesenchymal.csv",
            shared_data / "gutbrain" / "articles_dev.json",
            shared_data / "gutbrain" / "articles_train_platinum.json",
        ])
        update_screening(store, TOPIC)
    return path


def test_the_ranker_includes_nothing_by_itself_on_real_data(shared_store):
    from litwatch.store import open_store

    with open_store(shared_store) as store:
        p = prisma_counts(store, TOPIC)
        assert p["included_by"]["model"] == 0 and p["excluded"]["model"] == 0
        decisions = decisions_for(store, TOPIC)
        included = [store.get(rid) for rid in included_ids(store, TOPIC)]
        assert included and all("depress" in (r.title or "").lower() for r in included)
        assert all(r.kind == "trial" or r.abstract_text for r in included)
        replies = [rid for rid, r in store.iter_records() if (r.title or "").strip() in ("Reply.", "Authors' response.")]
        assert replies and all(decisions[rid].label == "exclude" and decisions[rid].reason.startswith("nothing to judge")
                               for rid in replies)
        assert unchecked_suggestions(store, TOPIC) == []
