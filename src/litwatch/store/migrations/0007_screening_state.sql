-- litwatch schema 7 (screen): what each record was last screened with, and the ranker's last fit.
--
-- screen_state: one row per (topic, record): the content hash, profile rules hash and rules
-- version the rules last read, their label and evidence (relation kind, contexts, concepts:
-- the ranker's features). update_screening re-decides exactly the records whose row is missing
-- or differs. screen_models: one row per topic: the fingerprint of the ranker's training data
-- and candidates, whether it is trusted to decide alone, its thresholds and cross-validation.
-- screen_scores: the ranker's P(relevant) per record and what it suggests where that differs
-- from the effective decision (the report's "suggested, not yet checked" appendix).
-- IF NOT EXISTS: the screen module also creates these tables on first use (see screen/state.py).
CREATE TABLE IF NOT EXISTS screen_state (
    topic         TEXT NOT NULL,
    record_id     INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    content_hash  TEXT NOT NULL,
    profile_hash  TEXT NOT NULL,
    rules_version INTEGER NOT NULL,
    label         TEXT NOT NULL,
    evidence      TEXT NOT NULL DEFAULT '[]',
    screened_at   TEXT NOT NULL,
    PRIMARY KEY (topic, record_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS screen_models (
    topic         TEXT PRIMARY KEY,
    fingerprint   TEXT NOT NULL,
    fitted_at     TEXT NOT NULL,
    trusted       INTEGER NOT NULL DEFAULT 0,
    include_at    REAL,            -- scores at or above: the ranker includes (trusted only)
    exclude_below REAL,            -- scores below: the ranker excludes rule inclusions (trusted only)
    summary       TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE IF NOT EXISTS screen_scores (
    topic       TEXT NOT NULL,
    record_id   INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    score       REAL NOT NULL,     -- P(relevant)
    suggestion  TEXT,              -- include | exclude where it differs from the rules; else NULL
    applied     INTEGER NOT NULL DEFAULT 0,  -- 1: the trusted ranker's decision is the effective one
    reason      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (topic, record_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS screen_scores_suggested ON screen_scores(topic, suggestion);
