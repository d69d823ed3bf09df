-- Maintainer responsiveness (docs/metrics.md, "Maintainer responsiveness"): per person
-- listed M: or R: in a MAINTAINERS section, the patches of others in that section, the
-- share they answered themselves (a response by them below the patch or below its
-- series' cover letter), the median time to that answer, the review tags they gave
-- there, the load, when they were last seen; the same for individuals' and newcomers'
-- patches. Subsystem 'all': every patch in any of their sections, once.
WITH RECURSIVE
-- @include series_group
-- @include maintainer_roles
links AS (
    -- each message of a series with its parent: In-Reply-To, else the last References
    -- entry (docs/metrics.md, "Replies of a post")
    SELECT m.message_id, coalesce(m.in_reply_to, m."references"[-1]) AS parent,
           p.message_id IS NOT NULL AS is_post
    FROM messages m LEFT JOIN posts p USING (message_id)
    WHERE m.series_id IS NOT NULL
),
climb AS (
    -- each reply walked up its parents to the nearest post
    SELECT message_id AS reply_id, parent AS at_id, 0 AS depth
    FROM links WHERE NOT is_post
    UNION ALL
    SELECT c.reply_id, l.parent, c.depth + 1
    FROM climb c JOIN links l ON l.message_id = c.at_id
    WHERE NOT l.is_post AND c.depth < 100 AND l.message_id <> coalesce(l.parent, '')
),
responses AS (
    -- responses (docs/metrics.md, "Response") by person, per post they are below
    SELECT c.at_id AS post_id, ma.person_id, min(m.date) AS at
    FROM climb c
    JOIN posts p ON p.message_id = c.at_id
    JOIN series s ON s.series_id = p.series_id
    JOIN messages m ON m.message_id = c.reply_id
    JOIN message_authors ma ON ma.message_id = c.reply_id
    WHERE NOT ma.is_bot AND ma.person_id IS NOT NULL AND m.date IS NOT NULL
      AND m.bot_report IS NULL AND ma.person_id IS DISTINCT FROM s.author_person_id
    GROUP BY ALL
),
area_patches AS (
    SELECT p.message_id AS post_id, p.series_id, p.posted_at, u.subsystem,
           s.author_person_id, coalesce(s.author_org_kind, 'unknown') AS org_kind,
           g.author_group
    FROM posts p
    JOIN messages m USING (message_id)
    JOIN series s ON s.series_id = p.series_id
    JOIN series_group g ON g.series_id = p.series_id,
         unnest(p.subsystems) AS u(subsystem)
    WHERE m.is_patch AND p.posted_at IS NOT NULL AND s.outcome_detail <> 'backport'
      AND ($list::VARCHAR IS NULL OR list_contains(s.lists, $list::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR p.posted_at >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR p.posted_at < $until::TIMESTAMPTZ)
      AND ($org_kind::VARCHAR IS NULL OR s.author_org_kind = $org_kind::VARCHAR)
      AND ($subsystem::VARCHAR IS NULL OR u.subsystem = $subsystem::VARCHAR)
),
span AS (
    -- months covered by the scope's patches (at least one)
    SELECT greatest(1.0, epoch(max(posted_at) - min(posted_at)) / (86400 * 30.4375))
               AS months
    FROM area_patches
),
duty_by_section AS (
    SELECT DISTINCT r.subsystem, r.person_id, a.post_id, a.posted_at, a.org_kind,
           a.author_group
    FROM area_patches a JOIN maintainer_roles r USING (subsystem)
    WHERE a.author_person_id IS DISTINCT FROM r.person_id
),
duty AS (
    SELECT * FROM duty_by_section
    UNION ALL
    SELECT DISTINCT 'all', person_id, post_id, posted_at, org_kind, author_group
    FROM duty_by_section
),
below AS (
    -- each post and the patches it stands for: a patch itself, a cover letter every patch
    -- of its series (an answer below the cover answers them all)
    SELECT message_id AS post_id, message_id AS patch_id FROM posts WHERE NOT is_cover
    UNION ALL
    SELECT c.message_id, p.message_id
    FROM posts c JOIN posts p ON p.series_id = c.series_id AND NOT p.is_cover
    WHERE c.is_cover
),
patch_answers AS (
    SELECT b.patch_id AS post_id, x.person_id, min(x.at) AS answered_at
    FROM responses x JOIN below b USING (post_id)
    GROUP BY ALL
),
answered AS (
    SELECT d.*, a.answered_at
    FROM duty d LEFT JOIN patch_answers a USING (post_id, person_id)
),
tags AS (
    SELECT d.subsystem, d.person_id, count(DISTINCT (g.message_id, g.position)) AS n
    FROM review_tags g
    JOIN below b ON b.post_id = g.post_id
    JOIN duty d ON d.post_id = b.patch_id AND d.person_id = g.given_by
    WHERE NOT g.carried AND g.kind IN ('reviewed-by', 'acked-by')
    GROUP BY ALL
),
per_person AS (
    SELECT subsystem, person_id,
           count(*) AS n_patches,
           count(answered_at) AS n_answered,
           median(epoch(answered_at - posted_at) / 3600.0) AS median_hours,
           count(*) FILTER (org_kind = 'individual') AS n_individual,
           count(answered_at) FILTER (org_kind = 'individual') AS a_individual,
           count(*) FILTER (author_group = 'newcomer') AS n_newcomer,
           count(answered_at) FILTER (author_group = 'newcomer') AS a_newcomer
    FROM answered GROUP BY ALL
),
listed AS (
    SELECT subsystem, person_id, min(person_name) AS name,
           string_agg(DISTINCT role, '+' ORDER BY role) AS role
    FROM maintainer_roles
    WHERE $subsystem::VARCHAR IS NULL OR subsystem = $subsystem::VARCHAR
    GROUP BY ALL
    UNION ALL
    SELECT 'all', person_id, min(person_name),
           string_agg(DISTINCT role, '+' ORDER BY role)
    FROM maintainer_roles
    WHERE $subsystem::VARCHAR IS NULL OR subsystem = $subsystem::VARCHAR
    GROUP BY ALL
),
figures AS (
    SELECT l.subsystem, l.person_id AS maintainer, l.name, l.role,
           coalesce(p.n_patches, 0) AS n_patches, coalesce(p.n_answered, 0) AS n_answered,
           round(p.n_answered / p.n_patches, 4) AS share_answered,
           round(p.median_hours, 2) AS median_hours_to_answer,
           coalesce(t.n, 0) AS review_tags_given,
           round(coalesce(p.n_patches, 0) / (SELECT months FROM span), 2)
               AS patches_per_month,
           pe.last_seen,
           coalesce(p.n_individual, 0) AS n_patches_individual,
           round(p.a_individual / nullif(p.n_individual, 0), 4) AS share_answered_individual,
           coalesce(p.n_newcomer, 0) AS n_patches_newcomer,
           round(p.a_newcomer / nullif(p.n_newcomer, 0), 4) AS share_answered_newcomer
    FROM listed l
    LEFT JOIN per_person p USING (subsystem, person_id)
    LEFT JOIN tags t USING (subsystem, person_id)
    LEFT JOIN people pe ON pe.person_id = l.person_id
)
SELECT *,
       CASE WHEN n_patches >= $min_n::INTEGER THEN
           rank() OVER (PARTITION BY subsystem, n_patches >= $min_n::INTEGER
                        ORDER BY share_answered DESC, median_hours_to_answer ASC NULLS LAST)
       END AS rank
FROM figures
ORDER BY subsystem <> 'all', subsystem, rank NULLS LAST, n_patches DESC, maintainer
