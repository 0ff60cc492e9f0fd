-- litwatch schema 2 (sources): fetch checkpoints and the state of each watched query.

-- One row per part of a source's query in a fetch run. `cursor` is where the next batch starts
-- (PubMed: an offset; Europe PMC: a cursorMark; ClinicalTrials.gov: a pageToken). It is written
-- in the same transaction as the batch it follows, so a stopped run resumes exactly there.
CREATE TABLE fetch_checkpoints (
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    source      TEXT NOT NULL,
    part        TEXT NOT NULL,
    query       TEXT NOT NULL,              -- the query text sent for this part
    spec        TEXT NOT NULL DEFAULT '{}', -- JSON the connector needs to redo the part
    cursor      TEXT,
    total       INTEGER,                    -- records the service said the part holds
    fetched     INTEGER NOT NULL DEFAULT 0, -- items received so far
    batches     INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (run_id, source, part)
);

-- The day up to which a source's query is known to be fetched in full, for --since-last-run.
CREATE TABLE fetch_state (
    source       TEXT NOT NULL,
    query        TEXT NOT NULL,
    last_ok_run  INTEGER,
    as_of        TEXT NOT NULL,             -- YYYY-MM-DD (UTC) the last complete fetch reached
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (source, query)
);
