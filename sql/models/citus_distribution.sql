-- citus_distribution: is_distributed_by(table, column) and is_distributed_by_customer(table)
-- → boolean, is_citus_reference_table(table)
-- → boolean, move_customer_rows(table, moves, from_column, to_column, source) → bigint and
-- begin_distributed_load() → boolean, what
-- lets one SQL text serve a warehouse on one server and one distributed on Citus
-- (docs/scale-out.md).
--
-- Why: on Citus, customer_key is the distribution column of the customer-keyed tables, and a
-- row cannot change it in place ("modifying the partition value of rows is not allowed"). A
-- merge and a direct load's re-key give rows another customer_key: on one server by an UPDATE,
-- as always; on Citus by moving them — deleted from the old key's shard and inserted under the
-- new key, in one statement. A reference table (returns) keeps its UPDATE, with the moves passed
-- as arrays: Citus updates a reference table from no local table. The summaries' queueing
-- triggers cannot exist on a distributed table either: there the loader queues the customers
-- (load_queue_summaries), and a move of purchases queues the customers on both ends.
--
-- reads:      pg_dist_partition (when Citus is installed), the table it is given, the moves;
--             begin_distributed_load deletes nothing from customers and customer_identifiers
-- depends on: none

-- Whether the table is a Citus table distributed by the given column (hash-distributed).
-- Without Citus: false.
CREATE OR REPLACE FUNCTION is_distributed_by(p_table regclass, p_column text) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    found boolean;
BEGIN
    IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition
                            WHERE logicalrelid = $1 AND partmethod = ''h''
                              AND pg_catalog.column_to_column_name(logicalrelid, partkey) = $2)'
        INTO found USING p_table, p_column;
    RETURN found;
END;
$$;

-- Whether the table is a Citus table distributed by customer_key. Without Citus: false.
CREATE OR REPLACE FUNCTION is_distributed_by_customer(p_table regclass) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN is_distributed_by(p_table, 'customer_key');

-- Whether the table is a Citus reference table (a copy on every node; returns, on Citus).
-- Without Citus: false.
CREATE OR REPLACE FUNCTION is_citus_reference_table(p_table regclass) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    found boolean;
BEGIN
    IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition
                            WHERE logicalrelid = $1 AND partmethod = ''n'' AND repmodel = ''t'')'
        INTO found USING p_table;
    RETURN found;
END;
$$;

-- Gives rows of the table another customer_key, from a (temporary) table of moves, and returns
-- how many rows changed key. A row moves when its p_match column equals the moves' p_from
-- column: by default p_match is customer_key (a merge or a re-key: every row of a customer
-- moves); the loader's re-key of updated rows matches each row by its id instead
-- (load_match_stored_rows). It takes the moves' p_to column as its key; only the rows of
-- p_source when that is not NULL. With p_run, moved rows also get changed_by_run = p_run.
CREATE OR REPLACE FUNCTION move_customer_rows(p_table regclass, p_moves regclass, p_from text, p_to text,
                                              p_source text, p_match text DEFAULT 'customer_key',
                                              p_run bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    moved   bigint;
    columns text;
    values  text;
    match_type text;
    froms   text[];
    tos     bigint[];
    keys    bigint[];
BEGIN
    IF is_citus_reference_table(p_table) THEN
        -- A reference table (returns, on Citus) is updated in place, on every node's copy; but
        -- Citus plans no UPDATE of one that joins a local table ("relation … is not
        -- distributed"), and the moves are a temporary table: they go in as arrays.
        SELECT format_type(a.atttypid, a.atttypmod) INTO match_type
        FROM pg_attribute AS a
        WHERE a.attrelid = p_table AND a.attname = p_match;
        EXECUTE format('SELECT array_agg(k.%I::text), array_agg(k.%I::bigint) FROM %s AS k', p_from, p_to, p_moves)
            INTO froms, tos;
        IF froms IS NULL THEN
            RETURN 0;
        END IF;
        EXECUTE format('UPDATE %s AS t SET customer_key = k.to_key%s
                        FROM unnest($3::%s[], $4) AS k(from_value, to_key)
                        WHERE t.%I = k.from_value AND ($1::text IS NULL OR t.source = $1)',
                       p_table, CASE WHEN p_run IS NOT NULL THEN ', changed_by_run = $2' ELSE '' END,
                       match_type, p_match)
            USING p_source, p_run, froms, tos;
        GET DIAGNOSTICS moved = ROW_COUNT;
        RETURN moved;
    END IF;
    IF NOT is_distributed_by_customer(p_table) THEN
        EXECUTE format('UPDATE %s AS t SET customer_key = k.%I%s
                        FROM %s AS k
                        WHERE t.%I = k.%I AND ($1::text IS NULL OR t.source = $1)',
                       p_table, p_to, CASE WHEN p_run IS NOT NULL THEN ', changed_by_run = $2' ELSE '' END,
                       p_moves, p_match, p_from)
            USING p_source, p_run;
        GET DIAGNOSTICS moved = ROW_COUNT;
        RETURN moved;
    END IF;
    -- Every column of the table, customer_key taken from the move (and changed_by_run from p_run).
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
           string_agg(CASE a.attname
                          WHEN 'customer_key' THEN 'm.moved_to_key'
                          WHEN 'changed_by_run' THEN 'coalesce($2, m.changed_by_run)'
                          ELSE 'm.' || quote_ident(a.attname) END,
                      ', ' ORDER BY a.attnum)
    INTO columns, values
    FROM pg_attribute AS a
    WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped;
    -- A moved purchase changes the summaries of the customer it leaves and of the one it
    -- joins: both are queued (on one server the triggers do it; load_queue_summaries).
    EXECUTE format('WITH m AS (DELETE FROM %1$s AS t USING %2$s AS k
                               WHERE t.%7$I = k.%3$I AND ($1::text IS NULL OR t.source = $1)
                               RETURNING t.*, k.%4$I AS moved_to_key),
                         moved AS (INSERT INTO %1$s (%5$s) SELECT %6$s FROM m)
                    SELECT count(*), array_agg(DISTINCT m.customer_key) || array_agg(DISTINCT m.moved_to_key) FROM m',
                   p_table, p_moves, p_from, p_to, columns, values, p_match)
        USING p_source, p_run
        INTO moved, keys;
    IF p_table = 'purchases'::regclass AND moved > 0 THEN
        INSERT INTO customer_summary_queue (customer_keys) VALUES (keys);
    END IF;
    RETURN moved;
END;
$$;

-- Run first in every load's transaction (load/common.sql, begin_distributed_load); returns
-- whether the warehouse is distributed. On Citus it makes every worker that the load writes to
-- take part in the two-phase commit:
-- * one connection per worker for the whole transaction (citus.multi_shard_modify_mode =
--   sequential, for this transaction only), and
-- * a write on each of them before anything else: a DELETE that matches no row, on every shard
--   of customers (customer_key < 0) and of customer_identifiers (value < '', an empty range of
--   its primary key), both index probes.
-- Why: Citus 12.1 commits a worker's connection with PREPARE TRANSACTION only if it counts a
-- write on it, and it does not count the rows that COPY sends over a connection that read a
-- shard of the same co-location group earlier in the transaction (the loader's INSERT … SELECT
-- from its temporary tables reaches the shards by COPY). Such a connection got a plain COMMIT
-- after the coordinator had decided to commit: a worker that crashed just then lost its part of
-- a load that the coordinator committed (found by scripts/chaos --citus; docs/scale-out.md,
-- "Fault injection"). With one connection per worker that wrote first, every connection
-- counts as writing.
CREATE OR REPLACE FUNCTION begin_distributed_load() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT is_distributed_by_customer('customers') THEN
        RETURN false;
    END IF;
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    DELETE FROM customers WHERE customer_key < 0;
    DELETE FROM customer_identifiers WHERE value < '';
    RETURN true;
END;
$$;
