-- patron: clv --method historical
-- Mirrors: patron run clv --method historical (defaults: --tz UTC --period month, no
-- --per-customer) — sql/analyses/clv.sql, query "historical"; docs/metrics.md, "clv". Same
-- columns, same order.
-- Each buyer's historical CLV = the net value of their valid purchases to date (amount −
-- every return of the order; returns of cancelled or unloaded orders count nowhere). One row
-- per first-purchase month from the first to the last (empty ones included: 0 customers,
-- empty mean/median/p90), then the all-customers row (empty cohort). median and p90 are
-- percentile_cont over float8, as PostgreSQL's percentile_cont computes them.
WITH returned_by_order AS (
    SELECT r.source, r.order_id, sum(r.amount) AS returned
    FROM returns AS r
    WHERE r.order_id IS NOT NULL
    GROUP BY ALL
),
customer_values AS (
    SELECT v.customer_key, date_trunc('month', min(v.ordered_at)) AS cohort, count(*) AS orders,
           sum(v.amount) AS gross, coalesce(sum(x.returned), 0) AS returned,
           sum(v.amount) - coalesce(sum(x.returned), 0) AS net_value
    FROM valid_purchases AS v
    LEFT JOIN returned_by_order AS x ON x.source = v.source AND x.order_id = v.order_id
    GROUP BY v.customer_key
),
summary AS (
    SELECT cohort, GROUPING(cohort) AS is_total, count(*) AS customers,
           avg(net_value) AS mean_value,
           quantile_cont(net_value::DOUBLE, 0.5) AS median_value,
           quantile_cont(net_value::DOUBLE, 0.9) AS p90_value,
           sum(net_value) AS total_value, sum(orders) AS orders, sum(gross) AS gross, sum(returned) AS returned
    FROM customer_values
    GROUP BY GROUPING SETS ((cohort), ())
),
periods AS (
    SELECT unnest(generate_series(min(cohort), max(cohort), INTERVAL 1 MONTH)) AS period
    FROM customer_values
    HAVING count(*) > 0
)
SELECT method, cohort, customers, mean_value, median_value, p90_value, total_value, orders, gross, returned
FROM (
    SELECT 'historical' AS method, p.period::DATE AS cohort, coalesce(s.customers, 0) AS customers,
           s.mean_value, s.median_value, s.p90_value, coalesce(s.total_value, 0) AS total_value,
           coalesce(s.orders, 0) AS orders, coalesce(s.gross, 0) AS gross, coalesce(s.returned, 0) AS returned
    FROM periods AS p
    LEFT JOIN (SELECT * FROM summary WHERE is_total = 0) AS s ON s.cohort = p.period
    UNION ALL
    SELECT 'historical', NULL, customers, mean_value, median_value, p90_value, total_value, orders, gross, returned
    FROM summary WHERE is_total = 1
)
ORDER BY cohort NULLS LAST
