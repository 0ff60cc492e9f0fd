"""RIS files as reference managers and databases export them (fixtures written for these tests)."""

from __future__ import annotations

import pytest

from litwatch.errors import ParseError

from litwatch.report.entries import lead_institution, placement

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
    # Zotero's DA is the item's date; down to the day it is the day the work came out online
    assert preprint.dates["electronic"].value == "2015-02-04" and preprint.dates["issue"].precision == "year"


def test_endnote_pubmed_export_crlf_wrapped_issn_and_n2_abstract():
    records, issues = read_all(FIXTURES / "endnote_pubmed.ris")
    assert issues == [] and len(records) == 3
    first = records[0]
    assert (first.ids.pmid, first.ids.doi) == ("37195739", "10.1091/mbc.e22-12-0560")
    assert first.journal.issn_electronic == "1939-4586"
    assert len(first.abstract) == 2 and first.abstract[1].text.startswith("Our study identifies")
    assert [a.initials for a in first.authors] == ["M", "S", "N", "TH"]
    assert first.year == 2023  # "DA - May 17" has no year: PY decides
    assert (first.dates["electronic"].value, first.dates["issue"].precision) == ("2023-05-17", "year")
    assert first.authors[0].affiliations == ["Department of Pathology, School of Medicine."]
    assert records[1].dates["issue"].value == "2002-09-01" and "electronic" not in records[1].dates  # "DA - Sep"
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


def _dates(record) -> dict[str, tuple[str, str]]:
    return {k: (d.value, d.precision) for k, d in record.dates.items()}


def test_zotero_dates_and_html_notes():
    records, issues = read_all(FIXTURES / "zotero_dates_notes.ris")
    assert issues == []
    online, monthly, preprint = records
    # "online 19 Feb 2025": a DA to the day is the online date, PY the issue's year
    assert _dates(online) == {"electronic": ("2025-02-19", "day"), "issue": ("2025-01-01", "year")}
    assert online.report_month() == "2025-02"
    assert online.publication_types == ["Journal Article", "Systematic Review"]  # from an HTML note
    assert online.ids.pmid == "39990001"  # Zotero keeps it as "PMID: n" (its AN is an archive location)
    assert all(not a.affiliations for a in online.authors)  # Zotero writes no AD
    # a month is the issue's; Y2 is the access date and dates nothing
    assert _dates(monthly) == {"issue": ("2025-05-01", "month")}
    assert monthly.publication_types == []  # a note that names no type is no type
    assert _dates(preprint)["electronic"] == ("2024-08-30", "day")


def test_pubmed_style_addresses_belong_to_the_author_before_them():
    records, issues = read_all(FIXTURES / "pubmed_style_addresses.ris")
    assert issues == []
    trial, review, bare = records
    assert [a.affiliations for a in trial.authors] == [
        ["Department of Psychiatry, First Hospital of Example University, Hangzhou, China."],
        ["School of Pharmacy, University of Lagos, Lagos, Nigeria.",
         "Institute for Brain Research, Sample Academy of Sciences, Abuja, Nigeria."],
        [],
    ]
    assert lead_institution(trial) == "First Hospital of Example University"
    assert trial.publication_types == ["Journal Article", "Randomized Controlled Trial"]
    # online in the year before its issue's
    assert _dates(trial) == {"electronic": ("2024-11-28", "day"), "issue": ("2025-01-01", "year")}
    assert trial.ids.pmid == "39912345"  # a bare AN, no DB: a PMID
    assert review.ids.pmid is None  # ten digits are no PMID
    assert review.publication_types == ["Review"] and [len(a.affiliations) for a in review.authors] == [1, 1]
    assert bare.ids.pmid == "38800002"  # the note's PMID; the bare AN is not taken over it


def test_endnote_and_database_exports():
    records, issues = read_all(FIXTURES / "endnote_and_databases.ris")
    assert issues == []
    endnote, embase, cinahl, ebsco_medline, pmc, scopus = records
    # EndNote's Author Address: an address a line, nobody's in particular -> the first author
    assert endnote.authors[0].affiliations == ["Department of Neurology, Example Medical University, Krakow, Poland",
                                               "Center for Cell Therapy, Sample Institute, Vienna, Austria"]
    assert [a.affiliations for a in endnote.authors[1:]] == [[], []]
    assert lead_institution(endnote) == "Example Medical University"
    # ET is EndNote's Epub Date; DA then refines the issue date within PY's year
    assert _dates(endnote) == {"electronic": ("2024-01-15", "day"), "issue": ("2024-03-04", "day")}
    assert endnote.publication_types == ["Journal Article", "Research Support, Non-U.S. Gov't"]
    assert endnote.ids.pmid == "38123456"  # DB NLM
    assert embase.publication_types == ["Article"]  # inside a longer structured note
    # accession numbers of other databases are digits too, and no PMIDs
    assert [r.ids.pmid for r in (embase, cinahl, pmc)] == [None, None, None]
    assert ebsco_medline.ids.pmid == "34001234"  # DB MEDLINE Complete (by EBSCOhost)
    # Scopus: one AD an affiliation, after the authors; a DA after PY's year is its export date
    assert scopus.authors[0].affiliations == ["University of Example, Department of Psychology, Oslo, Norway",
                                              "Example Hospital Trust, Bergen, Norway"]
    assert _dates(scopus) == {"issue": ("2024-01-01", "year")} and scopus.publication_types == ["Review"]


def test_addresses_of_a_reference_without_authors_are_kept():
    records, _ = read_bytes(b"TY  - RPRT\nTI  - A report\nAD  - Example Institute, Lyon, France\nER  - \n", "ris")
    assert records[0].authors == [] and records[0].extra["affiliation"] == "Example Institute, Lyon, France"


def _roundup(shared_data):
    path = shared_data.parent / "examples" / "roundup-references.ris"
    if not path.exists():
        pytest.skip("the shared examples (roundup-references.ris) are not here")
    return path


def test_the_roundup_references_get_their_institutions_online_dates_and_types(shared_data):
    records, issues = read_all(_roundup(shared_data))
    assert issues == [] and len(records) == 9
    by_doi = {r.ids.doi: r for r in records}
    wjp = by_doi["10.5498/wjp.v15.i3.102643"]
    assert wjp.ids.pmid == "40110012" and lead_institution(wjp) == "Affiliated Guangji Hospital of Soochow University"
    assert placement(wjp)[:3] == ("online", wjp.dates["electronic"], "2025-03")
    assert wjp.dates["electronic"].value == "2025-03-19" and wjp.dates["issue"].precision == "year"
    # every DA of the file is an online date, every AN a PMID, every N1 a publication type
    assert sum("electronic" in r.dates for r in records) == 5
    assert sorted(r.ids.pmid for r in records if r.ids.pmid) == ["40110012", "40740530", "40749295", "40885451",
                                                                 "41015852"]
    assert sum(bool(r.authors[0].affiliations) for r in records) == 3
    assert [r.publication_types for r in records].count(["Review"]) == 5


def test_import_then_show_tells_the_online_date_and_the_institution(cli, shared_data, db_file):
    imported = cli("import", _roundup(shared_data), "--db", db_file)
    assert imported.exit_code == 0 and "new 9" in imported.output
    shown = cli("show", "40110012", "--db", db_file)
    assert shown.exit_code == 0
    assert "dates: electronic 2025-03-19  issue 2025" in shown.output
    assert "first author's affiliation: Laboratory Medicine" in shown.output
    assert "types: Review" in shown.output
