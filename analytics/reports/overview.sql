-- What the database holds for a scope, in one row (docs/metrics.md, "Overview"): counts,
-- the share of series answered and the Kaplan–Meier median time to first response
-- (unanswered series censored at observed_until; the estimator of _km.sql), the
-- organisation kinds of the patches, and the caveats a reader should know.
WITH msgs AS (
    SELECT m.message_id, m.date, m.lists, m.is_patch, m.is_cover, m.thread_id,
           ma.person_id, coalesce(ma.is_bot, false) AS is_bot, ma.org_kind
    FROM messages m
    LEFT JOIN message_authors ma USING (message_id)
    WHERE ($list::VARCHAR IS NULL OR list_contains(m.lists, $list::VARCHAR))
      AND ($subsystem::VARCHAR IS NULL OR m.message_id IN (
              SELECT message_id FROM message_subsystems WHERE subsystem = $subsystem::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR m.date >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR m.date < $until::TIMESTAMPTZ)
),
series_ AS (
    SELECT s.* FROM series s
    WHERE ($list::VARCHAR IS NULL OR list_contains(s.lists, $list::VARCHAR))
      AND ($subsystem::VARCHAR IS NULL OR list_contains(s.subsystems, $subsystem::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR s.posted_at >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR s.posted_at < $until::TIMESTAMPTZ)
),
obs AS (  -- review requests: stable backports left out, as in review_latency
    SELECT epoch(coalesce(s.first_response_at, s.observed_until) - s.posted_at) / 86400.0
               AS days,
           s.first_response_at IS NOT NULL AS answered
    FROM series_ s
    WHERE s.posted_at IS NOT NULL AND s.observed_until >= s.posted_at
      AND s.outcome_detail <> 'backport'
),
km_input AS (
    SELECT 'all' AS grp, days, answered AS event FROM obs
),
-- @include km
per_list AS (
    SELECT list, count(*) AS messages, min(date) AS first, max(date) AS last
    FROM (SELECT unnest(lists) AS list, date FROM msgs)
    WHERE $list::VARCHAR IS NULL OR list = $list::VARCHAR
    GROUP BY list
),
in_play AS (  -- the L: lists of the sections that the scope's patches touch, with how
             -- many of those patches each list was meant to see
    SELECT list, count(DISTINCT message_id) AS patches
    FROM (SELECT unnest(s.lists) AS list, ms.message_id
          FROM subsystems s
          JOIN message_subsystems ms ON ms.subsystem = s.name AND ms.via = 'files'
          JOIN msgs USING (message_id)
          WHERE msgs.is_patch)
    GROUP BY list
),
missing AS (
    SELECT list, patches FROM in_play
    WHERE list NOT IN (SELECT DISTINCT unnest(lists) FROM messages)
),
last_enrich AS (
    SELECT max(finished_at) AS finished, max(last_run) AS last_run FROM enrich_runs
),
counts AS (  -- one pass over the scope's messages
    SELECT min(date) AS first_message,
           max(date) AS last_message,
           count(*) AS messages,
           count(*) FILTER (is_patch) AS patches,
           count(*) FILTER (is_cover) AS cover_letters,
           count(DISTINCT thread_id) AS threads,
           count(DISTINCT person_id) FILTER (NOT is_bot) AS people,
           count(DISTINCT person_id) FILTER (NOT is_bot AND is_patch) AS authors,
           count(*) FILTER (is_patch AND NOT is_bot) AS kind_base,
           count(*) FILTER (is_patch AND NOT is_bot AND org_kind = 'corporate') AS n_corporate,
           count(*) FILTER (is_patch AND NOT is_bot AND org_kind = 'individual')
               AS n_individual,
           count(*) FILTER (is_patch AND NOT is_bot AND org_kind = 'academic') AS n_academic,
           count(*) FILTER (is_patch AND NOT is_bot AND org_kind = 'unknown') AS n_unknown,
           round(100.0 * count(*) FILTER (NOT is_bot AND org_kind <> 'unknown')
                 / nullif(count(*) FILTER (NOT is_bot), 0), 1) AS org_known_pct,
           count(*) FILTER (date IS NULL) AS undated
    FROM msgs
),
figures AS (
    SELECT counts.*,
        (SELECT list(list ORDER BY messages DESC, list) FROM per_list) AS lists,
        (SELECT count(*) FROM series_) AS series,
        (SELECT round(100.0 * count(*) FILTER (answered) / nullif(count(*), 0), 1) FROM obs)
            AS answered_pct,
        (SELECT round(min(days) * 24, 2) FROM km WHERE survival <= 0.5 + 1e-9)
            AS km_median_hours,
        (SELECT list({'list': list, 'messages': messages, 'first': first, 'last': last}
                     ORDER BY messages DESC, list) FROM per_list) AS per_list,
        (SELECT count(*) FROM in_play) AS lists_in_play,
        (SELECT list(list ORDER BY list) FROM missing) AS lists_not_archived,
        (SELECT string_agg(list || ' (' || format('{:,}', patches) || ' patches)', ', '
                           ORDER BY patches DESC, list)
         FROM (SELECT * FROM missing ORDER BY patches DESC, list LIMIT 3)) AS most_missed,
        (SELECT count(*) FROM subsystems) AS sections,
        (SELECT count(*) FROM ingest_errors) AS ingest_errors,
        (SELECT max(started_at) FROM ingest_runs) AS last_ingest_at,
        (SELECT finished FROM last_enrich) AS enriched_at,
        (SELECT count(*) FROM messages
         WHERE first_seen_run > coalesce((SELECT last_run FROM last_enrich), -1))
            AS not_enriched
    FROM counts
)
SELECT coalesce(lists, []) AS lists, first_message, last_message,
       messages, patches, cover_letters, threads, series, people, authors,
       answered_pct, km_median_hours,
       round(100.0 * n_corporate / nullif(kind_base, 0), 1) AS corporate_pct,
       round(100.0 * n_individual / nullif(kind_base, 0), 1) AS individual_pct,
       round(100.0 * n_academic / nullif(kind_base, 0), 1) AS academic_pct,
       round(100.0 * n_unknown / nullif(kind_base, 0), 1) AS unknown_pct,
       org_known_pct,
       lists_in_play,
       coalesce(lists_not_archived, []) AS lists_not_archived,
       coalesce(per_list, []) AS per_list,
       ingest_errors, last_ingest_at, enriched_at, not_enriched,
       list_filter([
           CASE WHEN sections = 0 THEN 'no MAINTAINERS loaded: no subsystems and no '
                || 'maintainer responses (lorelens maintainers)' END,
           CASE WHEN len(coalesce(lists_not_archived, [])) > 0 THEN
                len(lists_not_archived) || ' of ' || lists_in_play || ' lists of the '
                || 'subsystems in play are not archived here: replies sent only there are '
                || 'not seen; the most missed: ' || most_missed
                || ' (lorelens report list_coverage)' END,
           CASE WHEN org_known_pct < 100 THEN round(100 - org_known_pct, 1)
                || '% of messages (bots left out) have an unknown organisation kind '
                || '(lorelens report org_coverage)' END,
           CASE WHEN undated > 0 THEN undated || ' messages have no date and drop out of '
                || 'every time window' END,
           CASE WHEN ingest_errors > 0 THEN ingest_errors || ' mails could not be parsed '
                || '(table ingest_errors)' END,
           CASE WHEN enriched_at IS NULL AND messages > 0 THEN
                'never enriched: run lorelens enrich'
                WHEN not_enriched > 0 THEN not_enriched || ' messages ingested after the '
                || 'last enrichment: run lorelens enrich' END
       ], lambda c: c IS NOT NULL) AS caveats
FROM figures
