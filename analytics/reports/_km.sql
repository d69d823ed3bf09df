-- Kaplan–Meier survival ("not yet answered") per group (docs/metrics.md, "Censoring"):
-- the one estimator, included by the reports that need it. Input: a CTE km_input(grp,
-- days, event) with one row per case, event false for a case censored at `days`.
-- Output km(grp, days, at_risk, events, survival) at each time with an event. Cases
-- censored at an event's time are still at risk at it.
km_times AS (
    SELECT grp, days, count(*) AS n, count(*) FILTER (event) AS events
    FROM km_input GROUP BY grp, days
),
km_risk AS (
    SELECT *, sum(n) OVER (PARTITION BY grp ORDER BY days DESC) AS at_risk
    FROM km_times
),
km AS (
    SELECT grp, days, at_risk, events,
           product(1 - events / at_risk) OVER (PARTITION BY grp ORDER BY days) AS survival
    FROM km_risk WHERE events > 0
),
