-- What `patron status` and `patron rejects` show.

-- name: entities
-- One row per entity: rows stored, the span of its event time, and its last load.
-- Grain: one row per entity (six rows, even for an empty warehouse).
WITH facts AS (
    SELECT 'customers' AS entity, count(*) AS rows_stored, min(signup_at) AS first_at, max(signup_at) AS last_at FROM customer_profiles
    UNION ALL SELECT 'purchases', count(*), min(ordered_at), max(ordered_at) FROM purchases
    UNION ALL SELECT 'returns', count(*), min(returned_at), max(returned_at) FROM returns
    UNION ALL SELECT 'tickets', count(*), min(created_at), max(created_at) FROM tickets
    UNION ALL SELECT 'mentions', count(*), min(posted_at), max(posted_at) FROM mentions
    UNION ALL SELECT 'surveys', count(*), min(responded_at), max(responded_at) FROM surveys
), last_run AS (
    SELECT DISTINCT ON (entity) entity, run_id, status, finished_at, file, rows_read, rows_inserted,
           rows_updated, rows_unchanged, rows_superseded, rows_rejected
    FROM load_runs
    ORDER BY entity, run_id DESC
)
SELECT f.entity, f.rows_stored, f.first_at, f.last_at,
       r.run_id AS last_run, r.status AS last_status, r.finished_at AS last_finished_at, r.file AS last_file,
       r.rows_read, r.rows_inserted, r.rows_updated, r.rows_unchanged, r.rows_superseded, r.rows_rejected
FROM facts AS f
LEFT JOIN last_run AS r USING (entity)
ORDER BY array_position(ARRAY['customers', 'purchases', 'returns', 'tickets', 'mentions', 'surveys'], f.entity);

-- name: customers
SELECT (SELECT count(*) FROM customers) AS customers,
       (SELECT count(*) FROM customer_identifiers) AS identifiers,
       (SELECT count(*) FROM customer_merges) AS merges;

-- name: runs
-- The most recent load runs, newest first ($1 = how many).
SELECT run_id, entity, source, file, status, started_at, finished_at, rows_read, rows_inserted,
       rows_updated, rows_unchanged, rows_superseded, rows_rejected, error
FROM load_runs
ORDER BY run_id DESC
LIMIT $1;

-- name: run_exists
-- Whether load run $1 exists (`patron rejects --run N` refuses one that does not).
SELECT EXISTS (SELECT 1 FROM load_runs WHERE run_id = $1::bigint) AS found;

-- name: rejects
-- Rejected rows of run $1, or of the latest run that rejected any when $1 is NULL.
WITH chosen AS (
    SELECT coalesce($1::bigint, (SELECT max(run_id) FROM load_runs WHERE rows_rejected > 0)) AS run_id
)
-- An imported file's rows are numbered as converted; its vendor file's line is source_line.
SELECT r.run_id, l.file, coalesce(r.source_line, r.line) AS line, r.column_name, r.value, r.reason
FROM rejected_rows AS r
JOIN load_runs AS l USING (run_id)
WHERE r.run_id = (SELECT run_id FROM chosen)
ORDER BY r.line;

-- name: skipped
-- What an import left out of run $1 (or of the latest run that left anything out, when $1 is
-- NULL): records skipped on purpose, and junk identifiers dropped from rows that were kept.
WITH chosen AS (
    SELECT coalesce($1::bigint, (SELECT max(run_id) FROM import_notices)) AS run_id
)
SELECT n.run_id, l.entity, l.file, n.source_ref AS record, n.kind, n.column_name, n.value, n.reason
FROM import_notices AS n
JOIN load_runs AS l USING (run_id)
WHERE n.run_id = (SELECT run_id FROM chosen)
ORDER BY n.seq;

-- name: freshness
-- For `patron report`'s freshness section. One row per entity and source: rows stored, the latest event time, and the last load of
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
