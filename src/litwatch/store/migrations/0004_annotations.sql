-- litwatch schema 4: annotations (owned by litwatch.annotate).

-- one row a record: the whole Annotations as JSON, and what it was computed from
CREATE TABLE annotations (
    record_id        INTEGER PRIMARY KEY REFERENCES records(id) ON DELETE CASCADE,
    version          TEXT NOT NULL,     -- ANNOTATOR_VERSION
    vocabulary_hash  TEXT NOT NULL,     -- Vocabulary.hash the mentions were found with
    content_hash     TEXT NOT NULL,     -- records.content_hash when annotated
    topic            TEXT,              -- topic name that ranked the key findings (NULL: none)
    design           TEXT,
    evidence_level   INTEGER,
    data             TEXT NOT NULL,     -- Annotations.to_dict() as JSON
    annotated_at     TEXT NOT NULL
);
CREATE INDEX annotations_design ON annotations(design);

-- concepts a record mentions, for counts by cell source, condition, mechanism ...
CREATE TABLE annotation_concepts (
    record_id   INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    concept_id  TEXT NOT NULL,
    category    TEXT NOT NULL,
    mentions    INTEGER NOT NULL,       -- mentions that are not negated
    negated     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (record_id, concept_id)
);
CREATE INDEX annotation_concepts_concept ON annotation_concepts(concept_id);

-- the surface forms of each vocabulary used, so a later vocabulary can be compared with it and
-- only records that contain a changed form are annotated again
CREATE TABLE annotation_vocabularies (
    hash        TEXT PRIMARY KEY,
    concepts    TEXT NOT NULL,          -- JSON {concept_id: {"key", "category", "synonyms", "abbreviations", "mesh_cues"}}
    created_at  TEXT NOT NULL
);
