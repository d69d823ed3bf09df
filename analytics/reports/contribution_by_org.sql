-- Contributions per organisation (docs/metrics.md, "Contribution shares" and
-- "Elephant factor"): the items of contribution_shares.sql, with the sender's
-- organisation at the item's date; individuals are grouped as '(individuals)' and
-- unknown senders as '(unknown)'. Per calendar $period and per subsystem, each with its
-- 'all' row, and the organisation dimension's own 'all' row (org_kind and org 'all').
-- The elephant factor counts organisations only (corporate and academic): the fewest
-- of them, largest first, whose work reaches 50% of the work of all organisations.
WITH
-- @include contribution_items
by_period AS (
    SELECT item_date, org_kind, org, person_id, subsystems, unnest(periods) AS period FROM scoped
),
expanded AS (
    SELECT item_date, org_kind, org, person_id, period,
           unnest(list_distinct(subsystems) || ['all']) AS subsystem
    FROM by_period
),
units AS (  -- one row per counted unit: an item, or an author per group
    SELECT period, subsystem, org_kind, org FROM expanded
    WHERE $by::VARCHAR <> 'authors'
      AND ($subsystem::VARCHAR IS NULL OR subsystem IN ($subsystem::VARCHAR, 'all'))
    UNION ALL
    SELECT period, subsystem, latest.org_kind, latest.org
    FROM (SELECT period, subsystem,
                 arg_max({'org_kind': org_kind, 'org': org}, (item_date, org_kind, org))
                     AS latest
          FROM expanded
          WHERE $by::VARCHAR = 'authors' AND person_id IS NOT NULL
            AND ($subsystem::VARCHAR IS NULL OR subsystem IN ($subsystem::VARCHAR, 'all'))
          GROUP BY period, subsystem, person_id)
),
counts AS (
    SELECT period, subsystem, org_kind, org, count(*) AS n FROM units GROUP BY ALL
),
ranked AS (  -- organisations (corporate, academic) by n; individuals and unknown unranked
    SELECT *,
           sum(n) OVER (PARTITION BY period, subsystem) AS total,
           CASE WHEN org_kind IN ('corporate', 'academic') THEN
               row_number() OVER (PARTITION BY period, subsystem,
                                  org_kind IN ('corporate', 'academic')
                                  ORDER BY n DESC, org) END AS org_rank,
           CASE WHEN org_kind IN ('corporate', 'academic') THEN
               sum(n) OVER (PARTITION BY period, subsystem,
                            org_kind IN ('corporate', 'academic')
                            ORDER BY n DESC, org ROWS UNBOUNDED PRECEDING) END AS org_cumulative,
           sum(n) FILTER (org_kind IN ('corporate', 'academic'))
               OVER (PARTITION BY period, subsystem) AS org_total
    FROM counts
),
elephant AS (  -- the fewest organisations whose work reaches half of all organisations' work
    SELECT period, subsystem, min(org_rank) AS elephant_factor
    FROM ranked
    WHERE org_cumulative >= 0.5 * org_total
    GROUP BY ALL
),
groups_ AS (
    SELECT period, subsystem, sum(n) AS n FROM counts GROUP BY ALL
    UNION ALL
    SELECT 'all', 'all', 0 WHERE NOT EXISTS (SELECT 1 FROM counts)
),
rows_ AS (
    SELECT period, subsystem, org_kind, org, n, total, org_rank FROM ranked
    UNION ALL
    SELECT period, subsystem, 'all', 'all', n, n, NULL FROM groups_
)
SELECT r.period, r.subsystem, r.org_kind, r.org, r.n, r.total,
       r.n / nullif(r.total, 0) AS share,
       round(100.0 * r.n / nullif(r.total, 0), 1) AS pct,
       r.org_rank,
       e.elephant_factor
FROM rows_ r
LEFT JOIN elephant e USING (period, subsystem)
ORDER BY r.period <> 'all', r.period, r.subsystem <> 'all', r.subsystem,
         r.org_kind <> 'all', r.n DESC, r.org
