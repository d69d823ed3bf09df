-- Share of messages, patch authors and reviewers whose organisation kind is known
-- (docs/metrics.md, "Coverage"; bots left out).
WITH msgs AS (
    SELECT ma.org_kind, m.is_patch, ma.person_id, m.message_id
    FROM message_authors ma JOIN messages m USING (message_id)
    WHERE NOT ma.is_bot
      AND ($list::VARCHAR IS NULL OR list_contains(m.lists, $list::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR m.date >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR m.date < $until::TIMESTAMPTZ)
),
reviewers AS (
    SELECT DISTINCT msgs.person_id, msgs.org_kind
    FROM trailers t JOIN msgs USING (message_id)
    WHERE t.in_reply AND t.kind IN ('reviewed-by', 'acked-by')
)
SELECT 'messages' AS population,
       count(*) AS total,
       count(*) FILTER (org_kind <> 'unknown') AS known,
       round(100.0 * count(*) FILTER (org_kind <> 'unknown') / nullif(count(*), 0), 1)
           AS known_pct
FROM msgs
UNION ALL
SELECT 'patch authors', count(DISTINCT person_id),
       count(DISTINCT person_id) FILTER (org_kind <> 'unknown'),
       round(100.0 * count(DISTINCT person_id) FILTER (org_kind <> 'unknown')
             / nullif(count(DISTINCT person_id), 0), 1)
FROM msgs WHERE is_patch
UNION ALL
SELECT 'reviewers', count(DISTINCT person_id),
       count(DISTINCT person_id) FILTER (org_kind <> 'unknown'),
       round(100.0 * count(DISTINCT person_id) FILTER (org_kind <> 'unknown')
             / nullif(count(DISTINCT person_id), 0), 1)
FROM reviewers
