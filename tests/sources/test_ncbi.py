"""The live services as they really behave: NCBI's error bodies, short batches and warnings, late-indexed
records, Europe PMC's fielded search and odd replies, against the replay server (tests/sources/replay.py),
which sends each of these exactly as the service does (status, headers, body)."""

from __future__ import annotations

import copy
import time
from datetime import date, datetime, timezone

import pytest

from litwatch.errors import SourceError
from litwatch.sources.base import Window
from litwatch.sources.europepmc import EuropePMC
from litwatch.sources.fetch import fetch, has_successful_fetch
from litwatch.sources.http import HttpClient
from litwatch.sources.pubmed import PubMed, esearch
from replay import Article


def _schedule(**at: str) -> list[str | None]:
    """A one-off schedule: the fault named for request number n (given as _n=...), None elsewhere."""
    out: list[str | None] = [None] * 400
    for key, fault in at.items():
        out[int(key.lstrip("_"))] = fault
    return out


def _walk(connector, query: str, window: Window = Window()):
    records, issues = [], []
    for part in connector.plan(query, window):
        for batch in connector.batches(part, None):
            records += batch.records
            issues += batch.issues
    return records, issues


# -- efetch: a dropped WebEnv ----------------------------------------------------------------------


def test_an_efetch_400_for_a_dropped_webenv_searches_again_and_goes_on_from_the_same_offset(replay, dataset):
    srv = replay(schedule=_schedule(_2="history-400"))  # 0 esearch, 1 efetch 0-99, 2 efetch 100-199
    with HttpClient("pubmed") as client:
        records, issues = _walk(PubMed(client, batch_size=100), "stem cells")
    hits = srv.hits()
    assert hits[2].status == 400 and hits[2].path.endswith("efetch.fcgi")
    assert hits[3].path.endswith("esearch.fcgi")  # searched again ...
    assert hits[4].params["retstart"] == "100" and hits[4].params["WebEnv"] != hits[2].params["WebEnv"]  # ... same offset
    pmids = [r.ids.pmid for r in records]
    assert not issues and len(pmids) == len(set(pmids)) == len(dataset.articles)


def test_an_efetch_position_past_9998_is_one_line_naming_ncbis_message(replay):
    srv = replay(max_retstart=150)
    with HttpClient("pubmed") as client, pytest.raises(SourceError) as err:
        _walk(PubMed(client, batch_size=100), "stem cells")
    line = err.value.one_line()
    assert "'retstart' cannot be larger than 9998" in line and "\n" not in line
    assert [h.params["retstart"] for h in srv.hits("/eutils/efetch")] == ["0", "100", "200"]  # not retried


# -- esearch: backend failures and warnings ----------------------------------------------------------


def test_a_search_backend_failure_is_retried_with_backoff_unless_it_cannot_pass(replay, dataset, monkeypatch):
    monkeypatch.setenv("LITWATCH_HTTP_BACKOFF", "0.3")
    monkeypatch.setenv("LITWATCH_HTTP_BACKOFF_MAX", "1")
    srv = replay(schedule=_schedule(_0="backend"))
    with HttpClient("pubmed") as client:
        found = esearch(client, "stem cells", None, None, None)
    first, second = srv.hits()
    assert first.status == 200 and first.fault == "backend"
    assert second.t - first.t >= 0.14  # backoff 0.3 s with jitter (0.15-0.3 s), not at once
    assert found["count"] == len(dataset.articles) and client.stats.faults == {"service-busy": 1}
    # the same words about a position past 9,998 are no passing fault: one line, at once
    with HttpClient("pubmed") as client, pytest.raises(SourceError) as err:
        esearch(client, "zzzoutofrange", None, None, None)
    assert "Position 15000 is out of acceptable range" in err.value.one_line()
    assert len(srv.hits()) == 3


def test_search_warnings_reach_the_run_log(replay, store):
    replay()
    summary = fetch(store, 'stem cells zzznotfoundxq "zzzquoted phrase" cells[xyz]', sources="pubmed")
    (run,) = store.runs(kind="fetch")
    warnings = run["counts"]["warnings"]
    assert "PubMed: phrase not found, searched without it: zzznotfoundxq" in warnings
    assert "PubMed: unknown search field [xyz] in the query" in warnings
    assert 'PubMed: quoted phrase not found: "zzzquoted phrase"' in warnings
    assert len(warnings) == len(set(warnings)) and all("\n" not in w for w in warnings)
    assert summary.warnings() == warnings


# -- the JSON 429 ---------------------------------------------------------------------------------


def test_ncbis_json_429_without_retry_after_backs_off_and_slows_to_the_limit_it_names(replay, monkeypatch):
    monkeypatch.setenv("LITWATCH_HTTP_RATE_PUBMED", "25/1")
    srv = replay(schedule=_schedule(_0="429-json"))
    with HttpClient("pubmed") as client:
        esearch(client, "x", None, None, None)
        for _ in range(12):
            esearch(client, "x", None, None, None)
    hits = srv.hits()
    assert hits[0].status == 429 and "retry-after" not in {k.lower() for k in hits[0].headers}
    assert hits[1].t - hits[0].t >= 0.95  # waited out the window the body names
    assert client.limiter.limit == 10  # the limit in NCBI's body, below the 25/s asked for
    assert any("allows 10 requests per second" in n for n in client.stats.notes)


# -- short batches ----------------------------------------------------------------------------------


def test_short_efetch_batches_are_completed_by_pmid_never_skipped(replay, dataset):
    srv = replay(schedule=_schedule(_1="short", _3="short", _6="short"))
    with HttpClient("pubmed") as client:
        records, issues = _walk(PubMed(client, batch_size=100), "stem cells")
    assert [h.fault for h in srv.hits() if h.fault] == ["short", "short", "short"]
    by_id = [h for h in srv.hits("/eutils/efetch") if "id" in h.params]
    assert len(by_id) == 3 and all(len(h.params["id"].split(",")) == 3 for h in by_id)
    pmids = [r.ids.pmid for r in records]
    assert not issues and len(pmids) == len(set(pmids)) == len(dataset.articles)


def test_a_pmid_efetch_never_returns_is_reported_not_dropped_silently(replay, dataset):
    data = copy.deepcopy(dataset)
    srv = replay(data=data)
    ghost = Article("40000001", b"", data.articles[0].edat, data.articles[0].edat)
    data.articles.insert(1, ghost)  # listed by esearch, yet no article to give
    srv.state.data = data
    with HttpClient("pubmed") as client:
        records, issues = _walk(PubMed(client, batch_size=100), "stem cells")
    assert len(records) == len(dataset.articles)
    assert issues == [issues[0]] and "PMID 40000001 was found by the search but efetch did not return it" in issues[0]


# -- long queries -------------------------------------------------------------------------------------


def test_a_pubmed_query_over_2000_characters_goes_by_post(replay, dataset):
    srv = replay()
    term = " OR ".join(f'"stem cell variant {i}"[tiab]' for i in range(90))
    assert len(term) > 2400
    with HttpClient("pubmed") as client:
        records, _ = _walk(PubMed(client, batch_size=300), term)
    search = srv.hits("/eutils/esearch")[0]
    assert search.method == "POST" and search.params["term"] == term and "term" not in search.path
    assert len(records) == len(dataset.articles)


# -- late-indexed records -----------------------------------------------------------------------------


def test_a_dated_fetch_also_finds_what_was_entered_lately_and_published_before(replay, store, dataset, monkeypatch):
    data = copy.deepcopy(dataset)
    late = data.articles[100]
    late.pdat, late.edat = date(2016, 2, 20), date(2016, 4, 14)  # e-published in February, indexed in April
    srv = replay(data=data)
    summary = fetch(store, "stem cells", sources="pubmed,europepmc,clinicaltrials", date_from="2016-04-01",
                    date_to="2016-04-30")
    assert summary.status == "ok"
    assert store.resolve(late.pmid) is not None
    edat = [h.params for h in srv.hits("/eutils/esearch") if h.params.get("datetype") == "edat"]
    assert edat and edat[0]["mindate"] == "2016/03/01" and edat[0]["maxdate"] == "2016/04/30"
    epmc = srv.hits("/epmc")[0].params["query"]
    assert "FIRST_PDATE:[2016-04-01 TO 2016-04-30] OR FIRST_IDATE:[2016-03-01 TO 2016-04-30]" in epmc
    ct = srv.hits("/ctgov")[0].params["filter.advanced"]
    assert ct == ("(AREA[StudyFirstPostDate]RANGE[2016-04-01,2016-04-30] OR "
                  "AREA[LastUpdatePostDate]RANGE[2016-03-01,2016-04-30])")
    # the window is a setting; 0 turns it off
    monkeypatch.setenv("LITWATCH_FETCH_ENTRY_WINDOW", "0")
    before = len(srv.hits("/eutils/esearch"))
    fetch(store, "stem cells", sources="pubmed", date_from="2016-05-01", date_to="2016-05-31")
    assert {h.params.get("datetype") for h in srv.hits("/eutils/esearch")[before:]} == {"pdat"}


# -- coverage -------------------------------------------------------------------------------------------


def test_a_fetch_covers_only_up_to_the_day_it_ran_whatever_its_to_said(store):
    run = store.start_run("fetch", {"topic": "t", "date_from": "2025-01-01", "date_to": "2025-12-31",
                                    "until": "2025-06-10", "since_last_run": False})
    store.finish_run(run, "ok", {}, [])
    assert has_successful_fetch(store, "t", "2025-01", "2025-05")
    assert not has_successful_fetch(store, "t", "2025-01", "2025-06")  # 11-30 June were still to come
    assert not has_successful_fetch(store, "t", "2025-09", "2025-09")


# -- Europe PMC ----------------------------------------------------------------------------------------


def _epmc_data(dataset):
    data = copy.deepcopy(dataset)
    titled, elsewhere = data.epmc_results[0], data.epmc_results[1]
    titled["title"] = "MSC therapy in a trial of cancer patients"
    elsewhere["affiliation"] = "MSc programme in clinical research"  # only the authors' degree says MSc
    return data, titled, elsewhere


def test_europepmc_searches_title_abstract_and_keywords_not_full_text(replay, dataset):
    data, titled, elsewhere = _epmc_data(dataset)
    srv = replay(data=data, epmc_words=True)
    with HttpClient("europepmc") as client:
        records, _ = _walk(EuropePMC(client), "MSC")
    assert srv.hits("/epmc")[0].params["query"] == "(TITLE_ABS:MSC OR KW:MSC)"
    assert [r.ids.europepmc for r in records] == [f"{titled['source']}:{titled['id']}"]


def test_a_europepmc_reply_with_a_hitcount_and_no_resultlist_is_asked_again(replay, dataset):
    srv = replay(epmc_nolist=1)
    with HttpClient("europepmc") as client:
        records, _ = _walk(EuropePMC(client, page_size=100), "cancer")
    assert len(records) == len(dataset.epmc_results)
    assert len(srv.hits("/epmc")) == 2 and client.stats.faults == {"bad-body": 1}


def test_a_europepmc_reply_that_never_holds_its_results_fails_the_run_instead_of_counting_zero(replay, store):
    replay(epmc_nolist=100)
    with pytest.raises(SourceError) as err:
        fetch(store, "cancer", sources="europepmc")
    assert "hitCount 25 but no resultList" in err.value.one_line()
    assert store.runs(kind="fetch")[0]["status"] == "failed"


def test_the_fetch_through_ncbi_faults_stores_every_record_once(replay, store, dataset, capsys):
    from replay import NCBI_FAULTS, ncbi_fault_pattern

    srv = replay(schedule=ncbi_fault_pattern(0.45), retry_after_s=1)
    started = time.monotonic()
    summary = fetch(store, "stem cells", sources="pubmed,europepmc,clinicaltrials", batch_size=50)
    hits = srv.hits()
    faults = [h.fault for h in hits if h.fault]
    with capsys.disabled():
        print(f"\n[fetch under NCBI faults] requests {len(hits)}, faults {len(faults)} ({len(faults) / len(hits):.0%}), "
              f"records {store.count()}, {time.monotonic() - started:.1f} s")
    assert len(faults) / len(hits) >= 0.30
    assert set(NCBI_FAULTS) <= set(faults)
    assert summary.status == "ok" and not any(s.errors for s in summary.sources.values())
    expected = dataset.expected_ids()
    assert store.count() == sum(len(v) for v in expected.values())
    assert all(store.resolve(p) is not None for p in expected["pubmed"])
    assert datetime.now(timezone.utc).year >= 2025
