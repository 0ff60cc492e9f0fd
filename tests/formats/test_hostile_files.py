"""Hostile files, imported as a user would (`litwatch import` in its own process) under a time limit
and a memory cap: each is handled in under 10 s and 300 MB, its good records are kept, the damage is
reported with its place, and litwatch never exits 1. The files are made here, small on disk."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from litwatch.store import open_store
from tests.limits import run_limited

from ._hostile import MIB, gz_members, pubmed_around, pubmed_parts, whitespace_gz

SECONDS, MEGABYTES = 10, 300
FIRST, SECOND = "11748933", "11700088"  # pubmed2.xml's two records


def _import(path: Path, db: Path, *extra: str):
    run = run_limited(args=["-c", "from litwatch.cli import main; main()", "import", str(path), *extra, "--db", str(db)],
                      seconds=60, cap_mb=1500)
    assert run.returncode in (0, 2), f"exit {run.returncode}: {run.stderr[-3000:]}"
    assert "Traceback" not in run.stderr and "Internal error" not in run.stderr
    assert run.seconds < SECONDS, f"{run.seconds:.1f} s"
    assert run.peak_mb < MEGABYTES, f"{run.peak_mb:.0f} MB"
    return run


def _stored(db: Path) -> set[str]:
    with open_store(db) as store:
        return {r.ids.pmid or r.ids.doi or r.title or "" for _, r in store.iter_records()}


def _last_run_errors(db: Path) -> list[str]:
    with open_store(db) as store:
        return store.runs(kind="import")[0]["errors"]


# -- PubMed XML ----------------------------------------------------------------------------------


def test_a_gigabyte_of_whitespace_between_two_records(shared_data, tmp_path):
    head, tail = pubmed_parts(shared_data)
    no_pmid = b"<PubmedArticle><MedlineCitation><Article><ArticleTitle>none</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n"
    path = whitespace_gz(tmp_path / "ws.xml.gz", head + b"\n", 1024, no_pmid + tail)
    assert path.stat().st_size < 4 * MIB
    run = _import(path, tmp_path / "a.db")
    assert run.returncode == 0, run.stderr
    assert _stored(tmp_path / "a.db") == {FIRST, SECOND}
    # the bad record after the whitespace is named at its own line: every newline was counted
    line_of_bad = head.count(b"\n") + 1 + (1024 * MIB // 64) + 1
    (error,) = _last_run_errors(tmp_path / "a.db")
    assert f"record 2 (line {line_of_bad})" in error and "without a PMID" in error


def test_a_giant_element_is_reported_and_the_next_record_kept(shared_data, tmp_path):
    head, tail = pubmed_parts(shared_data)
    giant_head = b"<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>"
    path = gz_members(tmp_path / "giant.xml.gz", [head + b"\n" + giant_head, (b"x" * (16 * MIB), 12),
                                                  b"</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n" + tail])
    run = _import(path, tmp_path / "g.db")
    assert run.returncode == 0, run.stderr
    assert _stored(tmp_path / "g.db") == {FIRST, SECOND}
    (error,) = _last_run_errors(tmp_path / "g.db")
    assert re.search(r"record 2 \(line \d+\): a record larger than 32 MiB \(LITWATCH_MAX_RECORD_MB\); skipped; went "
                     r"on at the next record", error), error


def test_an_over_deep_element_is_reported_and_the_next_record_kept(shared_data, tmp_path):
    deep = (b"<PubmedArticle><MedlineCitation><PMID>2</PMID><Article><ArticleTitle>" + b"<i>" * 100_000 + b"x"
            + b"</i>" * 100_000 + b"</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n")
    path = tmp_path / "deep.xml.gz"
    path.write_bytes(gzip.compress(pubmed_around(shared_data, b"\n" + deep)))
    run = _import(path, tmp_path / "d.db")
    assert run.returncode == 0, run.stderr
    assert _stored(tmp_path / "d.db") == {FIRST, SECOND}
    (error,) = _last_run_errors(tmp_path / "d.db")
    assert "Excessive depth in document" in error and "went on at the next record" in error


def test_an_entity_bomb_is_refused_and_the_other_records_kept(shared_data, tmp_path):
    entities = b"".join(b'<!ENTITY e%d "' % i + b"&e%d;" % (i - 1) * 10 + b'">\n' for i in range(1, 10))
    data = pubmed_around(shared_data, b"<PubmedArticle><MedlineCitation><PMID>3</PMID><Article><ArticleTitle>"
                                      b"&e9;</ArticleTitle></Article></MedlineCitation></PubmedArticle>")
    data = re.sub(rb"<!DOCTYPE[^>]*>", b'<!DOCTYPE PubmedArticleSet [\n<!ENTITY e0 "lol">\n' + entities + b"]>", data)
    path = tmp_path / "bomb.xml"
    path.write_bytes(data)
    run = _import(path, tmp_path / "b.db")
    assert run.returncode == 0, run.stderr
    assert _stored(tmp_path / "b.db") == {FIRST, SECOND}
    assert "amplification" in _last_run_errors(tmp_path / "b.db")[0]


# -- other formats -------------------------------------------------------------------------------


def test_a_gigabyte_of_whitespace_in_a_csv(tmp_path):
    head = b"title,doi,year\nFirst study of rats,10.1/one,2020\n"
    path = whitespace_gz(tmp_path / "ws.csv.gz", head, 1024, b"Second study of mice,10.1/two,2021\n")
    run = _import(path, tmp_path / "c.db")
    assert run.returncode == 0, run.stderr
    assert _stored(tmp_path / "c.db") == {"10.1/one", "10.1/two"}
    (warning,) = _last_run_errors(tmp_path / "c.db")
    assert "1,024 MiB of whitespace" in warning and "read as one line break" in warning


def test_a_line_of_hundreds_of_megabytes_in_a_csv_loses_its_end_only(tmp_path):
    path = gz_members(tmp_path / "long.csv.gz", [b"title,doi\nFirst,10.1/one\nLong,10.1/", (b"x" * (16 * MIB), 20),
                                                 b"\nLast,10.1/three\n"])
    run = _import(path, tmp_path / "l.db")
    assert run.returncode == 0, run.stderr
    assert {"10.1/one", "10.1/three"} <= _stored(tmp_path / "l.db")
    errors = _last_run_errors(tmp_path / "l.db")
    assert any("line 3: longer than 32 MiB (LITWATCH_MAX_RECORD_MB): left out" in e for e in errors), errors


def test_a_gigabyte_of_whitespace_in_a_europepmc_json_reply(shared_data, tmp_path):
    reply = (shared_data / "europepmc" / "search_cancer_core.json").read_bytes()
    at = reply.index(b'"resultList"')
    path = whitespace_gz(tmp_path / "ws.json.gz", reply[:at], 1024, reply[at:])
    run = _import(path, tmp_path / "j.db")
    assert run.returncode == 0, run.stderr
    assert len(_stored(tmp_path / "j.db")) == len(json.loads(reply)["resultList"]["result"])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_unicode_files_with_a_byte_order_mark_are_read(shared_data, tmp_path, encoding):
    csv_path, xml_path = tmp_path / "t.csv", tmp_path / "p.xml"
    csv_path.write_bytes("title,authors,year\nCafé au lait spots and ß-cells,Müller J,2021\n".encode(encoding)
                         if encoding != "utf-16-be" else b"\xfe\xff" + "title,year\nCafé study,2021\n".encode(encoding))
    xml = (shared_data / "pubmed" / "pubmed2.xml").read_text("utf-8")
    xml = xml.replace('<?xml version="1.0" ?>', '<?xml version="1.0" encoding="UTF-16"?>')
    xml_path.write_bytes(xml.encode(encoding) if encoding != "utf-16-be" else b"\xfe\xff" + xml.encode(encoding))
    run = _import(csv_path, tmp_path / "u.db")
    assert run.returncode == 0, run.stderr
    run = _import(xml_path, tmp_path / "u.db")
    assert run.returncode == 0, run.stderr
    stored = _stored(tmp_path / "u.db")
    assert FIRST in stored and SECOND in stored
    assert any(t.startswith("Café") for t in stored)


def test_a_latin1_csv_is_reported_as_read_with_cp1252_not_skipped(tmp_path):
    path = tmp_path / "l1.csv"
    path.write_bytes("title,year\nCafé study,2021\nNaïve mice,2022\n".encode("latin-1"))
    run = _import(path, tmp_path / "l1.db")
    assert run.returncode == 0
    assert "skipped" not in run.stderr.replace("nothing was skipped", "")
    assert "warning" in run.stderr and "read with cp1252" in run.stderr
    assert _stored(tmp_path / "l1.db") == {"Café study", "Naïve mice"}
    assert "errors 0, warnings 1" in run.stdout


def test_a_json_document_of_gigabytes_is_refused_in_one_line(tmp_path):
    path = gz_members(tmp_path / "big.json.gz", [b'{"hitCount": 1, "resultList": {"result": [{"title": "', (b"x" * (16 * MIB), 64),
                                                 b'"}]}}'])
    run = _import(path, tmp_path / "big.db")
    assert run.returncode == 2
    (line,) = run.stderr.strip().splitlines()
    assert "a JSON document larger than 128 MiB; not read" in line and line.startswith("Error: nothing could be read")
