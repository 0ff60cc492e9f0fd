"""build(): what the Digest says must be true of the store it was built from."""

from __future__ import annotations

import json
import re

import pytest

from litwatch.errors import ProfileError, ReportError, UsageError
from litwatch.records import Author, DateValue, Record
from litwatch.report import Digest, ReportOptions, build, parse_period, render
from litwatch.report.build import lead_institution
from litwatch.report.digest import DATE_KINDS
from litwatch.report.entries import placement

from .conftest import EMPTY_PERIOD, GENERATED, PERIOD


def _period_records(store, period):
    return {rid: (month, year) for rid, month, year in store.period_ids(*period)}


def test_sections_are_the_months_then_the_years_month_not_known_part(digest):
    kinds = [(m.kind, m.month) for m in digest.months]
    assert kinds[:6] == [("month", f"2015-{m:02d}") for m in range(7, 13)]
    # GutBrainIE records carry only a year: 2015's go after 2015's months
    assert ("year", "2015") in kinds and kinds.index(("year", "2015")) == 6
    assert all(k != "undated" for k, _ in kinds[:-1])


def test_every_paper_is_placed_by_its_date(digest, report_db):
    from litwatch.store import open_store

    with open_store(report_db) as store:
        for m in digest.months:
            for p in m.highlights + m.others:
                kind, used, month, year = placement(store.get(p.record_id))
                assert p.date_kind == kind and p.date_kind in DATE_KINDS
                if m.kind == "month":
                    assert month == m.month
                elif m.kind == "year":
                    assert month is None and str(year) == m.month
                else:
                    assert year is None


def test_included_papers_are_the_periods_included_records_with_year_only_ones(digest, report_db, topic):
    from litwatch.screen import included_ids, prisma_counts
    from litwatch.store import open_store

    with open_store(report_db) as store:
        included = set(included_ids(store, topic.name))
        period = _period_records(store, PERIOD)
        papers = {rid for rid, r in store.iter_records(ids=sorted(included & set(period))) if r.kind != "trial"}
        year_only = {rid for rid in papers if period[rid][0] is None}
        prisma = prisma_counts(store, topic.name, record_ids=list(period))
    assert {p.record_id for p in digest.papers()} == papers
    assert year_only and {p.record_id for m in digest.months if m.kind == "year" for p in m.highlights + m.others} == year_only
    assert digest.search["prisma"] == prisma
    assert prisma["identified"].get("file:json-articles")  # GutBrainIE's year-only records are identified


def test_one_computation_feeds_summary_overview_prisma_and_trials(digest):
    c, prisma, facts = digest.counts, digest.search["prisma"], digest.summary["facts"]
    assert c["papers"] == digest.included == facts["included"] == digest.overview["included"]
    assert c["papers"] == prisma["included_by_kind"]["paper"] == sum(digest.overview["by_design"].values())
    assert c["trials"] == prisma["included_by_kind"]["trial"] == digest.trials["registered"] == facts["trials"]
    assert c["papers"] + c["trials"] == prisma["included"]
    registered = [e for e in digest.trials["items"] if e.group == "registered"]
    assert len(registered) == min(c["trials"], ReportOptions().max_trials)


def test_trials_are_listed_by_what_happened_in_the_period(digest):
    groups = {e.group for e in digest.trials["items"]}
    assert groups <= {"registered", "updated", "active"} and "registered" in groups
    for e in digest.trials["items"]:
        assert re.fullmatch(r"NCT\d{8}", e.nct)
        if e.group == "registered":
            assert e.first_posted is None or PERIOD[0] <= e.first_posted[:7] <= PERIOD[1]
        else:
            assert e.first_posted is None or e.first_posted[:7] < PERIOD[0]
        if e.group == "active":
            assert e.status in ("RECRUITING", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "ENROLLING_BY_INVITATION")
    md = render(digest, "md", "en").decode()
    assert "### Registered in the period" in md
    assert f"{digest.trials['registered']} included trials were first posted in the period" in md


def test_highlights_per_month_come_from_the_profile(digest, topic):
    assert all(len(m.highlights) <= topic.highlights_per_month for m in digest.months)
    assert any(len(m.highlights) == topic.highlights_per_month and m.others for m in digest.months)


def test_highlights_are_ranked_by_evidence_level(digest):
    for m in digest.months:
        levels = [p.evidence_level or 99 for p in m.highlights]
        assert levels == sorted(levels)
        if m.others and m.highlights:
            assert max(levels) <= min(p.evidence_level or 99 for p in m.others)


def test_citations_are_numbered_in_order_of_first_citation_and_resolve(digest, report_db):
    from litwatch.store import open_store

    order = [p.citation for m in digest.months for p in m.highlights]
    assert order == list(range(1, len(order) + 1))
    assert [r["number"] for r in digest.references] == order
    with open_store(report_db) as store:
        for ref, paper in zip(digest.references, (p for m in digest.months for p in m.highlights)):
            assert ref["record_id"] == paper.record_id
            record = store.get(ref["record_id"])
            assert ref["csl"]["title"] == record.title.strip().rstrip(".")
            if record.ids.pmid:
                assert ref["csl"]["PMID"] == record.ids.pmid


def test_an_entry_placed_by_its_online_date_shows_the_issue_date_too(digest, report_db):
    """The entry and its reference agree, or both dates are shown."""
    from litwatch.store import open_store

    with open_store(report_db) as store:
        shown = 0
        for p in digest.papers():
            record = store.get(p.record_id)
            issue = record.dates.get("issue")
            n = {"day": 10, "month": 7}.get(issue.precision, 4) if issue is not None else 0
            if p.date_kind == "online" and issue is not None and issue.value[:n] != p.date[:n]:
                assert p.other_date["kind"] == "issue" and p.other_date["value"] == issue.value
                shown += 1
            if p.date_kind == "issue":
                assert p.date == issue.value
    assert shown
    md = render(digest, "md", "en").decode()
    assert re.search(r"Online \d{1,2} \w+ 2015 \(issue \w+ 2015\)", md)


def test_every_quoted_sentence_is_verbatim_and_every_element_points_at_its_text(digest, report_db):
    from litwatch.store import open_store

    quotes = digest.provenance["quotes"]
    assert len(quotes) >= 5
    generated = 0
    with open_store(report_db) as store:
        for q in quotes:
            record = store.get(q["record_id"])
            texts = {"title": record.title or "", "abstract": record.abstract_text}
            assert texts["abstract"][q["start"] : q["end"]] == q["text"]
        for p in digest.papers():
            record = store.get(p.record_id)
            texts = {"title": record.title or "", "abstract": record.abstract_text}
            for f in p.findings:
                if not f.generated:
                    continue
                generated += 1
                assert set(f.generated) == {"en", "zh-Hans", "zh-Hant", "zh-Hant-HK"}
                sf = f.structured
                spans = list(sf["interventions"]) + [e["target"] for e in sf["effects"]] + [e["cue"] for e in sf["effects"]]
                spans += [x for x in (sf.get("species"), sf.get("model"), sf.get("comparator"), sf.get("dose")) if x]
                for el in spans:
                    assert texts[el["field"]][el["start"] : el["end"]] == el["text"], el
                # the change is said in the finding's own sentence
                for e in sf["effects"]:
                    assert f.start <= e["cue"]["start"] < f.end and f.start <= e["target"]["start"] < f.end
    assert generated >= 1


def test_summary_numbers_add_up_and_caveats_follow_from_them(digest):
    f = digest.summary["facts"]
    assert f["clinical"] + f["preclinical"] + f["review"] + f["other"] == f["included"]
    en = " ".join(digest.summary["sentences"]["en"])
    assert f"{f['included']} papers were included" in en
    caveats = digest.summary["caveats"]["en"]
    if f["preclinical"]:
        studies = f["clinical"] + f["preclinical"] + f["other"]
        assert f"{f['preclinical']} of {studies} studies were in animals or cells" in caveats[0]
    assert f"Papers dated only by a year: {f['year_only']}" in " ".join(caveats)
    zh = "".join(digest.summary["sentences"]["zh-Hans"])
    assert f"本期共纳入 {f['included']} 篇论文" in zh
    assert "篇論文" in "".join(digest.summary["sentences"]["zh-Hant"])


def test_previous_period_is_counted_from_the_store(digest):
    prev = digest.summary["facts"]["previous"]
    assert (prev["from"], prev["to"]) == ("2015-01", "2015-06")
    assert prev["n"] > 0


def test_status_change_in_the_period_is_reported(report_store, topic):
    """A trial re-imported with a new status shows the change, dated by its last update."""
    from litwatch.screen import record_decision

    rid, trial = next(
        (rid, r) for rid, r in report_store.iter_records(kind="trial")
        if r.trial.status and r.dates.get("first_posted") and r.dates["first_posted"].value[:7] <= "2015-06"
    )
    changed = Record.from_dict(trial.to_dict())
    old = trial.trial.status
    changed.trial.status = "TERMINATED" if old != "TERMINATED" else "COMPLETED"
    changed.dates["last_update"] = DateValue("2015-10-20")
    report_store.upsert([changed])
    record_decision(report_store, topic.name, rid, "include", by="tester")
    d = build(topic, PERIOD, ReportOptions(generated_at=GENERATED, max_trials=5000), store=report_store)
    entry = next(e for e in d.trials["items"] if e.record_id == rid)
    assert entry.group == "updated"
    assert entry.status_changes == [{"old": old, "new": changed.trial.status, "date": "2015-10-20"}]
    md = render(d, "md", "en").decode()
    assert f"{entry.nct}: Status changed from" in md


def test_empty_months_collapse_into_ranges(report_db, topic):
    from litwatch.store import open_store

    with open_store(report_db) as store:
        d = build(topic, EMPTY_PERIOD, ReportOptions(generated_at=GENERATED), store=store)
    assert not any(m.count for m in d.months if m.kind == "month")
    md = render(d, "md", "en").decode()
    assert "_No papers: February–March 2016_" in md
    assert "No included papers this month." not in md
    assert "以下时间没有纳入的论文：2016年2月至3月" in render(d, "md", "zh-Hans").decode()


def test_a_long_period_groups_months_by_year(report_db, topic):
    from litwatch.store import open_store

    with open_store(report_db) as store:
        d = build(topic, ("2013-01", "2016-12"), ReportOptions(generated_at=GENERATED), store=store)
    md = render(d, "md", "en").decode()
    months = md.split("## Month by month")[1].split("## Registered trials")[0]
    years = re.findall(r"^### (\d{4})$", months, re.M)
    assert years and years == sorted(years)
    assert re.search(r"^#### \w+ 2015$", months, re.M)  # months under their year
    assert months.count("_No papers") <= 4 * 6  # never one line a month
    assert d.overview["bars"] == "year" and set(d.overview["per_month"]) == {"2013", "2014", "2015", "2016"}


def test_digest_json_round_trips(digest):
    data = json.loads(json.dumps(digest.to_dict(), ensure_ascii=False))
    again = Digest.from_dict(data)
    assert again.to_dict() == digest.to_dict()
    assert render(again, "md", "en") == render(digest, "md", "en")


def test_provenance_names_versions_and_only_the_runs_behind_the_report(digest):
    from litwatch import __version__

    p = digest.provenance
    assert p["litwatch_version"] == __version__ and p["annotator_version"]
    kinds = {r["kind"] for r in digest.search["runs"]}
    assert "import" in kinds and "report" not in kinds
    assert all(r["status"] != "running" for r in digest.search["runs"])
    assert set(p["run_ids"]) == {r["id"] for r in digest.search["runs"]}
    md = render(digest, "md", "en").decode()
    body, appendix = md.split("## Provenance")
    assert "| #" not in body.split("## Month by month")[0]  # no run table in the method section
    assert "### Store runs behind this report" in appendix


def test_method_names_this_reports_files_and_no_live_query(digest):
    names = {f["name"] for f in digest.search["files"]}
    assert {"medline16n0902.xml.gz", "articles_dev.json"} <= names
    assert all(f["imported"] and f["records"] > 0 for f in digest.search["files"])
    assert digest.search["searches"] == []
    md = render(digest, "md", "en").decode().split("## Overview")[0]
    assert "medline16n0902.xml.gz" in md and "Live searches" not in md
    assert "[Mesh]" not in md  # the profile's PubMed query: no PubMed search made these records
    assert "A record was included when" in md


def test_build_only_reads_and_says_which_papers_lack_annotations(report_store, topic):
    some = next(p for p in build(topic, PERIOD, ReportOptions(generated_at=GENERATED), store=report_store).papers())
    report_store.conn.execute("DELETE FROM annotations WHERE record_id = ?", (some.record_id,))
    before = report_store.conn.total_changes
    d = build(topic, PERIOD, ReportOptions(generated_at=GENERATED), store=report_store)
    assert report_store.conn.total_changes == before
    entry = next(p for p in d.papers() if p.record_id == some.record_id)
    assert not entry.annotated and entry.findings == [] and d.counts["unannotated"] == 1
    assert "not been annotated yet" in render(d, "md", "en").decode()


def test_unchecked_suggestions_get_an_appendix(digest):
    data = digest.to_dict()
    data["suggestions"] = [{"record_id": 7, "label": "include", "score": 0.91, "reason": "ranker P(relevant)=0.91",
                            "title": "A <b>suggested</b> paper"}]
    d = Digest.from_dict(data)
    md = render(d, "md", "en").decode()
    assert "## Suggestions nobody has checked" in md and "#7" in md and "&lt;b&gt;suggested" in md
    html = render(d, "html", "zh-Hans").decode()
    assert 'id="suggestions"' in html and "未经核对的建议" in html and "<b>suggested" not in html
    assert 'id="suggestions"' not in render(digest, "html", "en").decode()


@pytest.mark.parametrize(
    "aff, expected",
    [
        ("Department of Psychiatry, Fudan University, Shanghai 200032, China. x@fudan.edu.cn", "Fudan University"),
        ("Instituto de Investigación Sanitaria Hospital La Paz (IdiPAZ), Madrid, Spain", "Instituto de Investigación Sanitaria Hospital La Paz (IdiPAZ)"),
        ("复旦大学附属华山医院神经内科，上海", "复旦大学附属华山医院神经内科"),
        ("Neurosciences Research Center, Tabriz University of Medical Sciences, Tabriz, Iran", "Tabriz University of Medical Sciences"),
        ("Department of Psychiatry and Psychology, Mayo Clinic, Rochester, MN, USA", "Mayo Clinic"),
        ("Adelaide", None),
        ("Adelaide, South Australia, Australia.", None),
        ("Department of Psychiatry, Tabriz, Iran", None),
        ("Cellular Therapeutics Ltd, Cambridge, UK. Electronic address: a@b.com", "Cellular Therapeutics Ltd"),
    ],
)
def test_lead_institution_is_the_institution_never_a_bare_city(aff, expected):
    assert lead_institution(Record(authors=[Author(family="A", affiliations=[aff, "Other University"])])) == expected


def test_lead_institution_falls_back_to_the_corresponding_author_and_else_says_nothing():
    authors = [Author(family="A"), Author(family="B", affiliations=["Lab of X, Kyoto University, Japan. b@kyoto-u.jp"])]
    assert lead_institution(Record(authors=authors)) == "Kyoto University"
    assert lead_institution(Record(authors=[Author(family="A"), Author(family="B", affiliations=["Oslo University"])])) is None
    assert lead_institution(Record()) is None


def test_lead_institution_on_real_records(digest):
    found = [p.institution for p in digest.papers() if p.institution]
    assert found and all(len(i) < 200 for i in found)
    pattern = re.compile(r"universit|hospital|institut|college|academ|cent(?:re|er)|clinic|school|laborator|"
                         r"foundation|council|ministry|agency|inc|ltd|pharma|大学|医院|研究|中心", re.I)
    assert all(pattern.search(i) for i in found)


def test_bad_periods_are_usage_errors():
    for args in (("2025-13", "2025-12"), ("2025-1", None), ("2025-06", "2025-01"), ("", None)):
        with pytest.raises(UsageError):
            parse_period(*args)
    assert parse_period("2025-01", "2025-12").months()[-1] == "2025-12"
    assert parse_period("2025-01", "2025-03").previous().months() == ["2024-10", "2024-11", "2024-12"]


def test_unknown_topic_is_a_profile_error(report_db):
    from litwatch.store import open_store

    with open_store(report_db) as store, pytest.raises(ProfileError):
        build("no-such-topic", PERIOD, store=store)


def test_empty_store_is_a_report_error(store, topic):
    with pytest.raises(ReportError, match="holds no records"):
        build(topic, PERIOD, store=store)


def test_method_names_the_live_searches_their_warnings_and_only_their_queries(store, topic):
    from litwatch.records import AbstractSection, Ids, Provenance
    from litwatch.screen import record_decision

    run = store.start_run("fetch", {"topic": topic.name, "queries": {"pubmed": "stem cell[tiab] AND tumor[tiab]"},
                                    "date_from": "2015-01-01", "date_to": "2015-12-31"})
    record = Record(ids=Ids(pmid="91000077"), title="Mesenchymal stem cells and tumor growth",
                    abstract=[AbstractSection("Mesenchymal stem cells were given to mice with tumors.")],
                    dates={"electronic": DateValue("2015-08-03")},
                    provenance=[Provenance(source="pubmed", origin="PubMed efetch: stem cell[tiab] AND tumor[tiab] "
                                           "(records 1-1)", retrieved_at="2025-06-01T00:00:00Z", run_id=run)])
    (rid,) = store.upsert([record], run_id=run).record_ids
    store.finish_run(run, "ok", {"warnings": ["PhraseNotFound: stem cell[tiab]"],
                                 "sources": {"pubmed": {"warnings": ["QuotedPhraseNotFound: \"tumour growth\""]}}}, [])
    record_decision(store, topic.name, rid, "include", by="tester")
    d = build(topic, PERIOD, ReportOptions(generated_at=GENERATED), store=store)
    assert d.search["files"] == [] and [s["source"] for s in d.search["searches"]] == ["pubmed"]
    md = render(d, "md", "en").decode().split("## Overview")[0]
    assert "**Live searches**" in md and "stem cell[tiab] AND tumor[tiab]" in md
    assert "PhraseNotFound: stem cell\\[tiab\\]" in md and "QuotedPhraseNotFound" in md
    assert "europepmc" not in md.lower() and "Europe PMC" not in md  # the profile's other queries made nothing here
    zh = render(d, "md", "zh-Hans").decode().split("## 概览")[0]
    assert "**在线检索**" in zh and "**数据库返回的提示**" in zh


def test_the_method_states_the_relation_rules_not_co_occurrence():
    from litwatch.report.method import rules_sentences
    from litwatch.topics import load_topic

    said = rules_sentences(load_topic("stem-cell-depression"))
    assert "studied as a treatment of depression" in said["en"] and "title" in said["en"]
    assert "negated and hypothetical mentions never counted" in said["en"] and "disease modelling" in said["en"]
    assert "name both" not in said["en"]  # the old co-occurrence wording
    assert "作为" in said["zh-Hans"] and "须同时提及" not in said["zh-Hans"] and said["zh-Hans"].endswith("。")
    assert "幹細胞" in said["zh-Hant"]
