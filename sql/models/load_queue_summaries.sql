-- The loader's: load_queue_summaries(table, source, run, step, fresh_base) → bigint: on Citus, queues in
-- customer_summary_queue the customers whose summaries a file's statements may have changed,
-- for the refresh that follows (sql/models/customer_summaries.sql), and returns how many it
-- queued. On one server it returns 0 at once: the queueing triggers do this there.
--
-- Why: Citus allows no trigger on a distributed table (docs/scale-out.md), and every write to
-- purchases and returns goes through the loader, under the warehouse's load lock; so the
-- loader queues what the triggers would have. It queues whole customers, never single months:
-- a whole customer is always refreshed exactly, whichever of their months changed. Only rows
-- the file changed count (changed_by_run = run: inserted, updated or moved by it), so an
-- identical reload queues nobody, as on one server. The steps, by where the loader is:
-- * 'stored' (staging path, before the update): the returns this file will give another
--   order — the customer of the order they leave, which the update's new row no longer names.
-- * 'staged' (staging path, after the insert): the customers of the purchases the file
--   changed, and of the orders of the returns it changed; found through the staged ids.
-- * 'direct' (after a source's first load by COPY): the same. A direct load keys each row by
--   a customer it creates (keys above fresh_base, reserve_keys in load/common.sql) unless the
--   row was re-keyed to a stored customer afterwards (move_customer_rows queued those): its
--   purchases' customers are the customers above fresh_base, found through the primary key of
--   customers, not by reading the purchases. Its returns' orders are found by the run.
-- A row moved to another customer (a merge, a re-key) queues its old and new customer in
-- move_customer_rows. A purchase counts for its own customer; a return for its order's.
--
-- reads:      the temporary table load_stage (steps 'stored', 'staged'), purchases, returns
-- depends on: citus_distribution

CREATE OR REPLACE FUNCTION load_queue_summaries(p_table regclass, p_source text, p_run bigint, p_step text,
                                                p_fresh_base bigint)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    keys bigint[];
BEGIN
    IF p_step NOT IN ('stored', 'staged', 'direct') THEN
        RAISE EXCEPTION 'load_queue_summaries: unknown step %', p_step;
    END IF;
    IF p_table NOT IN ('purchases'::regclass, 'returns'::regclass) OR NOT is_distributed_by_customer('purchases') THEN
        RETURN 0;
    END IF;
    IF p_table = 'purchases'::regclass THEN
        IF p_step = 'staged' THEN
            SELECT array_agg(DISTINCT p.customer_key) INTO keys
            FROM load_stage AS w
            JOIN purchases AS p ON p.source = p_source AND p.order_id = w.order_id
            WHERE w.reject_reason IS NULL AND p.changed_by_run = p_run;
        ELSIF p_step = 'direct' THEN
            SELECT array_agg(c.customer_key) INTO keys
            FROM customers AS c
            WHERE c.customer_key > p_fresh_base;
        END IF;
    ELSIF p_step IN ('stored', 'staged') THEN
        -- The staged returns' stored rows, through the order they name: before the update
        -- ('stored') those whose staged row names another order, or none (a file without the
        -- column keeps the stored one: queued all the same, which costs one customer); after
        -- the insert ('staged') those the file changed.
        SELECT array_agg(DISTINCT p.customer_key) INTO keys
        FROM load_stage AS w
        JOIN returns AS r ON r.source = p_source AND r.return_id = w.return_id
        JOIN purchases AS p ON p.source = r.source AND p.order_id = r.order_id
        WHERE w.reject_reason IS NULL
          AND CASE WHEN p_step = 'stored' THEN r.order_id IS DISTINCT FROM w.order_id
                   ELSE r.changed_by_run = p_run END;
    ELSIF p_step = 'direct' THEN
        SELECT array_agg(DISTINCT p.customer_key) INTO keys
        FROM returns AS r
        JOIN purchases AS p ON p.source = r.source AND p.order_id = r.order_id
        WHERE r.source = p_source AND r.changed_by_run = p_run;
    END IF;
    IF keys IS NULL THEN
        RETURN 0;
    END IF;
    INSERT INTO customer_summary_queue (customer_keys) VALUES (keys);
    RETURN cardinality(keys);
END;
$$;
