"""Annotations in a real SQLite store: round trip, only-what-changed, the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from litwatch.annotate import annotate_store, get_annotations, load_vocabulary
from litwatch.annotate.vocab import default_vocabulary
from litwatch.records import AbstractSection, Ids, Record


def _records() -> list[Record]:
    return [
        Record(ids=Ids(pmid="1"), title="hUC-MSC exosomes in CUMS mice",
               abstract=[AbstractSection("Exosomes reduced IL-1β in CUMS mice (n = 10 per group).")]),
        Record(ids=Ids(pmid="2"), title="Ketamine in treatment-resistant depression",
               abstract=[AbstractSection("Forty patients were randomized to ketamine or midazolam.")]),
        Record(ids=Ids(pmid="3"), title="Yoga and atrial fibrillation",
               abstract=[AbstractSection("We review yoga for atrial fibrillation.")]),
    ]


def test_store_round_trip_and_unchanged_records_are_skipped(store):
    ids = store.upsert(_records()).record_ids
    first = annotate_store(store)
    assert first["annotated"] == 3 and first["unchanged"] == 0
    assert first["by_design"]["design:animal"] == 1
    ann = get_annotations(store, ids[0])
    assert ann.design == "design:animal" and ann.sample_size == {"animals_per_group": 10}
    assert "product:exosome" in ann.concepts("product")
    runs = len(store.runs(kind="annotate", limit=None))
    again = annotate_store(store)
    assert again["annotated"] == 0 and again["unchanged"] == 3
    assert again["run_id"] is None and len(store.runs(kind="annotate", limit=None)) == runs  # nothing changed: no row
    # a changed record is annotated again, the others are not
    changed = _records()[2]
    changed.abstract = [AbstractSection("We review yoga for atrial fibrillation and depression.")]
    store.upsert([changed])
    third = annotate_store(store)
    assert third["annotated"] == 1 and third["unchanged"] == 2
    assert "condition:depression" in get_annotations(store, ids[2]).concepts("condition")


def test_vocabulary_change_reannotates_only_records_it_touches(store, tmp_path: Path):
    ids = store.upsert(_records()).record_ids
    annotate_store(store)
    folder = tmp_path / "vocab"
    import litwatch.annotate

    builtin = Path(litwatch.annotate.__file__).with_name("vocab")
    shutil.copytree(builtin, folder)
    condition = folder / "condition.toml"
    text = condition.read_text(encoding="utf-8")
    # a new synonym that only the yoga record contains
    condition.write_text(text.replace('"cerebrovascular accident",', '"cerebrovascular accident", "atrial fibrillation",'),
                         encoding="utf-8")
    edited = load_vocabulary(folder)
    assert edited.hash != default_vocabulary().hash
    result = annotate_store(store, vocabulary=edited)
    assert result["annotated"] == 1 and result["revalidated"] == 2
    assert "condition:stroke" in get_annotations(store, ids[2]).concepts("condition")
    assert get_annotations(store, ids[0]).vocabulary_hash == edited.hash
    # a label-only change alters no mention: nothing is redone
    condition.write_text(condition.read_text(encoding="utf-8").replace('zh-Hans = "焦虑"', 'zh-Hans = "焦虑症"'),
                         encoding="utf-8")
    relabelled = load_vocabulary(folder)
    assert relabelled.hash == edited.hash
    assert annotate_store(store, vocabulary=relabelled)["annotated"] == 0


def test_annotator_version_change_reannotates_all(store):
    store.upsert(_records())
    annotate_store(store)
    store.conn.execute("UPDATE annotations SET version = '0.1'")
    assert annotate_store(store)["annotated"] == 3


def test_cli_annotate_and_show(cli, db_file, store):
    ids = store.upsert(_records()).record_ids
    result = cli("annotate", "--db", db_file)
    assert result.exit_code == 0, result.output
    assert "Annotated 3" in result.output and "animal 1" in result.output
    assert "Example:" in cli("annotate", "--help").output

    from litwatch.cli import annotate_cmds
    from litwatch.cli.app import console

    with console.capture() as cap:
        annotate_cmds.show_annotations(store, ids[0], store.get(ids[0]), as_json=False)
    out = cap.get()
    assert "animal (in vivo) study" in out and "cue" in out and "IL-1β" in out
    with console.capture() as cap:
        annotate_cmds.show_annotations(store, ids[0], store.get(ids[0]), as_json=True)
    data = json.loads(cap.get())
    assert data["design"] == "design:animal" and data["record_id"] == ids[0]
    assert any(m["concept_id"] == "biomarker:il-1b" and m["text"] == "IL-1β" for m in data["mentions"])
    # the web's record page reads the same view of the same annotations
    from litwatch.annotate.view import annotation_view

    page = annotation_view(store.get(ids[0]), get_annotations(store, ids[0]))
    assert data["design_label"] == page["design_label"] == "animal (in vivo) study"
    assert data["key_finding_texts"] == [f["text"] for f in page["key_findings"]]


def test_show_without_annotations_is_a_user_error(store):
    from litwatch.cli import annotate_cmds
    from litwatch.errors import UsageError

    (rid,) = store.upsert(_records()[:1]).record_ids
    with pytest.raises(UsageError):
        annotate_cmds.show_annotations(store, rid, store.get(rid), as_json=False)
