"""Structured findings: what each element says is held by its span, and what the extractor is unsure of
is left out. Abstracts here are written for the tests in our own words."""

from __future__ import annotations

import pytest

from litwatch.annotate import annotate_record
from litwatch.records import AbstractSection, MeshHeading, Record


def _record(title: str, *sections: tuple[str | None, str], mesh: list[str] = ()) -> Record:
    return Record(title=title,
                  abstract=[AbstractSection(text, label.upper() if label else None, label.upper() if label else None)
                            for label, text in sections],
                  mesh=[MeshHeading(m) for m in mesh])


def _effects(ann, sentence_start: str | None = None, text: str | None = None) -> dict[str, str]:
    out = {}
    for f in ann.findings:
        for e in f["effects"]:
            out[e["target"]["concept"]] = e["direction"]
    return out


def _spans_hold(record: Record, ann) -> None:
    texts = {"title": record.title or "", "abstract": record.abstract_text}
    for f in ann.findings:
        els = list(f["interventions"]) + list(f["routes"])
        els += [x for x in (f["dose"], f["species"], f["model"], f["population"], f["comparator"]) if x]
        for e in f["effects"]:
            els += [e["target"], e["cue"]] + ([e["region"]] if e["region"] else [])
        for el in els:
            assert texts[el["field"]][el["start"] : el["end"]] == el["text"], el
        if f["size"]:
            s = f["size"]
            assert texts[s["field"]][s["start"] : s["end"]] == s["text"]


HUC = _record(
    "Human umbilical cord MSCs ameliorate depression-like behaviour in CUMS mice",
    ("methods", "Mice exposed to chronic unpredictable mild stress (CUMS) received human umbilical cord mesenchymal "
                "stem cells (hUC-MSCs, 1 × 10^6 cells) via the tail vein or PBS (n = 10 per group)."),
    ("results", "Compared with PBS, hUC-MSCs significantly alleviated depressive-like behaviors in CUMS mice and "
                "decreased hippocampal IL-1β and IL-6 levels. CUMS mice showed reduced sucrose preference. "
                "The hUC-MSC treatment reversed the CUMS-induced decrease in BDNF expression, and did not change "
                "locomotor activity."),
    ("conclusions", "These findings suggest that hUC-MSCs may relieve depression by suppressing neuroinflammation."),
    mesh=["Animals", "Humans", "Mice", "Mesenchymal Stem Cells"],
)


def test_a_human_cell_source_given_to_mice_is_an_animal_study_in_mice():
    ann = annotate_record(HUC)
    assert ann.design == "design:animal" and ann.species == ["species:mouse"]
    huc = [m for m in ann.mentions if m.concept_id == "cell:uc-msc" and m.field == "abstract"]
    assert huc and all(m.origin == "human" for m in huc)


def test_findings_say_what_changed_which_way_with_every_element_spanned():
    ann = annotate_record(HUC)
    _spans_hold(HUC, ann)
    by_sentence = {f["sentence_id"]: f for f in ann.findings}
    main = next(f for f in ann.findings if any(e["target"]["concept"] == "biomarker:il-6" for e in f["effects"]))
    assert main["interventions"][0]["concept"] == "cell:uc-msc" and main["interventions"][0]["origin"] == "human"
    assert {e["target"]["concept"]: e["direction"] for e in main["effects"]} == {
        "condition:depression": "reduced", "biomarker:il-1b": "reduced", "biomarker:il-6": "reduced"}
    assert all(e["region"]["concept"] == "anatomy:hippocampus" for e in main["effects"] if e["category"] == "biomarker")
    assert main["comparator"]["concept"] == "comparator:vehicle"
    assert main["species"]["concept"] == "species:mouse" and main["model"]["concept"] == "model:cums"
    assert main["routes"][0]["concept"] == "route:intravenous" and main["routes"][0]["context"]  # from the methods
    assert main["dose"]["text"] == "1 × 10^6 cells" and main["size"]["n"] == 10
    # "reversed the CUMS-induced decrease in BDNF" raised BDNF; "did not change" is no effect
    turned = next(f for f in by_sentence.values() if any(e["target"]["concept"] == "biomarker:bdnf" for e in f["effects"]))
    effects = {e["target"]["concept"]: e["direction"] for e in turned["effects"]}
    assert effects == {"biomarker:bdnf": "increased", "outcome:locomotor": "no_effect"}
    # the model's own change is not the treatment's: no finding from "CUMS mice showed reduced sucrose preference"
    assert not any(e["target"]["concept"] == "outcome:spt" for f in ann.findings for e in f["effects"])
    hedged = next(f for f in ann.findings if f["hedged"])
    assert {e["target"]["concept"] for e in hedged["effects"]} == {"condition:depression", "mechanism:neuroinflammation"}


@pytest.mark.parametrize("sentence, expected", [
    ("MSC-treated rats showed significantly higher sucrose preference than CUMS rats.", {"outcome:spt": "increased"}),
    ("IL-6 levels were markedly reduced after MSC transplantation.", {"biomarker:il-6": "reduced"}),
    ("MSC exosomes lowered IL-6 and raised IL-10.", {"biomarker:il-6": "reduced", "biomarker:il-10": "increased"}),
    ("IL-6 fell and BDNF rose after MSC transplantation.", {"biomarker:il-6": "reduced", "biomarker:bdnf": "increased"}),
    ("MSC transplantation reduced, and BDNF was measured.", {}),  # a cue followed by a conjunction has no object
    ("MSC treatment enhanced the anti-inflammatory effect in the hippocampus.", {}),  # not neuroinflammation's way
    ("MSC treatment increased SOD activity in rats.", {}),  # SOD is no measure of oxidative stress's own direction
    ("CUMS decreased sucrose preference and increased immobility time in rats given MSCs.", {}),  # the model did it
    ("MSCs prevented the LPS-induced increase in TNF-α.", {"biomarker:tnf-a": "prevented"}),
    ("MSCs attenuated the stress-induced loss of sucrose preference.", {}),  # "loss" is no cue we know: left out
    ("Without MSCs, IL-6 was reduced.", {}),
])
def test_directions_only_where_the_grammar_says_so(sentence, expected):
    r = _record("Mesenchymal stem cells in a rat model of depression",
                ("methods", "Rats under chronic restraint stress were injected with mesenchymal stem cells (MSCs)."),
                ("results", sentence))
    ann = annotate_record(r)
    _spans_hold(r, ann)
    got = {}
    for f in ann.findings:
        s = ann.sentence(f["sentence_id"])
        if r.abstract_text[s.start : s.end] == sentence:
            got = {e["target"]["concept"]: e["direction"] for e in f["effects"]}
    assert got == expected


def test_no_intervention_no_finding_and_cells_studied_are_not_given():
    r = _record("Natural killer cells in viral infection",
                ("results", "Perforin induction by natural killer cells and levels of IL-6 were increased in infected mice."))
    assert annotate_record(r).findings == []


def test_an_in_vitro_result_keeps_to_the_dish():
    r = _record("Bone marrow MSC-derived extracellular vesicles relieve depression-like behaviour in a diabetic mouse model",
                (None, "Depression is common in diabetes. In vitro, extracellular vesicles from bone marrow mesenchymal "
                       "stem cells (BMSC-EVs) lowered IL-6 release by cultured microglia. In a streptozotocin-induced "
                       "diabetic mouse model, BMSC-EVs given by tail vein injection shortened immobility time in the tail "
                       "suspension test and increased BDNF expression in the hippocampus."))
    ann = annotate_record(r)
    assert ann.design == "design:animal"  # an in vivo model next to in vitro cues is not an in vitro study
    dish = next(f for f in ann.findings if any(e["target"]["concept"] == "biomarker:il-6" for e in f["effects"]))
    assert dish["species"]["concept"] == "species:cell-line" and not dish["routes"] and dish["model"] is None
    mice = next(f for f in ann.findings if any(e["target"]["concept"] == "biomarker:bdnf" for e in f["effects"]))
    assert mice["species"]["concept"] == "species:mouse" and mice["routes"][0]["concept"] == "route:intravenous"
    assert {e["target"]["concept"]: e["direction"] for e in mice["effects"]} == {
        "outcome:immobility": "reduced", "biomarker:bdnf": "increased"}


def test_safety_and_people():
    r = _record("Umbilical cord MSC infusions in treatment-resistant depression: a pilot study",
                (None, "Sixteen women with treatment-resistant depression received four intravenous infusions of "
                       "umbilical cord mesenchymal stem cells. After the fourth infusion, HAMD scores fell and "
                       "cognitive function improved in the patients compared with baseline. No serious adverse events "
                       "were observed. No treatment-related adverse events were reported. The fourth and final "
                       "procedure was conducted after 10 months."))
    ann = annotate_record(r)
    _spans_hold(r, ann)
    texts = [r.abstract_text[ann.sentence(s).start : ann.sentence(s).end] for s in ann.key_findings]
    assert "The fourth and final procedure was conducted after 10 months." not in texts  # a methods sentence
    effects = _effects(ann)
    assert effects == {"outcome:hamd": "reduced", "outcome:cognition": "improved",
                       "outcome:serious-adverse-events": "not_observed"}  # "treatment-related" ones say less: left out
    f = next(f for f in ann.findings if "outcome:hamd" in {e["target"]["concept"] for e in f["effects"]})
    assert f["species"]["concept"] == "species:human" and f["size"]["n"] == 16
    assert f["comparator"]["concept"] == "comparator:baseline"


def test_a_tumour_of_mesenchymal_origin_is_not_an_msc_paper():
    r = _record("Solitary fibrous tumor of the pleura - analysis of 18 cases",
                (None, "Solitary fibrous tumors of the pleura are primary tumors arising from mesenchymal cells. We "
                       "analyzed 18 patients treated at a department of thoracic surgery."))
    ann = annotate_record(r)
    assert ann.concepts("cell_source") == [] and ann.findings == []


def test_human_stem_cell_derived_neurons_are_the_intervention_and_no_human_subjects():
    r = _record("Human stem cell-derived A10 dopaminergic neurons integrate into mouse circuits and improve "
                "depression-like behaviors",
                (None, "Human pluripotent stem cells were differentiated into A10 dopaminergic neurons and grafted into "
                       "the nucleus accumbens of mice."))
    ann = annotate_record(r)
    assert "species:human" not in ann.species and ann.design == "design:animal"
    assert [e["concept"] for e in ann.profile["title"]["interventions"]] == ["cell:psc-neuron"]
    assert ann.profile["title"]["interventions"][0]["origin"] == "human"
    assert ann.profile["title_relation"] == "effect"


def test_a_diabetic_mouse_study_with_cell_work_is_not_in_vitro():
    r = _record("Exosomes and wound healing in diabetes",
                (None, "Here we examined whether exosomes from adipose-derived stem cells promote healing. In vitro, "
                       "the exosomes enhanced the proliferation of cultured fibroblasts. In a diabetic mouse model, "
                       "topical exosomes accelerated wound closure."))
    assert annotate_record(r).design == "design:animal"
