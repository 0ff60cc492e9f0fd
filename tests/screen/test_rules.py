"""Rule screening with the built-in stem-cell-depression profile: relations, contexts, negation,
title-only records, Chinese text, on the fixture corpus (corpus.toml) and on real data.

Each relation kind, context and cue list has a test that removes it from the profile and shows a
corpus record decided wrongly without it."""

from __future__ import annotations

import tomllib

import pytest

from litwatch.formats import read_file
from litwatch.records import Record
from litwatch.screen.rules import record_fields, rule_decision
from litwatch.topics import load_topic, topic_source
from litwatch.topics.model import topic_from_dict

from tests.screen import fixtures as fx
from tests.screen.corpus import by_id, load_corpus

TOPIC = "stem-cell-depression"
CORPUS = load_corpus()


@pytest.fixture(scope="module")
def topic():
    return load_topic(TOPIC)


def variant(change) -> object:
    """The built-in profile with one change applied to its TOML data."""
    data = tomllib.loads(topic_source(TOPIC))
    change(data)
    return topic_from_dict(data, where="variant")


def without_context(name: str):
    def change(d):
        d["contexts"] = [c for c in d["contexts"] if c["name"] != name]
    return variant(change)


def tagged(tag: str, truth: int | None = None) -> list:
    return [it for it in CORPUS if tag in it.tests and (truth is None or it.truth == truth)]


def test_the_corpus_is_decided_as_a_reader_would(topic):
    wrong = [(it.key, rule_decision(topic, it.record).reason) for it in CORPUS
             if (rule_decision(topic, it.record).label == "include") != bool(it.truth)]
    assert wrong == []
    assert sum(it.truth for it in CORPUS) >= 30 and sum(1 - it.truth for it in CORPUS) >= 40


def test_an_inclusion_records_spans_and_its_relation(topic):
    d = rule_decision(topic, fx.MSC_EXOSOME_CUMS)
    assert d.label == "include" and d.by == "rule" and d.reason.startswith("title relation")
    texts = record_fields(fx.MSC_EXOSOME_CUMS)
    mentions = [c for c in d.concepts if "concept" in c]
    assert {c["group"] for c in mentions} == {"intervention", "condition"}
    for c in mentions:  # every span points at the text it claims
        assert texts[c["field"]][c["start"]:c["end"]] == c["text"]
    relation = [c for c in d.concepts if "relation" in c]
    assert relation == [{"relation": "title", "field": "title", "start": 0, "end": len(fx.MSC_EXOSOME_CUMS.title),
                         "role": "title"}]


@pytest.mark.parametrize("kind", ["title", "therapeutic", "administration", "registry"])
def test_each_relation_kind_includes_and_is_needed(topic, kind):
    items = tagged(f"relation:{kind}", truth=1)
    assert items
    by_kind = []
    for it in items:
        d = rule_decision(topic, it.record)
        assert d.label == "include", (it.key, d.reason)
        entry = next(c for c in d.concepts if "relation" in c)
        text = record_fields(it.record)[entry["field"]]
        assert 0 <= entry["start"] < entry["end"] <= len(text)
        if entry["relation"] == kind:
            assert d.reason.startswith(f"{kind} relation")
            by_kind.append(it.key)
    assert by_kind, f"no corpus record is included by the {kind} relation"
    fewer = variant(lambda data: data["relations"].__setitem__(
        "kinds", [k for k in data["relations"]["kinds"] if k != kind]))
    lost = [it.key for it in items if rule_decision(fewer, it.record).label != "include"]
    assert lost, f"no corpus record needs the {kind} relation"


def test_a_therapeutic_cue_must_join_them_in_one_sentence(topic):
    it = by_id("tp-review-cellfree")
    d = rule_decision(topic, it.record)
    assert "a therapeutic cue joins them in a results sentence" in d.reason and "'alleviated'" in d.reason
    # the same words in two different sentences are co-mention, not a relation
    two = Record(title="Stem cell products in psychiatry",
                 abstract=fx.rec("1", "", "Exosomes from mesenchymal stem cells were characterised by size. "
                                 "Alleviating depression remains a major goal of psychiatry worldwide.").abstract)
    d = rule_decision(topic, two)
    assert d.label == "exclude" and d.reason.startswith("co-mention only")


CONTEXT_CASES = {
    "disease_modelling": "n-model-esc-platform",
    "cells_from_patients": "n-patient-mscs-secretion",
    "patient_derived_cells": "n-patient-specific-mscs",
    "adverse_event": "n-other-ms-adverse",
    "biomarkers": "n-bio-endothelial-progenitors",
    "other_treatment": "n-hsct-title-only",
    "transplant_setting": "n-hsct-lymphoma",
    "not_stem_cell_product": "n-ves-plasma-vs-msc",
    "no_stem_cell_source": "n-ves-drug-carrier",
    "cancer_stem_cells": "n-csc-glioma",
    "other_sense": "n-sense-psd95",
    "endogenous_neurogenesis": "n-neuro-fluoxetine",
    "endogenous_mitochondria": "n-endo-mito",
    "cells_as_target": "n-target-bone",
    "exclusion_criteria": "n-neg-tms-exclusion",
}


@pytest.mark.parametrize("name,key", sorted(CONTEXT_CASES.items()))
def test_each_exclusion_context_names_itself_and_is_needed(topic, name, key):
    it = by_id(key)
    d = rule_decision(topic, it.record)
    assert d.label == "exclude"
    assert f"context {name}:" in d.reason, d.reason
    entry = next(c for c in d.concepts if "context" in c and "concept" not in c)
    assert entry["context"] == name
    assert record_fields(it.record)[entry["field"]][entry["start"]:entry["end"]] == entry["text"]
    assert rule_decision(without_context(name), it.record).label == "include"


def test_every_context_tagged_negative_is_excluded_naming_a_context(topic):
    for it in [x for x in CORPUS if x.truth == 0 and any(t.startswith("context:") for t in x.tests)]:
        d = rule_decision(topic, it.record)
        assert d.label == "exclude" and ("context " in d.reason or "only" in d.reason), (it.key, d.reason)


def test_intervention_for_another_disease_is_named(topic):
    for key in ("n-other-stroke", "n-other-parkinson"):
        d = rule_decision(topic, by_id(key).record)
        assert d.label == "exclude" and d.reason.startswith("context other_disease: the intervention for another disease")


@pytest.mark.parametrize("cues,key", [("negation", "n-neg-ketamine"), ("negation_after", "n-neg-not-assessed"),
                                      ("hypothetical", "n-hyp-copd")])
def test_negated_and_hypothetical_mentions_never_count(topic, cues, key):
    record = by_id(key).record
    assert rule_decision(topic, record).label == "exclude"
    blind = variant(lambda d: d.setdefault("cues", {}).__setitem__(cues, {"en": ["zzqx"]}))
    assert rule_decision(blind, record).label == "include"


def test_with_or_without_is_not_a_negation(topic):
    record = by_id("tp-human-poststroke").record
    assert rule_decision(topic, record).label == "include"
    blind = variant(lambda d: d.setdefault("cues", {}).__setitem__("pseudo_negation", {"en": ["zzqx"]}))
    d = rule_decision(blind, record)
    assert d.label == "exclude" and "negated ('without')" in d.reason


def test_abbreviations_count_only_when_spelled_out(topic):
    nasopharyngeal = by_id("n-sense-npc").record
    assert rule_decision(topic, nasopharyngeal).label == "exclude"
    loose = variant(lambda d: d["concepts"]["neural_stem"].__setitem__("needs_long_form", False))
    assert rule_decision(loose, nasopharyngeal).label == "include"


def test_title_only_records_are_decided_by_the_title_and_say_so(topic):
    for it in tagged("title-only"):
        d = rule_decision(topic, it.record)
        assert (d.label == "include") == bool(it.truth), it.key
        if it.record.kind != "trial":
            assert "decided by the title alone" in d.reason
    d = rule_decision(topic, by_id("n-title-only-cartilage").record)
    assert d.reason == "no condition concept; decided by the title alone (no abstract)"


@pytest.mark.parametrize("key", ["n-reply", "n-consultation"])
def test_no_abstract_and_no_concept_is_nothing_to_judge(topic, key):
    d = rule_decision(topic, by_id(key).record)
    assert (d.label, d.reason) == ("exclude", "nothing to judge: no abstract and no topic concept")


def test_errata_are_rejected(topic):
    for key in ("n-erratum", "n-correction-notice", "n-retraction-note"):
        d = rule_decision(topic, by_id(key).record)
        assert d.label == "exclude" and d.reason.startswith("rejected: reject_types"), key
    for name in ("gut-brain-depression", "msc-trials"):  # every built-in profile knows the notices
        title = "Retraction Note: Probiotics and mesenchymal stem cells ease depression and anxiety in mice"
        d = rule_decision(load_topic(name), fx.rec("1", title, "The article has been retracted."))
        assert d.label == "exclude" and d.reason.startswith("rejected: notices"), name


def test_what_cells_became_is_not_what_was_given(topic):
    """'Fibroblasts from people given ketamine infusions were reprogrammed into iPSCs': the
    administration cue before the mention gives something else; the modelling context holds."""
    d = rule_decision(topic, by_id("n-model-into-ipscs").record)
    assert d.label == "exclude" and "context disease_modelling:" in d.reason, d.reason


def test_chinese_records_are_read_without_word_boundaries(topic):
    for it in tagged("chinese"):
        d = rule_decision(topic, it.record)
        assert (d.label == "include") == bool(it.truth), (it.key, d.reason)
    d = rule_decision(topic, by_id("tp-zh-hans-nsc-exos").record)
    assert d.reason.startswith("administration relation") and "'给予'" in d.reason
    roles = {c["role"] for c in d.concepts if "relation" in c}
    assert roles == {"methods"}  # from the 方法： label, not the English role model
    from litwatch.screen.text import RecordText

    labelled = [s.role for s in RecordText(by_id("tp-zh-hans-exosomes").record).sentences()]
    assert labelled == ["title", "objective", "methods", "methods", "results", "conclusions"]


def test_traditional_chinese_is_read_as_simplified(topic, monkeypatch):
    record = by_id("tp-zh-hant-transplant").record
    d = rule_decision(topic, record)
    assert d.label == "include"
    for c in d.concepts:  # offsets and texts are the record's own (Traditional) characters
        if "concept" in c:
            assert record_fields(record)[c["field"]][c["start"]:c["end"]] == c["text"]
    assert any(c["text"] == "間充質幹細胞" for c in d.concepts if "concept" in c)
    import litwatch.screen.text as text

    monkeypatch.setattr(text, "to_simplified", lambda s: s)
    assert rule_decision(topic, record).label == "exclude"


def test_msc_exosome_fixture_records(topic):
    labels = {r.ids.pmid: rule_decision(topic, r).label for r in fx.ALL}
    assert labels == {"90000001": "include", "90000002": "exclude", "90000003": "exclude", "90000004": "exclude",
                      "90000005": "include", "90000006": "include", "90000007": "exclude"}


# -- real data ------------------------------------------------------------------------------


def test_gut_brain_profile_selects_gutbrainie_abstracts(shared_data):
    topic = load_topic("gut-brain-depression")
    recs = [r for r in read_file(shared_data / "gutbrain" / "articles_dev.json") if isinstance(r, Record)]
    assert len(recs) == 40
    decisions = {r.ids.pmid: rule_decision(topic, r) for r in recs}
    included = [r for r in recs if decisions[r.ids.pmid].label == "include"]
    assert 5 <= len(included) < len(recs)
    for r in included:
        text = f"{r.title} {r.abstract_text}".lower()
        assert "depress" in text or "anxi" in text
        assert "relation" in decisions[r.ids.pmid].reason


def test_stem_cell_profile_keeps_gut_brain_vesicles_out(shared_data, topic):
    recs = [r for p in sorted((shared_data / "gutbrain").glob("*.json")) for r in read_file(p) if isinstance(r, Record)]
    included = [r.title for r in recs if rule_decision(topic, r).label == "include"]
    assert included == []  # microbiota vesicles, probiotics: none is a stem-cell therapy


def test_msc_trials_profile_selects_ctgov_exports(shared_data):
    topic = load_topic("msc-trials")
    path = shared_data / "clinicaltrials" / "legacy-csv" / "clinicalMesenchymalExosome.csv"
    recs = [r for r in read_file(path) if isinstance(r, Record)]
    decisions = [rule_decision(topic, r) for r in recs]
    included = [d for d in decisions if d.label == "include"]
    assert len(recs) == 18 and len(included) >= 12
    assert all(d.reason.startswith(("registry relation", "title relation")) for d in included)


def test_stem_cell_profile_rejects_unrelated_medline(shared_data, topic):
    recs = [r for r in read_file(shared_data / "pubmed" / "medline16n0902.xml.gz") if isinstance(r, Record)]
    decisions = [rule_decision(topic, r) for r in recs]
    assert sum(d.label == "include" for d in decisions) == 0
    no_abstract = [d for r, d in zip(recs, decisions) if not r.abstract_text]
    assert no_abstract and all(d.label == "exclude" for d in no_abstract)
    assert sum(d.reason.startswith("nothing to judge") for d in no_abstract) >= len(no_abstract) // 2


def test_stem_cell_profile_includes_the_depression_trials_of_the_msc_export(shared_data, topic):
    path = shared_data / "clinicaltrials" / "legacy-csv" / "clinicalMesenchymal.csv"
    recs = [r for r in read_file(path) if isinstance(r, Record)]
    included = sorted(r.title for r in recs if rule_decision(topic, r).label == "include")
    assert len(included) >= 3
    assert all("depress" in t.lower() for t in included)
