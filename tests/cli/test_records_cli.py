"""import / search / show / stats / export through the CLI on real files and a real SQLite file."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest

from litwatch.store import open_store


def test_import_trials_twice_then_search_show_and_stats(cli, shared_data, db_file):
    csv = shared_data / "clinicaltrials/legacy-csv/clinicalMesenchymalExosome.csv"
    first = cli("import", csv, "--db", db_file)
    assert first.exit_code == 0, first.output
    assert "read 18, new 18" in first.output and "errors 0" in first.output
    second = cli("import", csv, "--db", db_file)
    assert "new 0, updated 0, unchanged 18" in second.output
    with open_store(db_file) as store:
        assert store.count("trial") == 18
        runs = store.runs(kind="import")
        assert [r["status"] for r in runs] == ["ok", "ok"]

    hits = cli("search", "exosome*", "--kind", "trial", "--json", "--db", db_file)
    rows = [json.loads(line) for line in hits.output.splitlines()]
    assert rows and all(r["kind"] == "trial" for r in rows)
    nct = rows[0]["ids"]

    shown = cli("show", nct, "--json", "--db", db_file)
    data = json.loads(shown.output)
    assert data["record"]["ids"]["nct"] == nct
    assert data["sources"][0]["source"] == "file:ctgov-csv" and data["sources"][0]["origin"] == str(csv)

    stats = json.loads(cli("stats", "--json", "--db", db_file).output)
    assert stats["records"] == 18 and stats["by_kind"] == {"trial": 18}


def test_the_same_work_from_three_sources_is_one_record(cli, shared_data, db_file):
    study = shared_data / "clinicaltrials/api-v2/nct06323538.json"
    assert cli("import", study, "--db", db_file).exit_code == 0
    with open_store(db_file) as store:
        rid, record = store.find("NCT06323538")
        assert record.kind == "trial"
    # re-importing the study as a list reply ({"studies": [...]}) from another file is the same item
    wrapped = db_file.parent / "page.json"
    wrapped.write_text(json.dumps({"studies": [json.loads(study.read_text())]}))
    result = cli("import", wrapped, "--db", db_file)
    assert "new 0" in result.output


def citation_year(record):
    """The year a reference list prints: the issue's year, else the earliest known."""
    issue = record.dates.get("issue")
    return issue.year if issue else record.year


def test_export_then_import_round_trips(cli, shared_data, db_file, tmp_path):
    assert cli("import", shared_data / "crossref/works_query_author.json", "--db", db_file).exit_code == 0
    with open_store(db_file) as store:
        original = {r.ids.doi: r for _, r in store.iter_records()}
    for fmt in ("ris", "bibtex", "csl-json", "csv"):
        out = tmp_path / f"out.{fmt}"
        result = cli("export", "--format", fmt, "-o", out, "--db", db_file)
        assert f"Wrote {len(original)} record(s)" in result.output
        fresh = tmp_path / f"{fmt}.db"
        assert cli("import", out, "--db", fresh).exit_code == 0
        with open_store(fresh) as store:
            back = {r.ids.doi: r for _, r in store.iter_records()}
        assert back.keys() == original.keys(), fmt
        for doi, record in original.items():
            assert back[doi].title == record.title, (fmt, doi)
            assert citation_year(back[doi]) == citation_year(record), (fmt, doi)
            assert [a.family for a in back[doi].authors] == [a.family for a in record.authors], (fmt, doi)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.xml", b"", "empty"),
        ("notes.txt", b"just some words, not a bibliography\n", "format"),
        ("no-title.csv", b"name,abstract\nx,y\n", "title"),
    ],
)
def test_unreadable_file_is_one_line_naming_it_and_exit_2(cli, db_file, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = cli("import", path, "--db", db_file)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: ") and str(path) in lines[-1] and message in lines[-1].lower()
    assert "Traceback" not in result.output


def test_good_records_of_a_damaged_file_still_land(cli, shared_data, db_file, tmp_path):
    # a gzip file cut in the middle: the records before the cut are stored, the cut is reported
    data = gzip.decompress((shared_data / "pubmed/medline16n0902.xml.gz").read_bytes())
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(gzip.compress(data)[: len(gzip.compress(data)) // 2])
    result = cli("import", cut, "--db", db_file)
    assert result.exit_code == 0
    assert "errors 1" in result.output and str(cut) in result.stderr
    with open_store(db_file) as store:
        stored = store.count()
    assert 100 < stored < 604
    # the other file of the same command still lands
    csv = tmp_path / "trials.csv"
    shutil.copy(shared_data / "clinicaltrials/legacy-csv/clinicalMesenchymalExosome.csv", csv)
    assert "new 18" in cli("import", cut, csv, "--db", db_file).output


def test_unknown_format_name_is_a_user_error(cli, shared_data, db_file):
    result = cli("import", shared_data / "pubmed/pubmed1.xml", "--format", "word", "--db", db_file)
    assert result.exit_code == 2 and "unknown format 'word'" in result.stderr


def test_a_file_repeating_an_item_imports_idempotently(cli, db_file, tmp_path):
    # the same PMID twice with different labels, and one row repeated word for word
    path = tmp_path / "screened.csv"
    path.write_text(
        "title,abstract,pmid,year,label_included\n"
        "MSC exosomes in CUMS mice,Exosomes reduced despair.,111,2025,1\n"
        "MSC exosomes in CUMS mice,Exosomes reduced despair.,111,2025,0\n"
        "Adipose MSCs and anxiety,No effect on anxiety.,,2024,0\n"
        "Adipose MSCs and anxiety,No effect on anxiety.,,2024,0\n",
        encoding="utf-8",
    )
    first = cli("import", path, "--db", db_file)
    assert "read 4, new 2" in first.output and "merged as duplicates 2" in first.output
    second = cli("import", path, "--db", db_file)
    assert "new 0, updated 0, unchanged 4" in second.output
    with open_store(db_file) as store:
        assert store.count() == 2
