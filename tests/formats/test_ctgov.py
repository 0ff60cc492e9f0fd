"""ClinicalTrials.gov: the classic CSV download and API v2 study JSON."""

from __future__ import annotations

import json

import pytest

from litwatch.errors import ParseError
from litwatch.formats.ctgov import normalize_phase, normalize_status, record_from_study

from ._other_helpers import by_id, read_all, read_bytes


@pytest.fixture(scope="module")
def mesenchymal(shared_data):
    return read_all(shared_data / "clinicaltrials/legacy-csv/clinicalMesenchymal.csv")


def test_mesenchymal_csv_reads_every_study(mesenchymal):
    records, issues = mesenchymal
    assert issues == []
    assert len(records) == 1406
    assert len({r.ids.nct for r in records}) == 1406
    assert all(r.kind == "trial" and r.trial is not None for r in records)
    assert sum(r.trial.study_type == "INTERVENTIONAL" for r in records) == 1312


def test_mesenchymal_csv_statuses_and_phases_use_api_v2_spelling(mesenchymal):
    records, _ = mesenchymal
    statuses = {r.trial.status for r in records}
    assert {"COMPLETED", "RECRUITING", "ACTIVE_NOT_RECRUITING", "NOT_YET_RECRUITING", "UNKNOWN",
            "ENROLLING_BY_INVITATION", "TEMPORARILY_NOT_AVAILABLE"} <= statuses
    assert sum(r.trial.status == "COMPLETED" for r in records) == 422
    assert sum(r.trial.phase == "PHASE1/PHASE2" for r in records) == 425
    assert sum(r.trial.phase == "EARLY_PHASE1" for r in records) == 37
    assert sum(r.trial.has_results is True for r in records) == 48


def test_mesenchymal_csv_one_study_in_full(mesenchymal):
    r = by_id(mesenchymal[0], "nct")["NCT03765957"]
    assert r.title == "Clinical Research on Treatment of Psoriasis by Human Umbilical Cord-derived Mesenchymal Stem Cells"
    t = r.trial
    assert (t.status, t.phase, t.enrollment) == ("RECRUITING", "EARLY_PHASE1", 12)
    assert t.conditions == ["Psoriasis"]
    assert t.interventions == ["Biological: Mesenchymal Stem Cells"]
    assert t.sponsor == "Central South University" and t.countries == ["China"]
    assert t.url == "https://clinicaltrials.gov/study/NCT03765957"
    assert r.dates["trial_start"].value == "2019-02-20"
    assert r.dates["first_posted"].value == "2018-12-05"
    assert r.extra["age"] == "18 Years to 65 Years (Adult, Older Adult)"
    assert r.provenance[0].source == "file:ctgov-csv" and r.provenance[0].location.startswith("row ")


def test_month_only_dates_get_month_precision(mesenchymal):
    records, _ = mesenchymal
    d = next(r.dates["trial_start"] for r in records if r.dates.get("trial_start") and r.dates["trial_start"].precision == "month")
    assert d.value.endswith("-01")
    assert sum(1 for r in records if "trial_start" not in r.dates) == 24


def test_exosome_csv(shared_data):
    records, issues = read_all(shared_data / "clinicaltrials/legacy-csv/clinicalMesenchymalExosome.csv")
    assert issues == [] and len(records) == 18
    r = by_id(records, "nct")["NCT04544215"]
    assert r.trial.phase == "PHASE1/PHASE2"
    assert r.trial.sponsor == "Ruijin Hospital"
    assert r.trial.collaborators == ["Cellular Biomedicine Group Ltd."]
    assert by_id(records, "nct")["NCT03437759"].trial.status == "ACTIVE_NOT_RECRUITING"
    assert by_id(records, "nct")["NCT03608631"].trial.countries == ["United States"]


def test_api_v2_study_with_results_and_linked_pmid(shared_data):
    records, issues = read_all(shared_data / "clinicaltrials/api-v2/nct03722472.json")
    assert issues == [] and len(records) == 1
    r = records[0]
    assert r.ids.nct == "NCT03722472"
    assert r.title == "Phase 1 Clinical Trial of Single-Vial ID93 + GLA-SE in Healthy Adults"
    assert r.extra["official_title"].startswith("A Phase 1, Double-Blind, Randomized Clinical Trial")
    assert [s.label for s in r.abstract] == ["Brief summary", "Detailed description"]
    t = r.trial
    assert (t.status, t.phase, t.study_type, t.enrollment, t.enrollment_type) == (
        "COMPLETED", "PHASE1", "INTERVENTIONAL", 48, "ACTUAL")
    assert t.has_results is True and t.linked_pmids == ["36878897"]
    assert [(link.kind, link.pmid) for link in r.links] == [("trial-publication", "36878897")]
    assert t.collaborators == ["National Institutes of Health (NIH)",
                               "National Institute of Allergy and Infectious Diseases (NIAID)"]
    assert r.dates["results_first_posted"].value == "2023-06-01"
    assert r.dates["trial_start"].value == "2018-10-02"


def test_api_v2_observational_study_countries_in_order(shared_data):
    r = read_all(shared_data / "clinicaltrials/api-v2/nct06323538.json")[0][0]
    assert r.trial.status == "RECRUITING" and r.trial.study_type == "OBSERVATIONAL"
    assert r.trial.phase is None and r.trial.enrollment_type == "ESTIMATED"
    assert r.trial.countries == ["Austria", "Germany"]
    assert r.extra["acronym"] == "COPLANT"


def test_api_v2_reduced_study_deduplicates_202_sites(shared_data):
    r = read_all(shared_data / "clinicaltrials/api-v2/nct07062965.json")[0][0]
    assert r.trial.phase == "PHASE3" and r.trial.sponsor == "Pfizer"
    assert len(r.trial.countries) == 27 and r.trial.countries[0] == "United States"
    assert r.dates == {}


def test_api_v2_list_reply_and_bad_study(shared_data):
    study = json.loads((shared_data / "clinicaltrials/api-v2/nct06323538.json").read_text())
    reply = {"studies": [study, {"protocolSection": {"identificationModule": {}}}], "nextPageToken": "abc"}
    records, issues = read_bytes(json.dumps(reply).encode(), "ctgov-json")
    assert [r.ids.nct for r in records] == ["NCT06323538"]
    assert len(issues) == 1 and issues[0].location == "study 2"


def test_record_from_study_is_the_live_mapper(shared_data):
    study = json.loads((shared_data / "clinicaltrials/api-v2/nct03722472.json").read_text())
    r = record_from_study(study, origin="query.term=TB")
    assert r.provenance[0].source == "clinicaltrials" and r.provenance[0].origin == "query.term=TB"


def test_bad_csv_row_is_reported_and_the_rest_read(shared_data):
    lines = (shared_data / "clinicaltrials/legacy-csv/clinicalMesenchymalExosome.csv").read_bytes().splitlines(keepends=True)
    broken = lines[0] + lines[1] + b'2,"not an id","Short row"\n' + lines[3]
    records, issues = read_bytes(broken, "ctgov-csv")
    assert len(records) == 2
    assert len(issues) == 1 and issues[0].location.startswith("row 2 (line 3)")


def test_empty_input_is_a_parse_error():
    with pytest.raises(ParseError, match="empty file"):
        read_bytes(b"  \n", "ctgov-csv")


@pytest.mark.parametrize(("raw", "expected"), [
    ("Recruiting", "RECRUITING"), ("Active, not recruiting", "ACTIVE_NOT_RECRUITING"),
    ("Unknown status", "UNKNOWN"), ("ACTIVE_NOT_RECRUITING", "ACTIVE_NOT_RECRUITING"), ("", None)])
def test_normalize_status(raw, expected):
    assert normalize_status(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("Phase 1|Phase 2", "PHASE1/PHASE2"), (["PHASE2", "PHASE3"], "PHASE2/PHASE3"),
    ("Early Phase 1", "EARLY_PHASE1"), ("Not Applicable", "NA"), (None, None)])
def test_normalize_phase(raw, expected):
    assert normalize_phase(raw) == expected


def test_inverted_country_names_stay_whole(shared_data):
    from litwatch.formats import read_file

    countries = set()
    for record in read_file(shared_data / "clinicaltrials/legacy-csv/clinicalMesenchymal.csv"):
        countries.update(record.trial.countries)
    assert {"Korea, Republic of", "Iran, Islamic Republic of"} <= countries
    assert not {"Republic of", "Islamic Republic of"} & countries
