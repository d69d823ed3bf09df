-- The series in a latency report's scope, each repeated in every cell it counts in:
-- each of its subsystems and 'all', its author's organisation kind and 'all', its author
-- group (newcomer / regular) and 'all'. Durations in days since posting (docs/metrics.md,
-- "Time to first response"); stable backports are left out (no review request).
latency_series AS (
    SELECT s.series_id, s.subsystems, coalesce(s.author_org_kind, 'unknown') AS org_kind,
           g.author_group, s.outcome_detail,
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
cells AS (
    SELECT l.*, u1.subsystem, u2.author_kind, u3.cell_group
    FROM latency_series l,
         unnest(list_append(coalesce(l.subsystems, []::VARCHAR[]), 'all')) AS u1(subsystem),
         unnest([l.org_kind, 'all']) AS u2(author_kind),
         unnest([l.author_group, 'all']) AS u3(cell_group)
    WHERE $subsystem::VARCHAR IS NULL OR u1.subsystem IN ($subsystem::VARCHAR, 'all')
),
km_input AS (
    SELECT {'subsystem': subsystem, 'author_kind': author_kind, 'author_group': cell_group,
            'measure': 'response'} AS grp,
           coalesce(response_days, observed_days) AS days, response_days IS NOT NULL AS event
    FROM cells
    UNION ALL
    SELECT {'subsystem': subsystem, 'author_kind': author_kind, 'author_group': cell_group,
            'measure': 'maintainer'},
           coalesce(maintainer_days, observed_days), maintainer_days IS NOT NULL
    FROM cells
    UNION ALL
    SELECT {'subsystem': subsystem, 'author_kind': author_kind, 'author_group': cell_group,
            'measure': 'review'},
           coalesce(review_days, observed_days), review_days IS NOT NULL
    FROM cells WHERE review_counted
),
