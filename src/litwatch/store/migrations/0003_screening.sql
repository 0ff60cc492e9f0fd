-- litwatch schema 3 (screen): screening decisions per topic, with their whole history.
--
-- Every decision is a new row; nothing is updated in place except `undone_at` (undo). The
-- effective decision of a record for a topic is chosen in litwatch.screen.decisions:
-- the latest person include/exclude, else the latest rule include/exclude, else the model's,
-- else undecided. Rules and models only ever add rows of their own kind, so a person's
-- decision is never overwritten by them.
CREATE TABLE decisions (
    id          INTEGER PRIMARY KEY,
    record_id   INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    topic       TEXT NOT NULL,
    label       TEXT NOT NULL CHECK (label IN ('include', 'exclude', 'undecided')),
    score       REAL,                       -- rule: share of groups matched; model: P(relevant)
    by          TEXT NOT NULL,              -- 'rule', 'model' or a person's name
    by_kind     TEXT NOT NULL CHECK (by_kind IN ('rule', 'model', 'person')),
    reason      TEXT NOT NULL DEFAULT '',
    concepts    TEXT NOT NULL DEFAULT '[]', -- JSON: [{concept, group, field, start, end, text, masked_by}]
    note        TEXT,
    decided_at  TEXT NOT NULL,              -- ISO 8601 UTC
    run_id      INTEGER,                    -- the `screen` run that wrote a rule/model row
    method      TEXT,                       -- rules version or the model's part names
    undone_at   TEXT                        -- set when a person undoes this decision
);
CREATE INDEX decisions_lookup ON decisions(topic, record_id, by_kind, id);
CREATE INDEX decisions_record ON decisions(record_id);
