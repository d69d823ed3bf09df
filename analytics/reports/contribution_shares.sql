-- Contribution shares by organisation kind (docs/metrics.md, "Contribution shares"):
-- what $by counts, per calendar $period of its date and per subsystem, each with its
-- 'all' row; the four kinds are always listed, unknown included, even when 0.
-- Bots are left out. An author counts once per group, with the kind of their latest
-- patch in it.
WITH
-- @include contribution_items
by_period AS (
    SELECT item_date, org_kind, person_id, subsystems, unnest(periods) AS period FROM scoped
),
expanded AS (
    SELECT item_date, org_kind, person_id, period,
           unnest(list_distinct(subsystems) || ['all']) AS subsystem
    FROM by_period
),
units AS (  -- one row per counted unit: an item, or an author per group
    SELECT period, subsystem, org_kind FROM expanded
    WHERE $by::VARCHAR <> 'authors'
      AND ($subsystem::VARCHAR IS NULL OR subsystem IN ($subsystem::VARCHAR, 'all'))
    UNION ALL
    SELECT period, subsystem, arg_max(org_kind, (item_date, org_kind)) FROM expanded
    WHERE $by::VARCHAR = 'authors' AND person_id IS NOT NULL
      AND ($subsystem::VARCHAR IS NULL OR subsystem IN ($subsystem::VARCHAR, 'all'))
    GROUP BY period, subsystem, person_id
),
counts AS (
    SELECT period, subsystem, org_kind, count(*) AS n FROM units GROUP BY ALL
),
groups_ AS (
    SELECT DISTINCT period, subsystem FROM counts
    UNION SELECT 'all', 'all'
),
kinds AS (
    SELECT unnest(['corporate', 'individual', 'academic', 'unknown']) AS org_kind
    UNION SELECT DISTINCT org_kind FROM counts
),
shares AS (
    SELECT g.period, g.subsystem, k.org_kind, coalesce(c.n, 0) AS n,
           sum(coalesce(c.n, 0)) OVER (PARTITION BY g.period, g.subsystem) AS total
    FROM groups_ g CROSS JOIN kinds k
    LEFT JOIN counts c USING (period, subsystem, org_kind)
)
SELECT period, subsystem, org_kind, n, total,
       n / nullif(total, 0) AS share,
       round(100.0 * n / nullif(total, 0), 1) AS pct
FROM shares
ORDER BY period <> 'all', period, subsystem <> 'all', subsystem,
         list_position(['corporate', 'individual', 'academic', 'unknown'], org_kind) NULLS LAST,
         org_kind
