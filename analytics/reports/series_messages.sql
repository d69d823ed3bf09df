-- The messages of every version of one series (its posts and the replies below them),
-- in date order, with the review tags each carries (bots' replies have none,
-- docs/schema.md "review_tags") and the first list that archived it.
WITH versions AS (
    SELECT series_id, version FROM series
    WHERE version_key = (SELECT version_key FROM series WHERE series_id = $series_id::VARCHAR)
)
SELECT m.date,
       v.version,
       CASE WHEN m.is_cover THEN 'cover letter'
            WHEN m.is_patch THEN 'patch'
            WHEN m.is_reply THEN 'reply'
            ELSE 'message' END AS kind,
       m.subject,
       coalesce(m.from_name, m.from_email) AS sender,
       m.from_email,
       (SELECT string_agg(rt.kind || ': ' || coalesce(rt.person_id, rt.email, '?'), '; '
                          ORDER BY rt.position)
        FROM review_tags rt WHERE rt.message_id = m.message_id AND NOT rt.carried) AS review_tags,
       m.applied_notice,
       m.lists[1] AS list,
       m.message_id,
       m.series_id
FROM messages m
JOIN versions v USING (series_id)
ORDER BY m.date NULLS LAST, m.message_id
