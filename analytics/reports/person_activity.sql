-- One person (by person_id or any of their addresses): the MAINTAINERS sections that
-- list them (M: or R:), and their series and first responses in the scope, newest first.
WITH who AS (
    SELECT p.* FROM people p
    WHERE p.person_id = lower($person::VARCHAR) OR list_contains(p.emails, lower($person::VARCHAR))
),
sections AS (
    SELECT s.name AS subsystem,
           CASE WHEN len(list_intersect(s.maintainers, w.emails)) > 0 THEN 'maintainer (M:)'
                ELSE 'reviewer (R:)' END AS role
    FROM subsystems s, who w
    WHERE len(list_intersect(s.maintainers, w.emails)) > 0
       OR len(list_intersect(s.reviewers, w.emails)) > 0
),
scoped AS (
    SELECT s.* FROM series s
    WHERE ($list::VARCHAR IS NULL OR list_contains(s.lists, $list::VARCHAR))
      AND ($subsystem::VARCHAR IS NULL OR list_contains(s.subsystems, $subsystem::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR s.posted_at >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR s.posted_at < $until::TIMESTAMPTZ)
)
SELECT * FROM (
SELECT 'section' AS what, NULL::TIMESTAMPTZ AS happened_at, subsystem AS detail, role AS role,
       NULL::VARCHAR AS series_id
FROM sections
UNION ALL
SELECT 'authored', s.posted_at, s.subject, s.outcome_detail, s.series_id
FROM scoped s, who w WHERE s.author_person_id = w.person_id
UNION ALL
SELECT 'first response', s.first_response_at, s.subject,
       CASE WHEN s.first_maintainer_response_by = w.person_id THEN 'as maintainer'
            ELSE 'as responder' END, s.series_id
FROM scoped s, who w WHERE s.first_response_by = w.person_id
UNION ALL
SELECT 'first review tag', s.first_review_at, s.subject, s.first_review_kind, s.series_id
FROM scoped s, who w WHERE s.first_review_by = w.person_id AND NOT s.first_review_carried
)
ORDER BY what <> 'section', happened_at DESC NULLS LAST, detail
