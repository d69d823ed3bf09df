-- What the dashboard's global filters offer: every archived list (with its messages),
-- every MAINTAINERS section that series touch (with their series), and the first and
-- last day of the archive (trusted dates only, docs/schema.md "Dates").
SELECT 'list' AS kind, l AS value, count(*) AS n
FROM (SELECT unnest(lists) AS l FROM messages)
GROUP BY l
UNION ALL
SELECT 'subsystem', s, count(*)
FROM (SELECT unnest(subsystems) AS s FROM series)
GROUP BY s
UNION ALL
SELECT 'first_day', strftime(min(date), '%Y-%m-%d'), count(*)
FROM messages WHERE date_source = 'header'
UNION ALL
SELECT 'last_day', strftime(max(date), '%Y-%m-%d'), count(*)
FROM messages WHERE date_source = 'header'
ORDER BY kind, n DESC, value
