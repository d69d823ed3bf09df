-- Patches without any response, per subsystem (docs/metrics.md, "Unanswered patches"):
-- per MAINTAINERS section of each patch (posts.subsystems; a patch counts in each, and
-- once in 'all'), the patches with no response below themselves, and the stricter count
-- of those whose whole series went unanswered. Stable backports are left out.
WITH patches AS (
    SELECT p.message_id, p.subsystems,
           p.first_response_at IS NOT NULL AS answered,
           s.first_response_at IS NOT NULL AS series_answered,
           p.first_review_at IS NOT NULL AS reviewed,
           s.outcome_detail = 'ignored' AS series_ignored
    FROM posts p
    JOIN messages m USING (message_id)
    JOIN series s ON s.series_id = p.series_id
    WHERE m.is_patch AND s.outcome_detail <> 'backport'
      AND ($list::VARCHAR IS NULL OR list_contains(s.lists, $list::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR p.posted_at >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR p.posted_at < $until::TIMESTAMPTZ)
      AND ($org_kind::VARCHAR IS NULL OR s.author_org_kind = $org_kind::VARCHAR)
      AND ($subsystem::VARCHAR IS NULL OR list_contains(p.subsystems, $subsystem::VARCHAR))
),
cells AS (
    SELECT u.subsystem, p.*
    FROM patches p,
         unnest(list_append(coalesce(p.subsystems, []::VARCHAR[]), 'all')) AS u(subsystem)
    WHERE $subsystem::VARCHAR IS NULL OR u.subsystem IN ($subsystem::VARCHAR, 'all')
)
SELECT subsystem,
       count(*) AS patches,
       count(*) FILTER (NOT answered) AS without_response,
       round(count(*) FILTER (NOT answered) / count(*), 4) AS share_without_response,
       count(*) FILTER (NOT series_answered) AS in_unanswered_series,
       count(*) FILTER (series_ignored) AS in_ignored_series,
       count(*) FILTER (reviewed) AS with_review_tag
FROM cells
GROUP BY subsystem
ORDER BY subsystem <> 'all', patches DESC, subsystem
