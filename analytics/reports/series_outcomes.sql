-- Postings of patch series by outcome (applied | superseded | ignored | pending, NULL for
-- a stable backport) and its detail (pending splits into "pending": no response yet,
-- and "discussed": answered, nothing decided).
SELECT outcome,
       outcome_detail,
       count(*) AS series,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
FROM series
GROUP BY ALL
ORDER BY series DESC, outcome_detail
