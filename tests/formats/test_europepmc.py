"""Europe PMC REST search replies: core, lite and idlist."""

from __future__ import annotations

import json

import pytest

from litwatch.errors import ParseError
from litwatch.formats.europepmc import record_from_result, split_abstract

from ._other_helpers import by_id, read_all, read_bytes


@pytest.fixture(scope="module")
def core(shared_data):
    return read_all(shared_data / "europepmc/search_cancer_core.json")


def test_core_reply_counts(core):
    records, issues = core
    assert issues == [] and len(records) == 25
    assert sum(1 for r in records if r.abstract) == 21
    assert sum(1 for r in records if r.mesh) == 13
    assert all(r.ids.pmid and r.ids.europepmc == f"MED:{r.ids.pmid}" for r in records)
    assert sum(1 for r in records if r.ids.pmcid) == 9


def test_core_record_in_full(core):
    r = by_id(core[0], "pmid")["39709209"]
    assert r.ids.doi == "10.1016/s0140-6736(24)02600-x"
    assert r.title == "Abscopal response in a patient with fibrolamellar hepatocellular carcinoma following radiotherapy."
    assert [a.family for a in r.authors] == ["Schoenfeld", "Haas-Kogan", "O'Neill"]
    assert r.authors[0].given == "Jonathan D" and r.authors[0].initials == "JD"
    assert r.authors[0].affiliations[0].startswith("Department of Radiation Oncology")
    j = r.journal
    assert (j.title, j.iso_abbrev, j.issn_print, j.issn_electronic, j.volume, j.issue, j.pages) == (
        "Lancet (London, England)", "Lancet", "0140-6736", "1474-547X", "404", "10471", "2603-2604")
    assert r.dates["issue"].value == "2025-12-01" and r.dates["issue"].precision == "month"
    assert r.dates["first_publication"].value == "2025-12-01"
    assert r.report_month() == "2025-12" and r.language == "eng" and r.kind == "article"


def test_structured_abstract_becomes_labelled_sections(core):
    r = next(r for r in core[0] if r.abstract and r.abstract[0].label == "Objective")
    assert [s.label for s in r.abstract] == ["Objective", "Design", "Methods", "Results", "Conclusions"]
    assert "<h4>" not in r.abstract_text
    assert "18\u2009years" in r.abstract_text  # thin spaces are text, kept


def test_inline_markup_keeps_its_text(core):
    texts = [s.text for r in core[0] for s in r.abstract]
    assert any("Hydrogen sulfide (H2S)" in t for t in texts)
    assert not any("<sub>" in t for t in texts)


def test_orcid_mesh_grants_and_errata(core):
    records = core[0]
    orcids = {a.orcid for r in records for a in r.authors if a.orcid}
    assert "0000-0002-6307-9196" in orcids
    mesh = next(m for r in records for m in r.mesh if m.descriptor == "Neoplasms")
    assert mesh.major and {q.name for q in mesh.qualifiers} == {"psychology", "therapy"}
    assert any(g.grant_id == "P30 CA008748" and g.agency == "NCI NIH HHS" for r in records for g in r.grants)
    erratum = by_id(records, "pmid")["39709208"]
    assert [(x.kind, x.pmid) for x in erratum.links] == [("erratum-for", "39293462")]
    assert "Published Erratum" in erratum.publication_types


def test_lite_reply(shared_data):
    records, issues = read_all(shared_data / "europepmc/search_cancer.json")
    assert issues == [] and len(records) == 25
    r = by_id(records, "pmid")["39709209"]
    assert r.journal.title == "Lancet" and r.journal.issn_electronic == "1474-547X"
    assert [a.display() for a in r.authors] == ["Schoenfeld JD", "Haas-Kogan DA", "O'Neill AF"]
    assert r.dates["issue"].precision == "year" and r.year == 2025
    assert r.abstract == []
    assert len(read_all(shared_data / "europepmc/search_cancer_page2.json")[0]) == 5


def test_idlist_reply_gives_minimal_records(shared_data):
    records, issues = read_all(shared_data / "europepmc/search_cancer_idlist.json")
    assert issues == [] and len(records) == 25
    r = by_id(records, "pmid")["39709208"]
    assert r.ids.pmcid == "PMC12124214" and r.title is None and r.authors == []


def test_no_results_reply_is_empty_not_an_error(shared_data):
    assert read_all(shared_data / "europepmc/search_no_results.json") == ([], [])


def test_preprint_and_published_version_link():
    result = {"id": "PPR123", "source": "PPR", "doi": "10.1101/2020.01.01.000001", "title": "A preprint",
              "pubTypeList": {"pubType": ["Preprint"]},
              "commentCorrectionList": {"commentCorrection": [
                  {"id": "34000000", "source": "MED", "type": "Preprint of", "reference": "J. 2021"}]}}
    r = record_from_result(result, origin="q")
    assert r.kind == "preprint" and r.ids.europepmc == "PPR:PPR123" and r.ids.pmid is None
    assert [(x.kind, x.pmid) for x in r.links] == [("published-as", "34000000")]


def test_bad_result_is_reported_and_the_rest_read(shared_data):
    data = json.loads((shared_data / "europepmc/search_cancer_page2.json").read_text())
    data["resultList"]["result"].insert(1, {"title": "no id at all"})
    records, issues = read_bytes(json.dumps(data).encode(), "europepmc")
    assert len(records) == 5 and [i.location for i in issues] == ["result 2"]


def test_cut_off_reply_keeps_the_complete_results(shared_data):
    data = (shared_data / "europepmc/search_cancer_core.json").read_bytes()
    records, issues = read_bytes(data[: len(data) // 2], "europepmc")
    assert 5 <= len(records) < 25
    assert records[0].ids.pmid == "39709209"
    assert len(issues) == 1 and "not valid JSON" in issues[0].message and issues[0].location.startswith("line ")


def test_broken_json_before_any_result_is_a_parse_error(shared_data):
    data = (shared_data / "europepmc/search_cancer_core.json").read_bytes()[:150]
    with pytest.raises(ParseError, match=r"line \d+ column \d+"):
        read_bytes(data, "europepmc")


def test_split_abstract_with_bold_headings():
    sections = split_abstract("<b>Background</b>: one. <b>Methods</b>: two <i>in vivo</i>.")
    assert [(s.label, s.text) for s in sections] == [("Background", "one."), ("Methods", "two in vivo.")]
