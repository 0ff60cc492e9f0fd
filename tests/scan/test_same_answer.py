"""Same answer as one machine: what a scan on a real Dask LocalCluster includes for a topic is
exactly what `litwatch import` + the topic's rule screening include, record for record."""

from __future__ import annotations

import json

from litwatch.annotate import get_annotations
from litwatch.annotate.storage import annotate_store
from litwatch.ingest import import_files
from litwatch.scan import connect, import_scan, scan_files
from litwatch.screen import decisions_for, included_ids, update_screening
from litwatch.store import open_store
from litwatch.topics import load_topic
from tests.scan.conftest import KINASE, TOPICS


def _scan_rows(out, topic: str) -> dict[str, dict]:
    con = connect(out)
    cur = con.execute("SELECT pmid, label, design, annotations FROM latest WHERE topic = ?", [topic])
    rows = {p: {"label": l, "design": d, "annotations": a} for p, l, d, a in cur.fetchall()}
    con.close()
    return rows


def test_a_scan_includes_exactly_what_import_and_rule_screening_include(baseline_dir, tmp_path, dask_client, store):
    result = scan_files(TOPICS, [baseline_dir], out=tmp_path / "scan", client=dask_client)
    assert not result.failed and len(result.done) == 3 and result.records == 604

    imported = import_files(store, [baseline_dir])
    assert imported.read == 604 and imported.new == 604
    pmid_of = {rid: rec.ids.pmid for rid, rec in store.iter_records()}
    found_any = False
    for name in TOPICS:
        topic = load_topic(name)
        update_screening(store, topic, use_model=False)
        single = {pmid_of[rid] for rid in included_ids(store, topic)}
        rows = _scan_rows(tmp_path / "scan", topic.name)
        scanned = {p for p, r in rows.items() if r["label"] == "include"}
        assert scanned == single, topic.name
        assert result.summary.included[topic.name] == len(single)
        # the records a scan keeps undecided are undecided in the store too
        decided = {pmid_of[rid]: d.label for rid, d in decisions_for(store, topic).items()}
        assert all(decided[p] == r["label"] for p, r in rows.items())
        found_any = found_any or bool(single)
    assert found_any, "some topic must include records, or this test proves nothing"


def test_what_a_scan_annotates_is_what_annotate_stores(baseline_dir, tmp_path, dask_client, store):
    topic = load_topic(KINASE)
    scan_files([topic], [baseline_dir], out=tmp_path / "scan", client=dask_client)
    import_files(store, [baseline_dir])
    update_screening(store, topic, use_model=False)
    ids = included_ids(store, topic)
    annotate_store(store, topic, record_ids=ids)
    rows = _scan_rows(tmp_path / "scan", topic.name)
    assert ids
    for rid in ids:
        stored = get_annotations(store, rid).to_dict()
        scanned = json.loads(rows[store.get(rid).ids.pmid]["annotations"])
        assert scanned == stored
        assert rows[store.get(rid).ids.pmid]["design"] == stored["design"]


def test_the_store_and_a_scan_agree_across_an_update_file(baseline_dir, update, tmp_path, dask_client, store):
    """`litwatch import` of the baseline and then the update file keeps each PMID's latest version,
    as the scan's file order does: the same records included, the same versions stored."""
    topic = load_topic(KINASE)
    out = tmp_path / "scan"
    scan_files([topic], [baseline_dir, update.path], out=out, client=dask_client)
    imported = import_files(store, [baseline_dir, update.path])
    assert imported.deleted == 1 and imported.updated == 2  # the two new versions replace the baseline's
    update_screening(store, topic, use_model=False)
    pmid_of = {rid: rec.ids.pmid for rid, rec in store.iter_records()}
    single = {pmid_of[rid] for rid in included_ids(store, topic)}
    rows = _scan_rows(out, topic.name)
    assert {p for p, r in rows.items() if r["label"] == "include"} == single
    assert update.now_in in single and update.new in single
    assert update.dropped not in single and update.deleted not in single
    with open_store(tmp_path / "from-scan.db") as other:
        import_scan(other, out)
        for pmid in rows:  # the version `import --scan` stores is the one the import made current
            assert other.get(other.resolve(pmid)).content_hash() == store.get(store.resolve(pmid)).content_hash()
