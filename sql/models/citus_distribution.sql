-- citus_distribution: is_distributed_by_customer(table) → boolean and move_customer_rows(table,
-- moves, from_column, to_column, source) → bigint, what lets one SQL text serve a warehouse on
-- one server and one distributed on Citus (docs/scale-out.md).
--
-- Why: on Citus, customer_key is the distribution column of the customer-keyed tables, and a
-- row cannot change it in place ("modifying the partition value of rows is not allowed"). A
-- merge and a direct load's re-key give rows another customer_key: on one server by an UPDATE,
-- as always; on Citus by moving them — deleted from the old key's shard and inserted under the
-- new key, in one statement. The summaries' queueing triggers cannot exist on a distributed
-- table either: customer_summaries asks is_distributed_by_customer('purchases').
--
-- reads:      pg_dist_partition (when Citus is installed), the table it is given, the moves
-- depends on: none

-- Whether the table is a Citus table distributed by customer_key. Without Citus: false.
CREATE OR REPLACE FUNCTION is_distributed_by_customer(p_table regclass) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    found boolean;
BEGIN
    IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition
                            WHERE logicalrelid = $1 AND partmethod = ''h''
                              AND pg_catalog.column_to_column_name(logicalrelid, partkey) = ''customer_key'')'
        INTO found USING p_table;
    RETURN found;
END;
$$;

-- Gives the rows of the table whose customer_key is a from_column value of the (temporary)
-- table of moves the matching to_column value; only the rows of p_source when it is not NULL.
-- Returns how many rows changed key.
CREATE OR REPLACE FUNCTION move_customer_rows(p_table regclass, p_moves regclass, p_from text, p_to text,
                                              p_source text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    moved   bigint;
    columns text;
    values  text;
BEGIN
    IF NOT is_distributed_by_customer(p_table) THEN
        EXECUTE format('UPDATE %s AS t SET customer_key = k.%I FROM %s AS k
                        WHERE t.customer_key = k.%I AND ($1::text IS NULL OR t.source = $1)',
                       p_table, p_to, p_moves, p_from)
            USING p_source;
        GET DIAGNOSTICS moved = ROW_COUNT;
        RETURN moved;
    END IF;
    -- Every column of the table, customer_key taken from the move.
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
           string_agg(CASE WHEN a.attname = 'customer_key' THEN 'm.moved_to_key' ELSE 'm.' || quote_ident(a.attname) END,
                      ', ' ORDER BY a.attnum)
    INTO columns, values
    FROM pg_attribute AS a
    WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped;
    EXECUTE format('WITH m AS (DELETE FROM %1$s AS t USING %2$s AS k
                               WHERE t.customer_key = k.%3$I AND ($1::text IS NULL OR t.source = $1)
                               RETURNING t.*, k.%4$I AS moved_to_key)
                    INSERT INTO %1$s (%5$s) SELECT %6$s FROM m',
                   p_table, p_moves, p_from, p_to, columns, values)
        USING p_source;
    GET DIAGNOSTICS moved = ROW_COUNT;
    RETURN moved;
END;
$$;
