-- The mails ingest could not store, one row each, with where the raw item is and why
-- (docs/metrics.md, "Ingest runs"; the columns: docs/schema.md, "ingest_errors").
SELECT e.run_id, e.logged_at, e.stage, e.reason, e.source, e.kind, e.epoch, e."commit",
       e.blob, e.path, e.byte_offset, e.raw_size
FROM ingest_errors e
ORDER BY e.run_id, e.logged_at, e.source, e.epoch, e."commit", e.path, e.byte_offset
