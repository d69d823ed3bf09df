-- lorelens database schema: the single source of truth for a new database.
-- Every column is documented in docs/schema.md; keep the two in step.
-- A database written by an earlier release is brought to this shape by the numbered
-- migrations in ingest/migrations/ (docs/schema.md, "Schema versions"): a change here
-- comes with a migration that makes the same change, and a test compares the two.

CREATE TABLE IF NOT EXISTS schema_info (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- The migrations an older database was upgraded by (a new database has none).
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,         -- the schema version it brought the database to
    name        VARCHAR NOT NULL,            -- its file, ingest/migrations/NNNN_name.sql
    applied_at  TIMESTAMPTZ NOT NULL
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
    from_via          VARCHAR,               -- a relay's From address when the author came from X-Original-From
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
    applied_notice    VARCHAR,               -- a reply's own line saying "applied"/"queued", if any
    bot_report        VARCHAR,               -- a reply's opening line of a tool's report sent from a person's address
    to_addrs          VARCHAR[],
    cc_addrs          VARCHAR[],
    lists             VARCHAR[],             -- list addresses whose archives hold this message
    body_bytes        INTEGER,               -- size of the raw body (after the header block)
    content_hash      VARCHAR NOT NULL,      -- sha1 of From, Date, Subject and body (no transport headers)
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
    duplicate     VARCHAR NOT NULL,          -- first | same-content | other-list | different-content | deleted
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
    n_cross_posted BIGINT NOT NULL DEFAULT 0,-- copies of stored mails from another list
    n_duplicate   BIGINT NOT NULL DEFAULT 0, -- Message-IDs already stored for the same list
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

-- ---------------------------------------------------------------------------------
-- Enrichment. Recomputed from messages and the stored inputs by `lorelens enrich`
-- (and at the end of every `lorelens ingest`).

-- The files enrichment reads, stored whole so results can be reproduced from the
-- database alone: a MAINTAINERS file, gitdm domain maps, an override file, …
CREATE TABLE IF NOT EXISTS enrich_inputs (
    kind       VARCHAR NOT NULL,             -- maintainers | domain-map | overrides | mailmap | aliases | kernel-git
    position   INTEGER NOT NULL,             -- order within the kind (domain maps: earlier wins)
    origin     VARCHAR NOT NULL,             -- file path, or repo:rev for MAINTAINERS from git
    content    VARCHAR NOT NULL,             -- the file's text (kernel-git: its HEAD when given)
    loaded_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS subsystems (
    name              VARCHAR PRIMARY KEY,   -- the MAINTAINERS section title
    status            VARCHAR,               -- S: Supported, Maintained, Odd Fixes, Orphan, …
    lists             VARCHAR[],             -- L: addresses
    maintainers       VARCHAR[],             -- M: addresses
    maintainer_names  VARCHAR[],
    reviewers         VARCHAR[],             -- R: addresses
    reviewer_names    VARCHAR[],
    trees             VARCHAR[],             -- T:
    web               VARCHAR[],             -- W:
    files             VARCHAR[],             -- F: patterns
    excludes          VARCHAR[],             -- X: patterns
    regexes           VARCHAR[],             -- N: patterns
    keywords          VARCHAR[],             -- K: patterns (not used for matching)
    line              INTEGER                -- line of the section title in the file
);

-- Which subsystems a message concerns, and how that was decided.
CREATE TABLE IF NOT EXISTS message_subsystems (
    message_id  VARCHAR NOT NULL,
    subsystem   VARCHAR NOT NULL,
    via         VARCHAR NOT NULL             -- files (its diff) | series (its series' patches) | list (L:)
);

CREATE TABLE IF NOT EXISTS people (
    person_id   VARCHAR PRIMARY KEY,         -- the person's most used address
    name        VARCHAR,                     -- the most used display name
    emails      VARCHAR[],
    n_messages  INTEGER,
    first_seen  TIMESTAMPTZ,
    last_seen   TIMESTAMPTZ,
    is_bot      BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS person_addresses (
    email      VARCHAR PRIMARY KEY,
    person_id  VARCHAR NOT NULL,
    reason     VARCHAR                       -- why this address belongs to the person
);

-- Organisation of an address over time: one row per period.
CREATE TABLE IF NOT EXISTS affiliations (
    person_id   VARCHAR NOT NULL,
    email       VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,            -- corporate | individual | academic | unknown
    org         VARCHAR,
    valid_from  TIMESTAMPTZ,                 -- NULL: since the beginning
    valid_to    TIMESTAMPTZ,                 -- exclusive; NULL: still
    reason      VARCHAR NOT NULL             -- the rule that decided it (docs/organisations.md)
);

-- The sender of every message as a person with the organisation at the message's date.
CREATE TABLE IF NOT EXISTS message_authors (
    message_id  VARCHAR PRIMARY KEY,
    person_id   VARCHAR,
    is_bot      BOOLEAN NOT NULL,
    org_kind    VARCHAR NOT NULL,
    org         VARCHAR,
    org_reason  VARCHAR
);

-- One posting of one version of a patch series (cover letter + patches, or patches).
CREATE TABLE IF NOT EXISTS series (
    series_id                       VARCHAR PRIMARY KEY,  -- cover letter's Message-ID, else first patch's
    version                         INTEGER NOT NULL,
    version_key                     VARCHAR NOT NULL,     -- change-id:… or author|normalised subject
    prev_series_id                  VARCHAR,              -- latest posting of a lower version
    next_series_id                  VARCHAR,              -- first posting of a higher version
    resend_of                       VARCHAR,              -- earlier posting of the same version
    change_id                       VARCHAR,
    subject                         VARCHAR,
    author_person_id                VARCHAR,
    author_email                    VARCHAR,
    author_org_kind                 VARCHAR,
    author_org                      VARCHAR,
    posted_at                       TIMESTAMPTZ,
    n_patches                       INTEGER NOT NULL,
    patch_total                     INTEGER,
    has_cover                       BOOLEAN NOT NULL,
    is_rfc                          BOOLEAN NOT NULL,
    is_resend                       BOOLEAN NOT NULL,
    lists                           VARCHAR[],
    subsystems                      VARCHAR[],
    first_response_at               TIMESTAMPTZ,
    first_response_by               VARCHAR,
    first_maintainer_response_at    TIMESTAMPTZ,
    first_maintainer_response_by    VARCHAR,
    first_review_at                 TIMESTAMPTZ,
    first_review_by                 VARCHAR,
    first_review_kind               VARCHAR,
    first_review_carried            BOOLEAN NOT NULL,     -- the first review tag was carried in the patches
    first_tested_at                 TIMESTAMPTZ,
    carried_review_tags             INTEGER NOT NULL,     -- Reviewed/Acked-by already in the patches
    applied_at                      TIMESTAMPTZ,
    applied_by                      VARCHAR,
    applied_notice                  VARCHAR,
    n_replies                       INTEGER NOT NULL,
    n_responses                     INTEGER NOT NULL,
    n_bot_replies                   INTEGER NOT NULL,
    outcome                         VARCHAR,              -- applied | superseded | ignored | pending; NULL for a backport
    outcome_detail                  VARCHAR NOT NULL,     -- applied | superseded | ignored | pending (unanswered) | discussed | backport
    observed_until                  TIMESTAMPTZ           -- the archive's last message: censoring time
);

-- Cover letters and patches, each with its own review events.
CREATE TABLE IF NOT EXISTS posts (
    message_id                      VARCHAR PRIMARY KEY,
    series_id                       VARCHAR NOT NULL,
    is_cover                        BOOLEAN NOT NULL,
    counter                         INTEGER,
    author_person_id                VARCHAR,
    posted_at                       TIMESTAMPTZ,
    subsystems                      VARCHAR[],
    first_response_at               TIMESTAMPTZ,
    first_response_by               VARCHAR,
    first_maintainer_response_at    TIMESTAMPTZ,
    first_maintainer_response_by    VARCHAR,
    first_review_at                 TIMESTAMPTZ,
    first_review_by                 VARCHAR,
    first_tested_at                 TIMESTAMPTZ,
    n_responses                     INTEGER NOT NULL,
    observed_until                  TIMESTAMPTZ
);

-- Every Reviewed-by / Acked-by / Tested-by attached to the post (patch or cover letter)
-- it answers: from a reply, the nearest post above it; carried in a patch, that patch.
CREATE TABLE IF NOT EXISTS review_tags (
    series_id   VARCHAR NOT NULL,
    post_id     VARCHAR NOT NULL,         -- the patch or cover letter the tag is for
    message_id  VARCHAR NOT NULL,         -- the message carrying the trailer (reply or the patch)
    position    INTEGER NOT NULL,         -- trailers.position in that message
    kind        VARCHAR NOT NULL,         -- reviewed-by | acked-by | tested-by
    email       VARCHAR,                  -- the address in the trailer
    person_id   VARCHAR,                  -- that address's person
    given_by    VARCHAR,                  -- sender (person) of the reply; the author when carried
    given_at    TIMESTAMPTZ,              -- date of the reply; the patch's date when carried
    carried     BOOLEAN NOT NULL          -- in the patch itself (given on an earlier version or off-list)
);

-- One row per enrichment run; the latest row says what the enrichment tables cover
-- (written in the same transaction as them). An ingest that only added messages is
-- enriched incrementally from here; anything else recomputes whole (docs/guide.md).
CREATE TABLE IF NOT EXISTS enrich_runs (
    enrich_id       INTEGER PRIMARY KEY,      -- 1, 2, … in order
    finished_at     TIMESTAMPTZ NOT NULL,
    mode            VARCHAR NOT NULL,         -- full | incremental
    reason          VARCHAR NOT NULL,         -- why that mode
    version         VARCHAR NOT NULL,         -- enrichment logic / schema / lorelens version
    inputs_hash     VARCHAR NOT NULL,         -- sha1 of enrich_inputs (and the kernel tree's HEAD)
    last_run        INTEGER NOT NULL,         -- messages with first_seen_run <= last_run are covered
    n_messages      BIGINT NOT NULL,          -- messages covered (all messages at the time)
    n_new           BIGINT NOT NULL,          -- messages new since the previous enrichment
    n_recomputed    BIGINT NOT NULL,          -- messages whose threads' series were recomputed
    stages          VARCHAR[] NOT NULL,       -- each stage's summary line
    seconds         DOUBLE NOT NULL
);

-- git patch-id of each posted diff (git patch-id --stable over the mail's diff), computed
-- once per message and only when a kernel tree is set; NULL where the mail gave none.
CREATE TABLE IF NOT EXISTS patch_ids (
    message_id  VARCHAR PRIMARY KEY,
    patch_id    VARCHAR
);

-- When each file last changed in the kernel git tree (`lorelens enrich --kernel-git`) and
-- its MAINTAINERS sections: every path of the tree's history or of a posted patch.
CREATE TABLE IF NOT EXISTS file_activity (
    path            VARCHAR PRIMARY KEY,
    subsystems      VARCHAR[],                -- most specific MAINTAINERS sections of the path
    last_commit_at  TIMESTAMPTZ,              -- committer date of the latest commit touching it
    commits         INTEGER                   -- non-merge commits touching it
);

-- The kernel tree file_activity was read from, and the HEAD it was read up to.
CREATE TABLE IF NOT EXISTS file_activity_source (
    repo        VARCHAR NOT NULL,
    head        VARCHAR NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
