"""Team screening in the library (litwatch.screen.team) on a real store file."""

from __future__ import annotations

import csv
import io

import pytest
import rispy

from litwatch.errors import UsageError
from litwatch.screen import decisions_for, record_decision, team, undo_decision
from litwatch.store import open_store

from .conftest import TOPIC


@pytest.fixture()
def store(db):
    s = open_store(db)
    yield s
    s.close()


def _ids(store, n: int) -> list[int]:
    return [r[0] for r in store.conn.execute("SELECT id FROM records WHERE deleted = 0 ORDER BY id LIMIT ?", (n,))]


def test_reviewers_decisions_are_kept_apart_with_reason_note_and_tags(store):
    a, b = _ids(store, 2)
    team.reviewer_decide(store, TOPIC, a, "ana", "exclude", reason="wrong study design", note="a review", tags="review, human")
    team.reviewer_decide(store, TOPIC, a, "bo", "include", tags=["maybe"])
    team.reviewer_decide(store, TOPIC, b, "ana", "include")
    team.reviewer_decide(store, TOPIC, b, "ana", "undecided", note="check the full text")
    revs = team.reviews(store, TOPIC)
    assert revs[a]["ana"].label == "exclude" and revs[a]["ana"].reason == "wrong study design"
    assert revs[a]["ana"].note == "a review" and revs[a]["ana"].tags == ["review", "human"]
    assert revs[a]["bo"].label == "include" and revs[a]["bo"].reason == "" and revs[a]["bo"].tags == ["maybe"]
    # a note afterwards keeps the decision and adds the note
    assert revs[b]["ana"].label == "include" and revs[b]["ana"].note == "check the full text"
    with pytest.raises(UsageError):
        team.reviewer_decide(store, TOPIC, b, "ana", "undecided")  # nothing to keep


def test_conflict_adjudication_is_the_effective_decision(store):
    rid = _ids(store, 1)[0]
    team.reviewer_decide(store, TOPIC, rid, "ana", "include")
    team.reviewer_decide(store, TOPIC, rid, "bo", "exclude", reason="off topic")
    [c] = team.conflicts(store, TOPIC)
    assert c.record_id == rid and {r.reviewer for r in c.reviews} == {"ana", "bo"} and not c.settled
    team.adjudicate(store, TOPIC, rid, "lead", "exclude", "animal study only")
    assert team.conflicts(store, TOPIC) == []
    [settled] = team.conflicts(store, TOPIC, include_settled=True)
    assert settled.adjudication.adjudicator == "lead"
    effective = decisions_for(store, TOPIC, [rid])[rid]
    assert (effective.label, effective.by) == ("exclude", "lead")
    assert team.effective_for(store, TOPIC, [rid])[rid] == effective
    # the adjudicator is not counted as a third reviewer
    assert set(team.reviews(store, TOPIC)[rid]) == {"ana", "bo"}
    with pytest.raises(team.Settled):
        team.reviewer_decide(store, TOPIC, rid, "ana", "include")
    # undoing the adjudication reopens the conflict
    undo_decision(store, TOPIC, "lead")
    assert [c.record_id for c in team.conflicts(store, TOPIC)] == [rid]


def test_a_decision_made_elsewhere_after_adjudication_reopens_the_record(store):
    rid = _ids(store, 1)[0]
    team.reviewer_decide(store, TOPIC, rid, "ana", "include")
    team.reviewer_decide(store, TOPIC, rid, "bo", "exclude")
    team.adjudicate(store, TOPIC, rid, "lead", "include")
    record_decision(store, TOPIC, rid, "exclude", "carl")  # the terminal does not ask team.py
    assert [c.record_id for c in team.conflicts(store, TOPIC)] == [rid]
    assert decisions_for(store, TOPIC, [rid])[rid].by == "carl"


def test_adjudication_needs_a_conflict(store):
    rid = _ids(store, 1)[0]
    team.reviewer_decide(store, TOPIC, rid, "ana", "include")
    with pytest.raises(UsageError, match="no conflict"):
        team.adjudicate(store, TOPIC, rid, "lead", "include")


def test_kappa_per_pair_matches_scikit_learn(store):
    from sklearn.metrics import cohen_kappa_score

    ids = _ids(store, 12)
    ana = ["include", "include", "exclude", "exclude", "exclude", "include", "exclude", "exclude", "include", "exclude", "exclude", "exclude"]
    bo = ["include", "exclude", "exclude", "exclude", "include", "include", "exclude", "exclude", "include", "exclude", "include", "exclude"]
    for rid, x, y in zip(ids, ana, bo):
        team.reviewer_decide(store, TOPIC, rid, "ana", x)
        team.reviewer_decide(store, TOPIC, rid, "bo", y)
    team.reviewer_decide(store, TOPIC, ids[0], "lead", "include")
    pairs = {(p.a, p.b): p for p in team.agreement(store, TOPIC)}
    assert pairs[("ana", "bo")].both == 12 and pairs[("ana", "bo")].agreed == 9
    assert pairs[("ana", "bo")].kappa == pytest.approx(cohen_kappa_score(ana, bo))
    assert pairs[("ana", "lead")].both == 1 and pairs[("ana", "lead")].kappa is None  # one label only
    assert team.cohen_kappa(["include", "exclude"], ["exclude", "include"]) == pytest.approx(-1.0)


def test_progress_and_the_queue_per_reviewer(store):
    team.set_setting(store, TOPIC, "reviews_per_record", 2)
    order = team.machine_order(store, TOPIC)
    first = [rid for rid, _, _ in order[:3]]
    assert team.queue(store, TOPIC, "ana", order=order)[:3] == first
    team.reviewer_decide(store, TOPIC, first[0], "ana", "include")
    team.reviewer_decide(store, TOPIC, first[0], "bo", "include")
    team.reviewer_decide(store, TOPIC, first[1], "bo", "exclude")
    # ana's queue: not what she decided; bo's: not what he decided; lead's: not what two decided
    assert first[0] not in team.queue(store, TOPIC, "ana", order=order)
    assert team.queue(store, TOPIC, "bo", order=order)[0] == first[2]
    lead = team.queue(store, TOPIC, "lead", order=order)
    assert first[0] not in lead and lead[0] == first[1]
    team.set_setting(store, TOPIC, "reviews_per_record", 1)
    assert team.queue(store, TOPIC, "lead", order=order)[0] == first[2]
    progress = {p.reviewer: p for p in team.progress(store, TOPIC)}
    assert (progress["bo"].decided, progress["bo"].included, progress["bo"].excluded_in_a_row) == (2, 1, 1)
    stop = team.stopping(store, TOPIC, "ana", order=order)
    assert stop["remaining"] == len(team.queue(store, TOPIC, "ana", order=order)) and "rule" in stop


def test_machine_order_puts_rule_includes_first(store):
    order = team.machine_order(store, TOPIC)
    labels = [label for _, label, _ in order]
    assert labels[0] == "include" and labels.index("exclude") > labels.index("include")
    assert labels == sorted(labels, key={"include": 0, "undecided": 1, "exclude": 2}.get)


def test_blind_mode_is_a_stored_topic_setting(store, db):
    rid = _ids(store, 1)[0]
    assert team.settings(store, TOPIC).blind is False
    team.set_setting(store, TOPIC, "blind", True, by="lead")
    with open_store(db) as other:
        assert team.settings(other, TOPIC).blind is True
    team.reviewer_decide(store, TOPIC, rid, "ana", "include")
    assert not team.can_see_others(store, TOPIC, rid, "bo")
    assert team.can_see_others(store, TOPIC, rid, "ana")
    with pytest.raises(UsageError):
        team.set_setting(store, TOPIC, "reviews_per_record", 9)


def test_effective_for_equals_decisions_for_on_every_record(store):
    ids = _ids(store, 40)
    for i, rid in enumerate(ids[:20]):
        record_decision(store, TOPIC, rid, "include" if i % 3 else "exclude", "ana", note="n" if i % 4 == 0 else None)
    record_decision(store, TOPIC, ids[3], "undecided", "bo", note="only a note")
    undo_decision(store, TOPIC, "ana")
    all_ids = [r[0] for r in store.conn.execute("SELECT id FROM records")]
    assert team.effective_for(store, TOPIC, all_ids) == decisions_for(store, TOPIC, all_ids)


def test_exclusion_reasons_from_the_profile_or_built_in(tmp_path):
    from litwatch.topics import load_topic

    assert team.exclusion_reasons(load_topic(TOPIC)) == list(team.DEFAULT_EXCLUSION_REASONS)
    text = (load_topic(TOPIC).path and open(load_topic(TOPIC).path, encoding="utf-8").read())
    own = tmp_path / "mine.toml"
    own.write_text('exclusion_reasons = ["not in humans", "no stem cells"]\n' + text.replace(
        'name = "stem-cell-depression"', 'name = "mine"'), encoding="utf-8")
    assert team.exclusion_reasons(load_topic(own)) == ["not in humans", "no stem cells"]


def test_exports_carry_every_reviewers_label_reason_note_and_tags(store):
    a, b = _ids(store, 2)
    team.reviewer_decide(store, TOPIC, a, "ana", "exclude", reason="wrong population or condition", note="rats, not depression", tags="animal")
    team.reviewer_decide(store, TOPIC, a, "bo", "include", note="=HYPERLINK(evil)")
    team.reviewer_decide(store, TOPIC, b, "bo", "include", tags="trial, phase 1")
    team.adjudicate(store, TOPIC, a, "lead", "exclude", "agreed with ana")
    out = io.StringIO()
    assert team.export_reviews(store, TOPIC, "csv", out) == 2
    rows = {int(r["record_id"]): r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert rows[a]["ana: label"] == "exclude" and rows[a]["ana: reason"] == "wrong population or condition"
    assert rows[a]["ana: note"] == "rats, not depression" and rows[a]["ana: tags"] == "animal"
    assert rows[a]["bo: note"] == "'=HYPERLINK(evil)"  # a spreadsheet shows it, does not run it
    assert (rows[a]["decision"], rows[a]["decided_by"], rows[a]["adjudicator"]) == ("exclude", "lead", "lead")
    assert rows[a]["conflict"] == "yes" and rows[b]["bo: tags"] == "trial; phase 1" and rows[b]["ana: label"] == ""
    out = io.StringIO()
    team.export_reviews(store, TOPIC, "ris", out)
    entries = rispy.loads(out.getvalue())
    assert len(entries) == 2
    notes = " | ".join(entries[0].get("notes", []))
    assert "ana: exclude; reason: wrong population or condition; tags: animal; note: rats, not depression" in notes
    assert "litwatch decision (stem-cell-depression): exclude by lead (adjudicated: agreed with ana)" in notes


def test_exclusions_by_reason_for_the_prisma_flow(store):
    a, b, c, d = _ids(store, 4)
    team.reviewer_decide(store, TOPIC, a, "ana", "exclude", reason="wrong outcome")
    team.reviewer_decide(store, TOPIC, b, "ana", "exclude", reason="wrong outcome")
    team.reviewer_decide(store, TOPIC, c, "ana", "exclude", reason="duplicate")
    team.reviewer_decide(store, TOPIC, c, "bo", "include")
    team.adjudicate(store, TOPIC, c, "lead", "exclude", "off topic")
    team.reviewer_decide(store, TOPIC, d, "ana", "include")
    assert team.exclusion_counts(store, TOPIC) == {"wrong outcome": 2, "off topic": 1}
    assert team.exclusion_counts(store, TOPIC, [a, d]) == {"wrong outcome": 1}
