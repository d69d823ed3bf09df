-- Schema 3: file_activity (when each file last changed in the kernel tree, and its
-- MAINTAINERS sections) and file_activity_source (the tree and HEAD it was read from).
-- Both are filled by the next enrichment, a whole one since the schema version changed.
CREATE TABLE IF NOT EXISTS file_activity (
    path            VARCHAR PRIMARY KEY,
    subsystems      VARCHAR[],
    last_commit_at  TIMESTAMPTZ,
    commits         INTEGER
);
CREATE TABLE IF NOT EXISTS file_activity_source (
    repo        VARCHAR NOT NULL,
    head        VARCHAR NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
