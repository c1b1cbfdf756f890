-- Story records (bot/stories/records_table.py): one row per story, keyed by the engine
-- settings they were made with (`identity`), so other settings start afresh, as with files.
CREATE TABLE story_records (
    identity text NOT NULL,
    id text NOT NULL,
    doc jsonb NOT NULL,
    PRIMARY KEY (identity, id)
);

-- The settings whose records were written whole at least once (the file's header): a store
-- without stories still counts as written, so a restart does not rewrite it again.
CREATE TABLE story_identities (identity text PRIMARY KEY);
