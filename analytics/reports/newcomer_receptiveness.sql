-- Newcomers against regulars (docs/metrics.md, "Newcomer"), per subsystem and per
-- maintainer (a person listed M:/R: in any of the series' subsystems; maintainer rows have
-- subsystem 'all'), split by the author's organisation kind, each dimension with its
-- 'all' row: share answered, Kaplan–Meier median time to first response (unanswered
-- series censored), ignored rate, applied rate.
WITH
-- @include series_group
-- @include latency_series
-- @include maintainer_roles
areas AS (
    SELECT l.series_id, u.subsystem, 'all' AS maintainer
    FROM latency_series l,
         unnest(list_append(coalesce(l.subsystems, []::VARCHAR[]), 'all')) AS u(subsystem)
    WHERE $subsystem::VARCHAR IS NULL OR u.subsystem IN ($subsystem::VARCHAR, 'all')
    UNION ALL
    SELECT DISTINCT x.series_id, 'all', r.person_id
    FROM (SELECT series_id, unnest(subsystems) AS subsystem FROM latency_series) x
    JOIN maintainer_roles r USING (subsystem)
    WHERE $subsystem::VARCHAR IS NULL OR x.subsystem = $subsystem::VARCHAR
),
cells AS (
    SELECT l.*, a.subsystem, a.maintainer, u2.kind_cell, u3.cell_group
    FROM latency_series l JOIN areas a USING (series_id),
         unnest([l.org_kind, 'all']) AS u2(kind_cell),
         unnest([l.author_group, 'all']) AS u3(cell_group)
),
km_input AS (
    SELECT {'subsystem': subsystem, 'maintainer': maintainer, 'org_kind': kind_cell,
            'author_group': cell_group} AS grp,
           coalesce(response_days, observed_days) AS days, response_days IS NOT NULL AS event
    FROM cells
),
-- @include km
medians AS (
    SELECT grp.subsystem, grp.maintainer, grp.org_kind AS kind_cell,
           grp.author_group AS cell_group,
           min(days) FILTER (survival <= 0.5 + 1e-9) AS median_days
    FROM km GROUP BY ALL
),
names AS (
    SELECT person_id AS maintainer, min(person_name) AS maintainer_name
    FROM maintainer_roles GROUP BY ALL
),
counts AS (
    SELECT subsystem, maintainer, kind_cell, cell_group,
           count(*) AS n_series,
           count(*) FILTER (response_days IS NOT NULL) AS n_answered,
           round(count(*) FILTER (outcome_detail = 'ignored')
                 / nullif(count(*) FILTER (outcome_detail <> 'pending'), 0), 4) AS ignored_rate,
           round(count(*) FILTER (outcome_detail = 'applied')
                 / nullif(count(*) FILTER (outcome_detail <> 'superseded'), 0), 4)
               AS applied_rate
    FROM cells GROUP BY ALL
)
SELECT c.subsystem, c.maintainer, n.maintainer_name, c.cell_group AS author_group,
       c.kind_cell AS org_kind, c.n_series, c.n_answered,
       round(c.n_answered / c.n_series, 4) AS share_answered,
       CASE WHEN c.n_series >= $min_n::INTEGER THEN round(m.median_days * 24, 2) END
           AS km_median_hours,
       c.ignored_rate, c.applied_rate
FROM counts c
LEFT JOIN medians m USING (subsystem, maintainer, kind_cell, cell_group)
LEFT JOIN names n USING (maintainer)
ORDER BY c.maintainer <> 'all', c.maintainer, c.subsystem <> 'all', c.subsystem,
         c.cell_group <> 'all', c.cell_group, c.kind_cell <> 'all', c.kind_cell
