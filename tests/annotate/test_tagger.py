"""Mentions: exact spans, variants, abbreviations learned from the text, negation, labels."""

from __future__ import annotations

import pytest

from litwatch.annotate import annotate_record, concept_label
from litwatch.records import AbstractSection, Record


def _record(abstract: str, title: str = "A study") -> Record:
    return Record(title=title, abstract=[AbstractSection(abstract)])


def _mentions(ann, concept_id):
    return [m for m in ann.mentions if m.concept_id == concept_id]


def test_every_span_points_at_its_text():
    rec = _record(
        "Human umbilical cord mesenchymal stem cells (hUC-MSCs) given intravenously to CUMS mice reduced "
        "IL-1β and TNF-α and restored blood-brain barrier integrity.\nIn the forced swim test (FST) immobility fell.",
        title="hUC-MSC-derived exosomes relieve depression-like behaviour in mice",
    )
    ann = annotate_record(rec)
    texts = {"title": rec.title, "abstract": rec.abstract_text}
    assert len(ann.mentions) >= 10
    for m in ann.mentions:
        assert texts[m.field][m.start : m.end] == m.text
    found = {m.concept_id for m in ann.mentions}
    assert {"cell:uc-msc", "route:intravenous", "model:cums", "species:mouse", "biomarker:il-1b",
            "biomarker:tnf-a", "mechanism:bbb", "outcome:fst", "condition:depression"} <= found
    assert "product:exosome+cell:uc-msc" in found  # the product with its parent cell


@pytest.mark.parametrize("written", ["IL-1β", "IL-1beta", "IL-1 beta", "IL1B", "IL-1b", "interleukin-1β"])
def test_greek_letter_variants(written):
    ann = annotate_record(_record(f"Serum {written} was measured."))
    (m,) = _mentions(ann, "biomarker:il-1b")
    assert m.text == written


@pytest.mark.parametrize("written", ["TNF-α", "TNF-alpha", "TNFα", "TNF-a", "tumor necrosis factor-alpha"])
def test_tnf_variants(written):
    ann = annotate_record(_record(f"Levels of {written} fell."))
    assert [m.text for m in _mentions(ann, "biomarker:tnf-a")] == [written]


def test_plural_and_hyphen_variants():
    ann = annotate_record(_record("Anti-inflammatory and antiinflammatory effects of MSCs; open-field and open field tests."))
    assert len(_mentions(ann, "mechanism:neuroinflammation")) == 2
    assert [m.text for m in _mentions(ann, "cell:msc")] == ["MSCs"]
    assert len(_mentions(ann, "outcome:oft")) == 2


def test_abbreviation_defined_in_text_is_learned_for_that_record():
    text = ("Hypoxia-preconditioned olfactory ensheathing stem cells from umbilical cord (HUCX) were given. "
            "Bone marrow mesenchymal stem cells (BM-SCs) were compared. BM-SCs reduced anxiety.")
    ann = annotate_record(_record(text))
    learned = [m for m in ann.mentions if m.source == "abbreviation"]
    assert [m.text for m in learned if m.concept_id == "cell:bm-msc"] == ["BM-SCs", "BM-SCs"]
    assert ann.abbreviations["BM-SCs"] == "Bone marrow mesenchymal stem cells"


def test_abbreviation_redefined_by_the_text_overrides_the_vocabulary():
    # "PD" is Parkinson's disease in the vocabulary, but this text defines it as panic disorder
    ann = annotate_record(_record("Patients with panic disorder (PD) were treated. PD symptoms improved."))
    assert not _mentions(ann, "condition:parkinson")
    assert [m.text for m in _mentions(ann, "condition:anxiety")] == ["panic disorder", "PD", "PD"]


def test_abbreviations_keep_their_case():
    ann = annotate_record(_record("The mdd file and the MDD patients."))
    assert [m.text for m in _mentions(ann, "condition:mdd")] == ["MDD"]


def test_negation_and_speculation_are_recorded():
    ann = annotate_record(_record(
        "MSC treatment did not change IL-6 levels. TNF-α decreased significantly. "
        "Exosomes may reduce neuroinflammation."))
    (il6,) = _mentions(ann, "biomarker:il-6")
    (tnf,) = _mentions(ann, "biomarker:tnf-a")
    (inflam,) = _mentions(ann, "mechanism:neuroinflammation")
    assert il6.negated and not tnf.negated and not inflam.negated
    assert inflam.speculative and not tnf.speculative
    assert il6.cue == "did not"


def test_mesh_and_keywords_are_document_level_evidence():
    from litwatch.records import MeshHeading

    rec = _record("Text without concepts.")
    rec.mesh = [MeshHeading("Depressive Disorder, Major", ui="D003865"), MeshHeading("Mice", ui="D051379")]
    rec.keywords = ["exosomes", "neurogenesis"]
    ann = annotate_record(rec)
    by_field = {(m.field, m.concept_id) for m in ann.mentions}
    assert ("mesh", "condition:mdd") in by_field and ("mesh", "species:mouse") in by_field
    assert ("keywords", "product:exosome") in by_field and ("keywords", "mechanism:neurogenesis") in by_field


def test_concept_labels_in_three_languages():
    assert concept_label("cell:uc-msc", "en") == "umbilical cord MSCs"
    assert concept_label("cell:uc-msc", "zh-Hans") == "脐带间充质干细胞"
    assert concept_label("cell:uc-msc", "zh-Hant") == "臍帶間充質幹細胞"
    assert concept_label("product:exosome+cell:uc-msc", "zh-Hant") == "臍帶間充質幹細胞來源的外泌體"
    assert concept_label("product:ev+cell:nk", "en") == "extracellular vesicles from natural killer (NK) cells"


def test_annotations_round_trip_through_json():
    import json

    from litwatch.annotate import Annotations

    ann = annotate_record(_record("Forty patients with MDD were randomized. Conclusions: MSCs helped."))
    again = Annotations.from_dict(json.loads(json.dumps(ann.to_dict())))
    assert again.to_dict() == ann.to_dict()


def test_a_word_that_only_looks_like_a_plural_is_not_a_mention():
    from litwatch.annotate.tagger import get_tagger

    found = [(m.text, m.concept_id) for m in get_tagger().tag_text("high rates of comorbidity in rats", "abstract")]
    assert found == [("rats", "species:rat")]
