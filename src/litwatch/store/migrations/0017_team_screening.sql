-- litwatch schema 17 (screen.team): screening as a team. Owned by litwatch.screen.team.
--
-- A reviewer's decision is a person row of `decisions` (0003) written by
-- litwatch.screen.record_decision; what the web adds to it (the exclusion reason chosen from the
-- topic's list, tags) sits here, keyed by that row's id. An adjudication is also a person row of
-- `decisions` (so the effective decision is the adjudicator's), marked here as settling a conflict.
CREATE TABLE topic_settings (
    topic   TEXT NOT NULL,
    key     TEXT NOT NULL,              -- blind (0/1), reviews_per_record (1, 2, ...)
    value   TEXT NOT NULL,
    set_by  TEXT,
    set_at  TEXT NOT NULL,
    PRIMARY KEY (topic, key)
);

CREATE TABLE review_details (
    decision_id INTEGER PRIMARY KEY REFERENCES decisions(id) ON DELETE CASCADE,
    topic       TEXT NOT NULL,
    record_id   INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    reviewer    TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',   -- exclusion reason (empty for an include)
    tags        TEXT NOT NULL DEFAULT '[]'  -- JSON list of short strings
);
CREATE INDEX review_details_record ON review_details(topic, record_id);

CREATE TABLE adjudications (
    id           INTEGER PRIMARY KEY,
    decision_id  INTEGER NOT NULL UNIQUE REFERENCES decisions(id) ON DELETE CASCADE,
    topic        TEXT NOT NULL,
    record_id    INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    adjudicator  TEXT NOT NULL,
    label        TEXT NOT NULL CHECK (label IN ('include', 'exclude')),
    reason       TEXT NOT NULL DEFAULT '',
    decided_at   TEXT NOT NULL
);
CREATE INDEX adjudications_record ON adjudications(topic, record_id);
