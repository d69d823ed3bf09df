-- Where to contribute (docs/metrics.md, "Staleness"): per MAINTAINERS section and,
-- within it, per directory and per file, the last change (from the kernel tree when one
-- was given, else from the lists), the section's status, its maintainers' last message on
-- the lists, its newcomers' share answered, and a label. Times are measured back from
-- the archive's newest trusted message, not from today.
WITH
-- @include series_group
-- @include maintainer_roles
archive_end AS (
    SELECT max(date) AS now FROM messages WHERE date_source = 'header'
),
posted AS (
    SELECT u.path, max(m.date) AS last_posted
    FROM messages m, unnest(m.files) AS u(path)
    WHERE m.is_patch GROUP BY ALL
),
applied AS (
    SELECT u.path, max(s.applied_at) AS last_applied
    FROM messages m JOIN series s ON s.series_id = m.series_id, unnest(m.files) AS u(path)
    WHERE m.is_patch AND s.applied_at IS NOT NULL GROUP BY ALL
),
paths AS (
    -- each path of each section: its last change in the tree, else on the lists
    SELECT u.subsystem, fa.path,
           CASE WHEN fa.last_commit_at IS NOT NULL THEN fa.last_commit_at
                ELSE greatest(p.last_posted, a.last_applied) END AS last_change,
           CASE WHEN fa.last_commit_at IS NOT NULL THEN 'git'
                WHEN p.last_posted IS NOT NULL OR a.last_applied IS NOT NULL
                THEN 'lists' END AS source
    FROM file_activity fa
    CROSS JOIN unnest(fa.subsystems) AS u(subsystem)
    LEFT JOIN posted p ON p.path = fa.path
    LEFT JOIN applied a ON a.path = fa.path
    WHERE $subsystem::VARCHAR IS NULL OR u.subsystem = $subsystem::VARCHAR
),
levels AS (
    SELECT subsystem, 'directory' AS level,
           CASE WHEN contains(path, '/') THEN regexp_replace(path, '[^/]*$', '')
                ELSE './' END AS path,
           max(last_change) AS last_change,
           string_agg(DISTINCT source, '+' ORDER BY source) AS source, count(*) AS n_paths
    FROM paths GROUP BY ALL
    UNION ALL
    SELECT subsystem, 'file', path, last_change, source, 1 FROM paths
),
sections AS (
    SELECT s.name AS subsystem, 'section' AS level, '' AS path,
           max(p.last_change) AS last_change,
           string_agg(DISTINCT p.source, '+' ORDER BY p.source) AS source,
           count(p.path) AS n_paths
    FROM subsystems s LEFT JOIN paths p ON p.subsystem = s.name
    WHERE $subsystem::VARCHAR IS NULL OR s.name = $subsystem::VARCHAR
    GROUP BY ALL
),
attendance AS (
    SELECT r.subsystem, max(pe.last_seen) AS maintainers_last_seen
    FROM maintainer_roles r LEFT JOIN people pe ON pe.person_id = r.person_id
    GROUP BY ALL
),
newcomers AS (
    SELECT u.subsystem, count(*) AS n, count(s.first_response_at) AS answered
    FROM series s JOIN series_group g USING (series_id), unnest(s.subsystems) AS u(subsystem)
    WHERE g.author_group = 'newcomer' AND s.outcome_detail <> 'backport'
    GROUP BY ALL
),
rows_ AS (
    SELECT * FROM sections
    UNION ALL
    SELECT * FROM levels
    WHERE (CASE $level::VARCHAR WHEN 'section' THEN 1 WHEN 'directory' THEN 2 ELSE 3 END)
          >= (CASE level WHEN 'directory' THEN 2 ELSE 3 END)
),
figures AS (
    SELECT r.subsystem, sub.status, r.level, r.path, r.n_paths, r.last_change,
           floor(epoch(e.now - r.last_change) / 86400)::INTEGER AS days_since_change,
           r.source, att.maintainers_last_seen,
           floor(epoch(e.now - att.maintainers_last_seen) / 86400)::INTEGER
               AS days_since_maintainers_seen,
           coalesce(nc.n, 0) AS newcomer_series,
           CASE WHEN nc.n >= $min_n::INTEGER THEN round(nc.answered / nc.n, 4) END
               AS newcomer_share_answered
    FROM rows_ r
    JOIN subsystems sub ON sub.name = r.subsystem
    CROSS JOIN archive_end e
    LEFT JOIN attendance att ON att.subsystem = r.subsystem
    LEFT JOIN newcomers nc ON nc.subsystem = r.subsystem
)
SELECT subsystem, status, level, path, n_paths, last_change AS last_change_at,
       days_since_change, source AS staleness_source, maintainers_last_seen,
       days_since_maintainers_seen, newcomer_series, newcomer_share_answered,
       CASE WHEN last_change IS NULL THEN 'no activity known'
            WHEN days_since_change < 365 THEN 'active'
            WHEN status NOT IN ('Orphan', 'Obsolete') AND days_since_maintainers_seen < 90
            THEN 'stale but attended'
            ELSE 'stale and unattended' END AS label
FROM figures
ORDER BY subsystem, level <> 'section', path, level <> 'directory'
