"""Decisions in the store: rules + ranker, persons win, undo, CSV round-trip, PRISMA counts."""

from __future__ import annotations

import csv

import pytest

from litwatch.errors import UsageError
from litwatch.screen import (
    decisions_for,
    export_decisions,
    import_decisions,
    included_ids,
    prisma_counts,
    record_decision,
    undo_decision,
    update_screening,
)

from tests.screen import fixtures as fx

TOPIC = "stem-cell-depression"


@pytest.fixture()
def filled(store):
    result = store.upsert(fx.ALL)
    ids = dict(zip([r.ids.pmid for r in fx.ALL], result.record_ids))
    return store, ids


def test_rules_decide_and_record_where_concepts_matched(filled):
    store, ids = filled
    counts = update_screening(store, TOPIC)
    assert counts["records"] == len(fx.ALL)
    d = decisions_for(store, TOPIC)
    assert d[ids["90000001"]].label == "include" and d[ids["90000001"]].by == "rule"
    assert d[ids["90000002"]].label == "exclude"
    assert any(c["field"] == "title" for c in d[ids["90000001"]].concepts)
    assert set(included_ids(store, TOPIC)) == {ids["90000001"], ids["90000005"], ids["90000006"]}
    again = update_screening(store, TOPIC)
    assert again["changed"] == 0  # nothing new: no new rows


def test_a_person_is_never_overwritten_by_rules_or_model(filled):
    store, ids = filled
    update_screening(store, TOPIC)
    record_decision(store, TOPIC, ids["90000001"], "exclude", by="ana", note="review, not primary")
    record_decision(store, TOPIC, ids["90000002"], "include", by="ana")
    update_screening(store, TOPIC)
    d = decisions_for(store, TOPIC)
    assert (d[ids["90000001"]].label, d[ids["90000001"]].by) == ("exclude", "ana")
    assert d[ids["90000001"]].note == "review, not primary"
    assert (d[ids["90000002"]].label, d[ids["90000002"]].by) == ("include", "ana")
    assert undo_decision(store, TOPIC, "ana") == ids["90000002"]
    assert decisions_for(store, TOPIC)[ids["90000002"]].by == "rule"


def test_rule_and_model_names_cannot_decide_as_persons(filled):
    store, ids = filled
    with pytest.raises(UsageError):
        record_decision(store, TOPIC, ids["90000001"], "include", by="rule")
    with pytest.raises(UsageError, match="unknown record id '#999'"):
        record_decision(store, TOPIC, "#999", "include", by="ana")


def test_decisions_csv_round_trip(filled, tmp_path, db_file):
    store, ids = filled
    update_screening(store, TOPIC)
    record_decision(store, TOPIC, ids["90000003"], "include", by="ana", note="check the ECG part")
    out = tmp_path / "decisions.csv"
    n = export_decisions(store, TOPIC, out)
    rows = list(csv.DictReader(out.open()))
    assert n == len(rows) and {r["by"] for r in rows} >= {"rule", "ana"}
    from litwatch.store import open_store

    other = open_store(tmp_path / "other.db")
    other.upsert(fx.ALL)
    r = import_decisions(other, TOPIC, out, by="bob")
    assert r["imported"] == 1 and r["skipped"] == n - 1
    d = decisions_for(other, TOPIC)
    mine = [x for x in d.values() if x.by == "ana"]
    assert len(mine) == 1 and mine[0].label == "include" and mine[0].note == "check the ECG part"
    other.close()


def test_import_unknown_record_id_names_it(filled, tmp_path):
    store, _ = filled
    bad = tmp_path / "bad.csv"
    bad.write_text("pmid,label,by\n90000001,include,ana\n12345678,exclude,ana\n")
    with pytest.raises(UsageError, match=r"line 3: unknown record id '12345678'"):
        import_decisions(store, TOPIC, bad)
    assert all(d.by != "ana" for d in decisions_for(store, TOPIC).values())  # nothing half-imported


def test_prisma_counts_add_up(filled):
    store, ids = filled
    store.upsert([fx.rec("90000001", fx.MSC_EXOSOME_CUMS.title, fx.MSC_EXOSOME_CUMS.abstract_text,
                         source="europepmc")])
    update_screening(store, TOPIC)
    record_decision(store, TOPIC, ids["90000007"], "exclude", by="ana")
    p = prisma_counts(store, TOPIC)
    assert p["identified"] == {"europepmc": 1, "pubmed": 7}
    assert p["duplicates_removed"] == 1 and p["records"] == 7
    assert p["included"] == 3 and p["excluded"]["person"] == 1 and p["excluded"]["rule"] == 3
    assert p["screened"] == p["included"] + sum(p["excluded"].values())
    april = prisma_counts(store, TOPIC, date_from="2025-04", date_to="2025-04")
    assert april["records"] == 1 and april["included"] == 1
