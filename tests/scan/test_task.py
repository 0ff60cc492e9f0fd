"""The per-file task, run in this process: its rows, its Parquet, its checks."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil

import pyarrow.parquet as pq
import pytest

from litwatch.formats import read_file
from litwatch.records import Record
from litwatch.scan.parquet import SCHEMA, read_settings, sweep_temporary
from litwatch.scan.plan import file_key, plan_files, scan_settings
from litwatch.scan.task import FileTask, is_candidate, scan_file
from litwatch.screen.rules import rule_decision
from litwatch.topics import load_topic
from tests.scan.conftest import KINASE, TOPICS


def _task(path, out, topics=TOPICS):
    chosen = [load_topic(t) for t in topics]
    (f,) = plan_files(path)
    return FileTask(f, str(out), chosen, scan_settings(chosen))


def _without_retrieved_at(record_json: str) -> dict:
    d = json.loads(record_json)
    for p in d.get("provenance", []):
        p.pop("retrieved_at", None)
    return d


def test_one_file_becomes_one_parquet_of_its_candidates_and_records(baseline_dir, tmp_path):
    path = baseline_dir / "pubmed99n0002.xml.gz"
    result = scan_file(_task(path, tmp_path))
    assert result.status == "ok", result.error
    assert result.md5 == hashlib.md5(path.read_bytes()).hexdigest()
    table = pq.read_table(result.parquet)
    assert table.schema.remove_metadata() == SCHEMA
    assert read_settings(result.parquet)["settings"] == result.settings
    rows = table.to_pylist()
    records = [r for r in read_file(path, "pubmed-xml") if isinstance(r, Record)]
    assert result.counts["records"] == len(records) == 200
    # every record of the file is there once (candidates once per topic), in the reader's numbering
    seen = {(r["pmid"], r["seq"]) for r in rows}
    assert seen == {(r.ids.pmid, int(r.provenance[0].location.split()[1])) for r in records}
    by_pmid = {r.ids.pmid: r for r in records}
    for name in TOPICS:
        topic = load_topic(name)
        decisions = {p: rule_decision(topic, r) for p, r in by_pmid.items()}
        counts = result.counts["topics"][topic.name]
        assert sum(counts.values()) == len(records)
        assert counts["include"] == sum(d.label == "include" for d in decisions.values())
        mine = {r["pmid"]: r for r in rows if r["topic"] == topic.name}
        assert set(mine) == {p for p, d in decisions.items() if is_candidate(d)}
        for pmid, row in mine.items():
            assert row["label"] == decisions[pmid].label and row["reason"] == decisions[pmid].reason
            # the record as the reader gave it (only the time of reading differs)
            assert _without_retrieved_at(row["record"]) == _without_retrieved_at(by_pmid[pmid].to_json())
            assert (row["annotations"] is not None) == (row["label"] == "include")
            assert row["file"] == path.name and row["origin"] == str(path.resolve())
    assert any(r["label"] == "include" for r in rows), "the test profile includes some records of this file"
    assert not list((tmp_path / "parts").glob(".*"))  # no temporary file left


def test_a_file_that_is_not_pubmed_xml_fails_alone_and_writes_nothing(shared_data, tmp_path):
    other = tmp_path / "in" / "esearch1.xml"
    other.parent.mkdir()
    shutil.copy(shared_data / "pubmed" / "entrez" / "esearch1.xml", other)
    result = scan_file(_task(other, tmp_path / "out"))
    assert result.status == "failed" and "not PubMed XML" in result.error
    assert result.md5 == hashlib.md5(other.read_bytes()).hexdigest()
    assert not (tmp_path / "out" / "parts").exists() or not list((tmp_path / "out" / "parts").iterdir())


def test_a_truncated_file_keeps_the_records_before_the_cut_and_reports_it(baseline_dir, tmp_path):
    data = gzip.decompress((baseline_dir / "pubmed99n0001.xml.gz").read_bytes())
    cut = tmp_path / "in" / "pubmed99n0009.xml.gz"
    cut.parent.mkdir()
    cut.write_bytes(gzip.compress(data)[: len(gzip.compress(data)) // 2])
    result = scan_file(_task(cut, tmp_path / "out", [KINASE]))
    assert result.status == "ok"
    assert result.counts["issues"] == 1 and "truncated or corrupt gzip" in result.issues[0]
    assert 0 < result.counts["records"] < 200
    assert pq.read_table(result.parquet).num_rows >= result.counts["records"]


def test_a_worker_computing_with_other_settings_refuses_the_file(baseline_dir, tmp_path):
    task = _task(baseline_dir / "pubmed99n0001.xml.gz", tmp_path, [KINASE])
    task.settings = {**task.settings, "vocabulary": "0000000000000000"}
    result = scan_file(task)
    assert result.status == "failed" and "vocabulary" in result.error and "same litwatch" in result.error
    assert not (tmp_path / "parts").exists()


def test_a_temporary_file_of_a_killed_writer_is_never_read_and_is_swept(baseline_dir, tmp_path):
    from litwatch.scan.order import connect

    result = scan_file(_task(baseline_dir / "pubmed99n0001.xml.gz", tmp_path, [KINASE]))
    parts = tmp_path / "parts"
    stale = parts / ".pubmed99n0003.xml.gz.parquet.0123456789ab.tmp"
    stale.write_bytes(b"PAR1 half a file")  # what a writer killed mid-file leaves
    con = connect(tmp_path)
    assert con.execute("SELECT count(DISTINCT file) FROM parts").fetchone()[0] == 1
    con.close()
    assert sweep_temporary(parts) == 1 and not stale.exists() and result.parquet


def test_files_apply_in_the_order_of_their_names_read_with_numbers(tmp_path):
    names = ["pubmed25n1275.xml.gz", "pubmed25n0002.xml.gz", "pubmed25n1274.xml.gz", "x10.xml", "x9.xml"]
    for n in names:
        (tmp_path / n).write_bytes(b"<PubmedArticleSet/>")
    (tmp_path / "pubmed25n0003.xml.gz.part").write_bytes(b"partial")  # a download under way: not a file yet
    order = [f.name for f in plan_files(tmp_path)]
    assert order == ["pubmed25n0002.xml.gz", "pubmed25n1274.xml.gz", "pubmed25n1275.xml.gz", "x9.xml", "x10.xml"]
    assert file_key("pubmed25n0999.xml.gz") < file_key("pubmed25n1000.xml.gz")


@pytest.mark.parametrize("spec, message", [("missing-folder", "no such file or folder"),
                                           ("empty", "no PubMed XML files"), ("*.nothing", "no PubMed XML files match")])
def test_planning_names_what_is_wrong(tmp_path, monkeypatch, spec, message):
    from litwatch.errors import UsageError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match=message):
        plan_files(spec)


def test_a_record_the_annotator_trips_over_is_reported_with_its_place_and_the_file_goes_on(
        baseline_dir, tmp_path, monkeypatch):
    import litwatch.scan.task as task_module

    path = baseline_dir / "pubmed99n0001.xml.gz"
    first = scan_file(_task(path, tmp_path / "a", [KINASE]))
    rows = pq.read_table(first.parquet).to_pylist()
    victim = next(r for r in rows if r["label"] == "include")
    real = task_module.annotate_record

    def annotate(record, topic=None, **kw):  # fault injection: one record makes the annotator fail
        if record.ids.pmid == victim["pmid"]:
            raise ValueError("a span past the end of the abstract")
        return real(record, topic, **kw)

    monkeypatch.setattr(task_module, "annotate_record", annotate)
    second = scan_file(_task(path, tmp_path / "b", [KINASE]))
    assert second.status == "ok" and second.counts["issues"] == 1
    assert second.issues == [f"{path.resolve()}: record {victim['seq']} (PMID {victim['pmid']}): not screened: "
                             "ValueError: a span past the end of the abstract"]
    assert second.counts["records"] == first.counts["records"]
    assert second.counts["candidates"] == first.counts["candidates"] - 1
    after = {r["pmid"]: r["entry"] for r in pq.read_table(second.parquet).to_pylist()}
    assert after[victim["pmid"]] == "record"  # still there, so a later version of it would still count
