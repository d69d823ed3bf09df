-- Share of messages, patch authors and reviewers whose organisation kind is known.
WITH msgs AS (
    SELECT ma.org_kind, m.is_patch, ma.person_id
    FROM message_authors ma JOIN messages m USING (message_id)
    WHERE NOT ma.is_bot
),
reviewers AS (
    SELECT DISTINCT ma.person_id, ma.org_kind
    FROM trailers t JOIN message_authors ma USING (message_id)
    WHERE t.in_reply AND t.kind IN ('reviewed-by', 'acked-by') AND NOT ma.is_bot
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
