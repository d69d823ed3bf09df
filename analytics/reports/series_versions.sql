-- Every posting (version, resend) linked to one series by its version key
-- (docs/metrics.md, "Series"), oldest first, with its review events and outcome.
SELECT s.series_id,
       s.version,
       s.is_rfc,
       s.is_resend,
       s.posted_at,
       s.subject,
       s.n_patches,
       s.n_responses,
       s.first_response_at,
       s.first_maintainer_response_at,
       s.first_review_at,
       s.first_review_kind,
       s.outcome_detail AS outcome,
       s.applied_notice,
       s.series_id = $series_id::VARCHAR AS is_this
FROM series s
WHERE s.version_key = (SELECT version_key FROM series WHERE series_id = $series_id::VARCHAR)
ORDER BY s.posted_at NULLS LAST, s.version, s.series_id
