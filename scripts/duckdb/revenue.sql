-- patron: revenue
-- Mirrors: patron run revenue (defaults: --period month --tz UTC, no --from/--to, no --segment)
-- — sql/analyses/revenue.sql; docs/metrics.md, "revenue". Same columns, same order.
-- Orders are valid purchases placed by ordered_at; net_revenue = gross − every return of those
-- orders to date; refunds = returns placed by returned_at. Only returns of loaded,
-- non-cancelled orders count (the join on source, order_id; a return without order_id joins
-- nothing). Periods run from the first order or counted return to the last, empty ones
-- included; complete = the period's end is at or before data_horizon().
WITH counted_returns AS (
    SELECT date_trunc('month', r.returned_at) AS period, date_trunc('month', v.ordered_at) AS order_period,
           r.returned_at, r.amount
    FROM returns AS r
    JOIN valid_purchases AS v ON v.source = r.source AND v.order_id = r.order_id
),
order_totals AS (
    SELECT date_trunc('month', ordered_at) AS period, count(*) AS orders,
           count(DISTINCT customer_key) AS customers, sum(amount) AS gross,
           min(ordered_at) AS first_at, max(ordered_at) AS last_at
    FROM valid_purchases
    GROUP BY 1
),
-- net revenue of a period's orders = their gross − the returns of those orders, whenever made.
returned_by_order_period AS (
    SELECT order_period AS period, sum(amount) AS returned FROM counted_returns GROUP BY 1
),
refund_totals AS (
    SELECT period, sum(amount) AS refunds, min(returned_at) AS first_at, max(returned_at) AS last_at
    FROM counted_returns
    GROUP BY 1
),
bounds AS (
    SELECT date_trunc('month', least((SELECT min(first_at) FROM order_totals), (SELECT min(first_at) FROM refund_totals))) AS first_period,
           date_trunc('month', greatest((SELECT max(last_at) FROM order_totals), (SELECT max(last_at) FROM refund_totals))) AS last_period,
           data_horizon() AS horizon
),
periods AS (
    SELECT unnest(generate_series(b.first_period, b.last_period, INTERVAL 1 MONTH)) AS period, b.horizon
    FROM bounds AS b
    WHERE b.first_period IS NOT NULL
)
SELECT NULL::VARCHAR AS segment, p.period::DATE AS period,
       coalesce(o.orders, 0) AS orders,
       coalesce(o.customers, 0) AS customers,
       coalesce(o.gross, 0) AS gross,
       coalesce(o.gross, 0) - coalesce(x.returned, 0) AS net_revenue,
       coalesce(r.refunds, 0) AS refunds,
       o.gross / nullif(o.orders, 0) AS aov,
       coalesce(p.period + INTERVAL 1 MONTH <= p.horizon, false) AS complete
FROM periods AS p
LEFT JOIN order_totals AS o ON o.period = p.period
LEFT JOIN returned_by_order_period AS x ON x.period = p.period
LEFT JOIN refund_totals AS r ON r.period = p.period
ORDER BY p.period
