"""Rule screening with the built-in stem-cell-depression profile, on real-looking records and real data."""

from __future__ import annotations

import pytest

from litwatch.formats import read_file
from litwatch.records import Record
from litwatch.screen.rules import record_fields, rule_decision
from litwatch.topics import load_topic

from tests.screen import fixtures as fx


@pytest.fixture(scope="module")
def topic():
    return load_topic("stem-cell-depression")


def test_msc_exosome_cums_paper_is_included_with_spans(topic):
    d = rule_decision(topic, fx.MSC_EXOSOME_CUMS)
    assert d.label == "include" and d.by == "rule"
    texts = record_fields(fx.MSC_EXOSOME_CUMS)
    groups = {c["group"] for c in d.concepts if c.get("group") and not c.get("masked_by")}
    assert groups == {"intervention", "condition"}
    for c in d.concepts:  # every span points at the text it claims
        assert texts[c["field"]][c["start"]:c["end"]] == c["text"]
    found = {(c["concept"], c["text"].lower()) for c in d.concepts}
    assert ("vesicles", "exosomes") in found and ("stress_models", "cums") in found


@pytest.mark.parametrize("record,why", [
    (fx.BONE_MARROW_DEPRESSION, "not_mood_depression"),
    (fx.ST_SEGMENT, "not_mood_depression"),
    (fx.CANCER_STEM_CELLS, "not_therapy_cells"),
])
def test_other_senses_are_excluded_and_say_why(topic, record, why):
    d = rule_decision(topic, record)
    assert d.label == "exclude"
    assert why in d.reason
    assert any(c.get("masked_by") == why for c in d.concepts)


@pytest.mark.parametrize("record", [fx.MSC_TRD_TRIAL, fx.NSC_MODEL])
def test_other_cell_therapies_for_depression_are_included(topic, record):
    assert rule_decision(topic, record).label == "include"


def test_title_only_record_stays_undecided(topic):
    r = Record(title="Stem cells in psychiatry")
    assert rule_decision(topic, r).label == "undecided"


def test_gut_brain_profile_selects_gutbrainie_abstracts(shared_data):
    topic = load_topic("gut-brain-depression")
    recs = [r for r in read_file(shared_data / "gutbrain" / "articles_dev.json") if isinstance(r, Record)]
    assert len(recs) == 40
    labels = {r.ids.pmid: rule_decision(topic, r).label for r in recs}
    included = [r for r in recs if labels[r.ids.pmid] == "include"]
    assert 5 <= len(included) < len(recs)
    for r in included:
        text = f"{r.title} {r.abstract_text}".lower()
        assert "depress" in text or "anxi" in text


def test_msc_trials_profile_selects_ctgov_exports(shared_data):
    topic = load_topic("msc-trials")
    path = shared_data / "clinicaltrials" / "legacy-csv" / "clinicalMesenchymalExosome.csv"
    recs = [r for r in read_file(path) if isinstance(r, Record)]
    included = [r for r in recs if rule_decision(topic, r).label == "include"]
    assert len(recs) == 18 and len(included) >= 12


def test_stem_cell_profile_rejects_unrelated_medline(shared_data, topic):
    recs = [r for r in read_file(shared_data / "pubmed" / "medline16n0902.xml.gz") if isinstance(r, Record)]
    labels = [rule_decision(topic, r).label for r in recs]
    assert labels.count("include") <= 2 and labels.count("exclude") > 400
