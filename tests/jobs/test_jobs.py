"""The jobs layer: each job composes stages, returns a result and reports progress through a callback."""

from __future__ import annotations

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
