-- Top reviewers (docs/metrics.md, "Top reviewers"): per person, the review tags they gave
-- in replies (review_tags not carried; bots' replies are left out there), by the reply's
-- sender as for every review (docs/metrics.md, "Review tag"), in the scope.
WITH tags AS (
    SELECT coalesce(rt.given_by, rt.person_id, rt.email) AS reviewer,
           rt.kind, rt.post_id, rt.series_id, rt.given_at, ma.org_kind,
           coalesce(nullif(p.subsystems, []), s.subsystems, []) AS subsystems
    FROM review_tags rt
    JOIN message_authors ma USING (message_id)
    JOIN series s USING (series_id)
    LEFT JOIN posts p ON p.message_id = rt.post_id
    WHERE NOT rt.carried AND NOT ma.is_bot
      AND ($list::VARCHAR IS NULL OR list_contains(s.lists, $list::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR rt.given_at >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR rt.given_at < $until::TIMESTAMPTZ)
      AND ($org_kind::VARCHAR IS NULL OR ma.org_kind = $org_kind::VARCHAR)
),
scoped AS (
    SELECT * FROM tags
    WHERE $subsystem::VARCHAR IS NULL OR list_contains(subsystems, $subsystem::VARCHAR)
),
per_subsystem AS (
    -- each reviewer's subsystems, those with the most review tags first
    SELECT reviewer, list(subsystem ORDER BY n DESC, subsystem) AS subsystems
    FROM (SELECT reviewer, u.subsystem, count(*) AS n
          FROM scoped, unnest(subsystems) AS u(subsystem)
          WHERE kind IN ('reviewed-by', 'acked-by')
          GROUP BY ALL)
    GROUP BY reviewer
),
per_reviewer AS (
    SELECT reviewer,
           count(*) FILTER (kind IN ('reviewed-by', 'acked-by')) AS review_tags,
           count(*) FILTER (kind = 'reviewed-by') AS reviewed_by,
           count(*) FILTER (kind = 'acked-by') AS acked_by,
           count(*) FILTER (kind = 'tested-by') AS tested_by,
           count(DISTINCT post_id) FILTER (kind IN ('reviewed-by', 'acked-by')) AS posts_reviewed,
           count(DISTINCT series_id) FILTER (kind IN ('reviewed-by', 'acked-by'))
               AS series_reviewed,
           min(given_at) AS first_given_at,
           max(given_at) AS last_given_at
    FROM scoped
    GROUP BY reviewer
),
usual_kind AS (
    -- the organisation kind of the sender at most of their tags (ties: alphabetically)
    SELECT reviewer, first(org_kind ORDER BY n DESC, org_kind) AS usual_org_kind
    FROM (SELECT reviewer, org_kind, count(*) AS n FROM scoped GROUP BY ALL)
    GROUP BY reviewer
)
SELECT r.reviewer, pe.name, r.review_tags, r.reviewed_by, r.acked_by, r.tested_by,
       r.posts_reviewed, r.series_reviewed, k.usual_org_kind,
       coalesce(ps.subsystems, []) AS subsystems, r.first_given_at, r.last_given_at
FROM per_reviewer r
LEFT JOIN people pe ON pe.person_id = r.reviewer
LEFT JOIN per_subsystem ps USING (reviewer)
JOIN usual_kind k USING (reviewer)
ORDER BY r.review_tags DESC, r.tested_by DESC, r.reviewer
