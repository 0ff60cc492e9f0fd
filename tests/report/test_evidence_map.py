"""The overview's evidence map crosses the two annotation categories the topic profile names."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from litwatch.errors import ProfileError, ReportError
from litwatch.report import ReportOptions, build, render
from litwatch.topics import load_topic
from litwatch.topics.model import EvidenceMap, topic_from_dict

from .conftest import GENERATED

GUT_BRAIN_YEARS = ("2015-01", "2024-12")  # the GutBrainIE dev split's years


def test_a_cell_topic_keeps_the_cell_source_map(digest):
    em = digest.overview["evidence_map"]
    assert em["dimensions"] == {"rows": ["cell_source"], "cols": ["outcome_measure", "mechanism"]}
    assert em["rows"] and all(r.startswith("cell:") for r in em["rows"])
    assert all(c.split(":")[0] in ("outcome", "mechanism") for c in em["cols"])
    html = render(digest, "html", "en").decode()
    assert "Evidence map: cell source × outcome or mechanism (number of papers)" in html
    assert "证据图：细胞来源 × 结局或机制（论文数）" in render(digest, "md", "zh-Hans").decode()


@pytest.fixture()
def gut_brain_digest(report_store):
    from litwatch.annotate import annotate_store
    from litwatch.screen import update_screening

    topic = load_topic("gut-brain-depression")
    update_screening(report_store, topic)
    annotate_store(report_store, topic)
    return build(topic, GUT_BRAIN_YEARS, ReportOptions(generated_at=GENERATED), store=report_store)


def test_a_gut_brain_topic_gets_its_own_map_drawn(gut_brain_digest):
    from litwatch.annotate import concept_label

    d = gut_brain_digest
    em = d.overview["evidence_map"]
    assert d.overview["by_cell_source"] == {}  # the old, cell-only map would be empty
    assert em["rows"] and all(r.startswith("condition:") for r in em["rows"])
    assert "condition:depression" in em["rows"]
    assert em["cols"] and all(c.split(":")[0] in ("outcome", "mechanism", "biomarker") for c in em["cols"])
    assert all(any(row) for row in em["counts"])  # every row shown has a paper in some column
    for lang, title in (("en", "Evidence map: condition × outcome, mechanism or biomarker (number of papers)"),
                        ("zh-Hans", "证据图：疾病 × 结局、机制或生物标志物（论文数）")):
        html = render(d, "html", lang).decode()
        figure = html[html.index('<figure id="evidence-map">'):]
        figure = figure[:figure.index("</figure>")]
        assert title in html
        assert concept_label("condition:depression", lang) in figure  # a row label drawn in the SVG
        assert concept_label(em["cols"][0], lang) in figure


def _profile(**evidence_map) -> dict:
    path = Path(load_topic("gut-brain-depression").path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    data.pop("evidence_map", None)
    if evidence_map:
        data["evidence_map"] = evidence_map
    return data


def test_profile_evidence_map_defaults_and_errors():
    assert topic_from_dict(_profile(), where="t.toml").evidence_map == EvidenceMap()
    custom = topic_from_dict(_profile(rows="species"), where="t.toml").evidence_map
    assert custom == EvidenceMap(rows=("species",), columns=("outcome_measure", "mechanism"))
    with pytest.raises(ProfileError, match=r"\[evidence_map\] columns"):
        topic_from_dict(_profile(columns=[]), where="t.toml")
    with pytest.raises(ProfileError, match="unknown key"):
        topic_from_dict(_profile(rows=["condition"], cols=["mechanism"]), where="t.toml")


def test_an_unknown_category_is_a_clear_report_error(report_store):
    topic = topic_from_dict(_profile(rows=["microbes"]), where="t.toml")
    with pytest.raises(ReportError, match="'microbes', not an annotation category"):
        build(topic, GUT_BRAIN_YEARS, ReportOptions(generated_at=GENERATED), store=report_store)
