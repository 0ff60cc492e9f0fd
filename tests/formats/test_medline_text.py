"""MEDLINE text reader on every real MEDLINE text file of the shared data."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from litwatch.errors import ParseError
from litwatch.formats.base import ParseIssue
from litwatch.formats.medline_text import read_stream, split_structured_abstract
from litwatch.records import Record


def read(path: Path) -> list:
    with open(path, "rb") as f:
        return list(read_stream(f, origin=str(path)))


def records(path: Path) -> dict[str, Record]:
    out = read(path)
    assert all(isinstance(r, Record) for r in out), out
    return {r.ids.pmid: r for r in out}


@pytest.fixture(scope="module")
def folder(shared_data) -> Path:
    return shared_data / "pubmed" / "medline-text"


COUNTS = {"pubmed_result1.txt": 1, "pubmed_result2.txt": 4, "pubmed_result3.txt": 1, "pubmed_result4.txt": 1}


def test_every_file_is_covered(folder):
    assert {p.name for p in folder.glob("*.txt")} == set(COUNTS)


@pytest.mark.parametrize("name, count", sorted(COUNTS.items()))
def test_counts_and_basics(folder, name, count):
    recs = read(folder / name)
    assert len(recs) == count
    for r in recs:
        assert r.ids.pmid.isdigit() and r.title and r.abstract
        assert r.provenance[0].source == "file:medline" and len(r.provenance[0].raw_hash) == 40
        assert Record.from_json(r.to_json()) == r


def test_result1(folder):
    r = records(folder / "pubmed_result1.txt")["12230038"]
    assert r.title == "The Bio* toolkits--a brief overview."
    assert r.abstract_text.startswith("Bioinformatics research is often difficult to do with commercial software. The Open")
    assert r.abstract[0].label is None
    au = r.authors[0]
    assert (au.family, au.given, au.initials) == ("Mangalam", "Harry", "H")
    # the AD line comes before the author in this older record; it is still the first author's
    assert au.affiliations == ["tacg Informatics, Irvine, CA 92612, USA. hjm@tacgi.com"]
    assert (r.journal.title, r.journal.iso_abbrev, r.journal.issn_print) == (
        "Briefings in bioinformatics", "Brief Bioinform", "1467-5463",
    )
    assert (r.journal.volume, r.journal.issue, r.journal.pages) == ("3", "3", "296-302")
    assert (r.dates["issue"].value, r.dates["issue"].precision, r.dates["issue"].raw) == ("2002-09-01", "month", "2002 Sep")
    assert r.dates["created"].value == "2002-09-16"
    assert r.dates["completed"].value == "2003-06-06"
    assert r.dates["last_revised"].value == "2004-11-17"
    assert r.dates["pubmed"].value == "2002-09-17"  # EDAT
    assert r.dates["medline"].value == "2003-06-07"  # MHDA
    majors = {m.descriptor for m in r.mesh if m.major}
    assert majors == {"Computational Biology", "Programming Languages", "Software"}
    assert r.extra["publication_status"] == "ppublish" and r.extra["medline_status"] == "MEDLINE"


def test_structured_abstract_and_qualifiers(folder):
    recs = records(folder / "pubmed_result2.txt")
    r = recs["16403221"]
    assert [(s.label, s.category) for s in r.abstract] == [
        ("BACKGROUND", "BACKGROUND"), ("RESULTS", "RESULTS"), ("CONCLUSION", "CONCLUSIONS"),
    ]
    assert r.abstract[1].text.startswith("We have designed a set of python modules")
    assert "The ASTRAL compendium provides" in r.abstract_text  # continuation line with a trailing space
    assert r.ids.pmcid == "PMC1373603" and r.ids.doi == "10.1186/1471-2105-7-10" and r.ids.pii == "1471-2105-7-10"
    assert r.dates["electronic"].value == "2006-01-10"
    assert r.dates["received"].value == "2005-06-17" and r.dates["accepted"].value == "2006-01-10"
    ira = next(m for m in r.mesh if m.descriptor == "Information Storage and Retrieval")
    assert not ira.major and [(q.name, q.major) for q in ira.qualifiers] == [("methods", True)]
    assert r.publication_types == ["Evaluation Studies", "Journal Article"]
    assert [s.label for s in recs["16377612"].abstract] == ["SUMMARY", "AVAILABILITY", "SUPPLEMENTARY INFORMATION"]
    # a label in the middle of a paragraph that does not open with one is left alone
    assert len(recs["14630660"].abstract) == 1
    assert [a.initials for a in recs["16377612"].authors] == ["L", "JA", "PR", "IK"]


def test_result4_affiliations_and_history(folder):
    r = records(folder / "pubmed_result4.txt")["37195739"]
    assert r.title.startswith("High extracellular glucose promotes cell motility by modulating cell deformability")
    assert "  " not in r.title
    batty = r.authors[1]
    assert batty.family == "Batty" and len(batty.affiliations) == 2
    assert batty.affiliations[0] == (
        "Undergraduate Pipeline Network Summer Research Program, University of New Mexico Health Sciences Center."
    )
    assert r.ids.doi == "10.1091/mbc.e22-12-0560"
    assert r.journal.issn_electronic == "1939-4586" and r.extra["issn_linking"] == "1059-1524"
    assert r.dates["entrez"].value == "2023-05-17" and r.dates["electronic"].value == "2023-05-17"
    assert r.report_month() == "2023-05"
    assert r.extra["medline_status"] == "Publisher"


def test_tags_not_in_the_samples():
    text = "\n".join(
        [
            "PMID- 123",
            "TI  - A trial.",
            "FAU - Doe, Jane",
            "AU  - Doe J",
            "AUID- ORCID: 0000-0002-1825-0097",
            "CN  - The Study Group",
            "SI  - ClinicalTrials.gov/NCT01234567",
            "GR  - R01 AB/12/3/AB/NIH HHS/United States",
            "RIN - Lancet. 2020;1:1. PMID: 999",
            "CIN - BMJ. 2020;2:2. PMID: 998",
            "OT  - exosomes",
            "LA  - eng",
            "LA  - chi",
            "DP  - 2016 Winter",
            "PT  - Preprint",
        ]
    ).encode()
    (r,) = list(read_stream(io.BytesIO(text), origin="t.nbib"))
    assert r.authors[0].orcid == "0000-0002-1825-0097"
    assert r.authors[1].collective == "The Study Group"
    assert [(x.kind, x.databank, x.accession) for x in r.links if x.kind == "databank"] == [
        ("databank", "ClinicalTrials.gov", "NCT01234567")
    ]
    assert r.ids.nct is None
    assert r.grants[0].grant_id == "R01 AB/12/3" and r.grants[0].agency == "NIH HHS"
    assert [(x.kind, x.pmid) for x in r.links if x.kind != "databank"] == [("retracted-by", "999"), ("comment-in", "998")]
    assert r.keywords == ["exosomes"] and r.language == "eng" and r.extra["languages"] == ["eng", "chi"]
    assert (r.dates["issue"].precision, r.dates["issue"].value) == ("season", "2016-01-01")
    assert r.kind == "preprint"


def test_bad_record_is_an_issue_and_the_next_one_reads():
    text = b"PMID- 12x\nTI  - broken\n\nPMID- 5\nTI  - fine\n"
    out = list(read_stream(io.BytesIO(text), origin="t.txt"))
    assert isinstance(out[0], ParseIssue) and out[0].location == "record 1 (line 1)"
    assert isinstance(out[1], Record) and out[1].ids.pmid == "5"


def test_wrong_encoding_is_reported_and_read():
    text = "PMID- 7\nTI  - Caf\u00e9 au lait\n".encode("latin-1")
    out = list(read_stream(io.BytesIO(text), origin="t.txt"))
    assert isinstance(out[0], ParseIssue) and out[0].location == "line 2"
    assert out[1].title == "Caf\u00e9 au lait"


def test_empty_and_other_formats(tmp_path):
    with pytest.raises(ParseError, match="empty"):
        list(read_stream(io.BytesIO(b"\n\n"), origin="e.txt"))
    with pytest.raises(ParseError, match="not MEDLINE"):
        list(read_stream(io.BytesIO(b"TY  - JOUR\nTI  - x\nER  - \n"), origin="x.ris"))


def test_split_structured_abstract():
    secs = split_structured_abstract("OBJECTIVE: To test. MATERIALS AND METHODS: We did. CONCLUSIONS: It works.")
    assert [(s.label, s.category, s.text) for s in secs] == [
        ("OBJECTIVE", "OBJECTIVE", "To test."),
        ("MATERIALS AND METHODS", "METHODS", "We did."),
        ("CONCLUSIONS", "CONCLUSIONS", "It works."),
    ]
    assert [s.label for s in split_structured_abstract("Plain text. No labels here.")] == [None]
