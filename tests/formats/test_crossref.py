"""Crossref REST /works replies: one work and work lists."""

from __future__ import annotations

import json

import pytest

from litwatch.formats.crossref import jats_abstract, record_from_work

from ._other_helpers import by_id, read_all, read_bytes


@pytest.fixture(scope="module")
def author_query(shared_data):
    return read_all(shared_data / "crossref/works_query_author.json")


def test_single_work_in_full(shared_data):
    records, issues = read_all(shared_data / "crossref/works_10.1371_journal.pone.0033693.json")
    assert issues == [] and len(records) == 1
    r = records[0]
    assert r.ids.doi == "10.1371/journal.pone.0033693" and r.kind == "article"
    assert r.title.startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")
    assert len(r.references) == 70
    assert sum(1 for ref in r.references if ref.doi) == 63
    assert r.references[0].doi == "10.1038/sj.npp.1301164"
    assert [(a.family, a.given) for a in r.authors][:2] == [("Sadasivan", "Shankar"), ("Pond", "Brooks B.")]
    assert len(r.authors) == 6
    j = r.journal
    assert (j.title, j.issn_electronic, j.volume, j.issue, j.pages, j.publisher) == (
        "PLoS ONE", "1932-6203", "7", "3", "e33693", "Public Library of Science (PLoS)")
    assert r.dates["electronic"].value == "2012-03-21" and r.dates["electronic"].precision == "day"
    assert [(x.kind, x.doi) for x in r.links] == [("correction-in", "10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda")]
    assert r.language == "en"


def test_work_list_counts_and_kinds(author_query):
    records, issues = author_query
    assert issues == [] and len(records) == 20
    kinds = [r.kind for r in records]
    assert kinds.count("article") == 15 and kinds.count("preprint") == 3 and kinds.count("other") == 2
    assert sum(1 for r in records if r.abstract) == 14


def test_print_date_has_month_precision_and_online_date_day(author_query):
    r = by_id(author_query[0], "doi")["10.1111/ele.14024"]
    assert (r.dates["issue"].value, r.dates["issue"].precision) == ("2022-07-01", "month")
    assert (r.dates["electronic"].value, r.dates["electronic"].precision) == ("2022-05-30", "day")
    assert r.authors[0].orcid == "0000-0002-1642-628X"
    assert r.journal.issn_print == "1461-023X" and r.journal.issn_electronic == "1461-0248"
    assert any(g.grant_id == "1942280" for g in r.grants)


def test_relations_are_links(author_query):
    records = by_id(author_query[0], "doi")
    assert [(x.kind, x.doi) for x in records["10.1002/ece3.2314"].links] == [("has-preprint", "10.1101/014852")]
    assert any(x.kind == "has-review" for x in records["10.1111/ele.14024"].links)
    assert records["10.1101/014852"].kind == "preprint"


def test_jats_abstract_lists_become_paragraph_sections(author_query):
    r = by_id(author_query[0], "doi")["10.1111/2041-210x.14013"]
    assert len(r.abstract) == 4
    assert r.abstract[0].text.startswith("In the current age of a rapidly changing environment")
    assert "jats:" not in r.abstract_text and "Abstract" != r.abstract[0].text


def test_markup_in_titles_keeps_its_text(author_query):
    titles = {r.title for r in author_query[0]}
    assert "Treebase: an R package for discovery, access and manipulation of online phylogenies" in titles


def test_jats_abstract_sections_keep_their_titles():
    raw = ("<jats:sec><jats:title>Background</jats:title><jats:p>One <jats:italic>in vivo</jats:italic>.</jats:p>"
           "</jats:sec><jats:sec><jats:title>Results</jats:title><jats:p>Two &amp; three.</jats:p></jats:sec>")
    assert [(s.label, s.text) for s in jats_abstract(raw)] == [("Background", "One in vivo."), ("Results", "Two & three.")]


def test_update_to_retraction():
    work = {"DOI": "10.1/RETRACTION", "type": "journal-article", "title": ["Retraction notice"],
            "update-to": [{"DOI": "10.1/original", "type": "retraction", "label": "Retraction"}],
            "relation": {"is-preprint-of": [{"id-type": "doi", "id": "10.1/published"}]}}
    r = record_from_work(work, origin="q")
    assert [(x.kind, x.doi) for x in r.links] == [("retraction-of", "10.1/original"), ("published-as", "10.1/published")]
    assert r.ids.doi == "10.1/retraction"


def test_bad_work_in_a_list_is_reported(shared_data):
    data = json.loads((shared_data / "crossref/works_query.json").read_text())
    data["message"]["items"].append({"title": ["no DOI"]})
    records, issues = read_bytes(json.dumps(data).encode(), "crossref")
    assert len(records) == 2 and [i.location for i in issues] == ["work 3"]
    assert records[0].extra["csl_type"] == "entry"
