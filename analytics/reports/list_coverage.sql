-- Lists of the MAINTAINERS sections that archived patches touch, and whether each list
-- is archived in this database (docs/metrics.md, "Coverage").
WITH in_play AS (
    SELECT subsystem, count(DISTINCT message_id) AS patches
    FROM message_subsystems ms JOIN messages m USING (message_id)
    WHERE m.is_patch AND ms.via = 'files'
      AND ($subsystem::VARCHAR IS NULL OR ms.subsystem = $subsystem::VARCHAR)
      AND ($since::TIMESTAMPTZ IS NULL OR m.date >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR m.date < $until::TIMESTAMPTZ)
    GROUP BY subsystem
),
archived AS (
    SELECT DISTINCT unnest(lists) AS list FROM messages
),
section_lists AS (
    SELECT s.name AS subsystem, unnest(s.lists) AS list FROM subsystems s
)
SELECT p.subsystem,
       p.patches,
       sl.list,
       sl.list IN (SELECT list FROM archived) AS archived
FROM in_play p
LEFT JOIN section_lists sl USING (subsystem)
ORDER BY p.patches DESC, p.subsystem, sl.list
