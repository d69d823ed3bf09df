-- Who is listed M: or R: in which MAINTAINERS section (docs/metrics.md, "Maintainer
-- response"): the address mapped to its person (person_addresses), or the address itself
-- for someone never seen on the lists.
maintainer_roles AS (
    SELECT DISTINCT r.subsystem, coalesce(pa.person_id, r.email) AS person_id,
           coalesce(pe.name, r.name, r.email) AS person_name, r.role
    FROM (
        SELECT name AS subsystem, unnest(maintainers) AS email,
               unnest(maintainer_names) AS name, 'M' AS role
        FROM subsystems
        UNION ALL
        SELECT name, unnest(reviewers), unnest(reviewer_names), 'R' FROM subsystems
    ) r
    LEFT JOIN person_addresses pa ON pa.email = r.email
    LEFT JOIN people pe ON pe.person_id = pa.person_id
),
