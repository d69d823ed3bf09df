-- The Kaplan–Meier curve behind review_latency's km_median_hours (docs/metrics.md,
-- "Censoring"): share of series still without a first response after `days`, per
-- calendar period ($period), subsystem, author organisation kind and author group (each
-- with its 'all' rows), one
-- point at 0 days and one at each time a first response arrived.
WITH
-- @include series_group
-- @include latency_series
-- @include latency_cells
-- @include km
sizes AS (
    SELECT period, subsystem, author_kind, cell_group, count(*) AS n FROM cells GROUP BY ALL
)
SELECT period, subsystem, author_kind, cell_group AS author_group, 0.0 AS days,
       1.0 AS share_unanswered, n AS at_risk
FROM sizes
UNION ALL
SELECT grp.period, grp.subsystem, grp.author_kind, grp.author_group, round(days, 4),
       round(survival, 4), at_risk
FROM km WHERE grp.measure = 'response'
ORDER BY period <> 'all', period, subsystem <> 'all', subsystem, author_kind <> 'all', author_kind,
         author_group <> 'all', author_group, days
