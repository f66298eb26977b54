-- patron: churn_rate
-- Mirrors: patron run churn_rate (defaults: --period month --tz UTC --window 90, no
-- --from/--to, no --segment) — sql/analyses/churn_rate.sql; docs/metrics.md, "churn_rate".
-- Same columns, same order.
-- Active at instant t = a valid purchase in [t − 90 days, t). For each month [s, e):
-- customers_start = active at s; lost = active at s, not at e; new = first purchase in
-- [s, e) and active at e; reactivated = bought before s, not active at s, active at e;
-- customers_end = active at e; churn_rate = lost / customers_start (empty when 0),
-- retention_rate = 1 − churn_rate. Months run from the first to the last valid purchase.
WITH customer_months AS (
    SELECT customer_key, date_trunc('month', ordered_at) AS period, max(ordered_at) AS last_at
    FROM valid_purchases
    GROUP BY ALL
),
-- A purchase at p makes its customer active at every month boundary b with p < b <= p + 90
-- days: from the next month start to the start of the month holding p + 90 days.
active_at AS (
    SELECT DISTINCT customer_key,
           unnest(generate_series(period + INTERVAL 1 MONTH, date_trunc('month', last_at + INTERVAL 90 DAY), INTERVAL 1 MONTH)) AS boundary
    FROM customer_months
),
first_months AS (
    SELECT customer_key, min(period) AS first_period FROM customer_months GROUP BY customer_key
),
-- Each (customer, boundary) with whether the customer was active at the boundary before and
-- the one after.
neighbours AS (
    SELECT a.customer_key, a.boundary, f.first_period,
           lag(a.boundary) OVER w = a.boundary - INTERVAL 1 MONTH AS active_before,
           lead(a.boundary) OVER w = a.boundary + INTERVAL 1 MONTH AS active_after
    FROM active_at AS a JOIN first_months AS f ON f.customer_key = a.customer_key
    WINDOW w AS (PARTITION BY a.customer_key ORDER BY a.boundary)
),
-- Per month s: active at s, lost in [s, s+1); gained at s (new or reactivated in [s−1, s)).
at_boundary AS (
    SELECT boundary,
           count(*) AS active,
           count(*) FILTER (WHERE active_after IS NOT TRUE) AS lost,
           count(*) FILTER (WHERE active_before IS NOT TRUE AND first_period = boundary - INTERVAL 1 MONTH) AS gained_new,
           count(*) FILTER (WHERE active_before IS NOT TRUE AND first_period < boundary - INTERVAL 1 MONTH) AS gained_reactivated
    FROM neighbours
    GROUP BY boundary
),
periods AS (
    SELECT unnest(generate_series(date_trunc('month', min(ordered_at)), date_trunc('month', max(ordered_at)), INTERVAL 1 MONTH)) AS period,
           data_horizon() AS horizon
    FROM valid_purchases
    HAVING count(*) > 0
),
counts AS (
    SELECT p.period, p.horizon,
           coalesce(s.active, 0) AS customers_start,
           coalesce(s.lost, 0) AS lost,
           coalesce(e.gained_new, 0) AS new,
           coalesce(e.gained_reactivated, 0) AS reactivated,
           coalesce(e.active, 0) AS customers_end
    FROM periods AS p
    LEFT JOIN at_boundary AS s ON s.boundary = p.period
    LEFT JOIN at_boundary AS e ON e.boundary = p.period + INTERVAL 1 MONTH
)
SELECT NULL::VARCHAR AS segment, period::DATE AS period,
       customers_start, lost, new, reactivated, customers_end,
       lost::DOUBLE / nullif(customers_start, 0) AS churn_rate,
       1 - lost::DOUBLE / nullif(customers_start, 0) AS retention_rate,
       coalesce(period + INTERVAL 1 MONTH <= horizon, false) AS complete
FROM counts
ORDER BY period
