"""RIS files as reference managers and databases export them (fixtures written for these tests)."""

from __future__ import annotations

import pytest

from litwatch.errors import ParseError

from ._other_helpers import FIXTURES, by_id, read_all, read_bytes


@pytest.fixture(scope="module")
def zotero():
    return read_all(FIXTURES / "zotero_export.ris")


def test_zotero_export_reads_every_reference(zotero):
    records, issues = zotero
    assert issues == []
    assert [r.kind for r in records] == ["article", "article", "other", "preprint"]


def test_zotero_journal_article_in_full(zotero):
    r = zotero[0][0]
    assert r.title == "The Bio* toolkits--a brief overview"
    assert (r.ids.pmid, r.ids.doi) == ("12230038", "10.1093/bib/3.3.296")
    assert [(a.family, a.given) for a in r.authors] == [("Mangalam", "Harry")]
    j = r.journal
    assert (j.title, j.iso_abbrev, j.volume, j.issue, j.pages, j.issn_print) == (
        "Briefings in Bioinformatics", "Brief Bioinform", "3", "3", "296-302", "1467-5463")
    assert (r.dates["issue"].value, r.dates["issue"].precision) == ("2002-09-01", "month")
    assert r.abstract_text.startswith("Bioinformatics research is often difficult")
    assert r.keywords == ["Computational Biology", "Programming Languages", "Software"]
    assert r.language == "eng" and r.provenance[0].location == "reference 1 (line 1)"


def test_zotero_chapter_and_preprint(zotero):
    records = by_id(zotero[0], "doi")
    chapter = records["10.1057/9781137282262_8"]
    assert chapter.extra["csl_type"] == "chapter" and chapter.journal.title == "Ecology and Revolution"
    assert chapter.journal.pages == "197-207" and chapter.year == 2012
    preprint = records["10.1101/014852"]
    assert [a.family for a in preprint.authors] == ["Perkins", "Boettiger", "Phillips"]
    assert preprint.dates["issue"].value == "2015-02-04"


def test_endnote_pubmed_export_crlf_wrapped_issn_and_n2_abstract():
    records, issues = read_all(FIXTURES / "endnote_pubmed.ris")
    assert issues == [] and len(records) == 3
    first = records[0]
    assert (first.ids.pmid, first.ids.doi) == ("37195739", "10.1091/mbc.e22-12-0560")
    assert first.journal.issn_electronic == "1939-4586"
    assert len(first.abstract) == 2 and first.abstract[1].text.startswith("Our study identifies")
    assert [a.initials for a in first.authors] == ["M", "S", "N", "TH"]
    assert first.year == 2023  # "DA - May 17" has no year: PY decides
    trial = records[2]
    assert trial.kind == "trial" and trial.ids.nct == "NCT03608631" and trial.trial is not None


def test_damaged_file_reads_what_it_can():
    records, issues = read_all(FIXTURES / "damaged.ris")
    assert [r.title for r in records] == [
        "Citalopram in major depression: a café study",
        "Mesenchymal stem cells and depression-like behaviour in rats",  # no ER at the end of the file
    ]
    assert records[0].authors[0].family == "Müller"
    assert [i.location for i in issues] == ["line 2", "reference 2 (line 7)"]
    assert "cp1252" in issues[0].message and "title" in issues[1].message


def test_file_without_references_is_a_parse_error():
    with pytest.raises(ParseError, match="no RIS references"):
        read_bytes(b"just some text\n", "ris")


def test_empty_file_is_a_parse_error():
    with pytest.raises(ParseError, match="empty file"):
        read_bytes(b"\xef\xbb\xbf\n\n", "ris")
