-- Outcomes by the author's organisation kind (docs/metrics.md, "Outcomes by organisation
-- kind"): the series_outcomes counts split by series.author_org_kind, with an 'all' row;
-- RFCs and stable backports are left out (neither asks for a patch to be applied).
WITH scope AS (
    SELECT s.outcome, s.outcome_detail, coalesce(s.author_org_kind, 'unknown') AS org_kind
    FROM series s
    WHERE NOT s.is_rfc AND s.outcome_detail <> 'backport'
      AND ($list::VARCHAR IS NULL OR list_contains(s.lists, $list::VARCHAR))
      AND ($subsystem::VARCHAR IS NULL OR list_contains(s.subsystems, $subsystem::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR s.posted_at >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR s.posted_at < $until::TIMESTAMPTZ)
),
kinds AS (
    -- the four kinds are always listed, unknown included (docs/metrics.md,
    -- "Organisation kind"), and 'all'
    SELECT * FROM (VALUES ('corporate', 1), ('individual', 2), ('academic', 3),
                          ('unknown', 4), ('all', 0)) AS k(org_kind, ord)
),
cells AS (
    SELECT u.org_kind, sc.outcome, sc.outcome_detail
    FROM scope sc, unnest([sc.org_kind, 'all']) AS u(org_kind)
)
SELECT k.org_kind,
       count(c.outcome_detail) AS series,
       count(*) FILTER (c.outcome_detail = 'applied') AS applied,
       count(*) FILTER (c.outcome_detail = 'superseded') AS superseded,
       count(*) FILTER (c.outcome_detail = 'discussed') AS discussed,
       count(*) FILTER (c.outcome_detail = 'ignored') AS ignored,
       count(*) FILTER (c.outcome_detail = 'pending') AS pending,
       round(count(*) FILTER (c.outcome_detail = 'ignored')
             / nullif(count(*) FILTER (c.outcome_detail <> 'pending'), 0), 4) AS ignored_rate,
       round(count(*) FILTER (c.outcome_detail = 'applied')
             / nullif(count(*) FILTER (c.outcome_detail <> 'superseded'), 0), 4)
           AS applied_rate
FROM kinds k
LEFT JOIN cells c USING (org_kind)
GROUP BY k.org_kind, k.ord
ORDER BY k.ord
