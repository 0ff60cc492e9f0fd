"""Property tests: mutated real files fed to every non-PubMed reader never crash it.

A reader may refuse a whole file with ParseError; anything else must be a complete Record (a
title or a strong id, provenance with its location, a JSON round trip, valid dates) or a
ParseIssue naming a location.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litwatch.errors import ParseError
from litwatch.formats import reader_module
from litwatch.formats.base import ParseIssue
from litwatch.records import Record

from ._other_helpers import FIXTURES

CASES = [
    ("ctgov-csv", "clinicaltrials/legacy-csv/clinicalMesenchymalExosome.csv"),
    ("ctgov-json", "clinicaltrials/api-v2/nct06323538.json"),
    ("europepmc", "europepmc/search_cancer_page2.json"),
    ("europepmc", "europepmc/search_cancer_idlist.json"),
    ("crossref", "crossref/works_query.json"),
    ("json-articles", "gutbrain/articles_dev.json"),
    ("csv", "screening/Kitchenham_2010.csv"),
    ("ris", FIXTURES / "zotero_export.ris"),
    ("ris", FIXTURES / "endnote_pubmed.ris"),
    ("bibtex", FIXTURES / "zotero_biblatex.bib"),
    ("bibtex", FIXTURES / "scholar_and_latex.bib"),
]
_cache: dict[str, bytes] = {}


def _load(shared_data, path) -> bytes:
    key = str(path)
    if key not in _cache:
        full = path if not isinstance(path, str) else shared_data / path
        data = full.read_bytes()
        _cache[key] = data[:60_000]  # a head is plenty for mutations and keeps the test quick
    return _cache[key]


@st.composite
def mutations(draw, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "cut", "delete", "insert", "duplicate"]))
        if not out:
            break
        i = draw(st.integers(0, len(out) - 1))
        if op == "flip":
            out[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del out[i:]
        elif op == "delete":
            del out[i: i + draw(st.integers(1, 200))]
        elif op == "insert":
            out[i:i] = draw(st.sampled_from([b'"', b",", b"{", b"}", b"\n", b"\xff\xfe", b"\x00", b"TY  - ",
                                             b"@article{", b"|", b"\r\n", "é".encode("cp1252")]))
        else:
            j = draw(st.integers(i, min(len(out), i + 500)))
            out[j:j] = out[i:j]
    return bytes(out)


def _check_record(r: Record) -> None:
    assert r.kind in ("article", "preprint", "trial", "other")
    assert r.title or r.ids.strong() or r.ids.europepmc
    assert r.provenance and r.provenance[0].origin == "mutated" and r.provenance[0].location
    assert Record.from_json(r.to_json()).to_json() == r.to_json()
    for d in r.dates.values():
        date.fromisoformat(d.value)
    if r.kind == "trial":
        assert r.trial is not None


@pytest.mark.parametrize(("fmt", "path"), CASES, ids=[f"{f}:{str(p).split('/')[-1]}" for f, p in CASES])
def test_mutated_files_never_crash_a_reader(shared_data, fmt, path):
    original = _load(shared_data, path)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def run(data):
        mutated = data.draw(mutations(original))
        try:
            items = list(reader_module(fmt).read_stream(io.BytesIO(mutated), origin="mutated"))
        except ParseError:
            return
        for item in items:
            if isinstance(item, ParseIssue):
                assert item.location and item.message
            else:
                _check_record(item)

    run()
