-- Postings of patch series by outcome (applied | superseded | ignored | pending, NULL for
-- a stable backport) and its detail (pending splits into "pending": no response yet,
-- and "discussed": answered, nothing decided). docs/metrics.md, "Outcomes".
WITH scope AS (
    SELECT * FROM series s
    WHERE ($list::VARCHAR IS NULL OR list_contains(s.lists, $list::VARCHAR))
      AND ($subsystem::VARCHAR IS NULL OR list_contains(s.subsystems, $subsystem::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR s.posted_at >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR s.posted_at < $until::TIMESTAMPTZ)
      AND ($org_kind::VARCHAR IS NULL OR s.author_org_kind = $org_kind::VARCHAR)
)
SELECT outcome,
       outcome_detail,
       count(*) AS series,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
FROM scope
GROUP BY ALL
ORDER BY series DESC, outcome_detail
