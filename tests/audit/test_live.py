"""References resolved live, over loopback: PubMed (efetch by PMID, ECitMatch, field search) and
Crossref (by DOI, query.bibliographic), answered from real recorded records and our fixture works;
what is fetched is stored like any fetch, so the next audit finds it in the store."""

from __future__ import annotations

import sys
from pathlib import Path

from litwatch.audit import AuditOptions, audit

ARTICLE = Path(__file__).parent / "articles" / "en-live.md"


def test_references_resolve_live_and_are_stored_with_provenance(store, literature):
    result = audit(ARTICLE, store, AuditOptions())
    refs = {r.n: r for r in result.references}
    assert refs[1].resolved["source"] == "pubmed" and refs[1].resolved["by"] == "pmid"
    assert refs[1].resolved["ids"]["doi"] == "10.1056/nejmoa1715274"
    assert refs[2].resolved["source"] == "crossref" and refs[2].resolved["by"] == "doi"
    assert refs[3].resolved["source"] == "pubmed" and refs[3].resolved["by"] == "ecitmatch"
    assert refs[3].resolved["ids"]["pmid"] == "39990002"
    assert refs[4].resolved["source"] == "crossref" and refs[4].resolved["by"] == "bibliographic"
    assert refs[4].resolved["ids"]["doi"] == "10.1016/j.expneurol.2024.114700"
    assert refs[5].resolved is None
    assert [(p.kind, p.severity) for p in refs[5].problems if p.kind == "unresolved"] == [("unresolved", "error")]
    # missing DOIs are filled in from what the services returned
    assert any("10.1016/j.neuropharm.2023.109650" in p.message for p in refs[3].problems if p.kind == "missing-doi")
    # stored like any fetch: one run of kind fetch, provenance naming the live source and query
    run = store.get_run(result.article["fetch_run"])
    assert run["kind"] == "fetch" and run["status"] == "ok" and run["params"]["by"] == "audit"
    assert run["counts"]["totals"]["new"] >= 4
    rec = store.get(refs[1].resolved["record_id"])
    assert rec.provenance[0].source == "pubmed" and "efetch" in rec.provenance[0].origin
    assert store.get(refs[2].resolved["record_id"]).provenance[0].source == "crossref"
    assert literature.hits("/eutils/ecitmatch.cgi") and literature.hits("/crossref/works/10.1371")
    # the claims are checked against the fetched records
    claim = next(c for c in result.claims if "Methylphenidate" in c.text)
    assert claim.verdict == "contradicted" and any(p.kind == "design" for p in claim.problems)
    asthma = next(c for c in result.claims if "asthma" in c.text)
    assert asthma.verdict == "supported"


def test_what_was_fetched_resolves_offline_next_time(store, literature):
    audit(ARTICLE, store, AuditOptions())
    before = len(literature.hits())
    again = audit(ARTICLE, store, AuditOptions(offline=True))
    assert len(literature.hits()) == before  # offline: nothing asked
    assert [r.resolved["source"] if r.resolved else None for r in again.references] == ["store"] * 4 + [None]
    assert again.article["fetch_run"] is None


def test_an_unreachable_service_leaves_the_reference_unresolved_not_the_audit_failed(store, fast_http, monkeypatch):
    for name in ("LITWATCH_PUBMED_URL", "LITWATCH_CROSSREF_URL", "LITWATCH_EUROPEPMC_URL"):
        monkeypatch.setenv(name, "http://127.0.0.1:9/")
    result = audit(ARTICLE, store, AuditOptions())
    assert all(r.resolved is None for r in result.references)
    assert result.article["fetch_run"] is None
    problems = [p for r in result.references for p in r.problems if p.kind == "unresolved"]
    assert len(problems) == 5 and all(p.severity == "warning" and "could not be asked" in p.message for p in problems)


def test_the_crossref_reply_of_the_connectors_replay_server_resolves_a_doi(store, shared_data, fast_http, monkeypatch,
                                                                            tmp_path):
    sys.path.insert(0, str(Path(__file__).parents[1] / "sources"))
    from replay import Dataset, ReplayServer

    article = tmp_path / "one.txt"
    article.write_text("Methylphenidate caused dopamine neuron loss in mice [1].\n\nReferences\n"
                       "[1] Sadasivan S, Pond BB, Pani AK, et al. Methylphenidate exposure induces dopamine neuron loss "
                       "and activation of microglia in the basal ganglia of mice. PLoS One. 2012;7(3):e33693. "
                       "doi:10.1371/journal.pone.0033693\n", "utf-8")
    with ReplayServer(Dataset.load(shared_data, trial_copies=1)) as srv:
        for k, v in srv.env().items():
            monkeypatch.setenv(k, v)
        result = audit(article, store, AuditOptions(sources=("crossref",)))
    ref = result.references[0]
    assert ref.resolved["source"] == "crossref" and ref.resolved["score"] >= 0.9
    assert not [p for p in ref.problems if p.severity == "error"]
    assert result.claims[0].verdict == "supported"


def test_an_article_given_as_a_url_is_fetched_and_audited(works_store, literature):
    result = audit(f"{literature.base}/articles/en-clean.html", works_store, AuditOptions())
    assert result.article["format"] == "html" and result.article["title"].startswith("Stem cells and depression")
    assert len(result.references) == 7 and all(r.resolved["source"] == "store" for r in result.references)
    assert literature.hits("/articles/en-clean.html")
