"""`litwatch screen TOPIC`: the interactive loop fed through stdin, and the decisions CSV options."""

from __future__ import annotations

import csv

import pytest

from litwatch.screen import decisions_for
from litwatch.store import open_store

from tests.screen import fixtures as fx

TOPIC = "stem-cell-depression"


@pytest.fixture()
def db(db_file):
    with open_store(db_file) as s:
        s.upsert(fx.ALL)
    return db_file


def person_decisions(db_file, by="ana"):
    with open_store(db_file) as s:
        return {rid: d for rid, d in decisions_for(s, TOPIC).items() if d.by == by}


def test_include_exclude_undo_quit(cli, db):
    r = cli("screen", TOPIC, "--as", "ana", "--db", db, input="i\ne\nu\nq\n")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "relevant still unseen" in out and "screened 0/7" in out
    assert "Undid the decision" in out
    assert "Done: 1 included, 1 excluded, 0 skipped, 1 undone" in out
    mine = person_decisions(db)
    assert [d.label for d in mine.values()] == ["include"]  # the exclusion was undone


def test_note_and_skip(cli, db):
    r = cli("screen", TOPIC, "--as", "ana", "--db", db, input="n\nlooks like a review\ns\ni\nq\n")
    assert r.exit_code == 0, r.output
    with open_store(db) as s:
        notes = [d.note for d in decisions_for(s, TOPIC).values() if d.note]
    assert notes == ["looks like a review"]
    assert len(person_decisions(db)) == 1


def test_stops_with_a_summary_when_nothing_is_left(cli, db):
    r = cli("screen", TOPIC, "--as", "ana", "--db", db, input="e\n" * 7)
    assert "Nothing left to screen." in r.stdout and "7/7 screened" in r.stdout
    assert len(person_decisions(db)) == 7


def test_stopping_suggestion_states_its_rule(cli, db, monkeypatch):
    import litwatch.screen.session as session

    monkeypatch.setattr(session, "STOP_RUN", 2)
    r = cli("screen", TOPIC, "--as", "ana", "--db", db, input="e\ne\nq\n")
    assert "Suggestion: you may stop now" in r.stdout
    assert "consecutive excluded records" in r.stdout


def test_export_and_import_decisions(cli, db, tmp_path):
    cli("screen", TOPIC, "--as", "ana", "--db", db, input="i\nq\n")
    out = tmp_path / "d.csv"
    r = cli("screen", TOPIC, "--db", db, "--export-decisions", out)
    assert r.exit_code == 0 and "Wrote" in r.stdout
    rows = list(csv.DictReader(out.open()))
    assert any(row["by"] == "ana" for row in rows)
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,label\n4242,include\n")
    r = cli("screen", TOPIC, "--as", "bob", "--db", db, "--import-decisions", bad)
    assert r.exit_code == 2 and "unknown record id '4242'" in r.stderr


@pytest.mark.parametrize("args", [("screen", "review", "--help"), ("screen", "simulate", "--help")])
def test_help_has_an_example(cli, args):
    r = cli(*args)
    assert r.exit_code == 0 and "Example:" in r.stdout
