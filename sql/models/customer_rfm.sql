-- customer_rfm: refresh_customer_rfm() keeps the table customer_rfm (migration 0011) exact: it
-- deletes the rows of the customers listed in the temporary table summary_refresh_keys and
-- computes them again from their valid purchases and returns — one row per buyer: first and
-- last UTC purchase day, distinct UTC purchase days, Σ amount of the orders of the days after
-- the first (the repeat days), Σ of those orders' returns and the latest of those returns;
-- and the values of rfm_summary that do not depend on its as_of: recency in weeks and in days,
-- monetary (counting every return).
--
-- Why: rfm_summary (the predictive model's input: clv, at_risk) needs, per buyer, the distinct
-- days and the value of the repeat days; computed from the orders that is a sort of every
-- purchase by customer and time. With this table it reads one small row per buyer when its
-- days are UTC days and every purchase is before the end of --as-of (sql/models/rfm_summary.sql;
-- docs/performance.md).
--
-- How it stays exact: refresh_customer_summaries() (sql/models/customer_summaries.sql) calls it
-- for the customers it refreshes, so whatever queues a customer there refreshes their row here
-- too, in the same transaction. The sums are computed as rfm_summary computes them from the
-- orders (Σ over the repeat days' orders, and their returns), so they are the same numbers,
-- at the same scale.
--
-- reads:      purchases (through valid_purchases), returns, summary_refresh_keys
-- depends on: valid_purchases, load_suspend_indexes

CREATE OR REPLACE FUNCTION refresh_customer_rfm() RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    DELETE FROM customer_rfm AS c USING summary_refresh_keys AS k WHERE c.customer_key = k.customer_key;
    -- A rebuild of most customers builds the primary key once at the end (the caller's
    -- restore_indexes()).
    PERFORM suspend_indexes('customer_rfm', (SELECT count(*) FROM summary_refresh_keys));

    WITH days AS (
        -- Per customer and UTC day: the day's amounts and whether it is after their first day.
        SELECT o.customer_key, o.day, o.gross, o.day > min(o.day) OVER (PARTITION BY o.customer_key) AS is_repeat
        FROM (
            SELECT p.customer_key, (p.ordered_at AT TIME ZONE 'UTC')::date AS day, sum(p.amount) AS gross
            FROM valid_purchases AS p
            JOIN summary_refresh_keys AS k ON k.customer_key = p.customer_key
            GROUP BY 1, 2
        ) AS o
    ),
    customers AS (
        SELECT d.customer_key, min(d.day) AS first_day, max(d.day) AS last_day, count(*) AS purchase_days,
               sum(d.gross) FILTER (WHERE d.is_repeat) AS repeat_gross
        FROM days AS d
        GROUP BY d.customer_key
    ),
    -- The returns of the repeat days' orders.
    repeat_returns AS (
        SELECT p.customer_key, sum(r.amount) AS returned, max(r.returned_at) AS last_returned_at
        FROM returns AS r
        JOIN valid_purchases AS p ON p.source = r.source AND p.order_id = r.order_id
        JOIN customers AS c ON c.customer_key = p.customer_key
        WHERE (p.ordered_at AT TIME ZONE 'UTC')::date > c.first_day
        GROUP BY p.customer_key
    )
    INSERT INTO customer_rfm (customer_key, first_day, last_day, purchase_days, repeat_gross, repeat_returned,
                              last_repeat_returned_at, recency_weeks, recency_days, monetary)
    SELECT c.customer_key, c.first_day, c.last_day, c.purchase_days, c.repeat_gross, rr.returned, rr.last_returned_at,
           -- rfm_summary's own expressions (its days_per_unit is the numeric 7.0 or 1.0).
           ((c.last_day - c.first_day) / 7.0)::float8, ((c.last_day - c.first_day) / 1.0)::float8,
           ((c.repeat_gross - coalesce(rr.returned, 0)) / nullif(c.purchase_days - 1, 0))::float8
    FROM customers AS c
    LEFT JOIN repeat_returns AS rr ON rr.customer_key = c.customer_key;
END
$$;
