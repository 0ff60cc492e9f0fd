-- litwatch schema 13: records without an author get a fuzzy block of their own title's first words.
-- Before, every such record of a year shared the block "YYYY|", so a large file without authors
-- compared each new record with all those before it. litwatch_title_key() is store.merge.title_key,
-- given to SQLite by store.migrate before the migrations run.
UPDATE records SET fuzzy_block = fuzzy_block || '~' || litwatch_title_key(norm_title)
 WHERE fuzzy_block LIKE '%|' AND coalesce(norm_title, '') <> '';
