"""The fetch job reports its progress through a callback; the library draws nothing."""

from __future__ import annotations

from litwatch import jobs


def test_fetch_job_reports_each_sources_records_as_they_are_stored(replay, store, capsys):
    replay()
    events: list[jobs.Progress] = []
    summary = jobs.fetch(store=store, target="stem cells", sources="pubmed,clinicaltrials", batch_size=50,
                         progress=events.append, per_batch=True)
    assert summary.status == "ok"
    assert events[0].stage == "search" and events[-1].stage == "done" and all(e.job == "fetch" for e in events)
    for source, label in (("pubmed", "PubMed"), ("clinicaltrials", "ClinicalTrials.gov")):
        mine = [e for e in events if e.stage == source]
        assert len(mine) >= 2 and {e.message for e in mine} == {label}
        done = [e.done for e in mine]
        assert done == sorted(done) and done[-1] == summary.sources[source].read
        assert mine[-1].total == summary.sources[source].total
    assert capsys.readouterr().err == ""  # no bars from the library


def test_without_per_batch_the_fetch_job_says_only_when_it_starts_and_ends(replay, store):
    replay()
    events: list[jobs.Progress] = []
    jobs.fetch(store=store, target="stem cells", sources="clinicaltrials", progress=events.append)
    assert [e.stage for e in events] == ["search", "done"]
