"""Format detection from the content, and the read_file entry point."""

from __future__ import annotations

import gzip

import pytest

from litwatch.errors import ParseError, UsageError
from litwatch.formats import read_file
from litwatch.formats.detect import detect_bytes, detect_format

from ._other_helpers import FIXTURES

REAL_FILES = {
    "clinicaltrials/api-v2/nct03722472.json": "ctgov-json",
    "clinicaltrials/legacy-csv/clinicalMesenchymal.csv": "ctgov-csv",
    "crossref/works_10.1371_journal.pone.0033693.json": "crossref",
    "crossref/works_query.json": "crossref",
    "europepmc/search_cancer_core.json": "europepmc",
    "europepmc/search_cancer_idlist.json": "europepmc",
    "europepmc/search_no_results.json": "europepmc",
    "gutbrain/articles_dev.json": "json-articles",
    "pmc/pone.0000217.nxml": "jats",
    "pmc/1471-2180-11-174.nxml": "jats",
    "pubmed/medline-text/pubmed_result2.txt": "medline",
    "pubmed/medline16n0902.xml.gz": "pubmed-xml",
    "pubmed/test_current_medline.xml.gz": "pubmed-xml",
    "pubmed/pubmed1.xml": "pubmed-xml",
    "screening/Kitchenham_2010.csv": "csv",
    "screening/Cohen_2006_ACEInhibitors.csv": "csv",
}


@pytest.mark.parametrize(("path", "fmt"), sorted(REAL_FILES.items()))
def test_real_files(shared_data, path, fmt):
    assert detect_format(shared_data / path) == fmt


@pytest.mark.parametrize(("name", "fmt"), [
    ("zotero_export.ris", "ris"), ("endnote_pubmed.ris", "ris"), ("damaged.ris", "ris"),
    ("zotero_biblatex.bib", "bibtex"), ("scholar_and_latex.bib", "bibtex")])
def test_fixtures(name, fmt):
    assert detect_format(FIXTURES / name) == fmt


def test_gzip_is_looked_into(tmp_path, shared_data):
    path = tmp_path / "export.json.gz"
    path.write_bytes(gzip.compress((shared_data / "crossref/works_query.json").read_bytes()))
    assert detect_format(path) == "crossref"
    assert len(list(read_file(path))) == 2


def test_entrez_reply_is_not_a_record_format(shared_data):
    with pytest.raises(ParseError) as err:
        detect_format(shared_data / "pubmed/entrez/esearch1.xml")
    assert "eSearchResult" in err.value.one_line() and "--format" in err.value.one_line()


def test_unknown_content_lists_the_formats(shared_data):
    with pytest.raises(ParseError) as err:
        detect_format(shared_data / "pubmed/entrez/ecitmatch.txt")
    assert "unknown file format" in str(err.value) and "ris" in err.value.hint


@pytest.mark.parametrize("content", [b"", b"\n  \n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.ris"
    path.write_bytes(content)
    with pytest.raises(ParseError, match="empty file"):
        detect_format(path)


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(ParseError, match="file not found"):
        list(read_file(tmp_path / "nope.ris"))
    with pytest.raises(UsageError, match="unknown format"):
        list(read_file(FIXTURES / "damaged.ris", "endnote-xml"))


@pytest.mark.parametrize(("head", "fmt"), [
    (b'[{"id": "x", "type": "article-journal", "title": "T"}]', "csl-json"),
    (b'{"studies": [], "nextPageToken": null}', "ctgov-json"),
    (b"TY  - JOUR\r\nTI  - x\r\nER  - \r\n", "ris"),
    (b"% comment\n@Article{key,\n title={x}}", "bibtex"),
    (b"Title\tAbstract\nA\tB\n", "csv"),
    (b"record_id,abstract\n1,x\n", "csv"),  # csv_table then names the missing title column
])
def test_small_samples(head, fmt):
    assert detect_bytes(head) == fmt


def test_explicit_format_skips_detection(shared_data):
    records = list(read_file(shared_data / "screening/Nagtegaal_2019.csv", "csv"))
    assert len(records) == 2019
