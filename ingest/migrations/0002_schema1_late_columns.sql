-- Schema 1 gained these after it was first written: a database of schema 1 from before
-- them gets them here (each step is a no-op where it is already there). The enrichment
-- version of the run that follows recomputes the enrichment tables, which fills them.
ALTER TABLE series ADD COLUMN IF NOT EXISTS outcome_detail VARCHAR;
ALTER TABLE series ALTER COLUMN outcome DROP NOT NULL;
ALTER TABLE series ADD COLUMN IF NOT EXISTS first_review_carried BOOLEAN;
ALTER TABLE messages ADD COLUMN IF NOT EXISTS bot_report VARCHAR;
CREATE TABLE IF NOT EXISTS patch_ids (
    message_id  VARCHAR PRIMARY KEY,
    patch_id    VARCHAR
);
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL
);
