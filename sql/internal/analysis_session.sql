-- Settings for a connection that runs named analyses.

-- name: configure
-- JIT compilation costs seconds per statement here (the analyses' big CTE plans have high
-- cost estimates even on small data) and gains little on these set-based aggregates.
-- work_mem: per-customer aggregates over millions of purchases spill to disk at the 4MB
-- default; 64MB (only ever raised, never lowered) keeps them in memory.
-- On a Citus coordinator (docs/scale-out.md): joins of two distributed tables on another column
-- than customer_key (a survey and its ticket, by ticket id) are repartitioned between the
-- workers rather than refused. citus: whether this is one; then every analysis statement runs
-- in a transaction that starts with hand_search_path_to_workers (below).
SELECT set_config('jit', 'off', false),
       CASE WHEN pg_size_bytes(current_setting('work_mem')) < pg_size_bytes('64MB')
            THEN set_config('work_mem', '64MB', false) END,
       CASE WHEN current_setting('citus.enable_repartition_joins', true) IS NOT NULL
            THEN set_config('citus.enable_repartition_joins', 'on', false) END,
       current_setting('citus.propagate_set_commands', true) IS NOT NULL AS citus;

-- name: hand_search_path_to_workers
-- On a Citus coordinator, at the start of each analysis statement's transaction: the SQL
-- functions that Citus inlines into the queries it sends the workers name Patron's tables
-- without a schema, so the workers need this session's search_path. Citus passes on SET LOCAL
-- statements (not set_config calls) when citus.propagate_set_commands is 'local'; the path is
-- the one `configure` in session.sql set, already quoted. jit and work_mem go along, as
-- `configure` above set them: the workers plan the pushed-down parts of the same big
-- statements, and with jit on each shard's query spent seconds compiling (churn_rate on 10k
-- customers: 36 s instead of 1.7 s; docs/scale-out.md).
DO $$
BEGIN
    SET LOCAL citus.propagate_set_commands = 'local';
    EXECUTE format('SET LOCAL search_path = %s', current_setting('search_path'));
    EXECUTE format('SET LOCAL jit = %s', current_setting('jit'));
    EXECUTE format('SET LOCAL work_mem = %L', current_setting('work_mem'));
END
$$;
