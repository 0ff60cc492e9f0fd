"""Mutated real files never crash the PubMed-family readers or yield half-read records.

Each case takes a real file of the shared data, damages it (truncation at a random byte,
flipped bytes, a closing tag deleted) and reads it: the reader may raise ParseError or yield
ParseIssues, but every Record it yields is complete (a numeric PMID, provenance, a JSON
round-trip), and nothing else escapes.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litwatch.config import shared_data_dir
from litwatch.errors import ParseError
from litwatch.formats import jats, medline_text, pubmed_xml
from litwatch.formats.base import ParseIssue
from litwatch.records import Record
from ._mutations import mutate, mutation

DATA = shared_data_dir()
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def _load(rel: str) -> bytes:
    path = DATA / rel
    if not path.exists():
        pytest.skip(f"shared data missing: {path}")
    data = path.read_bytes()
    return gzip.decompress(data) if rel.endswith(".gz") else data


PUBMED = ["pubmed/pubmed2.xml", "pubmed/pubmed6.xml", "pubmed/pubmed7.xml", "pubmed/test_current_medline.xml.gz"]
MEDLINE = ["pubmed/medline-text/pubmed_result2.txt", "pubmed/medline-text/pubmed_result4.txt"]
JATS = ["pmc/pone.0000217.nxml", "pmc/1471-2180-11-174.nxml"]


def _check(reader, data: bytes, *, jats_reader: bool = False) -> None:
    try:
        out = list(reader.read_stream(io.BytesIO(data), origin="mutated"))
    except ParseError:
        return
    for item in out:
        assert isinstance(item, (Record, ParseIssue)), item
        if isinstance(item, ParseIssue):
            assert item.location and item.message
            continue
        if not jats_reader:
            assert item.ids.pmid and item.ids.pmid.isdigit()
        assert item.provenance and item.provenance[0].raw_hash
        assert Record.from_json(item.to_json()) == item




@pytest.mark.parametrize("rel", PUBMED)
@SETTINGS
@given(how=mutation())
def test_pubmed_xml_survives_mutation(rel, how):
    _check(pubmed_xml, mutate(_load(rel), how))


@pytest.mark.parametrize("rel", PUBMED[:2])
@SETTINGS
@given(cut=st.floats(0.05, 0.95))
def test_pubmed_truncated_gzip(rel, cut):
    packed = gzip.compress(_load(rel))
    _check(pubmed_xml, packed[: int(len(packed) * cut)])


@pytest.mark.parametrize("rel", MEDLINE)
@SETTINGS
@given(how=mutation())
def test_medline_text_survives_mutation(rel, how):
    _check(medline_text, mutate(_load(rel), how))


@pytest.mark.parametrize("rel", JATS)
@SETTINGS
@given(how=mutation())
def test_jats_survives_mutation(rel, how):
    _check(jats, mutate(_load(rel), how), jats_reader=True)


def test_big_file_truncated_everywhere_keeps_a_prefix():
    """A cut anywhere in the 605-record baseline sample yields a prefix of its records."""
    data = _load("pubmed/medline16n0902.xml.gz")
    full = [r.ids.pmid for r in pubmed_xml.read_stream(io.BytesIO(data), origin="full") if isinstance(r, Record)]
    for frac in (0.1, 0.37, 0.5, 0.81, 0.99):
        out = list(pubmed_xml.read_stream(io.BytesIO(data[: int(len(data) * frac)]), origin="cut"))
        got = [r.ids.pmid for r in out if isinstance(r, Record)]
        assert got == full[: len(got)]
        assert isinstance(out[-1], ParseIssue)


def test_data_is_there():
    assert Path(DATA / "README.md").exists()
