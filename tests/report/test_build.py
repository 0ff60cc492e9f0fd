"""build(): what the Digest says must be true of the store it was built from."""

from __future__ import annotations

import json
import re

import pytest

from litwatch.errors import ProfileError, ReportError, UsageError
from litwatch.records import Author, Record
from litwatch.report import Digest, ReportOptions, build, parse_period, render
from litwatch.report.build import lead_institution

from .conftest import EMPTY_PERIOD, GENERATED, PERIOD


def test_months_are_the_period_in_order(digest):
    assert [m.month for m in digest.months] == ["2015-07", "2015-08", "2015-09", "2015-10", "2015-11", "2015-12"]


def test_every_paper_sits_in_its_report_month(digest, report_db):
    from litwatch.store import open_store

    with open_store(report_db) as store:
        for m in digest.months:
            for p in m.highlights + m.others:
                assert store.get(p.record_id).report_month() == m.month


def test_included_papers_are_those_screened_in(digest, report_db, topic):
    from litwatch.screen import included_ids
    from litwatch.store import open_store

    with open_store(report_db) as store:
        included = set(included_ids(store, topic.name))
        in_period = {
            rid for rid, r in store.iter_records(date_from=PERIOD[0], date_to=PERIOD[1], ids=included)
            if r.kind != "trial"
        }
    assert {p.record_id for p in digest.papers()} == in_period
    assert digest.included == len(in_period) > 20
    assert digest.summary["facts"]["included"] == digest.included
    assert sum(digest.overview["by_design"].values()) == digest.included


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


def test_every_quoted_sentence_is_verbatim_from_its_abstract(digest, report_db):
    from litwatch.store import open_store

    quotes = digest.provenance["quotes"]
    assert len(quotes) >= 5
    with open_store(report_db) as store:
        for q in quotes:
            abstract = store.get(q["record_id"]).abstract_text
            assert abstract[q["start"] : q["end"]] == q["text"]
            assert q["text"] in abstract
    findings = [f for m in digest.months for p in m.highlights for f in p.findings]
    assert len(findings) == len(quotes)


def test_summary_numbers_add_up_and_caveats_follow_from_them(digest):
    f = digest.summary["facts"]
    assert f["clinical"] + f["preclinical"] + f["review"] + f["other"] == f["included"]
    en = " ".join(digest.summary["sentences"]["en"])
    assert f"{f['included']} records were included" in en
    caveats = digest.summary["caveats"]["en"]
    if f["preclinical"]:
        studies = f["clinical"] + f["preclinical"] + f["other"]
        assert f"{f['preclinical']} of {studies} studies were in animals or cells" in caveats[0]
    zh = "".join(digest.summary["sentences"]["zh-Hans"])
    assert f"本期共纳入 {f['included']} 条记录" in zh
    assert "條記錄" in "".join(digest.summary["sentences"]["zh-Hant"])


def test_previous_period_is_counted_from_the_store(digest):
    prev = digest.summary["facts"]["previous"]
    assert (prev["from"], prev["to"]) == ("2015-01", "2015-06")
    assert prev["n"] > 0


def test_trials_registered_by_the_end_of_the_period(digest):
    items = digest.trials["items"]
    assert items and digest.trials["total"] >= len(items)
    for e in items:
        assert re.fullmatch(r"NCT\d{8}", e.nct)
        assert e.first_posted is None or e.first_posted[:7] <= PERIOD[1]
        if e.new_in_period:
            assert PERIOD[0] <= e.first_posted[:7] <= PERIOD[1]
    assert digest.trials["new"] >= 1  # the MSC export has trials first posted in late 2015


def test_status_change_in_the_period_is_reported(report_store, topic):
    """A trial re-imported with a new status shows the change, dated by its last update."""
    from litwatch.store import open_store  # noqa: F401

    rid, trial = next(
        (rid, r) for rid, r in report_store.iter_records(kind="trial")
        if r.trial.status and r.dates.get("first_posted") and r.dates["first_posted"].value[:7] <= "2015-09"
    )
    from litwatch.records import DateValue
    from litwatch.screen import record_decision

    changed = Record.from_dict(trial.to_dict())
    old = trial.trial.status
    changed.trial.status = "TERMINATED" if old != "TERMINATED" else "COMPLETED"
    changed.dates["last_update"] = DateValue("2015-10-20")
    report_store.upsert([changed])
    record_decision(report_store, topic.name, rid, "include", by="tester")
    d = build(topic, PERIOD, ReportOptions(generated_at=GENERATED, max_trials=5000), store=report_store)
    entry = next(e for e in d.trials["items"] if e.record_id == rid)
    assert entry.status_changes == [{"old": old, "new": changed.trial.status, "date": "2015-10-20"}]
    md = render(d, "md", "en").decode()
    assert f"{entry.nct}: Status changed from" in md


def test_empty_period_gives_a_valid_report_that_says_so(report_db, topic):
    from litwatch.store import open_store

    with open_store(report_db) as store:
        d = build(topic, EMPTY_PERIOD, ReportOptions(generated_at=GENERATED), store=store)
    assert d.included == 0 and d.references == []
    md = render(d, "md", "en").decode()
    assert md.count("No included papers this month.") == 2
    assert "No records were included for this period." in md
    assert "本月没有纳入的论文。" in render(d, "md", "zh-Hans").decode()


def test_digest_json_round_trips(digest):
    data = json.loads(json.dumps(digest.to_dict(), ensure_ascii=False))
    again = Digest.from_dict(data)
    assert again.to_dict() == digest.to_dict()
    assert render(again, "md", "en") == render(digest, "md", "en")


def test_provenance_names_versions_and_runs(digest):
    from litwatch import __version__

    p = digest.provenance
    assert p["litwatch_version"] == __version__
    assert p["annotator_version"]
    kinds = {r["kind"] for r in digest.search["runs"]}
    assert "import" in kinds
    assert set(p["run_ids"]) == {r["id"] for r in digest.search["runs"]}


def test_prisma_counts_come_from_screening(digest):
    pc = digest.search["prisma"]
    assert pc["included"] >= digest.included
    assert sum(pc["identified"].values()) >= pc["screened"]


@pytest.mark.parametrize(
    "aff, expected",
    [
        ("Department of Psychiatry, Fudan University, Shanghai 200032, China. x@fudan.edu.cn", "Fudan University"),
        ("Instituto de Investigación Sanitaria Hospital La Paz (IdiPAZ), Madrid, Spain", "Instituto de Investigación Sanitaria Hospital La Paz (IdiPAZ)"),
        ("复旦大学附属华山医院神经内科，上海", "复旦大学附属华山医院神经内科"),
        ("Neurosciences Research Center, Tabriz University of Medical Sciences, Tabriz, Iran", "Tabriz University of Medical Sciences"),
    ],
)
def test_lead_institution_is_cut_from_the_first_affiliation(aff, expected):
    assert lead_institution(Record(authors=[Author(family="A", affiliations=[aff, "Other Univ"])])) == expected


def test_lead_institution_on_real_records(digest):
    found = [p.institution for p in digest.papers() if p.institution]
    assert found and all(len(i) < 200 for i in found)


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
