"""Each connector against the replayed real replies: paging, date slicing, mapping."""

from __future__ import annotations

from datetime import date

import pytest

from litwatch.sources.base import Window
from litwatch.sources.clinicaltrials import ClinicalTrials, query_params
from litwatch.sources.crossref import Crossref, get_work, search_bibliographic
from litwatch.sources.europepmc import EuropePMC, windowed_query
from litwatch.sources.http import HttpClient
from litwatch.sources.pubmed import PubMed


def _walk(connector, query: str, window: Window = Window()):
    parts = connector.plan(query, window)
    records, issues = [], []
    for part in parts:
        for batch in connector.batches(part, None):
            records += batch.records
            issues += batch.issues
    return parts, records, issues


def test_pubmed_splits_a_large_result_by_halving_the_dates(replay, dataset):
    srv = replay()
    with HttpClient("pubmed") as client:
        pm = PubMed(client, batch_size=40, max_per_search=100)
        parts, records, issues = _walk(pm, "stem cells", Window(date(2015, 1, 1), date(2016, 12, 31)))
    assert not issues
    assert len(parts) > 1 and all(p.total <= 100 for p in parts)
    assert all(p.key.startswith("pdat:") for p in parts)
    pmids = [r.ids.pmid for r in records]
    assert len(pmids) == len(set(pmids)) == len(dataset.articles)  # every record exactly once
    assert all(r.provenance[0].source == "pubmed" for r in records)
    searches = [h.params for h in srv.hits("/eutils/esearch")]
    assert all(p["usehistory"] == "y" and p["datetype"] == "pdat" for p in searches)
    fetches = [h.params for h in srv.hits("/eutils/efetch")]
    assert all(int(p["retmax"]) <= 40 and "WebEnv" in p and "query_key" in p for p in fetches)


def test_pubmed_without_dates_slices_by_entry_date_only_when_needed(replay, dataset):
    replay()
    with HttpClient("pubmed") as client:
        small = PubMed(client, max_per_search=10_000).plan("x", Window(until=date(2025, 1, 1)))
        large = PubMed(client, max_per_search=300).plan("x", Window(until=date(2025, 1, 1)))
    assert [p.key for p in small] == ["all"]
    assert len(large) >= 3 and all(p.key.startswith("edat:") for p in large)
    assert sum(p.total for p in large) == len(dataset.articles)


def test_pubmed_searches_again_when_the_webenv_expires(replay, dataset):
    srv = replay()
    with HttpClient("pubmed") as client:
        pm = PubMed(client, batch_size=100)
        (part,) = pm.plan("x", Window())
        got = []
        for i, batch in enumerate(pm.batches(part, None)):
            got += [r.ids.pmid for r in batch.records]
            if i == 1:
                srv.state.webenvs.clear()  # NCBI forgot the search
    assert sorted(got) == sorted(a.pmid for a in dataset.articles)
    assert len(srv.hits("/eutils/esearch")) == 2


def test_pubmed_resumes_from_a_stored_offset_with_a_fresh_search(replay, dataset):
    srv = replay()
    with HttpClient("pubmed") as client:
        pm = PubMed(client, batch_size=200)
        (part,) = pm.plan("x", Window())
        part.state = {}  # as when loaded from a checkpoint: the WebEnv is long gone
        got = [r.ids.pmid for b in pm.batches(part, "400") for r in b.records]
    assert got == [a.pmid for a in dataset.articles[400:]]
    assert [h.params["retstart"] for h in srv.hits("/eutils/efetch")] == ["400", "600"]


def test_europepmc_pages_with_cursor_marks(replay, dataset):
    srv = replay()
    with HttpClient("europepmc") as client:
        _, records, issues = _walk(EuropePMC(client, page_size=10), "cancer")
    assert not issues
    assert len(records) == len({r.ids.europepmc for r in records}) == len(dataset.epmc_results)
    marks = [h.params["cursorMark"] for h in srv.hits("/epmc/search")]
    assert marks[0] == "*" and len(marks) == 3 and len(set(marks)) == 3
    assert all(h.params["resultType"] == "core" for h in srv.hits())


def test_europepmc_resumes_from_a_stored_cursor_mark(replay, dataset):
    replay()
    with HttpClient("europepmc") as client:
        first = EuropePMC(client, page_size=10)
        (part,) = first.plan("cancer", Window())
        batch = next(first.batches(part, None))
        rest = [r for b in EuropePMC(client, page_size=10).batches(part, batch.cursor) for r in b.records]
    ids = [r.ids.europepmc for r in batch.records + rest]
    assert len(ids) == len(set(ids)) == len(dataset.epmc_results)


def test_europepmc_windows_in_its_own_syntax():
    w = Window(date(2024, 1, 1), date(2024, 12, 31))
    assert windowed_query("msc", w) == "(msc) AND (FIRST_PDATE:[2024-01-01 TO 2024-12-31])"
    since = windowed_query("msc", Window(since=date(2025, 5, 1), until=date(2025, 6, 1)))
    assert "FIRST_IDATE:[2025-05-01 TO 2025-06-01] OR UPDATE_DATE:[2025-05-01 TO 2025-06-01]" in since


def test_clinicaltrials_pages_with_page_tokens(replay, dataset):
    srv = replay()
    with HttpClient("clinicaltrials") as client:
        _, records, issues = _walk(ClinicalTrials(client, page_size=7), "cond=depression; intr=stem cells")
    assert not issues
    assert {r.ids.nct for r in records} == {s["protocolSection"]["identificationModule"]["nctId"] for s in dataset.studies}
    assert all(r.kind == "trial" and r.trial and r.trial.status for r in records)
    pages = [h.params for h in srv.hits("/ctgov/studies")]
    assert len(pages) == 5 and "pageToken" not in pages[0] and all("pageToken" in p for p in pages[1:])
    assert pages[0]["query.cond"] == "depression" and pages[0]["query.intr"] == "stem cells"


def test_clinicaltrials_query_areas_and_date_filters():
    assert query_params("depression", Window()) == {"query.term": "depression"}
    p = query_params("cond: depression; intr=MSC; exosome", Window(since=date(2025, 1, 2), until=date(2025, 2, 1)))
    assert p == {
        "query.cond": "depression",
        "query.intr": "MSC",
        "query.term": "exosome",
        "filter.advanced": "AREA[LastUpdatePostDate]RANGE[2025-01-02,2025-02-01]",
    }
    assert query_params("x", Window(date(2024, 1, 1)))["filter.advanced"] == "AREA[StudyFirstPostDate]RANGE[2024-01-01,MAX]"


def test_clinicaltrials_starts_over_when_a_stored_page_token_is_refused(replay, dataset):
    replay()
    with HttpClient("clinicaltrials") as client:
        ct = ClinicalTrials(client, page_size=10)
        (part,) = ct.plan("x", Window())
        got = [r.ids.nct for b in ct.batches(part, "expired-token") for r in b.records]
    assert len(got) == len(dataset.studies) and ct.warnings


def test_crossref_work_by_doi_and_bibliographic_search(replay):
    srv = replay()
    with HttpClient("crossref") as client:
        rec = get_work(client, "https://doi.org/10.1371/JOURNAL.PONE.0033693")
        missing = get_work(client, "10.9999/nothing-here")
        hits = search_bibliographic(client, "Boettiger ecology 2012", rows=3)
    assert rec is not None and rec.ids.doi == "10.1371/journal.pone.0033693"
    assert rec.provenance[0].source == "crossref"
    assert missing is None
    assert len(hits) == 3 and all(r.ids.doi for r in hits)
    assert srv.hits()[0].path == "/crossref/works/10.1371/journal.pone.0033693"


def test_crossref_query_pages_with_cursors_up_to_a_cap(replay, dataset):
    replay()
    with HttpClient("crossref") as client:
        cr = Crossref(client, page_size=6, max_records=15)
        _, records, _ = _walk(cr, "ecology")
    assert len(records) == 15 and len({r.ids.doi for r in records}) == 15
    assert cr.warnings and "stopped at 15" in cr.warnings[0]


@pytest.mark.parametrize("source", ["pubmed", "europepmc", "clinicaltrials"])
def test_an_empty_result_is_one_finished_batch_or_none(replay, source, dataset):
    srv = replay()
    srv.state.data = type(dataset)([], [], [], dataset.crossref_work, [])
    with HttpClient(source) as client:
        conn = {"pubmed": PubMed, "europepmc": EuropePMC, "clinicaltrials": ClinicalTrials}[source](client)
        _, records, issues = _walk(conn, "nothing")
    assert records == [] and issues == []
