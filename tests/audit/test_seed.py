"""The seed roundup (../shared/examples) against its nine cited works imported into a real store."""

from __future__ import annotations

import pytest

from litwatch.audit import AuditOptions, audit, render


@pytest.fixture()
def seed_audit(seed_store, seed_article):
    return audit(seed_article, seed_store, AuditOptions(offline=True))


def _kinds(problems, severity=None):
    return {p.kind for p in problems if severity is None or p.severity == severity}


def test_the_seed_is_read_as_traditional_chinese_with_nine_references_all_resolved_from_the_store(seed_audit):
    assert seed_audit.article["lang"] == "zh-Hant"
    assert [r.n for r in seed_audit.references] == list(range(1, 10))
    assert all(r.resolved and r.resolved["source"] == "store" for r in seed_audit.references)
    assert seed_audit.references[5].parsed["journal"] == "Cell Stem Cell"
    assert seed_audit.references[8].parsed["pmid"] == "40749295"


def test_reference_5_is_a_psychiatric_disorders_review_not_parkinsons(seed_audit):
    claim = next(c for c in seed_audit.claims if "帕金森病" in c.text)
    assert claim.refs == [5] and claim.verdict == "contradicted"
    p = next(p for p in claim.problems if p.kind == "condition")
    assert p.severity == "error" and "psychiatric disorders" in p.message and "PD" in p.message
    assert any("psychiatric disorders (PDs)" in e["text"] for e in claim.evidence)


def test_reference_6_has_the_in_press_placeholder_no_doi_and_run_together_fields(seed_audit):
    ref = seed_audit.references[5]
    assert {"placeholder", "missing-doi", "title"} <= _kinds(ref.problems)
    assert any("Volume 0, Issue 0" in p.message for p in ref.problems)


def test_reference_9_names_damaged_by_encoding_are_given_with_the_records_spelling(seed_audit):
    messages = [p.message for p in seed_audit.references[8].problems if p.kind == "author"]
    assert any("Sim?o" in m and "Simão" in m for m in messages)
    assert any("Sebasti?o" in m and "Sebastião" in m for m in messages)


def test_the_summarys_clinical_claims_rest_on_no_cited_human_trial(seed_audit):
    flagged = [c for c in seed_audit.claims if any(p.kind == "overgeneralisation" and p.severity == "error"
                                                  for p in c.problems)]
    assert any("臨床試驗和動物實驗都表明" in c.text for c in flagged)
    assert all(c.verdict == "unsupported" for c in flagged)
    assert all("none of the 9 cited works" in p.message for c in flagged for p in c.problems
               if p.kind == "overgeneralisation")


def test_the_whole_article_period_trials_and_date_kinds(seed_audit):
    cov = seed_audit.coverage
    assert cov["period"]["claimed"] == {"from": "2025-01", "to": "2025-12"}
    assert cov["period"]["missing"] == ["2025-05", "2025-06", "2025-12"]
    kinds = {p["kind"] for p in cov["problems"]}
    assert {"period", "trials", "date-kinds"} <= kinds
    # [6] is dated by its online date (it is still in press), [8] and [9] by their issue dates
    assert 6 in cov["date_kinds"]["online"] and {8, 9} <= set(cov["date_kinds"]["issue"])
    assert any("多項臨床試驗正在進行" in seed_audit.claims[i].text for i in cov["trials"]["mentions"])


def test_passages_that_describe_a_reference_without_citing_it(seed_audit):
    implicit = {p.params["n"] for c in seed_audit.claims for p in c.problems if p.code == "citation.implicit"}
    assert implicit == {3, 4}


def test_the_seed_audit_renders_in_chinese_and_english_with_each_problem_under_its_sentence(seed_audit):
    zh = render(seed_audit, "md", "zh-Hans").decode()
    en = render(seed_audit, "html", "en").decode()
    assert "把 PD 理解为帕金森病" in zh and "本文討論了干細胞療法在治療包括精神分裂癥" in zh
    assert "Reads PD as Parkinson&#x27;s disease" in en
    quote = en.index("帕金森病 (PD)")
    assert quote < en.index("Reads PD as Parkinson") < en.index("<h2>References")


def test_the_traditional_chinese_audit_writes_taiwans_forms_not_the_old_ones(seed_audit):
    # the article itself is quoted as written; the audit's own words are what a Taiwan reader writes
    md = render(seed_audit, "md", "zh-Hant").decode("utf-8")
    own = md.replace(seed_audit.article.get("text", ""), "")
    assert "已核對到記錄" in own and "無法核實" in own
    for old in ("覈對", "覈實", "臨牀", "爲"):
        quoted = sum(c.text.count(old) for c in seed_audit.claims)
        assert own.count(old) <= quoted, old
