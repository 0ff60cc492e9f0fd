-- litwatch schema 1: records, their ids, every source's copy, merges, runs, full-text search.

CREATE TABLE records (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    title         TEXT,
    report_month  TEXT,              -- YYYY-MM the record is reported under
    year          INTEGER,
    fuzzy_block   TEXT,              -- "year|first-author family" for duplicate candidates
    norm_title    TEXT,              -- normalised title, compared within a fuzzy block
    strong_ids    TEXT,              -- "pmid:1 doi:10.x/y": conflicts are checked without parsing data
    data          TEXT NOT NULL,     -- merged Record as JSON
    content_hash  TEXT NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX records_month ON records(report_month);
CREATE INDEX records_kind ON records(kind);
CREATE INDEX records_block ON records(fuzzy_block);

-- strong identifiers (pmid, doi, pmcid, nct) -> the record that holds them
CREATE TABLE record_ids (
    id_kind    TEXT NOT NULL,
    value      TEXT NOT NULL,
    record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    PRIMARY KEY (id_kind, value)
);
CREATE INDEX record_ids_record ON record_ids(record_id);

-- each source's own copy of a work, with its provenance; the merged record is computed from these
CREATE TABLE source_items (
    id            INTEGER PRIMARY KEY,
    record_id     INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    item_key      TEXT NOT NULL,
    origin        TEXT,
    location      TEXT,
    retrieved_at  TEXT,
    raw_hash      TEXT,
    run_id        INTEGER,
    data          TEXT,              -- NULL while it is the record's only copy (then records.data holds it)
    content_hash  TEXT NOT NULL,
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    UNIQUE (source, item_key)
);
CREATE INDEX source_items_record ON source_items(record_id);

-- every merge of two sources' items into one record, and why
CREATE TABLE merges (
    id              INTEGER PRIMARY KEY,
    record_id       INTEGER NOT NULL,
    source_item_id  INTEGER,
    merged_record   INTEGER,          -- a record folded into record_id (id bridge), if any
    rule            TEXT NOT NULL,    -- pmid | doi | pmcid | nct | fuzzy-title
    score           REAL,
    detail          TEXT,
    run_id          INTEGER,
    merged_at       TEXT NOT NULL
);
CREATE INDEX merges_record ON merges(record_id);

-- earlier versions of a record, so changes (e.g. a trial's status) can be reported
CREATE TABLE record_history (
    id            INTEGER PRIMARY KEY,
    record_id     INTEGER NOT NULL,
    changed_at    TEXT NOT NULL,
    run_id        INTEGER,
    content_hash  TEXT NOT NULL,
    data          TEXT NOT NULL
);
CREATE INDEX record_history_record ON record_history(record_id);

CREATE TABLE runs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    params       TEXT NOT NULL DEFAULT '{}',
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    status       TEXT NOT NULL DEFAULT 'running',
    counts       TEXT NOT NULL DEFAULT '{}',
    errors       TEXT NOT NULL DEFAULT '[]'
);

-- contentless: the text lives in records.data; rows are removed with the 'delete' command and the
-- values they were indexed with (store.upsert recomputes them from the stored record)
CREATE VIRTUAL TABLE records_fts USING fts5(
    title, abstract, keywords, mesh,
    content = '',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
