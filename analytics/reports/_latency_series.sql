-- The series in a latency report's scope, with their author group (include
-- series_group first) and durations in days since posting (docs/metrics.md, "Time to
-- first response"); stable backports are left out (no review request).
latency_series AS (
    SELECT s.series_id, s.subsystems, coalesce(s.author_org_kind, 'unknown') AS org_kind,
           g.author_group, s.outcome_detail, s.posted_at,
           epoch(s.observed_until - s.posted_at) / 86400.0 AS observed_days,
           epoch(s.first_response_at - s.posted_at) / 86400.0 AS response_days,
           epoch(s.first_maintainer_response_at - s.posted_at) / 86400.0 AS maintainer_days,
           NOT s.first_review_carried AS review_counted,
           epoch(s.first_review_at - s.posted_at) / 86400.0 AS review_days
    FROM series s JOIN series_group g USING (series_id)
    WHERE s.posted_at IS NOT NULL AND s.observed_until >= s.posted_at
      AND s.outcome_detail <> 'backport'
      AND ($list::VARCHAR IS NULL OR list_contains(s.lists, $list::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR s.posted_at >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR s.posted_at < $until::TIMESTAMPTZ)
      AND ($org_kind::VARCHAR IS NULL OR s.author_org_kind = $org_kind::VARCHAR)
      AND ($subsystem::VARCHAR IS NULL OR list_contains(s.subsystems, $subsystem::VARCHAR))
),
