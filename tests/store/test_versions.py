"""Newer versions of one source item: a PubMed update file's copy of a PMID replaces the baseline's.

The files are made here from a real PubMed record (pubmed-29768149.xml): the baseline copy as it
is, and an update copy whose title and abstract we rewrote and whose DateRevised is later.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from litwatch.formats import read_file
from litwatch.ingest import import_files
from litwatch.records import Author, Ids, Provenance, Record
from litwatch.store import open_store
from litwatch.store.upsert import COUNT_NAMES
from tests.store.test_store import _contents

PMID = "29768149"
NEW_TITLE = "As-needed budesonide-formoterol for mild asthma: a corrected title written for this test."
NEW_ABSTRACT = "In this corrected version the authors restate that the combination inhaler eased wheezing."


def _revised(xml: bytes, year: str) -> bytes:
    out, n = re.subn(rb"(<DateRevised>\s*<Year>)\d{4}", rb"\g<1>" + year.encode(), xml)
    assert n == 1
    return out


def _rewritten(xml: bytes) -> bytes:
    xml = re.sub(rb"<ArticleTitle>.*?</ArticleTitle>", f"<ArticleTitle>{NEW_TITLE}</ArticleTitle>".encode(), xml,
                 flags=re.S)
    return re.sub(rb"<Abstract>.*?</Abstract>",
                  f"<Abstract><AbstractText>{NEW_ABSTRACT}</AbstractText></Abstract>".encode(), xml, flags=re.S)


@pytest.fixture()
def files(shared_data, tmp_path) -> tuple[Path, Path]:
    """(baseline file, update file) of one PMID; DateRevised 2022 in the baseline, 2024 in the update."""
    real = (shared_data / "pubmed" / "pubmed-29768149.xml").read_bytes()
    assert b"<Year>2022</Year>" in real  # its DateRevised
    base = tmp_path / "pubmed25n0001.xml"
    base.write_bytes(real)
    upd = tmp_path / "pubmed25n1300.xml"
    upd.write_bytes(_revised(_rewritten(real), "2024"))
    return base, upd


def _record(store):
    return store.get(store.resolve(PMID))


def test_the_update_files_version_replaces_the_baseline_copy_and_both_are_kept(store, files):
    base, upd = files
    import_files(store, [base])
    old = _record(store)
    assert old.title.startswith("Inhaled Combined Budesonide-Formoterol") and len(old.abstract) == 4
    assert store.search("AstraZeneca")  # in the baseline's abstract only
    result = import_files(store, [upd])
    assert (result.updated, result.merged, result.new) == (1, 0, 0)  # a new version, not a duplicate
    record = _record(store)
    assert record.title == NEW_TITLE and record.abstract_text == NEW_ABSTRACT
    assert record.dates["last_revised"].value == "2024-04-10"
    assert [Path(p.origin).name for p in record.provenance] == [upd.name, base.name]  # newest first
    assert store.count() == 1
    assert [m["rule"] for m in store.merges_of(store.resolve(PMID))] == ["version"]
    [(_, before)] = store.history_of(store.resolve(PMID))
    assert before.title == old.title
    # the index follows: the old abstract's words are gone, the new ones found
    assert {h.record.ids.pmid for h in store.search("wheezing")} == {PMID}
    assert store.search("AstraZeneca") == []
    store.conn.execute("INSERT INTO records_fts(records_fts) VALUES ('integrity-check')")


def test_importing_the_same_files_again_changes_nothing(store, files):
    import_files(store, list(files))
    contents, history = _contents(store), len(store.history_of(store.resolve(PMID)))
    again = import_files(store, list(files))
    assert (again.unchanged, again.updated, again.new, again.merged) == (2, 0, 0, 0)
    assert _contents(store) == contents and len(store.history_of(store.resolve(PMID))) == history
    assert _record(store).title == NEW_TITLE


def test_an_older_version_imported_after_the_newer_one_never_comes_back(store, files, tmp_path):
    base, upd = files
    import_files(store, [upd])
    late = import_files(store, [base])  # the baseline file only now: its DateRevised is older
    assert (late.unchanged, late.updated) == (1, 0)
    record = _record(store)
    assert record.title == NEW_TITLE and len(record.provenance) == 2
    # the baseline file read again with other content (a newer litwatch maps it differently, say)
    base.write_bytes(base.read_bytes().replace(b"Mild Asthma.</ArticleTitle>", b"Mild Asthma!</ArticleTitle>"))
    import_files(store, [base])
    assert _record(store).title == NEW_TITLE


def test_without_revision_dates_the_copy_stored_last_wins(shared_data, tmp_path):
    real = re.sub(rb"<DateRevised>.*?</DateRevised>", b"", (shared_data / "pubmed" / "pubmed-29768149.xml").read_bytes(),
                  flags=re.S)
    old, new = tmp_path / "a.xml", tmp_path / "b.xml"
    old.write_bytes(real)
    new.write_bytes(_rewritten(real))
    for order, title in (([old, new], NEW_TITLE), ([new, old], "Inhaled Combined")):
        with open_store(tmp_path / f"{order[0].stem}.db") as store:
            for path in order:
                import_files(store, [path])
            assert _record(store).title.startswith(title), order


def test_copies_from_other_sources_still_merge_by_the_usual_rules(store, files):
    base, upd = files
    import_files(store, [base])
    # a reference manager's copy of the same PMID, stored later: PubMed's values still win
    ris = Record(ids=Ids(pmid=PMID), title="Budesonide-formoterol as needed (my notes)",
                 authors=[Author(family="O'Byrne", given="Paul")], provenance=[Provenance("file:ris", "mine.ris")])
    result = store.upsert([ris])
    assert result.merged == 1 and _record(store).title.startswith("Inhaled Combined")
    # and a later PubMed version replaces only PubMed's own copy
    import_files(store, [upd])
    record = _record(store)
    assert record.title == NEW_TITLE and {p.source for p in record.provenance} == {"file:pubmed-xml", "file:ris"}
    assert [m["rule"] for m in store.merges_of(store.resolve(PMID))] == ["pmid", "version"]


def test_a_batch_with_both_versions_stores_what_one_copy_at_a_time_does(tmp_path, files):
    copies = [r for path in files for r in read_file(path)]
    other = Record(ids=Ids(pmid="1"), title="An unrelated paper", provenance=[Provenance("file:ris", "x.ris")])
    batch = [copies[0], other, copies[1], copies[0]]
    results = []
    for mode in ("batch", "one-by-one"):
        with open_store(tmp_path / f"{mode}.db") as store:
            if mode == "batch":
                counts = store.upsert(batch).counts()
            else:
                counts = dict.fromkeys(COUNT_NAMES, 0)
                for r in batch:
                    for k, v in store.upsert([r]).counts().items():
                        counts[k] += v
            results.append((counts, _contents(store)))
    (counts_b, db_b), (counts_o, db_o) = results
    assert counts_b == counts_o == {"read": 4, "new": 2, "updated": 1, "unchanged": 1, "merged": 0, "deleted": 0}
    assert db_b == db_o
