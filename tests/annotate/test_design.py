"""Study design from publication types vs text, species, sample size, sentences and roles."""

from __future__ import annotations

import dataclasses

from litwatch.annotate import annotate_record
from litwatch.records import AbstractSection, Record, Trial


def _record(abstract: str, title: str = "A study", **kw) -> Record:
    return Record(title=title, abstract=[AbstractSection(abstract)], **kw)


def test_publication_type_decides_and_is_the_cue():
    rec = _record("We describe mice.", publication_types=["Journal Article", "Randomized Controlled Trial"])
    ann = annotate_record(rec)
    assert ann.design == "design:rct" and ann.evidence_level == 2
    assert ann.design_cues == [{"source": "publication_type", "text": "Randomized Controlled Trial",
                                "concept": "design:rct"}]


def test_text_cues_decide_without_publication_types():
    rec = _record("Sixty patients with treatment-resistant depression were randomly assigned to MSCs or placebo.")
    ann = annotate_record(rec)
    assert ann.design == "design:rct"
    cue = ann.design_cues[0]
    assert cue["source"] == "text" and rec.abstract_text[cue["start"]:cue["end"]] == cue["text"]
    assert ann.sample_size == {"participants": 60} and ann.species == ["species:human"]


def test_review_and_animal_study_from_text():
    review = annotate_record(_record("In this review, we summarize how MSC-derived exosomes act in depression."))
    assert review.design == "design:narrative-review" and review.evidence_level == 9
    animal = annotate_record(_record(
        "Male C57BL/6 mice (n = 8 per group) were exposed to CUMS for 4 weeks and received hUC-MSCs. "
        "Clinical trials are needed."))
    assert animal.design == "design:animal" and animal.species == ["species:mouse"]
    assert animal.sample_size == {"animals_per_group": 8}


def test_title_names_the_design():
    ann = annotate_record(_record("Patients received cells.", title="Stem cells for depression: a pilot study"))
    assert ann.design == "design:pilot-case-series"


def test_trial_registration_design_from_allocation():
    trial = Record(kind="trial", title="MSCs for TRD", trial=Trial(study_type="INTERVENTIONAL", enrollment=16,
                                                                  conditions=["Treatment Resistant Depression"]),
                   extra={"study_design": ["Allocation: Randomized", "Masking: Triple"]})
    ann = annotate_record(trial)
    assert ann.design == "design:rct" and ann.sample_size == {"participants": 16}
    assert any(m.field == "conditions" and m.concept_id == "condition:trd" for m in ann.mentions)
    single = dataclasses.replace(trial, extra={"study_design": ["Allocation: N/A"]})
    assert annotate_record(single).design == "design:nonrandomised-trial"


def test_sentences_have_stable_offsets_and_label_roles():
    rec = Record(title="T", abstract=[
        AbstractSection("Depression is common. It is costly.", "BACKGROUND", "BACKGROUND"),
        AbstractSection("We gave MSCs to 20 patients.", "METHODS", "METHODS"),
        AbstractSection("HAMD scores fell (P < 0.01).", "RESULTS", "RESULTS"),
        AbstractSection("MSCs may help depression.", "CONCLUSIONS", "CONCLUSIONS"),
    ])
    ann = annotate_record(rec)
    text = rec.abstract_text
    abstract = [s for s in ann.sentences if s.field == "abstract"]
    assert [text[s.start:s.end] for s in abstract] == [
        "Depression is common.", "It is costly.", "We gave MSCs to 20 patients.", "HAMD scores fell (P < 0.01).",
        "MSCs may help depression."]
    assert [s.role for s in abstract] == ["background", "background", "methods", "results", "conclusions"]
    assert ann.sentences[0].id == 0 and ann.sentences[0].role == "title"
    assert ann.key_findings[0] == 5  # the conclusion first, then results naming topic concepts
    assert 4 in ann.key_findings


def test_unstructured_abstract_gets_roles_from_the_model():
    rec = _record(
        "Depression is a leading cause of disability worldwide. "
        "We aimed to test whether exosomes relieve depression in mice. "
        "Mice were exposed to chronic stress and treated with exosomes for two weeks. "
        "Exosomes significantly increased sucrose preference (P < 0.05) and reduced IL-6. "
        "These findings suggest that exosomes are a promising treatment for depression.")
    roles = [s.role for s in annotate_record(rec).sentences if s.field == "abstract"]
    assert roles[0] == "background" and roles[-1] == "conclusions"
    assert "methods" in roles and "results" in roles
    assert roles == sorted(roles, key=["background", "objective", "methods", "results", "conclusions"].index)


def test_text_only_design_ignores_metadata():
    rec = _record("We describe the mice.", publication_types=["Review"])
    assert annotate_record(rec).design == "design:narrative-review"
    assert annotate_record(rec, use_metadata=False).design == "design:animal"
