-- patron: retention
-- Mirrors: patron run retention (defaults: --period month --tz UTC --mode on --activity
-- purchases, no --from/--to, no --segment) — sql/analyses/retention.sql; docs/metrics.md,
-- "retention". Same columns, same order.
-- A customer's cohort is the month of their first valid purchase; retained(c, k) = cohort-c
-- customers with a valid purchase in month c + k; retention_rate = retained / cohort_size
-- (empty for an empty cohort). Cohorts and offsets cover every month from the first to the
-- last valid purchase, empty cohorts included; complete = month c + k is over (its end is at
-- or before data_horizon()).
WITH active AS (
    SELECT DISTINCT customer_key, date_trunc('month', ordered_at) AS period FROM valid_purchases
),
-- the first active month is the month of the first purchase.
buyers AS (
    SELECT customer_key, min(period) AS cohort FROM active GROUP BY customer_key
),
cohort_sizes AS (
    SELECT cohort, count(*) AS cohort_size FROM buyers GROUP BY cohort
),
retained AS (
    SELECT b.cohort, a.period, count(*) AS retained
    FROM active AS a JOIN buyers AS b ON b.customer_key = a.customer_key
    GROUP BY b.cohort, a.period
),
periods AS (
    SELECT s.period, row_number() OVER (ORDER BY s.period) AS n, s.period + INTERVAL 1 MONTH <= s.horizon AS complete
    FROM (SELECT unnest(generate_series(min(period), max(period), INTERVAL 1 MONTH)) AS period,
                 data_horizon() AS horizon
          FROM active
          HAVING count(*) > 0) AS s
)
SELECT NULL::VARCHAR AS segment, c.period::DATE AS cohort, coalesce(z.cohort_size, 0) AS cohort_size,
       (o.n - c.n)::INTEGER AS period_offset, o.period::DATE AS period,
       coalesce(r.retained, 0) AS retained,
       coalesce(r.retained, 0)::DOUBLE / nullif(z.cohort_size, 0) AS retention_rate,
       coalesce(o.complete, false) AS complete
FROM periods AS c
JOIN periods AS o ON o.n >= c.n
LEFT JOIN cohort_sizes AS z ON z.cohort = c.period
LEFT JOIN retained AS r ON r.cohort = c.period AND r.period = o.period
ORDER BY c.period, period_offset
