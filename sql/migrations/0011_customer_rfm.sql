-- Migration 0011: the predictive model's per-customer input, kept exact by the load.
--
-- clv --method predictive and at_risk fit BG/NBD + Gamma-Gamma on one RFM row per buyer
-- (sql/models/rfm_summary.sql): distinct purchase days, first and last day, the value of the
-- repeat days. Computed from the orders that is a sort of every purchase by customer and time
-- (~35 s at 10M orders); this table holds the same facts per buyer in UTC days, so that
-- rfm_summary reads 1M small rows instead when the question is asked in UTC with --as-of at or
-- after the last purchase day (the default). What fills it and keeps it exact is the model
-- sql/models/customer_rfm.sql, called by refresh_customer_summaries() like the summaries of
-- migration 0009; docs/performance.md says when rfm_summary may use it.

-- One row per buyer (a customer with a valid purchase). Days are UTC calendar days of the
-- valid purchases; the "repeat days" are the days after the first one.
CREATE TABLE customer_rfm (
    customer_key            bigint      PRIMARY KEY,
    first_day               date        NOT NULL,  -- UTC day of the first valid purchase
    last_day                date        NOT NULL,  -- UTC day of the last valid purchase
    purchase_days           integer     NOT NULL,  -- distinct UTC days with a valid purchase
    repeat_gross            numeric,               -- Σ amount of the repeat days' orders; NULL without repeat days
    repeat_returned         numeric,               -- Σ returns of the repeat days' orders, to date; NULL without such returns
    last_repeat_returned_at timestamptz,           -- the latest of those returns (rfm_summary ignores returns after --as-of)
    -- rfm_summary's values that do not depend on --as-of, computed by its own expressions (the
    -- numeric divisions and their conversion to float8 are most of its cost on 1M rows):
    recency_weeks           double precision NOT NULL,  -- (last_day − first_day) / 7.0
    recency_days            double precision NOT NULL,  -- (last_day − first_day) / 1.0
    monetary                double precision           -- (repeat_gross − repeat_returned) / (purchase_days − 1); NULL without repeat days
);

-- Every buyer already loaded, computed here as refresh_customer_rfm() computes them (a
-- migration does not call models; the queue of migrations 0009 and 0010 would be flushed at this
-- migration's commit by the refresh of the models before this one, without this table).
WITH days AS (
    SELECT o.customer_key, o.day, o.gross, o.day > min(o.day) OVER (PARTITION BY o.customer_key) AS is_repeat
    FROM (
        SELECT p.customer_key, (p.ordered_at AT TIME ZONE 'UTC')::date AS day, sum(p.amount) AS gross
        FROM purchases AS p
        WHERE p.status <> 'cancelled'
        GROUP BY 1, 2
    ) AS o
),
customers AS (
    SELECT d.customer_key, min(d.day) AS first_day, max(d.day) AS last_day, count(*) AS purchase_days,
           sum(d.gross) FILTER (WHERE d.is_repeat) AS repeat_gross
    FROM days AS d
    GROUP BY d.customer_key
),
repeat_returns AS (
    SELECT p.customer_key, sum(r.amount) AS returned, max(r.returned_at) AS last_returned_at
    FROM returns AS r
    JOIN purchases AS p ON p.source = r.source AND p.order_id = r.order_id
    JOIN customers AS c ON c.customer_key = p.customer_key
    WHERE p.status <> 'cancelled' AND (p.ordered_at AT TIME ZONE 'UTC')::date > c.first_day
    GROUP BY p.customer_key
)
INSERT INTO customer_rfm (customer_key, first_day, last_day, purchase_days, repeat_gross, repeat_returned,
                          last_repeat_returned_at, recency_weeks, recency_days, monetary)
SELECT c.customer_key, c.first_day, c.last_day, c.purchase_days, c.repeat_gross, rr.returned, rr.last_returned_at,
       ((c.last_day - c.first_day) / 7.0)::float8, ((c.last_day - c.first_day) / 1.0)::float8,
       ((c.repeat_gross - coalesce(rr.returned, 0)) / nullif(c.purchase_days - 1, 0))::float8
FROM customers AS c
LEFT JOIN repeat_returns AS rr ON rr.customer_key = c.customer_key;
