-- lorelens database schema: the single source of truth.
-- Every column is documented in docs/schema.md; keep the two in step.
-- Statements are idempotent (IF NOT EXISTS) so opening an existing database is safe.

CREATE TABLE IF NOT EXISTS schema_info (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- One row per distinct Message-ID (a cross-posted mail is one row with several lists).
CREATE TABLE IF NOT EXISTS messages (
    message_id        VARCHAR PRIMARY KEY,   -- without angle brackets
    msgid_synthetic   BOOLEAN NOT NULL,      -- true: no Message-ID header, id derived from content
    date              TIMESTAMPTZ,           -- UTC; see date_source (NULL only when no time at all)
    date_source       VARCHAR NOT NULL,      -- 'header' or 'archive:<why>'
    date_raw          VARCHAR,               -- the Date header as written (NULL when absent)
    archive_time      TIMESTAMPTZ,           -- the archive's own time (commit time, From_ line, file mtime)
    from_name         VARCHAR,
    from_email        VARCHAR,               -- normalised (lower-case domain, NFC), NULL if unusable
    from_domain       VARCHAR,
    from_raw          VARCHAR,               -- the From header, kept when normalisation changed or rejected it
    subject           VARCHAR,
    subject_base      VARCHAR,               -- subject without Re:/[PATCH …] prefixes (b4 LoreSubject.subject)
    prefixes          VARCHAR[],             -- bracketed prefixes, e.g. ['PATCH', 'v3', '2/5']
    in_reply_to       VARCHAR,
    "references"      VARCHAR[],
    thread_id         VARCHAR,               -- Message-ID of the thread root (may be a missing message)
    is_reply          BOOLEAN NOT NULL,
    is_patch          BOOLEAN NOT NULL,      -- non-reply, PATCH tag, body holds a diff
    is_cover          BOOLEAN NOT NULL,      -- non-reply, PATCH tag, counter 0 of N
    is_rfc            BOOLEAN NOT NULL,
    is_resend         BOOLEAN NOT NULL,
    patch_version     INTEGER,               -- NULL unless the subject has a PATCH tag
    patch_counter     INTEGER,
    patch_total       INTEGER,
    has_diff          BOOLEAN NOT NULL,
    files             VARCHAR[],             -- paths touched by the diff (new path; old path for deletions)
    lines_added       INTEGER,
    lines_removed     INTEGER,
    change_id         VARCHAR,               -- b4 change-id trailer, if any
    to_addrs          VARCHAR[],
    cc_addrs          VARCHAR[],
    lists             VARCHAR[],             -- list addresses whose archives hold this message
    body_chars        INTEGER,               -- size of the decoded text body
    content_hash      VARCHAR NOT NULL,      -- sha1 of the raw bytes first stored for this id
    series_id         VARCHAR,               -- filled by enrichment
    first_seen_run    INTEGER NOT NULL       -- ingest_runs.run_id that added the row
);

-- Where each copy of a message lives, so any row can be traced back to its raw mail.
CREATE TABLE IF NOT EXISTS message_sources (
    message_id    VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,          -- source key (absolute path or URL)
    kind          VARCHAR NOT NULL,          -- public-inbox-v1 | public-inbox-v2 | remote | mbox | maildir
    list          VARCHAR,                   -- list address this copy was archived under
    epoch         INTEGER,                   -- public-inbox epoch (v1: 0)
    git_dir       VARCHAR,                   -- the bare repository holding it
    commit        VARCHAR,                   -- commit that added it
    blob          VARCHAR,                   -- blob of its `m` file
    path          VARCHAR,                   -- mbox or maildir file
    byte_offset   BIGINT,                    -- offset of the From_ line in an mbox
    content_hash  VARCHAR NOT NULL,
    duplicate     VARCHAR NOT NULL,          -- 'first' | 'same-content' | 'other-list' | 'different-content'
    run_id        INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS deleted_messages (
    message_id  VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    epoch       INTEGER,
    commit      VARCHAR,
    run_id      INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS trailers (
    message_id         VARCHAR NOT NULL,     -- the message whose body carries the trailer
    position           INTEGER NOT NULL,     -- order within that body
    kind               VARCHAR NOT NULL,     -- lower-cased trailer name, e.g. 'reviewed-by'
    type               VARCHAR NOT NULL,     -- b4: 'person' | 'utility' | 'unknown'
    name               VARCHAR,              -- person's name (person trailers)
    email              VARCHAR,              -- normalised address (person trailers)
    value              VARCHAR NOT NULL,     -- the value as written
    in_reply           BOOLEAN NOT NULL,     -- given in a reply (true) or carried in the patch itself
    target_message_id  VARCHAR               -- the message the tag applies to (reply: its parent)
);

CREATE TABLE IF NOT EXISTS source_state (
    source      VARCHAR NOT NULL,
    epoch       INTEGER NOT NULL,
    git_dir     VARCHAR,
    last_commit VARCHAR,                      -- last commit fully stored (git sources)
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, epoch)
);

CREATE SEQUENCE IF NOT EXISTS ingest_run_seq START 1;

CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id        INTEGER PRIMARY KEY,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    sources       VARCHAR[] NOT NULL,
    status        VARCHAR NOT NULL,          -- running | ok | interrupted | failed
    n_read        BIGINT NOT NULL DEFAULT 0, -- raw messages read from the sources
    n_new         BIGINT NOT NULL DEFAULT 0,
    n_duplicate   BIGINT NOT NULL DEFAULT 0,
    n_failed      BIGINT NOT NULL DEFAULT 0,
    n_deleted     BIGINT NOT NULL DEFAULT 0,
    seconds       DOUBLE,
    msgs_per_sec  DOUBLE,
    version       VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS ingest_errors (
    run_id      INTEGER NOT NULL,
    source      VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    epoch       INTEGER,
    commit      VARCHAR,
    blob        VARCHAR,
    path        VARCHAR,
    byte_offset BIGINT,
    stage       VARCHAR NOT NULL,            -- read | parse | load
    reason      VARCHAR NOT NULL,
    raw_size    BIGINT,
    logged_at   TIMESTAMPTZ NOT NULL
);
