"""update_screening does only what changed: content, profile, rules version, person decisions."""

from __future__ import annotations

import tomllib

from litwatch.records import AbstractSection
from litwatch.screen import decisions_for, record_decision, undo_decision, update_screening
from litwatch.screen.state import model_row
from litwatch.topics import topic_source
from litwatch.topics.model import topic_from_dict

from tests.screen import fixtures as fx

TOPIC = "stem-cell-depression"


def _rows(store, table: str) -> int:
    return store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_nothing_changed_means_no_work_and_no_run_row(store):
    store.upsert(fx.ALL)
    first = update_screening(store, TOPIC)
    assert first["rescreened"] == len(fx.ALL) and first["run_id"] is not None
    runs, decisions = _rows(store, "runs"), _rows(store, "decisions")
    again = update_screening(store, TOPIC)
    assert again["up_to_date"] is True and again["run_id"] is None and again["rescreened"] == 0
    assert (_rows(store, "runs"), _rows(store, "decisions")) == (runs, decisions)
    assert again["rule"] == first["rule"]


def test_a_changed_record_is_the_only_one_screened_again(store):
    ids = store.upsert(fx.ALL).record_ids
    update_screening(store, TOPIC)
    changed = fx.rec("90000007", "Telomere length and pancreatic cancer risk",
                     "We measured telomere length; mesenchymal stem cell infusion alleviated depression in 12 patients.")
    store.upsert([changed])
    c = update_screening(store, TOPIC)
    assert c["rescreened"] == 1 and c["changed"] >= 1
    assert decisions_for(store, TOPIC)[ids[-1]].label == "include"


def test_a_profile_change_screens_everything_again(store):
    store.upsert(fx.ALL)
    update_screening(store, TOPIC)
    data = tomllib.loads(topic_source(TOPIC))
    data["contexts"] = [c for c in data["contexts"] if c["name"] != "cancer_stem_cells"]
    edited = topic_from_dict(data, where="edited")
    c = update_screening(store, edited)
    assert c["rescreened"] == len(fx.ALL)
    cancer = next(rid for rid, r in store.iter_records() if r.ids.pmid == "90000004")
    assert decisions_for(store, TOPIC)[cancer].label == "include"  # the context is gone: co-mention in the title


def test_a_new_rules_version_screens_everything_again(store, monkeypatch):
    import litwatch.screen.update as update

    store.upsert(fx.ALL)
    update_screening(store, TOPIC)
    monkeypatch.setattr(update, "RULES_VERSION", update.RULES_VERSION + 1)
    assert update_screening(store, TOPIC)["rescreened"] == len(fx.ALL)


def test_person_decisions_refit_the_ranker_without_screening_again(store):
    ids = store.upsert(fx.ALL).record_ids
    update_screening(store, TOPIC)
    fitted = model_row(store, TOPIC)["fitted_at"]
    record_decision(store, TOPIC, ids[0], "exclude", by="ana")
    c = update_screening(store, TOPIC)
    assert c["rescreened"] == 0 and c["run_id"] is not None and c["persons"] == 1
    assert model_row(store, TOPIC)["fitted_at"] >= fitted
    assert update_screening(store, TOPIC)["up_to_date"] is True
    undo_decision(store, TOPIC, "ana")  # undoing changes the training data too
    assert update_screening(store, TOPIC)["run_id"] is not None


def test_a_deleted_record_leaves_the_state(store):
    store.upsert(fx.ALL)
    update_screening(store, TOPIC)
    store.conn.execute("UPDATE records SET deleted = 1 WHERE id = 1")
    c = update_screening(store, TOPIC)
    assert c["records"] == len(fx.ALL) - 1
    assert store.conn.execute("SELECT count(*) FROM screen_state WHERE record_id = 1").fetchone()[0] == 0


def test_state_tables_appear_even_when_the_schema_number_passed_them(store):
    # a store whose schema number passed 7 through other parts' migrations before 0007 existed:
    # migrations are recorded by number, so opening it runs 0007 (screening creates no tables itself)
    from litwatch.store import open_store

    for table in ("screen_scores", "screen_models", "screen_state"):
        store.conn.execute(f"DROP TABLE {table}")
    store.conn.execute("DELETE FROM schema_migrations WHERE number = 7")
    store.close()
    with open_store(store.path) as reopened:
        reopened.upsert([fx.MSC_TRD_TRIAL])
        assert update_screening(reopened, TOPIC)["rule"] == {"include": 1}


def test_an_abstract_added_later_turns_a_title_decision_into_a_full_one(store):
    title_only = fx.rec("90000099", "Mesenchymal stem cells in adults", "")
    title_only.abstract = []
    rid = store.upsert([title_only]).record_ids[0]
    update_screening(store, TOPIC)
    d = decisions_for(store, TOPIC)[rid]
    assert d.label == "exclude" and "decided by the title alone" in d.reason
    title_only.abstract = [AbstractSection("Adults with treatment-resistant depression received intravenous "
                                           "mesenchymal stem cells; depression scores fell.")]
    store.upsert([title_only])
    assert update_screening(store, TOPIC)["rescreened"] == 1
    assert decisions_for(store, TOPIC)[rid].label == "include"
