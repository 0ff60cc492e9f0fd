"""The store on real SQLite files: idempotent upsert, merging, history, deletion, search, migrations."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from litwatch.errors import StoreError, UsageError
from litwatch.records import AbstractSection, Author, DateValue, Ids, Journal, Provenance, Record, Trial
from litwatch.store import open_store
from litwatch.store.migrate import latest_version
from litwatch.store.prepare import prepare

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def article(source="file:pubmed-xml", title="Umbilical cord MSCs relieve depression in CUMS mice", **ids) -> Record:
    return Record(
        ids=Ids(**ids),
        title=title,
        abstract=[AbstractSection("hUC-MSCs reduced immobility in the forced swim test.", "RESULTS", "RESULTS")],
        authors=[Author(family="Zhang", given="Wei", affiliations=["Peking University, Beijing, China"])],
        journal=Journal(title="Stem Cell Research & Therapy", volume="16"),
        dates={"electronic": DateValue("2025-01-07")},
        keywords=["depression"],
        provenance=[Provenance(source=source, origin="test")],
    )


def rows(store, table: str) -> int:
    return store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_same_batch_twice_changes_nothing(store):
    batch = [article(pmid="1", doi="10.1/a"), article(pmid="2", title="Another paper on exosomes")]
    first = store.upsert(batch)
    second = store.upsert(batch)
    assert (first.new, first.unchanged) == (2, 0)
    assert (second.new, second.unchanged, second.updated) == (0, 2, 0)
    assert rows(store, "records") == 2 and rows(store, "source_items") == 2
    assert first.record_ids == second.record_ids


def test_copies_with_a_shared_doi_become_one_record_keeping_every_source(store):
    store.upsert([article(pmid="1", doi="10.1/A")])
    crossref = article(source="crossref", doi="10.1/a", title="Umbilical cord MSCs relieve depression in CUMS mice.")
    crossref.journal = Journal(issue="3", publisher="BMC")
    result = store.upsert([crossref])
    assert result.merged == 1 and store.count() == 1
    record = store.get(store.resolve("PMID:1"))
    assert record.journal.volume == "16" and record.journal.issue == "3"  # gap filled from Crossref
    assert {p.source for p in record.provenance} == {"file:pubmed-xml", "crossref"}
    assert [m["rule"] for m in store.merges_of(store.resolve("1"))] == ["doi"]


def test_fuzzy_duplicate_merges_only_when_unambiguous_and_ids_agree(store):
    store.upsert([article(pmid="1")])
    ris = article(source="file:ris", title="Umbilical cord MSCs relieve depression in CUMS mice!")
    assert store.upsert([ris]).merged == 1
    assert store.merges_of(1)[0]["rule"] == "fuzzy-title"
    # same title, different PMID: an erratum or a twin publication is not the same work
    assert store.upsert([article(source="file:medline", pmid="9")]).new == 1
    # now two candidates qualify: ambiguous, so a new record
    assert store.upsert([article(source="file:bibtex")]).new == 1
    assert store.count() == 3


def test_a_copy_carrying_two_ids_folds_the_two_records_it_bridges(store):
    store.upsert([article(pmid="5", title="Paper A from PubMed")])
    store.upsert([article(source="crossref", doi="10.9/x", title="Completely different title from Crossref")])
    assert store.count() == 2
    store.upsert([article(source="europepmc", pmid="5", doi="10.9/x", title="Paper A from PubMed")])
    assert store.count() == 1
    record_id = store.resolve("10.9/X")
    assert record_id == store.resolve("5")
    assert {m["rule"] for m in store.merges_of(record_id)} == {"pmid", "id-bridge"}
    assert len(store.get(record_id).provenance) == 3


def test_changed_copy_updates_the_record_and_keeps_the_old_version(store):
    trial = Record(kind="trial", ids=Ids(nct="NCT01234567"), title="MSC for TRD",
                   trial=Trial(status="RECRUITING"), provenance=[Provenance(source="clinicaltrials")])
    store.upsert([trial])
    trial.trial = Trial(status="COMPLETED")
    result = store.upsert([trial])
    assert result.updated == 1
    record_id = store.resolve("NCT01234567")
    assert store.get(record_id).trial.status == "COMPLETED"
    [(when, old)] = store.history_of(record_id)
    assert old.trial.status == "RECRUITING" and when


def test_pubmed_deletion_hides_the_record_from_search_and_listing(store):
    store.upsert([article(pmid="77")])
    assert store.search("forced swim")
    result = store.upsert([Record(ids=Ids(pmid="77"), deleted=True, provenance=[Provenance(source="file:pubmed-xml")])])
    assert result.deleted == 1
    assert store.search("forced swim") == []
    assert list(store.iter_records()) == []
    assert [r for _, r in store.iter_records(include_deleted=True)]


def test_a_batch_lands_whole_or_not_at_all(store):
    good = [prepare(article(pmid="1")), prepare(article(pmid="2", title="Second"))]
    bad = prepare(article(pmid="3", title="Third"))
    bad.title = ["not", "a", "string"]  # sqlite refuses to bind it, after the first two were written
    with pytest.raises(StoreError):
        store.upsert_prepared([*good, bad])
    assert rows(store, "records") == 0 and rows(store, "source_items") == 0
    assert store.upsert_prepared(good).new == 2


def test_search_by_month_and_kind_and_bad_query(store):
    jan, mar = article(pmid="1"), article(pmid="2", title="Exosomes from adipose MSCs in depression")
    mar.dates = {"electronic": DateValue("2025-03-02")}
    store.upsert([jan, mar])
    assert {h.record.ids.pmid for h in store.search("depression")} == {"1", "2"}
    assert [h.record.ids.pmid for h in store.search("depression", date_from="2025-02")] == ["2"]
    assert store.search("depression", kind="trial") == []
    assert [h.record.ids.pmid for h in store.search('"adipose MSCs"')] == ["2"]
    with pytest.raises(UsageError):
        store.search('"unbalanced')
    with pytest.raises(UsageError):
        list(store.iter_records(date_from="2025-13"))
    with pytest.raises(UsageError):
        list(store.iter_records(date_from="2025-05", date_to="2025-01"))


def test_resolve_accepts_every_identifier_form(store):
    store.upsert([article(pmid="123", doi="10.5/AbC", pmcid="PMC99")])
    rid = store.resolve("#1")
    assert rid == 1
    for ident in ("123", "PMID:123", "10.5/abc", "https://doi.org/10.5/ABC", "PMC99", "pmc99"):
        assert store.resolve(ident) == rid, ident
    assert store.resolve("NCT00000000") is None
    with pytest.raises(UsageError):
        store.find("not-an-id")


def test_runs_log(store):
    run = store.start_run("import", {"paths": ["a.xml"]})
    store.finish_run(run, "ok", {"read": 3}, ["a.xml: record 2: no PMID"])
    [logged] = store.runs()
    assert logged["status"] == "ok" and logged["counts"] == {"read": 3}
    assert logged["errors"] == ["a.xml: record 2: no PMID"] and logged["finished_at"]


def test_database_made_by_the_first_schema_opens_and_upgrades(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema1.db", path)
    with open_store(path) as store:
        assert store.schema_version == latest_version()
        rid = store.resolve("PMID:39000001")
        record = store.get(rid)
        assert record.journal.publisher == "BMC"  # merged from its Crossref copy in schema 1
        assert store.get(store.resolve("NCT04000001")).trial.enrollment == 16
        assert store.search("forced swim")
        store.upsert([article(pmid="2", title="A new paper after the upgrade")])
        assert store.count() == 3
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == latest_version()


def test_newer_or_foreign_database_is_refused(tmp_path):
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(newer)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        open_store(junk)
    with pytest.raises(StoreError):
        open_store(tmp_path / "missing-folder" / "x.db")


def test_wal_mode(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_full_text_index_follows_updates_merges_folds_and_deletions(store):
    store.upsert([article(pmid="5", title="Paper A about exosomes")])
    store.upsert([article(source="crossref", doi="10.9/x", title="Paper B about secretome")])
    store.upsert([article(source="europepmc", pmid="5", doi="10.9/x", title="Paper A about exosomes")])
    changed = article(pmid="5", title="Paper A about mitochondria")
    store.upsert([changed])  # same source item, new content
    hits = {h.record.ids.pmid for h in store.search("mitochondria")}
    assert hits == {"5"}
    assert store.search("secretome") == []  # the folded record is gone from the index
    store.upsert([Record(ids=Ids(pmid="5"), deleted=True, provenance=[Provenance(source="file:pubmed-xml")])])
    assert store.search("mitochondria") == [] and store.search("swim") == []
    store.conn.execute("INSERT INTO records_fts(records_fts) VALUES ('integrity-check')")


def _batch_of_every_case() -> list[Record]:
    deletion = Record(ids=Ids(pmid="9"), deleted=True, provenance=[Provenance(source="file:pubmed-xml", origin="d")])
    return [
        article(pmid="1"),  # new
        article(source="file:ris", title="Umbilical cord MSCs relieve depression in CUMS mice!"),  # fuzzy: joins 1
        article(source="file:medline", pmid="9"),  # same title, other PMID: new
        article(source="file:bibtex"),  # two fuzzy candidates now: new
        article(pmid="5", title="Paper A from PubMed"),
        article(source="crossref", doi="10.9/x", title="Completely different title from Crossref"),
        article(source="europepmc", pmid="5", doi="10.9/x", title="Paper A from PubMed"),  # folds the two
        article(pmid="1"),  # the same copy again: unchanged
        article(pmid="20", title="An unrelated paper on exosomes"),
        article(pmid="3", doi="10.1/stored", title="Already stored, now with a DOI"),  # a stored copy, changed
        deletion,
        article(source="file:csv", title="Paper A from PubMed", doi="10.9/y"),  # the folded record has another DOI
        _without_authors(article(pmid="42", doi="10.5/r", title="Exosomes from MSCs relieve depression in rats")),
        # the stored Crossref record now has PubMed's title and still Crossref's author: this joins it
        article(source="file:ris", title="Exosomes from MSCs relieve depression in rats."),
    ]


def _without_authors(record: Record) -> Record:
    record.authors = []
    return record


def _contents(store) -> dict[str, list[tuple]]:
    q = {
        "records": "SELECT id, kind, title, strong_ids, fuzzy_block, data, deleted FROM records ORDER BY id",
        "record_ids": "SELECT id_kind, value, record_id FROM record_ids ORDER BY 1, 2",
        "source_items": "SELECT record_id, source, item_key, data IS NULL FROM source_items ORDER BY source, item_key",
        "merges": "SELECT record_id, merged_record, rule, detail FROM merges ORDER BY id",
    }
    return {name: [tuple(r) for r in store.conn.execute(sql)] for name, sql in q.items()}


def test_a_batch_stores_exactly_what_one_copy_at_a_time_does(tmp_path):
    """Batches are planned and written set-wise; every merge rule must come out as if copies
    were stored one by one, also when copies of one batch merge with each other."""
    results = []
    for mode in ("batch", "one-by-one"):
        store = open_store(tmp_path / f"{mode}.db")
        store.upsert([
            article(pmid="3", title="Already stored"),
            article(pmid="77", title="Stored, untouched"),
            article(source="crossref", doi="10.5/r", title="Original Crossref title about exosomes"),
        ])
        batch = _batch_of_every_case()
        if mode == "batch":
            result = store.upsert(batch)
            ids, counts = result.record_ids, result.counts()
        else:
            ids, counts = [], dict.fromkeys(("read", "new", "updated", "unchanged", "merged", "deleted"), 0)
            for record in batch:
                one = store.upsert([record])
                ids += one.record_ids
                counts = {k: counts[k] + v for k, v in one.counts().items()}
        results.append((ids, counts, _contents(store)))
        store.close()
    (ids_b, counts_b, db_b), (ids_o, counts_o, db_o) = results
    assert counts_b == counts_o == {"read": 14, "new": 7, "updated": 1, "unchanged": 1, "merged": 4, "deleted": 1}
    assert ids_b == ids_o
    assert db_b == db_o


def test_a_migration_numbered_below_one_already_applied_still_runs(db_file):
    """Parts reserve number ranges and land in any order: a database that had 0016 before 0013
    existed still gets 0013 once it ships (applied migrations are recorded by number)."""
    import sqlite3

    from litwatch.store import open_store

    with open_store(db_file) as store:
        store.conn.execute("DELETE FROM schema_migrations WHERE number = 14")
        for col in ("pid", "host", "process_started"):  # as a database from before 0014 has them
            store.conn.execute(f"ALTER TABLE runs DROP COLUMN {col}")
    with open_store(db_file) as store:
        cols = {row[1] for row in store.conn.execute("PRAGMA table_info(runs)")}
        assert "pid" in cols
        numbers = [n for (n,) in store.conn.execute("SELECT number FROM schema_migrations ORDER BY number")]
        assert 14 in numbers and numbers == sorted(set(numbers))
    conn = sqlite3.connect(db_file)
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 18
    conn.close()
