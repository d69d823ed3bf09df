-- How many versions a patch set needs (docs/metrics.md, "Versions needed"): the
-- postings of the scope grouped into patch sets by series.version_key (all versions and
-- resends of one change), then counted by how many distinct versions each set had, with
-- an 'all' row. RFCs and stable backports are left out (not requests to apply).
WITH scope AS (
    SELECT s.version_key, s.version, s.outcome_detail, s.posted_at, s.series_id
    FROM series s
    WHERE NOT s.is_rfc AND s.outcome_detail <> 'backport'
      AND ($list::VARCHAR IS NULL OR list_contains(s.lists, $list::VARCHAR))
      AND ($subsystem::VARCHAR IS NULL OR list_contains(s.subsystems, $subsystem::VARCHAR))
      AND ($since::TIMESTAMPTZ IS NULL OR s.posted_at >= $since::TIMESTAMPTZ)
      AND ($until::TIMESTAMPTZ IS NULL OR s.posted_at < $until::TIMESTAMPTZ)
      AND ($org_kind::VARCHAR IS NULL OR s.author_org_kind = $org_kind::VARCHAR)
),
patch_sets AS (
    SELECT version_key,
           count(DISTINCT version) AS versions,
           count(*) AS postings,
           bool_or(outcome_detail = 'applied') AS applied,
           -- the outcome of its last posting (highest version, then latest)
           arg_max(outcome_detail, (version, posted_at, series_id)) AS last_outcome
    FROM scope
    GROUP BY version_key
),
cells AS (
    SELECT u.label, p.*
    FROM patch_sets p, unnest([p.versions::VARCHAR, 'all']) AS u(label)
)
SELECT label AS versions,
       count(*) AS patch_sets,
       sum(postings)::BIGINT AS postings,
       sum(postings - versions)::BIGINT AS resends,
       count(*) FILTER (applied) AS applied,
       count(*) FILTER (NOT applied AND last_outcome = 'ignored') AS last_ignored,
       count(*) FILTER (NOT applied AND last_outcome IN ('pending', 'discussed')) AS undecided,
       round(count(*) FILTER (applied) / count(*), 4) AS applied_rate
FROM cells
GROUP BY label
ORDER BY label = 'all', try_cast(label AS INTEGER)
