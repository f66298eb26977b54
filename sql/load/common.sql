-- Statements every load runs, whatever the entity. They work on the temporary tables that the
-- entity's own file creates (load_stage, load_winners). Run inside the file's transaction.

-- name: lock_wait
-- Serializes loads into one warehouse schema ($1 = schema name). Session-level: released when
-- the load ends or its connection drops (a killed loader never leaves it held).
SELECT pg_advisory_lock(hashtext('patron.load:' || $1));

-- name: lock_try
SELECT pg_try_advisory_lock(hashtext('patron.load:' || $1)) AS acquired;

-- name: lock_release
SELECT pg_advisory_unlock(hashtext('patron.load:' || $1));

-- name: lock_holder
-- Who holds the load lock, to tell a waiting user what they wait for.
SELECT a.pid, a.application_name, a.client_addr::text AS client, a.backend_start,
       a.query_start, left(a.query, 80) AS query
FROM pg_locks AS l
JOIN pg_stat_activity AS a USING (pid)
WHERE l.locktype = 'advisory' AND l.granted
  AND l.objid = hashtext('patron.load:' || $1)::oid
LIMIT 1;

-- name: begin_run
-- The run's row is written inside the file's transaction: a load killed midway leaves no trace.
INSERT INTO load_runs (entity, source, file, format, status, started_at, finished_at)
VALUES ($1, $2, $3, $4, 'loaded', $5, $5)
RETURNING run_id;

-- name: stage_counts
SELECT count(*) FILTER (WHERE reject_reason IS NULL) AS valid,
       count(*) FILTER (WHERE reject_reason IS NOT NULL) AS rejected
FROM load_stage;

-- name: winner_count
SELECT count(*) AS winners FROM load_winners;

-- name: record_rejects
INSERT INTO rejected_rows (run_id, line, column_name, value, reason)
SELECT $1, line, reject_column, reject_value, reject_reason
FROM load_stage
WHERE reject_reason IS NOT NULL;

-- name: resolve_identities
SELECT customers_created, customers_merged FROM resolve_identities($1, $2);

-- name: finish_run
UPDATE load_runs
SET status = $2, finished_at = clock_timestamp(), checksum_sha256 = $3, bytes_read = $4,
    read_seconds = $5, merge_seconds = $6,
    rows_read = $7, rows_inserted = $8, rows_updated = $9, rows_unchanged = $10,
    rows_superseded = $11, rows_rejected = $12, customers_created = $13, customers_merged = $14,
    unknown_columns = $15::text[]
WHERE run_id = $1;

-- name: record_failed_run
-- A failed load changed nothing; this row, written afterwards in its own transaction, is the
-- only trace of it (for `patron status` and the nightly operator).
INSERT INTO load_runs (entity, source, file, format, status, started_at, finished_at,
                       checksum_sha256, bytes_read, rows_read, rows_rejected, error)
VALUES ($1, $2, $3, $4, 'failed', $5, clock_timestamp(), $6, $7, $8, $9, $10)
RETURNING run_id;

-- name: copy_stage
-- The loader streams validated rows in binary format (no server-side text parsing).
COPY load_stage FROM STDIN (FORMAT binary);
