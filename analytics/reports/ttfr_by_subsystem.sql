-- Time to first response per subsystem: Kaplan–Meier median with unanswered series
-- censored at observed_until, and the share answered within 1, 7 and 30 days
-- (docs/metrics.md, "Censoring"). The series are review_latency's (_latency_series.sql:
-- stable backports left out) and the estimator is _km.sql's, so each median equals
-- review_latency's for that subsystem, all kinds, all authors. The median is the first
-- time at which the survival ("still unanswered") is at most 0.5; the 1e-9 keeps an
-- exact 0.5 from being missed by floating-point rounding.
WITH
-- @include series_group
-- @include latency_series
obs AS (
    SELECT u.subsystem, coalesce(l.response_days, l.observed_days) AS days,
           l.response_days IS NOT NULL AS answered, l.observed_days
    FROM latency_series l, unnest(coalesce(l.subsystems, []::VARCHAR[])) AS u(subsystem)
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
ORDER BY series DESC, o.subsystem
