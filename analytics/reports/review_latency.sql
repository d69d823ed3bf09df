-- Review latency per subsystem, split by the author's organisation kind and by newcomer /
-- regular (and by calendar period with $period), each with its 'all' row (docs/metrics.md, "Time to first response",
-- "Censoring", "Newcomer"): Kaplan–Meier median and 75th percentile of the time to the
-- first response, first maintainer response and first review tag, unanswered series
-- censored at observed_until; the share answered within 1 / 7 / 30 days with a Wilson
-- 95% interval; the ignored rate.
WITH
-- @include series_group
-- @include latency_series
-- @include latency_cells
-- @include km
quantiles AS (
    -- a quantile q is the first time at which survival <= 1 - q (1e-9: float rounding)
    SELECT grp.period, grp.subsystem, grp.author_kind, grp.author_group AS cell_group,
           min(days) FILTER (grp.measure = 'response' AND survival <= 0.5 + 1e-9) AS r50,
           min(days) FILTER (grp.measure = 'response' AND survival <= 0.25 + 1e-9) AS r75,
           min(days) FILTER (grp.measure = 'maintainer' AND survival <= 0.5 + 1e-9) AS m50,
           min(days) FILTER (grp.measure = 'maintainer' AND survival <= 0.25 + 1e-9) AS m75,
           min(days) FILTER (grp.measure = 'review' AND survival <= 0.5 + 1e-9) AS t50,
           min(days) FILTER (grp.measure = 'review' AND survival <= 0.25 + 1e-9) AS t75
    FROM km GROUP BY ALL
),
within AS (
    -- answered within w days, of the series answered within w days or observed >= w days
    SELECT period, subsystem, author_kind, cell_group, w,
           count(*) FILTER (response_days <= w) AS k,
           count(*) FILTER (response_days <= w OR observed_days >= w) AS n
    FROM cells, unnest([1, 7, 30]) AS u(w)
    GROUP BY ALL
),
wilson AS (
    -- Wilson score interval, z = 1.96
    SELECT *, k / n AS p,
           (k / n + 1.96 ^ 2 / (2 * n)) / (1 + 1.96 ^ 2 / n) AS centre,
           1.96 * sqrt(k / n * (1 - k / n) / n + 1.96 ^ 2 / (4 * n ^ 2)) / (1 + 1.96 ^ 2 / n)
               AS half
    FROM within WHERE n > 0
),
shares AS (
    SELECT period, subsystem, author_kind, cell_group,
           round(100 * any_value(p) FILTER (w = 1), 1) AS pct_1,
           round(100 * any_value(centre - half) FILTER (w = 1), 1) AS lo_1,
           round(100 * any_value(centre + half) FILTER (w = 1), 1) AS hi_1,
           round(100 * any_value(p) FILTER (w = 7), 1) AS pct_7,
           round(100 * any_value(centre - half) FILTER (w = 7), 1) AS lo_7,
           round(100 * any_value(centre + half) FILTER (w = 7), 1) AS hi_7,
           round(100 * any_value(p) FILTER (w = 30), 1) AS pct_30,
           round(100 * any_value(centre - half) FILTER (w = 30), 1) AS lo_30,
           round(100 * any_value(centre + half) FILTER (w = 30), 1) AS hi_30
    FROM wilson GROUP BY ALL
),
counts AS (
    SELECT period, subsystem, author_kind, cell_group,
           count(*) AS n_series,
           count(*) FILTER (response_days IS NOT NULL) AS n_answered,
           count(*) FILTER (maintainer_days IS NOT NULL) AS n_maintainer_answered,
           count(*) FILTER (review_counted AND review_days IS NOT NULL) AS n_reviewed,
           round(count(*) FILTER (outcome_detail = 'ignored')
                 / nullif(count(*) FILTER (outcome_detail <> 'pending'), 0), 4) AS ignored_rate
    FROM cells GROUP BY ALL
)
SELECT c.period, c.subsystem, c.author_kind, c.cell_group AS author_group,
       c.n_series, c.n_answered, c.n_maintainer_answered, c.n_reviewed,
       CASE WHEN c.n_series >= $min_n::INTEGER THEN round(q.r50 * 24, 2) END
           AS km_median_hours,
       CASE WHEN c.n_series >= $min_n::INTEGER THEN round(q.r75 * 24, 2) END AS km_p75_hours,
       CASE WHEN c.n_series >= $min_n::INTEGER THEN round(q.m50 * 24, 2) END
           AS km_median_maintainer_hours,
       CASE WHEN c.n_series >= $min_n::INTEGER THEN round(q.m75 * 24, 2) END
           AS km_p75_maintainer_hours,
       CASE WHEN c.n_series >= $min_n::INTEGER THEN round(q.t50 * 24, 2) END
           AS km_median_review_hours,
       CASE WHEN c.n_series >= $min_n::INTEGER THEN round(q.t75 * 24, 2) END
           AS km_p75_review_hours,
       s.pct_1 AS pct_answered_1d, s.lo_1 AS pct_answered_1d_lo, s.hi_1 AS pct_answered_1d_hi,
       s.pct_7 AS pct_answered_7d, s.lo_7 AS pct_answered_7d_lo, s.hi_7 AS pct_answered_7d_hi,
       s.pct_30 AS pct_answered_30d, s.lo_30 AS pct_answered_30d_lo,
       s.hi_30 AS pct_answered_30d_hi,
       c.ignored_rate
FROM counts c
LEFT JOIN quantiles q USING (period, subsystem, author_kind, cell_group)
LEFT JOIN shares s USING (period, subsystem, author_kind, cell_group)
ORDER BY c.period <> 'all', c.period, c.subsystem <> 'all', c.subsystem, c.author_kind <> 'all', c.author_kind,
         c.cell_group <> 'all', c.cell_group
