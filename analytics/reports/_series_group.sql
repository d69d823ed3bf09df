-- Newcomer or regular, per series (docs/metrics.md, "Newcomer"): the one definition,
-- included by the reports that split by author group.
-- warm_up_end: six calendar months after the month of the archive's first message with a
-- trusted date; a first patch before it cannot be told from an earlier contributor's.
warm_up AS (
    SELECT date_trunc('month', min(date)) + INTERVAL 6 MONTH AS warm_up_end
    FROM messages WHERE date_source = 'header'
),
first_patch AS (
    SELECT ma.person_id, min(m.date) AS first_patch_at
    FROM messages m JOIN message_authors ma USING (message_id)
    WHERE m.is_patch AND m.date IS NOT NULL AND ma.person_id IS NOT NULL AND NOT ma.is_bot
    GROUP BY ma.person_id
),
series_group AS (
    SELECT s.series_id, f.first_patch_at,
           CASE WHEN f.first_patch_at >= w.warm_up_end
                     AND s.posted_at < f.first_patch_at + INTERVAL 90 DAY
                THEN 'newcomer' ELSE 'regular' END AS author_group
    FROM series s
    LEFT JOIN first_patch f ON f.person_id = s.author_person_id
    CROSS JOIN warm_up w
),
