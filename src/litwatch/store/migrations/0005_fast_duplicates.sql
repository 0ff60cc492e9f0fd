-- litwatch schema 5: cheaper duplicate lookups and full-text indexing during large imports.

-- A copy is compared by title only with records of its fuzzy block that hold no id of a kind the
-- copy holds. In a large PubMed file a block such as "2019|wang" holds hundreds of records, nearly
-- all with a PMID, while a copy with a PMID can only match one without: the index seeks straight
-- to those, and holds what the comparison reads, so no record row is touched.
ALTER TABLE records ADD COLUMN has_pmid INTEGER
    GENERATED ALWAYS AS (instr(' ' || coalesce(strong_ids, ''), ' pmid:') > 0) VIRTUAL;
DROP INDEX records_block;
CREATE INDEX records_block ON records(fuzzy_block, kind, deleted, has_pmid, norm_title, strong_ids);

-- FTS5 merges its segments after every 4 by default; after 16 it does a quarter of the merging
-- work for the imports' many small transactions, and queries still read few segments.
INSERT INTO records_fts(records_fts, rank) VALUES ('automerge', 16);
