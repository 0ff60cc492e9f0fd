-- litwatch schema 18 (web): published report versions, kept inside the store file so a copy of
-- the database carries the reports that readers were given. Owned by litwatch.web.publishing.
CREATE TABLE published_reports (
    id            INTEGER PRIMARY KEY,
    topic         TEXT NOT NULL,
    period_from   TEXT NOT NULL,          -- YYYY-MM
    period_to     TEXT NOT NULL,
    version       INTEGER NOT NULL,       -- 1, 2, ... per (topic, period); earlier ones are kept
    lang          TEXT NOT NULL,
    title         TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    run_id        INTEGER,                -- the `report` run that built it
    counts        TEXT NOT NULL DEFAULT '{}',
    UNIQUE (topic, period_from, period_to, version)
);

CREATE TABLE published_report_files (
    report_id   INTEGER NOT NULL REFERENCES published_reports(id) ON DELETE CASCADE,
    fmt         TEXT NOT NULL,            -- md | html | pdf | docx | json | atom
    filename    TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    content     BLOB NOT NULL,
    PRIMARY KEY (report_id, fmt)
);
