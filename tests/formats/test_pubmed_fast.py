"""The C mapper (formats/pubmed/_fast.pyx) gives exactly the Records the Python mapper gives.

Every real PubMed file is read both ways; so are mutated copies and records holding what the C
mapper hands back to the Python one (comments, processing instructions, a bad PMID, a book) or
might be tempted to read differently (CDATA, MathML, namespaced lookalikes of PubMed's elements).
"""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from litwatch.config import shared_data_dir
from litwatch.formats import pubmed_xml
from litwatch.formats.base import ParseIssue
from litwatch.formats.pubmed import mapper
from litwatch.formats.pubmed_xml import read_stream
from litwatch.records import Record

from ._mutations import mutate, mutation

PUBMED_FILES = sorted(p.name for p in (shared_data_dir() / "pubmed").glob("*.xml*"))
FAST = mapper._fast  # the C mapper as loaded (None when it was not built)

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("LITWATCH_PURE_PYTHON")), reason="the C mapper is turned off (LITWATCH_PURE_PYTHON)"
)


def test_the_c_mapper_is_built():
    """pip install builds it wherever a C compiler is at hand, as in CI: a silent fallback would
    leave the speed goals of bench/parse_pubmed.py unmet without a word."""
    assert FAST is not None, "not built, or built from other sources: pip install -e . (or python setup.py build_ext --inplace)"
    assert pubmed_xml.MAPPER == "C"


class _Counting:
    """The C mapper, counting the records it mapped and those it handed back."""

    def __init__(self, fast):
        self.fast, self.mapped, self.handed_back = fast, 0, 0

    def record(self, el, provenance):
        rec = self.fast.record(el, provenance)
        if rec is None:
            self.handed_back += 1
        else:
            self.mapped += 1
        return rec


def _read(data: bytes) -> list:
    out = []
    for item in read_stream(io.BytesIO(data), origin="f.xml"):
        if isinstance(item, Record):
            d = item.to_dict()
            for p in d.get("provenance", []):
                p.pop("retrieved_at", None)
            out.append(d)
        else:
            assert isinstance(item, ParseIssue)
            out.append(str(item))
    return out


def _both(data: bytes, monkeypatch) -> tuple[list, list, _Counting]:
    counting = _Counting(FAST)
    monkeypatch.setattr(mapper, "_fast", counting)
    fast = _read(data)
    monkeypatch.setattr(mapper, "_fast", None)
    slow = _read(data)
    return fast, slow, counting


@pytest.mark.parametrize("name", PUBMED_FILES)
def test_real_files_map_alike(shared_data, name, monkeypatch):
    data = (shared_data / "pubmed" / name).read_bytes()
    fast, slow, counting = _both(data, monkeypatch)
    assert fast == slow
    assert counting.mapped >= counting.handed_back  # the C mapper did most of the work


def test_the_big_sample_is_mapped_in_c(shared_data, monkeypatch):
    data = gzip.decompress((shared_data / "pubmed" / "medline16n0902.xml.gz").read_bytes())
    fast, slow, counting = _both(data, monkeypatch)
    assert fast == slow and len(fast) == 605
    assert counting.mapped == 604 and counting.handed_back == 0  # the 605th is a DeleteCitation


_ARTICLE = b"""<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">%(pmid)s</PMID>
<Article><Journal><Title>J</Title></Journal><ArticleTitle>%(title)s</ArticleTitle>
<Abstract><AbstractText Label="A">%(abstract)s</AbstractText></Abstract>
<AuthorList><Author ValidYN="Y"><LastName>Wang</LastName><Initials>W</Initials></Author></AuthorList>
</Article></MedlineCitation><PubmedData><ArticleIdList><ArticleId IdType="doi">10.1/%(pmid)s</ArticleId>
</ArticleIdList></PubmedData></PubmedArticle>
"""


def _article(pmid: bytes, title: bytes = b"A title", abstract: bytes = b"Text.") -> bytes:
    return _ARTICLE % {b"pmid": pmid, b"title": title, b"abstract": abstract}


@pytest.mark.parametrize(
    "odd, handed_back",
    [
        (_article(b"2", title=b"Stem <!-- a comment --> cells"), 1),
        (_article(b"2", title=b"<![CDATA[Stem & cells]]>"), 0),  # the parser makes CDATA plain text
        (_article(b"2", abstract=b"A term.<?pi here?>"), 1),
        (_article(b"2", abstract=b'A <mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:mi>x</mml:mi>'
                                 b"</mml:math>\n      term."), 0),
        (_article(b"2", title=b'<mml:ArticleTitle xmlns:mml="http://www.w3.org/1998/Math/MathML">x</mml:ArticleTitle>'), 0),
        (_article(b"abc"), 1),  # a PMID that is not a number: reported by the Python mapper
        (_article(b"2", title=b"Stem <i>cells</i>\n    and <sup>2</sup> more"), 0),
        (b"<PubmedBookArticle><BookDocument><PMID>3</PMID><ArticleTitle>A book</ArticleTitle></BookDocument>"
         b"</PubmedBookArticle>\n", 1),
    ],
)
def test_what_the_c_mapper_hands_back_is_mapped_alike(odd, handed_back, monkeypatch):
    data = b'<?xml version="1.0"?>\n<PubmedArticleSet>\n' + _article(b"1") + odd + b"</PubmedArticleSet>\n"
    fast, slow, counting = _both(data, monkeypatch)
    assert fast == slow and len(fast) == 2
    assert counting.handed_back == handed_back


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=mutation(6))
def test_mutated_files_map_alike(how, monkeypatch):
    data = mutate(gzip.decompress((shared_data_dir() / "pubmed" / "test_current_medline.xml.gz").read_bytes()), how)
    try:
        fast, slow, _ = _both(data, monkeypatch)
    except Exception as exc:  # a ParseError (nothing readable) must be the same both ways
        monkeypatch.setattr(mapper, "_fast", None)
        with pytest.raises(type(exc)):
            _read(data)
        return
    assert fast == slow


def test_a_c_mapper_out_of_step_with_the_python_one_is_not_used(shared_data, monkeypatch):
    """A value helper renamed in mapper.py and not in _fast.pyx: the C mapper refuses the helpers,
    the reader warns and maps in Python (importing pubmed_xml never breaks), and the C mapper
    already configured keeps the helpers it had."""
    import types
    from dataclasses import fields

    helpers = {f.name: getattr(mapper.VALUES, f.name) for f in fields(mapper.Values)}
    helpers["orcid"] = helpers.pop("normalize_orcid")  # the rename
    with pytest.warns(UserWarning, match="cannot be used"):
        assert mapper.load_fast(types.SimpleNamespace(**helpers)) is None
    data = (shared_data / "pubmed" / "pubmed6.xml").read_bytes()
    fast, slow, counting = _both(data, monkeypatch)
    assert fast == slow and counting.mapped > 0


def test_an_edit_to_either_mapper_makes_the_build_stale(tmp_path):
    """The C mapper mirrors mapper.py as much as _fast.pyx: the build says what it was built from,
    and an edit to either source since makes it stale (the Python mapper is then used, with a
    warning). This build matches its sources, or the mapping tests above would compare the
    Python mapper with itself."""
    built_from = FAST.BUILT_FROM
    assert sorted(item.partition(":")[0] for item in built_from.split()) == ["_fast.pyx", "mapper.py"]
    assert mapper.stale(built_from) is None
    folder = Path(mapper.__file__).parent
    for name in ("_fast.pyx", "mapper.py"):
        copy = tmp_path / name
        copy.write_bytes((folder / name).read_bytes())
    assert mapper.stale(built_from, str(tmp_path)) is None
    with (tmp_path / "mapper.py").open("a") as f:
        f.write("# an edit\n")
    assert mapper.stale(built_from, str(tmp_path)) == str(tmp_path / "mapper.py")
    assert mapper.stale("") is not None  # a build that does not say is not trusted
