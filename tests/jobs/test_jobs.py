"""The jobs layer: each job composes stages, returns a result and reports progress through a callback."""

from __future__ import annotations

from pathlib import Path

from litwatch import jobs


def test_ingest_then_refresh_report_progress_and_store_what_they_say(store, shared_data, tmp_path):
    events: list[jobs.Progress] = []
    summary = jobs.ingest(store=store, paths=[shared_data / "pubmed" / "pubmed1.xml"], progress=events.append)
    assert summary.new == 2 and store.count() == 2
    assert [e.stage for e in events] == ["read", "done"] and all(e.job == "ingest" for e in events)

    events.clear()
    result = jobs.refresh(store=store, topic="stem-cell-depression", progress=events.append)
    assert result.topic == "stem-cell-depression"
    assert result.annotate["annotated"] == 2
    stages = [e.stage for e in events]
    assert stages[0] == "screen" and "annotate" in stages and stages[-1] == "done"

    out = tmp_path / "all.ris"
    exported = jobs.export(store=store, fmt="ris", output=out)
    assert exported.written == 2 and out.read_text(encoding="utf-8").count("ER  -") == 2


def test_report_job_reports_each_step(store, shared_data, tmp_path):
    jobs.ingest(store=store, paths=[shared_data / "pubmed" / "medline16n0902.xml.gz"])
    events: list[jobs.Progress] = []
    result = jobs.report(store=store, topic="stem-cell-depression", date_from="2015-01", date_to="2015-12",
                         fmt="md", offline=True, output=tmp_path / "r.md", progress=events.append)
    assert result.path.exists()
    assert {"screen", "annotate", "build", "render"} <= {e.stage for e in events}
    assert all(e.job == "report" for e in events)


def test_the_first_report_annotates_only_the_records_it_reads(store, shared_data, tmp_path):
    from litwatch.annotate import get_annotations_many
    from litwatch.report.build import annotation_ids

    jobs.ingest(store=store, paths=[shared_data / "pubmed" / "medline16n0902.xml.gz",
                                    shared_data / "clinicaltrials" / "legacy-csv" / "clinicalMesenchymal.csv"])
    profile = str(Path(__file__).parents[1] / "report" / "cell-research.toml")
    events: list[jobs.Progress] = []
    result = jobs.report(store=store, topic=profile, date_from="2015-10", fmt="md", offline=True,
                         output=tmp_path / "r.md", progress=events.append)
    needed = annotation_ids(store, _topic(profile), result.digest.period)
    annotated = set(get_annotations_many(store, [rid for rid, _ in store.iter_records()]))
    assert needed and annotated == set(needed) and len(annotated) < store.count()
    assert result.steps["annotate"]["annotated"] == len(needed)
    assert result.digest.counts["unannotated"] == 0  # every paper the report shows was annotated
    annotate = [e for e in events if e.stage == "annotate" and e.total]
    assert annotate and annotate[-1].done == annotate[-1].total == len(needed)


def _topic(path: str):
    from litwatch.topics import load_topic

    return load_topic(path)


def test_the_store_names_the_records_a_run_brought(store, shared_data):
    first = jobs.ingest(store=store, paths=[shared_data / "pubmed" / "pubmed1.xml"])
    second = jobs.ingest(store=store, paths=[shared_data / "pubmed" / "pubmed-29768149.xml"])
    ids = [rid for rid, _ in store.iter_records()]
    assert len(ids) == 3
    assert len(store.run_record_ids(first.run_id)) == 2 and len(store.run_record_ids(second.run_id)) == 1
    assert sorted(store.run_record_ids(first.run_id) + store.run_record_ids(second.run_id)) == sorted(ids)
