-- Whom to write to and where, per MAINTAINERS section: its status, its lists (L:) and
-- whether each is archived here, and its maintainers (M:) and reviewers (R:) with
-- names, as get_maintainer.pl would list them (docs/subsystems.md).
WITH archived AS (SELECT list(DISTINCT l) AS lists FROM (SELECT unnest(lists) AS l FROM messages))
SELECT s.name AS subsystem,
       s.status,
       s.lists,
       list_intersect(s.lists, coalesce(a.lists, [])) AS lists_archived,
       list_transform(list_zip(s.maintainer_names, s.maintainers),
                      lambda x: x[1] || ' <' || x[2] || '>') AS maintainers,
       list_transform(list_zip(s.reviewer_names, s.reviewers),
                      lambda x: x[1] || ' <' || x[2] || '>') AS reviewers
FROM subsystems s, archived a
WHERE ($subsystem::VARCHAR IS NULL OR s.name = $subsystem::VARCHAR)
ORDER BY s.name
