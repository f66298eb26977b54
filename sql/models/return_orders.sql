-- return_orders() → (returned_at, amount, reason, channel, customer_key): one row per return
-- that counts — a return of a loaded, non-cancelled order (docs/metrics.md, "Settled edge
-- cases": returns of cancelled orders are ignored) — with its order's channel and customer.
--
-- Why: return_rate looks each return's order up by primary key: a few hundred thousand index
-- probes instead of a pass over every purchase. On one server that is a LATERAL subquery kept
-- a subquery by OFFSET 0 (pulled up into a join, the planner hashes every purchase instead, a
-- third slower at 100k customers). Citus refuses that OFFSET: returns are a reference table
-- there, and Citus plans a lateral subquery that refers to one only without LIMIT/OFFSET
-- (docs/scale-out.md). There it is a plain join, which each shard of purchases runs with its
-- worker's copy of returns. The two statements give the same rows; which one runs is decided by whether
-- purchases are distributed (is_distributed_by_customer). PL/pgSQL, so that each is planned
-- only where it runs. PARALLEL RESTRICTED: it runs in the leader, the rest of a query may
-- still run in parallel.
--
-- reads:      returns, purchases (through valid_purchases)
-- depends on: valid_purchases, citus_distribution

CREATE OR REPLACE FUNCTION return_orders()
RETURNS TABLE (returned_at timestamptz, amount numeric, reason text, channel text, customer_key bigint)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED ROWS 100000 AS $$
BEGIN
    IF is_distributed_by_customer('purchases') THEN
        RETURN QUERY
        SELECT r.returned_at, r.amount, r.reason, v.channel, v.customer_key
        FROM returns AS r
        JOIN valid_purchases AS v ON v.source = r.source AND v.order_id = r.order_id;
    ELSE
        RETURN QUERY
        SELECT r.returned_at, r.amount, r.reason, p.channel, p.customer_key
        FROM returns AS r
        CROSS JOIN LATERAL (
            SELECT v.channel, v.customer_key FROM valid_purchases AS v
            WHERE v.source = r.source AND v.order_id = r.order_id OFFSET 0) AS p;
    END IF;
END;
$$;
