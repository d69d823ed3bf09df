-- review_latency's cells: each series of latency_series repeated in every cell it counts
-- in (its calendar period of posting when $period is not 'all', and 'all'; each of its
-- subsystems and 'all'; its author's organisation kind and 'all'; its author group and
-- 'all'), and the Kaplan–Meier input of the three latencies.
cells AS (
    SELECT l.*, u0.period, u1.subsystem, u2.author_kind, u3.cell_group
    FROM latency_series l,
         unnest(CASE WHEN $period::VARCHAR = 'all' THEN ['all']
                ELSE [CASE $period::VARCHAR
                          WHEN 'year' THEN strftime(l.posted_at AT TIME ZONE 'UTC', '%Y')
                          WHEN 'quarter' THEN strftime(l.posted_at AT TIME ZONE 'UTC', '%Y')
                                              || '-Q' || quarter(l.posted_at AT TIME ZONE 'UTC')
                          ELSE strftime(l.posted_at AT TIME ZONE 'UTC', '%Y-%m') END,
                      'all'] END) AS u0(period),
         unnest(list_append(coalesce(l.subsystems, []::VARCHAR[]), 'all')) AS u1(subsystem),
         unnest([l.org_kind, 'all']) AS u2(author_kind),
         unnest([l.author_group, 'all']) AS u3(cell_group)
    WHERE $subsystem::VARCHAR IS NULL OR u1.subsystem IN ($subsystem::VARCHAR, 'all')
),
km_input AS (
    SELECT {'period': period, 'subsystem': subsystem, 'author_kind': author_kind, 'author_group': cell_group,
            'measure': 'response'} AS grp,
           coalesce(response_days, observed_days) AS days, response_days IS NOT NULL AS event
    FROM cells
    UNION ALL
    SELECT {'period': period, 'subsystem': subsystem, 'author_kind': author_kind, 'author_group': cell_group,
            'measure': 'maintainer'},
           coalesce(maintainer_days, observed_days), maintainer_days IS NOT NULL
    FROM cells
    UNION ALL
    SELECT {'period': period, 'subsystem': subsystem, 'author_kind': author_kind, 'author_group': cell_group,
            'measure': 'review'},
           coalesce(review_days, observed_days), review_days IS NOT NULL
    FROM cells WHERE review_counted
),
