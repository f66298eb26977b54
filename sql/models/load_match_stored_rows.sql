-- The loader's: load_match_stored_rows(table, id_column, source, with_handle, run,
-- source_is_new) → bigint: on the staging path, before the entity's update and insert, finds
-- which valid staged rows are stored already, in the temporary table
--     load_stored (<id_column>, stored_key, to_key)
-- that the entity's insert reads to leave them out; gives each such row whose customer is now
-- another one (its identifiers changed) the new customer's key, stamped changed_by_run = run;
-- and returns how many rows moved.
--
-- Why a step of its own: on Citus (docs/scale-out.md), customer_key places a row on its shard,
-- and two things the statements did in one go are not allowed there. No UPDATE may change the
-- distribution column ("modifying the partition value of rows is not allowed"): a row that
-- changes customer is deleted and inserted again under its new key (move_customer_rows). And
-- an INSERT … SELECT from the staging table (a local temporary table) may not look the rows up
-- in the distributed table ("direct joins between distributed and local tables are not
-- supported"); the join here is a plain SELECT, which Citus runs on the shards. So the update
-- statements (sql/load/<entity>.sql) never set customer_key and the inserts anti-join
-- load_stored, on one server too — one SQL text for both.
--
-- The row's new customer is found as the entity's insert finds it: by the combination of the
-- row's identifiers (customer_id, email, phone, and handle where the entity carries one:
-- with_handle) in identity_customers. A table whose customer_key may be NULL (returns: a
-- return may name only its order) gives a row without identifiers no customer. For the first
-- load of a source (source_is_new) nothing can be stored: load_stored stays empty.
--
-- reads:      the temporary tables load_stage (sql/load/<entity>.sql) and identity_customers
--             (resolve_identities); moves rows of the table it is given
-- depends on: citus_distribution

CREATE OR REPLACE FUNCTION load_match_stored_rows(p_table regclass, p_id text, p_source text,
                                                  p_with_handle boolean, p_run bigint, p_source_is_new boolean)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    customer_optional boolean;
    rekeyed bigint := 0;
BEGIN
    EXECUTE format('CREATE TEMP TABLE load_stored ON COMMIT DROP AS
                    SELECT %1$I, customer_key AS stored_key, customer_key AS to_key FROM %2$s WITH NO DATA',
                   p_id, p_table);
    IF p_source_is_new THEN
        EXECUTE format('ALTER TABLE load_stored ADD PRIMARY KEY (%I)', p_id);
        RETURN 0;
    END IF;
    SELECT NOT a.attnotnull INTO customer_optional
    FROM pg_attribute AS a
    WHERE a.attrelid = p_table AND a.attname = 'customer_key';
    EXECUTE format($sql$
        INSERT INTO load_stored
        SELECT t.%2$I, t.customer_key, k.customer_key
        FROM load_stage AS w
        %3$s JOIN identity_customers AS k
          ON (k.customer_id, k.email, k.phone, k.handle)
           = (coalesce(w.customer_id, ''), coalesce(w.email, ''), coalesce(w.phone, ''), %4$s)
        JOIN %1$s AS t ON t.source = $1 AND t.%2$I = w.%2$I
        WHERE w.reject_reason IS NULL
        $sql$,
        p_table, p_id,
        CASE WHEN customer_optional THEN 'LEFT' ELSE '' END,
        CASE WHEN p_with_handle THEN 'coalesce(w.handle, '''')' ELSE '''''' END)
        USING p_source;
    -- Keyed by id (built once filled: one sort): the insert's anti-join probes it, whatever
    -- the planner guesses of the staged rows (a join on four identifiers is often estimated
    -- at one row).
    EXECUTE format('ALTER TABLE load_stored ADD PRIMARY KEY (%I)', p_id);
    ANALYZE load_stored;
    IF EXISTS (SELECT 1 FROM load_stored WHERE stored_key IS DISTINCT FROM to_key) THEN
        CREATE TEMP TABLE load_rekeys ON COMMIT DROP AS
        SELECT * FROM load_stored WHERE stored_key IS DISTINCT FROM to_key;
        rekeyed := move_customer_rows(p_table, 'pg_temp.load_rekeys'::regclass, p_id, 'to_key', p_source,
                                      p_match => p_id, p_run => p_run);
        DROP TABLE load_rekeys;
    END IF;
    RETURN rekeyed;
END;
$$;
