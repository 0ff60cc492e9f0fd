"""The parallel PubMed reader gives what the sequential one gives: records, order, issues, lines.

Small chunk sizes make even the small real files travel through the worker pool; damaged
copies (truncated, malformed in the middle, a closing tag inside a comment, junk after the
end) check that the hand-over to the sequential reader keeps its exact outcome.
"""

from __future__ import annotations

import gzip
import io
import re
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from litwatch.config import shared_data_dir
from litwatch.errors import ParseError
from litwatch.formats.base import ParseIssue
from litwatch.formats.pubmed import parallel, stream
from litwatch.formats.pubmed.parallel import prepare_pubmed_parallel, read_pubmed_parallel
from litwatch.formats.pubmed_xml import read_stream
from litwatch.records import Record
from litwatch.store.prepare import prepare
from ._mutations import mutate, mutation

PUBMED_FILES = sorted(p.name for p in (shared_data_dir() / "pubmed").glob("*.xml*"))


def _plain(items) -> list:
    """Records as dicts (retrieved_at left out: it is the time of reading), issues as their text."""
    out = []
    for item in items:
        if isinstance(item, Record):
            d = item.to_dict()
            for p in d.get("provenance", []):
                p.pop("retrieved_at", None)
            out.append(d)
        else:
            assert isinstance(item, ParseIssue), item
            out.append(str(item))
    return out


def _both(data: bytes, chunk_records: int, workers: int = 2) -> tuple[list, list]:
    seq = _plain(read_stream(io.BytesIO(data), origin="f.xml"))
    par = _plain(read_pubmed_parallel(io.BytesIO(data), origin="f.xml", workers=workers, chunk_records=chunk_records))
    return seq, par


@pytest.fixture(scope="module")
def medline16(shared_data) -> bytes:
    return gzip.decompress((shared_data / "pubmed" / "medline16n0902.xml.gz").read_bytes())


@pytest.fixture(scope="module")
def medline16_seq(medline16) -> list:
    return _plain(read_stream(io.BytesIO(medline16), origin="f.xml"))


# -- the real files ------------------------------------------------------------------------


@pytest.mark.parametrize("name", PUBMED_FILES)
@pytest.mark.parametrize("chunk_records", [1, 3, 500])
def test_real_files_read_the_same(shared_data, name, chunk_records):
    data = (shared_data / "pubmed" / name).read_bytes()  # gzip files stay gzip: the reader unpacks
    seq, par = _both(data, chunk_records)
    assert par == seq
    assert seq and all(isinstance(x, dict) for x in seq)


def test_big_file_goes_through_many_chunks(medline16, medline16_seq):
    par = _plain(read_pubmed_parallel(io.BytesIO(medline16), origin="f.xml", workers=2, chunk_records=40))
    assert par == medline16_seq
    assert len(par) == 605
    assert [d["provenance"][0]["location"] for d in par[:3]] == ["record 1", "record 2", "record 3"]
    assert par[-1]["deleted"] is True  # the DeleteCitation at the end


def test_old_set_wrapped_as_current_with_deletions(medline16):
    """PubmedArticleSet with a DeleteCitation of several PMIDs in the middle of the chunks."""
    body = medline16.split(b"<MedlineCitationSet>", 1)[1].rsplit(b"<DeleteCitation>", 1)[0]
    cites = re.findall(rb"<MedlineCitation .*?</MedlineCitation>", body, re.S)
    parts = [b"<PubmedArticle>" + c + b"</PubmedArticle>\n" for c in cites[:200]]
    parts.insert(100, b"<DeleteCitation>\n<PMID>1</PMID>\n<PMID>2</PMID>\n<PMID Version='1'>3</PMID>\n</DeleteCitation>\n")
    data = b'<?xml version="1.0"?>\n<PubmedArticleSet>\n' + b"".join(parts) + b"</PubmedArticleSet>\n"
    seq, par = _both(data, chunk_records=7)
    assert par == seq
    assert sum(1 for d in par if d.get("deleted")) == 3
    assert par[-1]["provenance"][0]["location"] == "record 203"


def test_one_worker_and_default_workers_agree(medline16, medline16_seq):
    for workers in (1, None):
        got = read_pubmed_parallel(io.BytesIO(medline16), origin="f.xml", workers=workers, chunk_records=100)
        assert _plain(got) == medline16_seq


def test_prepare_gives_what_prepare_gives_on_sequential_records(medline16):
    seq = [prepare(r, 7) for r in read_stream(io.BytesIO(medline16), origin="f.xml") if isinstance(r, Record)]
    batches = list(prepare_pubmed_parallel(io.BytesIO(medline16), origin="f.xml", workers=2, chunk_records=50,
                                           prepare=partial(prepare, run_id=7)))
    assert all(isinstance(b, list) for b in batches)
    par = [p for b in batches for p in b]

    def key(p):  # retrieved_at is the time of reading, also inside the JSON
        return (p.item_key, p.content_hash, p.location, p.raw_hash, p.fts, p.strong, p.json.count('"run_id": 7'))

    assert [key(p) for p in par] == [key(p) for p in seq]


def test_not_pubmed_raises_like_the_sequential_reader(tmp_path):
    for data in (b"", b"<eSearchResult><Count>1</Count></eSearchResult>"):
        with pytest.raises(ParseError):
            list(read_pubmed_parallel(io.BytesIO(data), origin="x.xml", workers=2))


# -- damaged copies ------------------------------------------------------------------------


@pytest.mark.parametrize("frac", [0.0005, 0.13, 0.5, 0.77, 0.999])
def test_truncated_plain(medline16, frac):
    seq, par = _both(medline16[: int(len(medline16) * frac)], chunk_records=25)
    assert par == seq
    assert isinstance(seq[-1], str) and "line" in seq[-1]


@pytest.mark.parametrize("frac", [0.2, 0.6, 0.95])
def test_truncated_gzip(medline16, frac):
    packed = gzip.compress(medline16)
    seq, par = _both(packed[: int(len(packed) * frac)], chunk_records=25)
    assert par == seq
    assert "gzip" in seq[-1]


def test_file_ending_right_after_a_record(medline16):
    cut = medline16.rindex(b"</MedlineCitation>") + len(b"</MedlineCitation>")
    seq, par = _both(medline16[:cut], chunk_records=30)
    assert par == seq
    assert "Premature end of data" in seq[-1] and "line" in seq[-1]


def _at(data: bytes, frac: float, needle: bytes) -> int:
    return data.index(needle, int(len(data) * frac))


def _one_issue_and_the_rest(seq: list) -> str:
    """The one issue of a file with one damaged record, every other record read (604 + 1 deletion)."""
    issues = [x for x in seq if isinstance(x, str)]
    assert len(issues) == 1 and len(seq) == 605, issues
    assert "malformed XML" in issues[0] and "went on at the next record" in issues[0]
    return issues[0]


@pytest.mark.parametrize("frac", [0.05, 0.45, 0.9])
def test_malformed_in_the_middle(medline16, frac):
    """A closing tag missing: one ParseIssue with the file's line; the damaged record skipped, the rest read."""
    at = _at(medline16, frac, b"</ArticleTitle>")
    seq, par = _both(medline16[:at] + medline16[at + len(b"</ArticleTitle>") :], chunk_records=20)
    assert par == seq
    assert re.search(r"line \d+, after record \d+", _one_issue_and_the_rest(seq))


def test_junk_bytes_in_the_middle(medline16):
    at = _at(medline16, 0.6, b"<Title>")
    seq, par = _both(medline16[:at] + b"<<&" + medline16[at:], chunk_records=20)
    assert par == seq
    _one_issue_and_the_rest(seq)


def test_bad_record_in_the_middle_is_reported_with_its_global_place(medline16):
    at = medline16.index(b'<PMID Version="1">', _at(medline16, 0.5, b"<MedlineCitation "))
    end = medline16.index(b"</PMID>", at)
    data = medline16[:at] + b'<PMID Version="1">abc' + medline16[end:]
    seq, par = _both(data, chunk_records=20)
    assert par == seq
    issues = [x for x in seq if isinstance(x, str)]
    assert len(issues) == 1 and re.search(r"record \d+ \(line \d+\)", issues[0])
    assert len(seq) == 605  # reading went on


def test_closing_tag_inside_a_comment_is_not_a_record_end(medline16, medline16_seq):
    at = _at(medline16, 0.3, b"<MedlineCitation ")
    data = medline16[:at] + b"<!-- not here: </MedlineCitation> -->\n" + medline16[at:]
    seq, par = _both(data, chunk_records=10)
    assert par == seq
    assert len(seq) == len(medline16_seq)


def test_junk_after_the_end(medline16):
    seq, par = _both(medline16 + b"<extra/>\n", chunk_records=100)
    assert par == seq
    assert "Extra content" in seq[-1]


def test_a_record_too_big_to_cut_goes_sequential(medline16, medline16_seq, monkeypatch):
    monkeypatch.setattr(stream, "_GIANT", 50_000)  # the real limit is 16 MiB (the splitter is stream's)
    at = _at(medline16, 0.5, b"<AbstractText>") + len(b"<AbstractText>")
    data = medline16[:at] + b"x" * 300_000 + medline16[at:]
    seq, par = _both(data, chunk_records=5)
    assert par == seq
    assert len(par) == 605


def test_a_worker_killed_midway_changes_nothing(medline16, medline16_seq):
    import multiprocessing
    import os
    import signal

    items = read_pubmed_parallel(io.BytesIO(medline16), origin="f.xml", workers=2, chunk_records=20)
    got = [next(items)]
    for child in multiprocessing.active_children():
        os.kill(child.pid, signal.SIGKILL)
    got.extend(items)
    assert _plain(got) == medline16_seq




@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=mutation(4))
def test_mutated_files_read_the_same(how):
    data = mutate(gzip.decompress((shared_data_dir() / "pubmed" / "test_current_medline.xml.gz").read_bytes()), how)
    try:
        seq = _plain(read_stream(io.BytesIO(data), origin="f.xml"))
    except ParseError:
        with pytest.raises(ParseError):
            list(read_pubmed_parallel(io.BytesIO(data), origin="f.xml", workers=2, chunk_records=1))
        return
    par = _plain(read_pubmed_parallel(io.BytesIO(data), origin="f.xml", workers=2, chunk_records=1))
    assert par == seq


# -- import: the parallel path stores what the sequential path stores -------------------------


def _big_pubmed_file(medline16: bytes, folder: Path) -> Path:
    """Over the parallel threshold: the sample's records twice, the copies under other PMIDs/DOIs."""
    head, rest = medline16.split(b"<MedlineCitationSet>", 1)
    body, tail = rest.rsplit(b"</MedlineCitationSet>", 1)
    copy = re.sub(rb"(<PMID Version=\"1\">)(\d+)", lambda m: m.group(1) + b"9" + m.group(2), body)
    copy = copy.replace(b'EIdType="doi" ValidYN="Y">10.', b'EIdType="doi" ValidYN="Y">10.9')
    path = folder / "big.xml"
    path.write_bytes(head + b"<MedlineCitationSet>" + body + copy + b"</MedlineCitationSet>" + tail)
    return path


def _stored(store) -> list[dict]:
    out = []
    for record_id, rec in store.iter_records(include_deleted=True):
        d = rec.to_dict()
        for p in d.get("provenance", []):
            p.pop("retrieved_at", None)
        out.append((record_id, d))
    return out


def test_import_parallel_equals_sequential(medline16, tmp_path, monkeypatch):
    from litwatch import ingest
    from litwatch.store import open_store

    path = _big_pubmed_file(medline16, tmp_path)
    assert path.stat().st_size >= parallel.MIN_BYTES  # so import takes the parallel path
    monkeypatch.setattr(parallel, "MIN_CPUS", 1)  # also on a machine with 2 CPUs
    used = []
    real = ingest._read_prepared
    monkeypatch.setattr(ingest, "_read_prepared", lambda *a: used.append(1) or real(*a))
    results = {}
    for way in ("parallel", "sequential"):
        if way == "sequential":
            monkeypatch.setattr(parallel, "MIN_BYTES", 1 << 40)
        store = open_store(tmp_path / f"{way}.db")
        try:
            summary = ingest.import_files(store, [path])
            again = ingest.import_files(store, [path])  # idempotent both ways
            results[way] = (summary.counts(), again.counts(), summary.errors, _stored(store))
        finally:
            store.close()
    assert used, "the parallel path was not taken"
    assert results["parallel"] == results["sequential"]
    counts = results["parallel"][0]
    assert counts["read"] >= 1200 and counts["errors"] == 0


@pytest.mark.parametrize("damaged_chunk", range(6))
def test_damage_in_any_chunk_whoever_parses_it(medline16, damaged_chunk):
    """With 2 CPUs the main process parses a share of the chunks itself and a worker the rest:
    a malformed record in any of the first chunks, whichever process has it, gives exactly the
    sequential reader's records and issue."""
    assert parallel._inline_share(1) > 0  # the main process does take chunks itself
    starts = [m.start() for m in re.finditer(rb"<MedlineCitation ", medline16)]
    at = starts[damaged_chunk * 20 + 10]
    data = medline16[:at] + b"<MedlineCitation><Broken></MedlineCitation>" + medline16[at:]
    seq, par = _both(data, chunk_records=20, workers=2)
    assert par == seq
    issues = [x for x in seq if isinstance(x, str)]
    assert len(issues) == 1 and "malformed XML" in issues[0] and len(seq) == 606  # the damage, and all the rest


def _with_bad_pmid(medline16: bytes, nth: int) -> bytes:
    starts = [m.start() for m in re.finditer(rb"<MedlineCitation ", medline16)]
    at = medline16.index(b'<PMID Version="1">', starts[nth])
    end = medline16.index(b"</PMID>", at)
    return medline16[:at] + b'<PMID Version="1">abc' + medline16[end:]


@pytest.mark.parametrize("chunk", range(6))
def test_bad_record_in_any_chunk_whoever_parses_it(medline16, chunk):
    """A worker's chunk with a record to report is parsed again by the main process, which knows
    the records and lines before it: the issue names the file's own record number and line,
    and every other record is read, whichever process had the chunk."""
    seq, par = _both(_with_bad_pmid(medline16, chunk * 20 + 10), chunk_records=20, workers=2)
    assert par == seq
    issues = [x for x in seq if isinstance(x, str)]
    assert len(issues) == 1 and f"record {chunk * 20 + 11} (line " in issues[0]
    assert len(seq) == 605


def test_prepare_with_a_bad_record_gives_what_the_sequential_path_gives(medline16):
    data = _with_bad_pmid(medline16, 333)
    seq: list = []
    for item in read_stream(io.BytesIO(data), origin="f.xml"):
        seq.append(str(item) if isinstance(item, ParseIssue) else prepare(item, 7))
    par: list = []
    for batch in prepare_pubmed_parallel(io.BytesIO(data), origin="f.xml", workers=2, chunk_records=50,
                                         prepare=partial(prepare, run_id=7)):
        par.extend([str(batch)] if isinstance(batch, ParseIssue) else batch)

    def key(p):
        if isinstance(p, str):
            return p
        return (p.item_key, p.content_hash, p.location, p.raw_hash, p.json.replace(p.retrieved_at or "", ""))

    assert [key(p) for p in par] == [key(p) for p in seq]
    assert sum(isinstance(p, str) for p in par) == 1


# -- read_file: it chooses the parallel reader itself ------------------------------------------


def test_read_file_reads_a_big_pubmed_file_in_parallel(medline16, tmp_path, monkeypatch):
    """One place decides (formats.reads_in_parallel, which import asks too): read_file takes the
    parallel reader for a big PubMed file, and yields what the sequential reader yields."""
    from litwatch.formats import read_file, reads_in_parallel

    path = _big_pubmed_file(medline16, tmp_path)
    monkeypatch.setattr(parallel, "MIN_CPUS", 1)  # also on a machine with 1 CPU
    used = []
    real = parallel.read_pubmed_parallel
    monkeypatch.setattr(parallel, "read_pubmed_parallel", lambda *a, **k: used.append(1) or real(*a, **k))
    assert reads_in_parallel(path, "pubmed-xml") and not reads_in_parallel(path, "jats")
    got = _plain(read_file(path))
    assert used, "read_file did not take the parallel reader"
    with open(path, "rb") as f:
        assert got == _plain(read_stream(f, origin=str(path)))
    assert len(got) == 1210
    small = shared_data_dir() / "pubmed" / "pubmed6.xml"
    assert not reads_in_parallel(small, "pubmed-xml")  # below the threshold: not worth the workers
    _plain(read_file(small))
    assert len(used) == 1
