-- Every ingest run with its counters and the mails it could not store (docs/metrics.md,
-- "Ingest runs"; the columns: docs/schema.md, "ingest_runs"). The counters add up:
-- n_read = n_new + n_cross_posted + n_duplicate + n_failed + deletion_items.
WITH errors AS (
    SELECT run_id, count(*) AS errors_logged,
           list(reason ORDER BY n DESC, reason) AS reasons
    FROM (SELECT run_id, reason || ' (' || count(*) || ')' AS reason, count(*) AS n
          FROM ingest_errors GROUP BY run_id, ingest_errors.reason)
    GROUP BY run_id
)
SELECT r.run_id, r.started_at, r.finished_at, r.status, r.sources,
       r.n_read, r.n_new, r.n_cross_posted, r.n_duplicate, r.n_failed, r.n_deleted,
       r.n_read - r.n_new - r.n_cross_posted - r.n_duplicate - r.n_failed AS deletion_items,
       coalesce(e.errors_logged, 0) AS errors_logged,
       coalesce(e.reasons, []) AS error_reasons,
       r.seconds, r.msgs_per_sec, r.version
FROM ingest_runs r
LEFT JOIN errors e USING (run_id)
ORDER BY r.run_id
