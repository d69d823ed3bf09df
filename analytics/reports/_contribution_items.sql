-- The items that contribution_shares and contribution_by_org count (docs/metrics.md,
-- "Contribution shares"), one row per item with its date, its sender's organisation kind
-- and organisation at that date, and the periods and subsystems it counts in, within
-- the scope ($list, $subsystem, $since, $until). What $by counts: patches, messages or
-- their authors (bots left out), series, or review tags given in replies.
-- Output: scoped(item_date, org_kind, person_id, org, subsystems, periods).
msg_subsystems AS (
    SELECT message_id, list(DISTINCT subsystem) AS subsystems
    FROM message_subsystems GROUP BY message_id
),
items AS (
    SELECT m.date AS item_date, ma.org_kind, ma.org, ma.person_id, m.lists, ms.subsystems
    FROM messages m
    JOIN message_authors ma USING (message_id)
    LEFT JOIN msg_subsystems ms USING (message_id)
    WHERE $by::VARCHAR IN ('patches', 'messages', 'authors') AND NOT ma.is_bot
      AND ($by::VARCHAR = 'messages' OR m.is_patch)
    UNION ALL
    SELECT s.posted_at, s.author_org_kind, s.author_org, s.author_person_id, s.lists, s.subsystems
    FROM series s
    WHERE $by::VARCHAR = 'series'
    UNION ALL
    SELECT rt.given_at, ma.org_kind, ma.org, rt.given_by, s.lists,
           coalesce(nullif(p.subsystems, []), s.subsystems)
    FROM review_tags rt
    JOIN message_authors ma USING (message_id)
    JOIN series s USING (series_id)
    LEFT JOIN posts p ON p.message_id = rt.post_id
    WHERE $by::VARCHAR = 'reviews' AND NOT rt.carried AND NOT ma.is_bot
      AND rt.kind IN ('reviewed-by', 'acked-by')
),
scoped AS (
    SELECT item_date, org_kind, person_id,
           CASE WHEN org_kind = 'individual' THEN '(individuals)'
                WHEN org_kind IN ('corporate', 'academic') THEN coalesce(org, '(unnamed)')
                ELSE '(unknown)' END AS org,
           coalesce(subsystems, []) AS subsystems,
           CASE WHEN $period::VARCHAR = 'all' THEN ['all']
                ELSE [coalesce(CASE $period::VARCHAR
                         WHEN 'year' THEN strftime(item_date AT TIME ZONE 'UTC', '%Y')
                         WHEN 'quarter' THEN strftime(item_date AT TIME ZONE 'UTC', '%Y') || '-Q'
                                             || quarter(item_date AT TIME ZONE 'UTC')
                         ELSE strftime(item_date AT TIME ZONE 'UTC', '%Y-%m') END, 'undated'),
                      'all'] END AS periods
    FROM items
    WHERE ($list::VARCHAR IS NULL OR list_contains(lists, $list::VARCHAR))
      AND ($subsystem::VARCHAR IS NULL OR list_contains(subsystems, $subsystem::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR item_date >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR item_date < $until::TIMESTAMPTZ)
),
