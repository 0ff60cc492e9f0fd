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


def test_export_brings_decisions_up_to_date_first(cli, db, tmp_path):
    out = tmp_path / "d.csv"
    r = cli("screen", TOPIC, "--db", db, "--export-decisions", out, "--no-update")
    assert r.exit_code == 0 and "Wrote 0 decisions" in r.stdout  # never screened, not brought up to date
    r = cli("screen", TOPIC, "--db", db, "--export-decisions", out)
    assert r.exit_code == 0 and "Wrote 7 decisions" in r.stdout and "7 record(s) screened" in r.stdout
    rows = {row["pmid"]: row for row in csv.DictReader(out.open())}
    assert rows["90000001"]["label"] == "include" and rows["90000001"]["by"] == "rule"
    assert rows["90000001"]["reason"].startswith("title relation")
    assert rows["90000004"]["reason"].startswith("context cancer_stem_cells")
    r = cli("screen", TOPIC, "--db", db, "--export-decisions", out)
    assert "up to date, nothing changed" in r.stdout


def profile_without(tmp_path, *names: str):
    """The built-in profile's TOML with some [[contexts]] blocks cut out, as a user file."""
    import re

    from litwatch.topics import topic_source

    text = topic_source(TOPIC)
    for name in names:
        text = re.sub(r'\[\[contexts\]\]\nname = "%s"\n.*?(?=\n\[\[|\n# --|\Z)' % name, "", text, flags=re.S)
    path = tmp_path / f"{TOPIC}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def taught(db_file, tmp_path):
    """A corpus store screened with a profile that misses the transplant contexts, and a reviewer
    who excluded five transplant papers the rules had included and kept five true ones."""
    from litwatch.screen import record_decision, update_screening
    from tests.screen.corpus import load_corpus

    path = profile_without(tmp_path, "other_treatment", "transplant_setting", "biomarkers")
    items = load_corpus()
    with open_store(db_file) as s:
        ids = dict(zip((it.key for it in items), s.upsert([it.record for it in items]).record_ids))
        update_screening(s, path)
        for key in ("n-hsct-survival", "n-hsct-myeloma", "n-hsct-lymphoma", "n-hsct-zh-hant", "n-cart"):
            record_decision(s, TOPIC, ids[key], "exclude", by="ana")
        for key in ("tp-rodent-cums-exosomes", "tp-human-trd-phase1", "tp-review-meta", "tp-rodent-lps-evs",
                    "tp-human-bipolar"):
            record_decision(s, TOPIC, ids[key], "include", by="ana")
    return db_file, path, ids


def test_suggestions_list_what_the_ranker_moved(cli, taught):
    db_file, path, ids = taught
    r = cli("screen", path, "--db", db_file, "--suggestions")
    assert r.exit_code == 0, r.output
    assert "Depression and quality of life after haematopoietic stem cell" in r.stdout
    assert "suggestion(s) not yet checked" in r.stdout and "applied (the effective decision)" in r.stdout


def test_topic_check_with_decisions_proposes_the_missing_context(cli, taught):
    db_file, path, ids = taught
    r = cli("topic", "check", path, "--with-decisions", "--db", db_file)
    assert r.exit_code == 0, r.output
    assert "record(s) where persons overturned the rules" in r.stdout and "person: exclude (ana)" in r.stdout
    assert "add a context" in r.stdout and "[[contexts]]" in r.stdout
    assert "transplantation" in r.stdout.lower() or "lymphoma" in r.stdout.lower()
    fresh = cli("topic", "check", TOPIC, "--with-decisions", "--db", db_file.parent / "empty.db")
    assert fresh.exit_code == 0 and "No person decision overturns the rules." in fresh.stdout
