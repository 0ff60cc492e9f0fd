"""PubMed / MEDLINE XML reader on every real PubMed XML file of the shared data."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from litwatch.errors import ParseError
from litwatch.formats.base import ParseIssue
from litwatch.formats.pubmed_xml import link_kind, read_stream
from litwatch.records import Record


def read(path: Path, **kw) -> list[Record | ParseIssue]:
    with open(path, "rb") as f:
        return list(read_stream(f, origin=str(path), **kw))


def records(path: Path) -> list[Record]:
    out = read(path)
    issues = [x for x in out if isinstance(x, ParseIssue)]
    assert not issues, issues
    return out  # type: ignore[return-value]


def by_pmid(recs: list[Record]) -> dict[str, Record]:
    return {r.ids.pmid: r for r in recs}


@pytest.fixture(scope="module")
def medline16(shared_data) -> dict[str, Record]:
    recs = records(shared_data / "pubmed" / "medline16n0902.xml.gz")
    assert len(recs) == 605
    return by_pmid(recs)


# -- counts per file (data README) --------------------------------------------------------

COUNTS = {
    "test_current_medline.xml.gz": 4,
    "pubmed-29768149.xml": 1,
    "pubmed1.xml": 2,
    "pubmed2.xml": 2,
    "pubmed4.xml": 1,
    "pubmed5.xml": 1,
    "pubmed6.xml": 1,
    "pubmed7.xml": 1,
    "title_with_html_tags.xml": 1,
}


def test_every_pubmed_file_is_covered(shared_data):
    names = {p.name for p in (shared_data / "pubmed").glob("*.xml*")}
    assert names == set(COUNTS) | {"medline16n0902.xml.gz"}


@pytest.mark.parametrize("name, count", sorted(COUNTS.items()))
def test_record_counts(shared_data, name, count):
    recs = records(shared_data / "pubmed" / name)
    assert len(recs) == count
    for r in recs:
        assert r.ids.pmid and r.ids.pmid.isdigit()
        assert r.title
        assert r.provenance[0].source == "file:pubmed-xml"
        assert r.provenance[0].origin.endswith(name)
        assert len(r.provenance[0].raw_hash) == 40
        assert Record.from_json(r.to_json()) == r


def test_medline16_counts(medline16):
    recs = list(medline16.values())
    assert sum(r.deleted for r in recs) == 1
    assert sum(1 for r in recs if r.abstract) == 526
    assert sum(1 for r in recs if r.dates.get("electronic")) == 407
    assert [r.provenance[0].location for r in recs[:2]] == ["record 1", "record 2"]


def test_delete_citation(medline16):
    gone = medline16["26432306"]
    assert gone.deleted and gone.title is None and gone.authors == []


def test_medline16_first_record(medline16):
    r = medline16["17942999"]
    assert r.title.startswith("Neuroplasticity in the processing of pitch dimensions")
    assert [(s.label, s.category) for s in r.abstract] == [
        ("PURPOSE", "OBJECTIVE"),
        ("METHODS", "METHODS"),
        ("RESULTS", "RESULTS"),
        ("CONCLUSIONS", "CONCLUSIONS"),
    ]
    assert r.abstract_text.startswith("An auditory electrophysiological study")
    a = r.authors[0]
    assert (a.family, a.given, a.initials) == ("Chandrasekaran", "Bharath", "B")
    assert a.affiliations == [
        "Department of Speech Language & Hearing Sciences, Purdue University, West Lafayette, IN 47907-2038, USA."
    ]
    assert r.journal.title == "Restorative neurology and neuroscience"
    assert (r.journal.issn_print, r.journal.volume, r.journal.issue, r.journal.pages) == (
        "0922-6028", "25", "3-4", "195-210",
    )
    assert r.ids.pmcid == "PMC4380289"  # from <OtherID Source="NLM">
    assert (r.dates["issue"].value, r.dates["issue"].precision) == ("2007-01-01", "year")
    assert r.dates["created"].value == "2007-10-18"
    assert r.dates["completed"].value == "2008-02-07"
    assert r.dates["last_revised"].value == "2015-12-26"
    assert r.grants[0].grant_id == "R01 DC008549" and r.grants[0].agency == "NIDCD NIH HHS"
    ev = next(m for m in r.mesh if m.descriptor == "Evoked Potentials, Auditory")
    assert ev.ui == "D005072" and not ev.major and ev.qualifiers[0].name == "physiology"
    assert r.publication_types == ["Journal Article", "Research Support, Non-U.S. Gov't"]
    assert r.language == "eng"
    assert r.extra["medline_status"] == "MEDLINE"


@pytest.mark.parametrize(
    "pmid, raw, value",
    [
        ("26702167", "2015 Oct-Dec", "2015-10-01"),
        ("18621939", "2008 Jul-Aug", "2008-07-01"),
        ("26702503", "2016 Jan-Feb", "2016-01-01"),
    ],
)
def test_medline_dates(medline16, pmid, raw, value):
    d = medline16[pmid].dates["issue"]
    assert (d.value, d.precision, d.raw) == (value, "month", raw)


def test_databank_nct_is_a_link_not_an_id(medline16):
    r = medline16["21933749"]
    assert r.ids.nct is None
    nct = [x for x in r.links if x.kind == "databank"]
    assert [(x.databank, x.accession) for x in nct] == [("ClinicalTrials.gov", "NCT00585195")]


def test_comments_corrections(medline16):
    errata = [x for x in medline16["26702309"].links if x.kind == "erratum-in"]
    assert [(x.pmid, x.text) for x in errata] == [("26705261", "Syst Synth Biol. 2015 Dec;9(Suppl 1):55")]
    erratum_for = [x for x in medline16["26407471"].links if x.kind == "erratum-for"]
    assert erratum_for[0].pmid == "22828228"
    # the 2016 DTD lists the article's own references as RefType="Cites"
    assert sum(len(r.references) for r in medline16.values()) == 3547
    assert not any(x.kind == "cites" for r in medline16.values() for x in r.links)


def test_orcid_and_collective(medline16):
    orcids = {a.family: a.orcid for a in medline16["26411977"].authors if a.orcid}
    assert orcids == {"Sugrue": "0000-0001-9921-6968"}  # given as http://orcid.org/...
    group = medline16["25345997"].authors[0]
    assert group.collective == "Movement Disorder Group" and group.display() == "Movement Disorder Group"


def test_current_format_fields(shared_data):
    r = records(shared_data / "pubmed" / "pubmed7.xml")[0]
    assert r.ids.pmid == "29963580" and r.ids.pmcid == "PMC6022861" and r.ids.doi == "10.1117/1.jmi.5.2.026002"
    assert r.extra["medline_status"] == "PubMed-not-MEDLINE"
    assert r.authors[-1].collective == "Canadian Respiratory Research Network"
    assert any(a.orcid == "0000-0002-4590-7461" for a in r.authors)
    assert r.dates["electronic"].value.startswith("2018-06")
    assert r.report_month() == "2018-06"
    first = r.references[0]
    assert (first.citation, first.pmid) == ("Radiology. 2015 Jan;274(1):250-9", "25144646")
    assert {"pubmed", "entrez", "medline"} <= set(r.dates)


def test_season_and_history(shared_data):
    recs = by_pmid(records(shared_data / "pubmed" / "pubmed1.xml"))
    spring = recs["12091962"].dates["issue"]
    assert (spring.value, spring.precision, spring.raw) == ("1990-03-01", "season", "1990 Spring")
    r = recs["9997"]
    assert r.dates["issue"].value == "1976-09-28"
    assert r.dates["pubmed"].value == "1976-09-28"
    assert r.ids.doi == "10.1016/0005-2795(76)90109-4" and r.ids.pii == "0005-2795(76)90109-4"
    chromatium = next(m for m in r.mesh if m.descriptor == "Chromatium")
    assert chromatium.qualifiers[0].name == "enzymology" and chromatium.qualifiers[0].major
    assert recs["12091962"].keywords == ["Health Care and Public Health", "Legal Approach"]
    assert recs["12091962"].extra["publication_status"] == "ppublish"


def test_history_keys(shared_data):
    r = records(shared_data / "pubmed" / "pubmed5.xml")[0]
    assert r.extra["medline_status"] == "In-Data-Review"
    assert r.ids.pmcid == "PMC5771820"
    hist = {k for k in r.dates if k in {"received", "accepted", "revised", "pmc_release"}}
    assert hist  # history dates of the current DTD become their own keys


def test_inline_markup_keeps_every_character(shared_data):
    tagged = records(shared_data / "pubmed" / "title_with_html_tags.xml")[0]
    plain = records(shared_data / "pubmed" / "pubmed4.xml")[0]
    assert tagged.ids.pmid == plain.ids.pmid == "27797938"
    assert tagged.title == (
        "Leucocyte telomere length, genetic variants at theTERTgene region and risk of pancreatic cancer."
    )
    assert plain.title == "Leucocyte telomere length, genetic variants at the TERT gene region and risk of pancreatic cancer."
    assert "linkage disequilibrium r2<0.25" in tagged.abstract_text
    assert [s.label for s in tagged.abstract] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]


def test_mathml_and_sub_sup_text_kept(shared_data):
    r = records(shared_data / "pubmed" / "pubmed6.xml")[0]
    text = r.abstract_text
    assert "(LEmin)" in text and "km·h-1" in text and "(VMLSS)" in text
    assert "\n" not in text  # pretty-printed MathML indentation is one space, not lines


def test_structured_abstract_nejm(shared_data):
    r = records(shared_data / "pubmed" / "pubmed-29768149.xml")[0]
    assert r.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    assert [s.label for s in r.abstract][:2] == ["BACKGROUND", "METHODS"]
    assert r.ids.doi == "10.1056/nejmoa1715274"
    assert any(x.kind == "databank" and x.accession.startswith("NCT") for x in r.links)
    assert r.ids.nct is None


def test_current_gzip_file(shared_data):
    recs = by_pmid(records(shared_data / "pubmed" / "test_current_medline.xml.gz"))
    assert set(recs) == {"36400559", "2930949", "11446611", "28786991"}
    assert sum(1 for r in recs.values() if r.abstract) == 3
    assert recs["36400559"].title == "Back Pain: Differential Diagnosis and Management."


def test_source_can_be_overridden(shared_data):
    with open(shared_data / "pubmed" / "pubmed2.xml", "rb") as f:
        recs = list(read_stream(f, origin="efetch?id=1", source="pubmed"))
    assert {r.provenance[0].source for r in recs} == {"pubmed"}


def test_raw_hash_is_stable_and_distinct(shared_data):
    a = records(shared_data / "pubmed" / "pubmed2.xml")
    b = records(shared_data / "pubmed" / "pubmed2.xml")
    assert [r.provenance[0].raw_hash for r in a] == [r.provenance[0].raw_hash for r in b]
    assert len({r.provenance[0].raw_hash for r in a}) == 2
    assert [r.content_hash() for r in a] == [r.content_hash() for r in b]


# -- not PubMed, bad input -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["efetch3.xml", "efetch4.xml", "esearch1.xml", "elink1.xml", "esummary1.xml"])
def test_other_entrez_replies_are_not_pubmed(shared_data, name):
    with pytest.raises(ParseError, match="not PubMed XML"):
        read(shared_data / "pubmed" / "entrez" / name)


def test_empty_and_non_xml(tmp_path):
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="empty file"):
        read(empty)
    text = tmp_path / "note.xml"
    text.write_bytes(b"just text\n")
    with pytest.raises(ParseError, match="not XML"):
        read(text)


def _two_records_then(shared_data, tail: bytes) -> bytes:
    data = (shared_data / "pubmed" / "pubmed2.xml").read_bytes()
    cut = data.index(b"</PubmedArticle>") + len(b"</PubmedArticle>")
    return data[:cut] + tail


def test_malformed_xml_midway_keeps_earlier_records(shared_data):
    data = _two_records_then(shared_data, b"<PubmedArticle><MedlineCitation><PMID>1</PMID></Oops>")
    out = list(read_stream(io.BytesIO(data), origin="bad.xml"))
    assert isinstance(out[0], Record) and out[0].ids.pmid == "11748933"
    assert isinstance(out[-1], ParseIssue) and len(out) == 2
    assert "malformed XML" in out[-1].message and "line" in out[-1].location
    assert "after record 1" in out[-1].location


def test_truncated_gzip_keeps_earlier_records(shared_data, tmp_path):
    packed = (shared_data / "pubmed" / "medline16n0902.xml.gz").read_bytes()
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    out = read(cut)
    recs = [x for x in out if isinstance(x, Record)]
    assert 100 < len(recs) < 605
    assert isinstance(out[-1], ParseIssue)
    assert "gzip" in out[-1].message or "malformed" in out[-1].message
    assert out[-1].location == f"after record {len(recs)}"


def test_record_without_pmid_is_an_issue_and_reading_goes_on(shared_data):
    data = (shared_data / "pubmed" / "pubmed2.xml").read_bytes()
    data = data.replace(b'<PMID Version="1">11748933</PMID>', b"", 1)
    data = data.replace(b'<ArticleId IdType="pubmed">11748933</ArticleId>', b"", 1)
    out = list(read_stream(io.BytesIO(data), origin="nopmid.xml"))
    assert isinstance(out[0], ParseIssue) and out[0].location.startswith("record 1")
    assert "PMID" in out[0].message
    assert isinstance(out[1], Record) and out[1].ids.pmid == "11700088"


def test_gzip_stream_and_plain_stream_agree(shared_data):
    data = (shared_data / "pubmed" / "pubmed4.xml").read_bytes()
    plain = list(read_stream(io.BytesIO(data), origin="x"))
    packed = list(read_stream(io.BytesIO(gzip.compress(data)), origin="x"))
    assert [r.to_dict() for r in plain] == [r.to_dict() for r in packed]


def test_old_set_wrapped_as_current_gives_same_records(shared_data):
    """The bench wraps old MedlineCitations in PubmedArticle: both roots must read the same."""
    with gzip.open(shared_data / "pubmed" / "medline16n0902.xml.gz") as f:
        data = f.read()
    head, body = data.split(b"<MedlineCitationSet>", 1)
    body = body.replace(b"<MedlineCitation ", b"<PubmedArticle><MedlineCitation ")
    body = body.replace(b"</MedlineCitation>", b"</MedlineCitation></PubmedArticle>")
    body = body.replace(b"</MedlineCitationSet>", b"</PubmedArticleSet>")
    wrapped = list(read_stream(io.BytesIO(b"<PubmedArticleSet>" + body), origin="w"))
    old = records(shared_data / "pubmed" / "medline16n0902.xml.gz")
    strip = lambda r: json.dumps({k: v for k, v in r.to_dict().items() if k != "provenance"}, sort_keys=True)  # noqa: E731
    assert [strip(r) for r in wrapped] == [strip(r) for r in old]


def test_link_kinds_table():
    assert link_kind("RetractionIn") == "retracted-by"
    assert link_kind("RetractionOf") == "retraction-of"
    assert link_kind("ErratumIn") == "erratum-in"
    assert link_kind("ExpressionOfConcernIn") == "expression-of-concern-in"
    assert link_kind("SomeNewRefType") == "some-new-ref-type"


def test_memory_stays_flat(shared_data):
    """Records are released as they are read: the tree holds at most one chunk's worth."""
    from litwatch.formats.pubmed import stream

    seen = []
    original = stream._release

    def spy(el):
        original(el)
        parent = el.getparent()
        seen.append(len(parent) if parent is not None else 0)

    stream._release = spy
    try:
        records(shared_data / "pubmed" / "medline16n0902.xml.gz")
    finally:
        stream._release = original
    assert len(seen) == 605 and max(seen) < 50
