-- Time to first response per subsystem: Kaplan–Meier median with unanswered series
-- censored at observed_until, and the share answered within 1, 7 and 30 days.
-- The median is the first time at which the survival ("still unanswered") is at most
-- 0.5; the 1e-9 keeps an exact 0.5 from being missed by floating-point rounding. The
-- estimator is _km.sql's, shared with the other reports.
WITH obs AS (
    SELECT unnest(s.subsystems) AS subsystem,
           epoch(coalesce(s.first_response_at, s.observed_until) - s.posted_at) / 86400.0
               AS days,
           s.first_response_at IS NOT NULL AS answered,
           epoch(s.observed_until - s.posted_at) / 86400.0 AS observed_days
    FROM series s
    WHERE s.posted_at IS NOT NULL AND s.observed_until >= s.posted_at
      AND ($list::VARCHAR IS NULL OR list_contains(s.lists, $list::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR s.posted_at >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR s.posted_at < $until::TIMESTAMPTZ)
      AND ($org_kind::VARCHAR IS NULL OR s.author_org_kind = $org_kind::VARCHAR)
),
km_input AS (
    SELECT subsystem AS grp, days, answered AS event FROM obs
),
-- @include km
medians AS (
    SELECT grp AS subsystem, min(days) FILTER (survival <= 0.5 + 1e-9) AS median_days
    FROM km GROUP BY grp
)
SELECT o.subsystem,
       count(*) AS series,
       count(*) FILTER (NOT answered) AS unanswered,
       round(100.0 * count(*) FILTER (answered AND days <= 1)
             / count(*) FILTER (answered AND days <= 1 OR observed_days >= 1), 1) AS pct_1d,
       round(100.0 * count(*) FILTER (answered AND days <= 7)
             / count(*) FILTER (answered AND days <= 7 OR observed_days >= 7), 1) AS pct_7d,
       round(100.0 * count(*) FILTER (answered AND days <= 30)
             / count(*) FILTER (answered AND days <= 30 OR observed_days >= 30), 1) AS pct_30d,
       round(any_value(md.median_days) * 24, 2) AS km_median_hours
FROM obs o
LEFT JOIN medians md USING (subsystem)
WHERE $subsystem::VARCHAR IS NULL OR o.subsystem = $subsystem::VARCHAR
GROUP BY o.subsystem
ORDER BY series DESC
