"""GutBrainIE article collections: JSON objects keyed by PMID."""

from __future__ import annotations

import json

import pytest

from ._other_helpers import read_all, read_bytes


@pytest.mark.parametrize(("name", "count", "first_year", "last_year"), [
    ("articles_dev.json", 40, 2015, 2024),
    ("articles_train_platinum.json", 111, 2014, 2024),
    ("articles_train_gold.json", 208, 2011, 2024),
    ("articles_train_silver.json", 499, 2020, 2024),
    ("articles_train_bronze.json", 749, 2015, 2025),
])
def test_collections(shared_data, name, count, first_year, last_year):
    records, issues = read_all(shared_data / "gutbrain" / name)
    assert issues == [] and len(records) == count
    assert all(r.ids.pmid and r.ids.pmid.isdigit() and r.abstract for r in records)
    assert (min(r.year for r in records), max(r.year for r in records)) == (first_year, last_year)


def test_the_five_files_hold_1607_distinct_pmids(shared_data):
    pmids = set()
    for path in sorted((shared_data / "gutbrain").glob("*.json")):
        pmids |= {r.ids.pmid for r in read_all(path)[0]}
    assert len(pmids) == 1607


def test_one_article_in_full(shared_data):
    records, _ = read_all(shared_data / "gutbrain/articles_dev.json")
    r = next(r for r in records if r.ids.pmid == "36532064")
    assert r.title == "Hypothesis of a potential BrainBiota and its relation to CNS autoimmune inflammation."
    assert (r.authors[0].family, r.authors[0].given) == ("Elkjaer", "Maria L")
    assert r.authors[8].family == "Röttger" and len(r.authors) == 10
    assert r.journal.title == "Frontiers in immunology" and r.year == 2022


def test_bad_member_is_reported():
    data = {"1": {"title": "Good", "year": "2020"}, "2": "not an object"}
    records, issues = read_bytes(json.dumps(data).encode(), "json-articles")
    assert [r.ids.pmid for r in records] == ["1"] and [i.location for i in issues] == ["article 2 (key '2')"]


def test_control_character_in_a_key_stops_at_the_damage():
    """Found by the mutation test: a NUL inside a PMID key made the salvage step itself crash."""
    text = '{"1": {"title": "Good", "year": "2020"}, "2\x00": {"title": "Bad"}}'
    records, issues = read_bytes(text.encode(), "json-articles")
    assert [r.ids.pmid for r in records] == ["1"]
    assert any("not valid JSON" in i.message for i in issues)
