"""PMC JATS reader on every real .nxml file of the shared data (NLM 2.3 and JATS 1.0)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from litwatch.errors import ParseError
from litwatch.formats.base import ParseIssue
from litwatch.formats.jats import read_stream
from litwatch.records import Record

# file -> (pmid, pmcid, doi, references) from the data README
FILES = {
    "1471-2180-11-174.nxml": ("21810267", "PMC3166277", "10.1186/1471-2180-11-174", 64),
    "1472-6831-8-11.nxml": ("18405359", "PMC2329613", "10.1186/1472-6831-8-11", 31),
    "6605965a.nxml": ("21045829", "PMC2994229", "10.1038/sj.bjc.6605965", 34),
    "ehp-116-1694.nxml": ("19079722", "PMC2599765", "10.1289/ehp.11570", 58),
    "mds526.nxml": ("23149571", "PMC3574550", "10.1093/annonc/mds526", 40),
    "pntd.0002065.nxml": ("23469300", "PMC3585041", "10.1371/journal.pntd.0002065", 32),
    "pone.0000217.nxml": ("17299597", "PMC1790863", "10.1371/journal.pone.0000217", 33),
    "pone.0046493.nxml": ("23029536", "PMC3460867", "10.1371/journal.pone.0046493", 58),
}


def read_one(path: Path) -> Record:
    with open(path, "rb") as f:
        out = list(read_stream(f, origin=str(path)))
    assert len(out) == 1 and isinstance(out[0], Record), out
    return out[0]


@pytest.fixture(scope="module")
def pmc(shared_data) -> Path:
    return shared_data / "pmc"


def test_every_file_is_covered(pmc):
    assert {p.name for p in pmc.glob("*.nxml")} == set(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_front_matter_body_and_refs(pmc, name):
    pmid, pmcid, doi, nrefs = FILES[name]
    r = read_one(pmc / name)
    assert (r.ids.pmid, r.ids.pmcid, r.ids.doi) == (pmid, pmcid, doi)
    assert r.title and r.authors and r.journal.title and r.journal.volume
    assert r.abstract and r.body
    assert not set(r.body) & {s.text for s in r.abstract}  # body kept apart from the abstract
    assert len(r.references) == nrefs
    assert all(ref.citation for ref in r.references)
    assert r.dates["electronic"].precision in ("day", "month")
    assert r.provenance[0].source == "file:jats"
    assert Record.from_json(r.to_json()) == r


def test_nlm23_plos(pmc):
    r = read_one(pmc / "pone.0000217.nxml")
    assert r.title == "Quantifying Organismal Complexity using a Population Genetic Approach"
    assert [(a.family, a.given) for a in r.authors] == [
        ("Tenaillon", "Olivier"), ("Silander", "Olin K."), ("Uzan", "Jean-Philippe"), ("Chao", "Lin"),
    ]  # the academic editor is not an author
    assert r.authors[0].affiliations[0].startswith("Institut National de la Santé et de la Recherche Médicale")
    assert len(r.authors[0].affiliations) == 2 and r.authors[0].initials == "O"
    assert [(s.label, s.category) for s in r.abstract] == [
        ("Background", "BACKGROUND"), ("Methodology", "METHODS"), ("Conclusions/Significance", "CONCLUSIONS"),
    ]
    assert r.dates["electronic"].value == "2007-02-14"
    assert (r.dates["issue"].value, r.dates["issue"].precision) == ("2007-01-01", "year")
    assert r.dates["received"].value == "2006-10-26" and r.dates["accepted"].value == "2007-01-25"
    assert (r.journal.issn_electronic, r.journal.pages, r.journal.publisher) == (
        "1932-6203", "e217", "Public Library of Science",
    )
    ref = r.references[1]
    assert ref.pmid == "11360989" and ref.citation.startswith("Szathmary E, Jordan F, Pal C. Molecular biology")


def test_jats10_inline_markup_and_element_citations(pmc):
    r = read_one(pmc / "1471-2180-11-174.nxml")
    assert r.title == "Factors influencing lysis time stochasticity in bacteriophage \u03bb"
    assert "late promoter (pR') activity" in r.abstract_text
    assert r.authors[0].affiliations == [
        "Department of Biological Sciences, University at Albany, 1400 Washington Avenue, Albany, NY 12222, USA",
        "Biology Department, Queens College, and the Graduate Center of the City University of New York,"
        " Flushing, NY 11367, USA",
    ]
    ref = r.references[0]
    assert (ref.pmid, ref.doi) == ("16845428", "10.1038/nrmicro1460")
    assert ref.citation == (
        "Avery SV. Microbial cell individuality and the underlying sources of heterogeneity. "
        "Nat Rev Microbiol. 2006;4:577-587."
    )
    assert r.body[0].startswith("Some phenotypic variation arises from randomness in cellular processes")


def test_print_and_electronic_dates_keywords(pmc):
    r = read_one(pmc / "6605965a.nxml")
    assert r.dates["issue"].value.startswith("2010-11") and r.dates["electronic"].value == "2010-11-02"
    assert r.keywords == ["oral contraceptives", "reproductive history", "colorectal cancer", "cohort study"]
    assert (r.journal.issn_print, r.journal.issn_electronic, r.journal.pages) == ("0007-0920", "1532-1827", "1755-1759")
    assert r.dates["revised"].value == "2010-08-04"
    m = read_one(pmc / "mds526.nxml")
    assert m.dates["pmc_release"].value == "2012-11-12"
    assert [s.category for s in m.abstract] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]


def test_mixed_citation_with_punctuation(pmc):
    r = read_one(pmc / "pone.0046493.nxml")
    assert r.references[0].citation == (
        "Chakroborty A (2011) Drug-resistant tuberculosis: an insurmountable epidemic? Inflammopharmacology 19: 131–137"
    )
    assert r.references[0].pmid == "21127999"


def test_no_network_for_the_dtd(pmc, monkeypatch):
    import socket

    def refuse(*a, **k):
        raise AssertionError("the reader tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert read_one(pmc / "pone.0000217.nxml").ids.pmid == "17299597"


def test_articleset_and_errors(pmc):
    art = (pmc / "pone.0000217.nxml").read_bytes().split(b"\n", 1)[1]
    art2 = (pmc / "mds526.nxml").read_bytes().split(b"\n", 1)[1]
    data = b"<pmc-articleset>" + art + art2 + b"</pmc-articleset>"
    out = list(read_stream(io.BytesIO(data), origin="set.xml"))
    assert [r.ids.pmid for r in out] == ["17299597", "23149571"]
    broken = list(read_stream(io.BytesIO(b"<pmc-articleset>" + art + art2[: len(art2) // 2]), origin="b.xml"))
    assert isinstance(broken[0], Record) and isinstance(broken[-1], ParseIssue)
    with pytest.raises(ParseError, match="not JATS"):
        list(read_stream(io.BytesIO(b"<PubmedArticleSet/>"), origin="p.xml"))
    with pytest.raises(ParseError, match="empty"):
        list(read_stream(io.BytesIO(b""), origin="e.nxml"))
