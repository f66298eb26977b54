-- Look-ups for `patron report` that are not named analyses: what the report says about the
-- warehouse itself. Every number about customers comes from an analysis instead.

-- name: freshness
-- One row per entity and source: rows stored, the latest event time, and the last load of
-- that source and entity (its status and when it finished). Grain: entity × source.
WITH facts AS (
    SELECT 'customers' AS entity, source, count(*) AS rows_stored, max(signup_at) AS latest_at FROM customer_profiles GROUP BY source
    UNION ALL SELECT 'purchases', source, count(*), max(ordered_at) FROM purchases GROUP BY source
    UNION ALL SELECT 'returns', source, count(*), max(returned_at) FROM returns GROUP BY source
    UNION ALL SELECT 'tickets', source, count(*), max(created_at) FROM tickets GROUP BY source
    UNION ALL SELECT 'mentions', source, count(*), max(posted_at) FROM mentions GROUP BY source
    UNION ALL SELECT 'surveys', source, count(*), max(responded_at) FROM surveys GROUP BY source
), last_run AS (
    SELECT DISTINCT ON (entity, source) entity, source, status, finished_at
    FROM load_runs
    ORDER BY entity, source, run_id DESC
)
SELECT f.entity, f.source, f.rows_stored,
       to_char(f.latest_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS latest_at,
       to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS last_load_at,
       r.status AS last_load_status
FROM facts AS f
LEFT JOIN last_run AS r USING (entity, source)
ORDER BY array_position(ARRAY['customers', 'purchases', 'returns', 'tickets', 'mentions', 'surveys'], f.entity), f.source;
