-- Series postings matching a search (subject, author address or name, series id) in the
-- scope, newest first; "matches" counts them all, however many rows the limit shows.
WITH scope AS (
    SELECT s.* FROM series s
    WHERE ($list::VARCHAR IS NULL OR list_contains(s.lists, $list::VARCHAR))
      AND ($subsystem::VARCHAR IS NULL OR list_contains(s.subsystems, $subsystem::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR s.posted_at >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR s.posted_at < $until::TIMESTAMPTZ)
      AND ($org_kind::VARCHAR IS NULL OR s.author_org_kind = $org_kind::VARCHAR)
      AND ($outcome::VARCHAR IS NULL OR s.outcome_detail = $outcome::VARCHAR
           OR s.outcome = $outcome::VARCHAR)
      AND ($q::VARCHAR IS NULL
           OR s.subject ILIKE '%' || $q::VARCHAR || '%'
           OR s.author_email ILIKE '%' || $q::VARCHAR || '%'
           OR s.author_person_id ILIKE '%' || $q::VARCHAR || '%'
           OR s.series_id = $q::VARCHAR
           OR EXISTS (SELECT 1 FROM people p WHERE p.person_id = s.author_person_id
                      AND p.name ILIKE '%' || $q::VARCHAR || '%'))
)
SELECT s.series_id,
       s.posted_at,
       s.version,
       s.subject,
       coalesce(p.name, s.author_email) AS author,
       s.author_org_kind,
       s.subsystems,
       s.lists,
       s.n_patches,
       s.n_responses,
       s.outcome_detail AS outcome,
       round(epoch(s.first_response_at - s.posted_at) / 3600.0, 1) AS hours_to_first_response,
       count(*) OVER () AS matches
FROM scope s
LEFT JOIN people p ON p.person_id = s.author_person_id
ORDER BY s.posted_at DESC NULLS LAST, s.series_id
LIMIT $limit
