"""Record JSON round-trip and derived views."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from litwatch.records import (
    AbstractSection, Author, DateValue, Ids, Link, MeshHeading, MeshQualifier, Provenance, Record, Trial,
    normalize_doi, normalize_nct, normalize_pmcid,
)

text = st.text(min_size=0, max_size=30)
opt = st.none() | st.text(min_size=1, max_size=20)
dates = st.dates().map(lambda d: DateValue(d.isoformat(), "day"))

records = st.builds(
    Record,
    kind=st.sampled_from(["article", "preprint", "trial", "other"]),
    ids=st.builds(Ids, pmid=opt, doi=opt, nct=opt),
    title=opt,
    abstract=st.lists(st.builds(AbstractSection, text=text, label=opt, category=opt), max_size=3),
    authors=st.lists(st.builds(Author, family=opt, given=opt, affiliations=st.lists(text, max_size=2)), max_size=3),
    dates=st.dictionaries(st.sampled_from(["electronic", "issue", "pubmed"]), dates, max_size=3),
    mesh=st.lists(st.builds(MeshHeading, descriptor=text, major=st.booleans(),
                            qualifiers=st.lists(st.builds(MeshQualifier, name=text, major=st.booleans()), max_size=2)),
                  max_size=2),
    links=st.lists(st.builds(Link, kind=text, pmid=opt), max_size=2),
    trial=st.none() | st.builds(Trial, status=opt, enrollment=st.none() | st.integers(0, 10**6),
                                has_results=st.none() | st.booleans()),
    provenance=st.lists(st.builds(Provenance, source=text, run_id=st.none() | st.integers(1, 99)), max_size=2),
    deleted=st.booleans(),
    extra=st.dictionaries(st.text(max_size=5), st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | text, max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(records)
def test_json_round_trip_is_lossless(record):
    assert Record.from_json(record.to_json()) == record
    assert json.loads(record.to_json()) == record.to_dict()


def test_report_month_prefers_electronic_then_issue_then_pubmed():
    r = Record(dates={"issue": DateValue("2025-02-01", "month"), "pubmed": DateValue("2024-12-30")})
    assert r.report_month() == "2025-02"
    r.dates["electronic"] = DateValue("2025-01-07")
    assert r.report_month() == "2025-01"
    assert Record(dates={"issue": DateValue("2025-01-01", "year")}).report_month() is None


def test_abstract_offsets_are_stable():
    r = Record(abstract=[AbstractSection("One.", "BACKGROUND"), AbstractSection("Two three.", "RESULTS")])
    assert r.abstract_text == "One.\nTwo three."
    (a0, a1), (b0, b1) = r.section_offsets()
    assert r.abstract_text[a0:a1] == "One." and r.abstract_text[b0:b1] == "Two three."


def test_identifier_normalisation():
    assert normalize_doi("https://doi.org/10.1016/J.X.2025.01") == "10.1016/j.x.2025.01"
    assert normalize_doi("doi: 10.1/ABC.") == "10.1/abc"
    assert normalize_doi("not a doi") is None
    assert normalize_pmcid("12345") == "PMC12345" and normalize_pmcid("pmc7") == "PMC7"
    assert normalize_nct("see nct01234567 for details") == "NCT01234567"


def test_content_hashes_stay_what_earlier_versions_stored(shared_data):
    """A store remembers each copy's content hash: a re-import finds a copy unchanged only if the
    hash comes out the same. These 635 real records hashed this way before the per-class dumpers
    (records._compile_dumper) replaced the field-by-field walk; a change in what to_dict() leaves
    out, or in the JSON, would make every stored copy look changed."""
    import hashlib

    from litwatch.formats import read_file

    names = [
        "pubmed/medline16n0902.xml.gz",
        "pubmed/pubmed6.xml",
        "europepmc/search_cancer_core.json",
        "crossref/works_query.json",
        "clinicaltrials/api-v2/nct03722472.json",
        "clinicaltrials/api-v2/nct06323538.json",
    ]
    digest, n = hashlib.sha1(), 0
    for name in names:
        for rec in read_file(shared_data / name):
            if isinstance(rec, Record):
                digest.update(rec.content_hash().encode())
                n += 1
    assert n == 635
    assert digest.hexdigest() == "e2e3b9ce3cbfb5f27291736d491bf6e1dbe2aca5"


def test_from_dict_gives_defaults_for_what_is_missing_and_leaves_unknown_keys_out():
    """A store written by a newer version (a field this one lacks) or an older one (a field it
    did not have yet) still reads."""
    rec = Record.from_dict({
        "title": "T", "from_a_newer_version": 1, "trial": None, "abstract": None,
        "authors": [{"family": "Li", "orcid_verified": True}],
        "mesh": [{"descriptor": "Depression", "qualifiers": [{"name": "therapy", "rank": 2}]}],
    })
    assert rec == Record(title="T", authors=[Author(family="Li")],
                         mesh=[MeshHeading("Depression", qualifiers=[MeshQualifier("therapy")])])
    assert Record.from_dict({}) == Record()


def test_a_copy_holding_nothing_takes_every_field_from_the_next_copy():
    """merge_records fills each field the best-ranked copy lacks from the next copy, whatever the
    field: its field list comes from the Record's fields. Every field of `full` is set, so a field
    added to Record shows here until the merge knows it."""
    from dataclasses import fields

    from litwatch.records import Grant, Journal, Reference
    from litwatch.store.merge import merge_records

    full = Record(
        kind="article", ids=Ids(pmid="1", doi="10.1/x"), title="Stem cells", abstract=[AbstractSection("A.")],
        authors=[Author("Li", "Wei")], journal=Journal(title="J"), dates={"issue": DateValue("2025-01-01")},
        publication_types=["Journal Article"], mesh=[MeshHeading("Depression")], keywords=["MSC"],
        language="eng", grants=[Grant("G1")], links=[Link("comment-in", pmid="2")],
        references=[Reference("Ref.")], trial=Trial(status="RECRUITING"), body=["Text."],
        provenance=[Provenance("crossref")], deleted=False, extra={"publication_status": "ppublish"},
    )
    assert all(getattr(full, f.name) not in (None, [], {}, "") for f in fields(Record))
    empty = Record(ids=Ids(pmid="1"), provenance=[Provenance("pubmed")])
    merged = merge_records([full, empty])
    for f in fields(Record):
        if f.name != "provenance":
            assert getattr(merged, f.name) == getattr(full, f.name), f.name
    assert [p.source for p in merged.provenance] == ["pubmed", "crossref"]


def test_records_are_loaded_from_many_threads_at_once_from_the_first_call(monkeypatch):
    # the web app reads records in a thread pool: the first requests all compile the loaders at once
    import threading
    import time

    from litwatch import records

    compile_loader = records._compile_loader

    def slow_compile(cls):  # widen the window in which a second thread arrives mid-compile
        time.sleep(0.05)
        return compile_loader(cls)

    monkeypatch.setattr(records, "_LOADERS", {})
    monkeypatch.setattr(records, "_compile_loader", slow_compile)
    data = Record(title="Exosomes for depression", authors=[Author(family="Li", given="Wei")]).to_dict()
    start, got, failed = threading.Barrier(8), [], []

    def load():
        start.wait()
        try:
            got.append(Record.from_dict(data))
        except Exception as exc:  # noqa: BLE001 - the test reports what a thread met
            failed.append(repr(exc))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failed == []
    assert [r.authors[0].family for r in got] == ["Li"] * 8
