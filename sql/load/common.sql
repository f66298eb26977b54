-- Statements every load runs, whatever the entity. They work on the temporary tables that the
-- entity's own file creates (load_stage). Run inside the file's transaction. The order in which
-- the loader runs them, with the entity's own statements: sql/load/README.md. The functions
-- they call are the loader's models (sql/models/load_*.sql).

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

-- name: begin_distributed_load
-- First in the file's transaction, before anything reads or writes a table: on Citus, every
-- worker that the load writes to then takes part in the two-phase commit (see
-- sql/models/citus_distribution.sql). Elsewhere it only answers false.
SELECT begin_distributed_load() AS distributed;

-- name: session_settings
-- Room for the staging tables in the backend's own buffers: with the default 8MB, a large
-- file's staging table goes back and forth through the kernel on every pass over it. Taken
-- only as the temporary tables grow. PostgreSQL allows the change only before a connection's
-- first temporary table; after that the connection keeps what it has.
DO $$
BEGIN
    SET temp_buffers = '512MB';
EXCEPTION WHEN invalid_parameter_value THEN
    NULL;
END
$$;

-- name: load_settings
-- Memory for the load's hashes and sorts, for this transaction only: the merge statements
-- aggregate and join every row of the file at once, and spilling to disk costs more than the
-- memory (taken only while a statement runs, and only as much as it needs).
SET LOCAL work_mem = '128MB';

-- name: load_jit_settings
-- No JIT compilation: the merge statements work on fresh temporary tables whose estimates can
-- be far off (a GROUP BY on an unanalyzed table guesses 200 groups and its join billions of
-- rows), which pushed several statements over jit_above_cost, each paying 200-250 ms to
-- compile code that then ran for a second or less.
SET LOCAL jit = off;

-- name: load_cost_settings
-- Index probes priced as what they are here, reads of cached pages: at the default
-- random_page_cost (4, a spinning disk's) the update of a nightly delta (10k rows into 1M
-- purchases) hashed the whole table, 4.2 s, instead of probing its primary key per staged
-- row, 0.4 s (measured; the summaries' refresh sets the same for the same reason).
SET LOCAL random_page_cost = 1.1;

-- name: load_index_settings
-- Memory for rebuilding suspended indexes (see suspend_indexes): an index sorted in memory is
-- built in one pass.
SET LOCAL maintenance_work_mem = '256MB';

-- name: source_is_new
-- Whether this is the first load of source $3 into entity $1's table $2 (see
-- sql/models/load_source_is_new.sql): asked once per file, before anything is written.
SELECT load_source_is_new($1, $2::regclass, $3) AS new;

-- name: analyze_stage
-- Statistics for the staging table, so that the merge statements are planned for its real size
-- (a fresh temporary table has none; autovacuum never sees temporary tables). One column is
-- enough for the row count and the share of rejected rows, at a seventh of the cost of all.
ANALYZE load_stage (reject_reason);

-- name: record_rejects
-- Run only when the loader rejected rows.
INSERT INTO rejected_rows (run_id, line, column_name, value, reason)
SELECT $1, line, reject_column, reject_value, reject_reason
FROM load_stage
WHERE reject_reason IS NOT NULL;

-- name: drop_superseded
-- Staging path, when the loader saw a repeated id: among valid rows with the same id ($1, the
-- entity's id column) the last one wins; the earlier ones are deleted from load_stage and
-- counted (sql/models/load_drop_superseded.sql).
SELECT load_drop_superseded($1) AS superseded;

-- name: identity_sets
-- Staging path: the distinct combinations of identifiers of the valid rows, for
-- resolve_identities(); $1 = whether the entity's rows carry a handle
-- (sql/models/load_identity_sets.sql).
SELECT load_identity_sets($1::boolean) AS sets;

-- name: match_stored_rows
-- Staging path, entities with customers, before the entity's update and insert: which staged
-- rows are stored already (the temporary table load_stored, read by the insert), and those
-- whose customer changed moved to the new customer's key ($1 table, $2 its id column, $3
-- source, $4 whether rows carry a handle, $5 run, $6 source_is_new)
-- (sql/models/load_match_stored_rows.sql).
SELECT load_match_stored_rows($1::regclass, $2, $3, $4::boolean, $5, $6::boolean) AS rekeyed;

-- name: suspend_indexes
-- Before the insert of a large load ($1 table, $2 rows it may insert): its indexes are
-- dropped, primary key included, to be rebuilt by restore_indexes
-- (sql/models/load_suspend_indexes.sql says when and why).
SELECT suspend_indexes($1::regclass, $2) AS suspended;

-- name: restore_indexes
SELECT restore_indexes() AS rebuilt;

-- name: resolve_identities
SELECT customers_created, customers_merged FROM resolve_identities($1, $2);

-- name: queue_summaries
-- On Citus, where no trigger can queue them: the customers whose summaries this file's rows
-- may change ($1 table, $2 source, $3 run, $4 step: 'stored' before the staging path's update,
-- 'staged' after its insert, 'direct' after a direct load, whose fresh_base is $5). Elsewhere
-- 0 at once (sql/models/load_queue_summaries.sql).
SELECT load_queue_summaries($1::regclass, $2, $3, $4, $5::bigint) AS queued;

-- name: refresh_summaries
-- The customer summaries of everyone this file's statements touched (their triggers queued
-- them, or on Citus queue_summaries and move_customer_rows): sql/models/customer_summaries.sql.
SELECT refresh_customer_summaries();

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

-- Direct loads (Sources/PatronLoad/Loader+Direct.swift): the first load of a source writes its
-- rows straight into their table with one binary COPY (the entity's copy_direct), keyed by
-- customers the loader worked out while reading. The statements below run around that COPY.

-- name: direct_savepoint
-- A direct load that meets a repeated id gives way to the staging path: back to here.
SAVEPOINT direct_load;

-- name: direct_abandon
ROLLBACK TO SAVEPOINT direct_load;

-- name: reserve_keys
-- The first of the customer keys a direct load hands out (fresh_base + 1); the loader keeps
-- the load lock, so no other load takes keys until reserve_keys_until has moved past its own.
SELECT nextval(pg_get_serial_sequence('customers', 'customer_key')) - 1 AS fresh_base;

-- name: reserve_keys_until
SELECT setval(pg_get_serial_sequence('customers', 'customer_key'), $1::bigint);

-- name: create_direct_sets
-- One row per distinct identifier of the file, set_id = its component (resolve_identities).
CREATE TEMP TABLE identity_sets (
    set_id      bigint NOT NULL,
    customer_id text,
    email       text,
    phone       text,
    handle      text
) ON COMMIT DROP;

-- name: create_direct_retired
-- Components that keyed rows and were joined to an older one later in the file.
CREATE TEMP TABLE identity_retired (
    provisional bigint NOT NULL,
    root        bigint NOT NULL
) ON COMMIT DROP;

-- name: copy_direct_sets
COPY identity_sets FROM STDIN (FORMAT binary);

-- name: copy_direct_retired
COPY identity_retired FROM STDIN (FORMAT binary);

-- name: copy_direct_rejects
COPY rejected_rows (run_id, line, column_name, value, reason) FROM STDIN (FORMAT binary);

-- name: resolve_direct_identities
SELECT customers_created, customers_merged FROM resolve_identities($1, $2, $3);

-- name: rekey_direct_rows
SELECT rekey_direct_rows($1::regclass, $2, $3) AS rekeyed;

-- name: no_identifiers_stored
-- A direct load into a warehouse that knows no identifier yet copies its customers and
-- identifiers straight in (nothing stored can own them).
SELECT NOT EXISTS (SELECT 1 FROM customer_identifiers) AS empty;

-- name: copy_first_customers
COPY customers (customer_key, created_by_run) FROM STDIN (FORMAT binary);

-- name: copy_first_identifiers
COPY customer_identifiers (value, kind, source, customer_key, first_run) FROM STDIN (FORMAT binary);

-- name: import_reject_lines
-- Imports: the converted rows of run $1 that were rejected, to say which vendor record each was.
SELECT line FROM rejected_rows WHERE run_id = $1 ORDER BY line;

-- name: import_map_reject_lines
-- Imports: $2[i] is the vendor file's line of converted row $3[i] of run $1.
UPDATE rejected_rows AS r
SET source_line = m.source_line
FROM unnest($2::bigint[], $3::bigint[]) AS m(source_line, line)
WHERE r.run_id = $1 AND r.line = m.line;

-- name: import_record_notices
-- Imports: records skipped on purpose and identifiers dropped, for run $1, numbered from $2.
INSERT INTO import_notices (run_id, seq, kind, source_line, source_ref, column_name, value, reason)
SELECT $1, $2 + n.ordinality - 1, n.kind, n.source_line, n.source_ref, n.column_name, n.value, n.reason
FROM unnest($3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
     WITH ORDINALITY AS n(kind, source_line, source_ref, column_name, value, reason, ordinality);

-- name: import_finish_run
-- Imports: the records of run $1 skipped on purpose.
UPDATE load_runs SET rows_skipped = $2 WHERE run_id = $1;

-- name: already_loaded
-- `patron sync`: has a file with this SHA-256 ($3) been loaded under source $1 as kind $2 (the
-- entity of a canonical file, or the vendor kind such as `shopify orders`) without failing?
SELECT EXISTS (
    SELECT 1 FROM load_runs
    WHERE source = $1 AND checksum_sha256 = $3 AND status <> 'failed'
      AND (entity = $2 OR format = $2)
) AS loaded;

-- name: drop_load_temp_tables
-- Imports load several entities in one transaction: the temporary tables of one entity's load
-- (ON COMMIT DROP, so normally gone at commit) are dropped before the next entity's.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class AS c
             WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind IN ('r', 'p')
    LOOP
        EXECUTE format('DROP TABLE IF EXISTS pg_temp.%I CASCADE', t.relname);
    END LOOP;
END
$$;

-- name: import_record_rejects
-- Imports: vendor records the importer itself could not make a row of, for run $1; their lines
-- are numbered after the converted rows' ($2 + 1 …).
INSERT INTO rejected_rows (run_id, line, source_line, column_name, value, reason)
SELECT $1, $2 + r.ordinality, r.source_line, r.column_name, r.value, r.reason
FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[])
     WITH ORDINALITY AS r(source_line, column_name, value, reason, ordinality);
