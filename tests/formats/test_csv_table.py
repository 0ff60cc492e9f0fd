"""CSV tables with title/abstract columns: the SYNERGY / ASReview screening sets."""

from __future__ import annotations

import pytest

from litwatch.errors import ParseError

from ._other_helpers import read_all, read_bytes


@pytest.mark.parametrize(("name", "rows", "included", "without_abstract"), [
    ("Nagtegaal_2019.csv", 2019, 101, 169),
    ("Kitchenham_2010.csv", 1704, 45, 4),
    ("Cohen_2006_ACEInhibitors.csv", 2544, 41, 330),
])
def test_screening_sets(shared_data, name, rows, included, without_abstract):
    records, issues = read_all(shared_data / "screening" / name, "csv")
    assert issues == [] and len(records) == rows
    assert sum(r.extra.get("prior_label") == 1 for r in records) == included
    assert sum(r.extra.get("prior_label") == 0 for r in records) == rows - included
    assert sum(1 for r in records if not r.abstract) == without_abstract


def test_abstract_screening_labels_are_kept(shared_data):
    records, _ = read_all(shared_data / "screening/Nagtegaal_2019.csv")
    assert sum(r.extra.get("label_abstract_screening") == 1 for r in records) == 392
    assert records[0].title.startswith("A prospective, controlled trial of a pharmacy-driven alert system")
    assert records[0].year is None  # no year column


def test_cohen_pubmed_ids_authors_and_years(shared_data):
    records, _ = read_all(shared_data / "screening/Cohen_2006_ACEInhibitors.csv")
    first = records[0]
    assert first.ids.pmid == "10024335" and first.year == 1999
    assert [a.display() for a in first.authors][:2] == ["Nazzaro P", "Manzari M"]
    assert sum(1 for r in records if not r.title) == 26  # kept: they still carry a PMID and a label
    assert all(r.ids.pmid for r in records if not r.title)


def test_kitchenham_comma_separated_full_names(shared_data):
    records, _ = read_all(shared_data / "screening/Kitchenham_2010.csv")
    assert [(a.family, a.given) for a in records[1].authors] == [
        ("Davis", "Alan"), ("Hickey", "Ann"), ("Dieste", "Oscar"), ("Juristo", "Natalia"), ("Moreno", "Ana")]
    assert records[1].year == 2007


def test_aliases_semicolons_and_labels():
    data = 'pubmedID;Primary Title;Abstract;Included;Authors\n123;A title;Text;yes;"Smith, J; Doe, A"\n'
    records, issues = read_bytes(data.encode("utf-8-sig"), "csv")
    assert issues == []
    r = records[0]
    assert (r.ids.pmid, r.title, r.abstract_text, r.extra["prior_label"]) == ("123", "A title", "Text", 1)
    assert [a.family for a in r.authors] == ["Smith", "Doe"]


def test_csv_without_title_column_names_its_columns():
    with pytest.raises(ParseError) as err:
        read_bytes(b"record_id,abstract,year\n1,Text,2020\n", "csv", origin="refs.csv")
    assert "refs.csv" in err.value.one_line() and "record_id, abstract, year" in err.value.one_line()


def test_row_without_title_or_id_is_reported():
    records, issues = read_bytes(b"title,abstract\nGood,one\n,orphan abstract\n", "csv")
    assert [r.title for r in records] == ["Good"]
    assert [i.location for i in issues] == ["row 2 (line 3)"]


def test_latin1_file_is_read_with_a_warning():
    records, issues = read_bytes("title\nCaf\xe9 study\n".encode("latin-1"), "csv")
    assert records[0].title == "Café study"
    assert [i.location for i in issues] == ["line 2"]
