"""BibTeX / BibLaTeX files (fixtures written for these tests in Zotero and Google Scholar style)."""

from __future__ import annotations

import pytest

from litwatch.errors import ParseError

from ._other_helpers import FIXTURES, by_id, read_all, read_bytes


def test_zotero_biblatex_export():
    records, issues = read_all(FIXTURES / "zotero_biblatex.bib")
    assert issues == [] and len(records) == 3
    nejm = by_id(records, "pmid")["29768149"]
    assert nejm.title == "Inhaled Combined Budesonide–Formoterol as Needed in Mild Asthma"
    assert nejm.ids.doi == "10.1056/nejmoa1715274"
    assert len(nejm.authors) == 10 and (nejm.authors[0].family, nejm.authors[0].given) == ("O'Byrne", "Paul M.")
    j = nejm.journal
    assert (j.title, j.iso_abbrev, j.volume, j.issue, j.pages, j.issn_print) == (
        "New England Journal of Medicine", "N Engl J Med", "378", "20", "1865-1876", "0028-4793")
    assert nejm.dates["issue"].value == "2018-05-17" and nejm.keywords == ["Asthma", "Budesonide", "Formoterol Fumarate"]
    scop = by_id(records, "pmid")["16403221"]  # PMID from the note field
    assert scop.title == "A high level interface to SCOP and ASTRAL implemented in Python"
    assert [s.text.split(":")[0] for s in scop.abstract] == ["BACKGROUND", "CONCLUSION"]
    chapter = records[2]
    assert chapter.kind == "other" and chapter.extra["csl_type"] == "chapter"
    assert chapter.journal.publisher == "Palgrave Macmillan US"


def test_latex_group_authors_month_macros_and_a_broken_entry():
    records, issues = read_all(FIXTURES / "scholar_and_latex.bib")
    assert len(records) == 3
    assert [i.location for i in issues] == ["entry 3 (line 22)"]
    first = records[0]
    assert (first.dates["issue"].value, first.dates["issue"].precision) == ("2012-03-01", "month")
    latex = records[1]
    assert latex.title == "Plant-based diets: 50% vegan & Türkiye's α-diet"
    assert [a.display() for a in latex.authors] == ["Nöthlings U", "Dawczynski C", "COPLANT Study Group"]
    assert latex.authors[2].collective == "COPLANT Study Group"
    assert latex.journal.title == "Ernährungs Umschau" and latex.dates["issue"].value == "2024-04-01"
    assert records[2].ids.doi == "10.1101/014852" and records[2].journal.title == "bioRxiv"


def test_not_bibtex_is_a_parse_error():
    with pytest.raises(ParseError):
        read_bytes(b"hello world\n", "bibtex")
