-- Postings of patch series by outcome.
SELECT outcome,
       count(*) AS series,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
FROM series
GROUP BY outcome
ORDER BY series DESC
