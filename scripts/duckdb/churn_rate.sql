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
-- The purchases of month m make their customer active at every month boundary b with
-- m < b <= E, E = the start of the month holding (their last purchase in m) + 90 days. E never
-- decreases from one purchase month to the next, so month m alone accounts for the boundaries
-- (m, min(E, next purchase month)]: pieces that never overlap and, with no gap between them,
-- make one run of activity.
pieces AS (
    SELECT customer_key, period,
           date_trunc('month', last_at + INTERVAL 90 DAY) AS covered_through,
           lead(period) OVER w AS next_period,
           lag(date_trunc('month', last_at + INTERVAL 90 DAY)) OVER w AS previous_covered_through
    FROM customer_months
    WINDOW w AS (PARTITION BY customer_key ORDER BY period)
),
-- Per piece: active from its first boundary to its last (least skips a NULL next month);
-- lost in its last boundary's period when activity stops there; gained in month m (new for the
-- first purchase month, else reactivated) when it follows a gap.
events AS (
    SELECT period + INTERVAL 1 MONTH AS active_from,
           least(covered_through, next_period) AS active_through,
           next_period IS NULL OR covered_through < next_period AS ends_run,
           previous_covered_through IS NULL AS is_new,
           previous_covered_through < period AS is_reactivated,
           period
    FROM pieces
),
deltas AS (
    SELECT boundary, sum(delta) AS delta
    FROM (SELECT active_from AS boundary, 1 AS delta FROM events WHERE active_from <= active_through
          UNION ALL
          SELECT active_through + INTERVAL 1 MONTH, -1 FROM events WHERE active_from <= active_through)
    GROUP BY boundary
),
lost AS (
    SELECT active_through AS period, count(*) AS lost FROM events WHERE ends_run GROUP BY 1
),
gained AS (
    SELECT period, count(*) FILTER (WHERE is_new) AS new, count(*) FILTER (WHERE is_reactivated) AS reactivated
    FROM events GROUP BY 1
),
periods AS (
    SELECT unnest(generate_series(min(period), max(period), INTERVAL 1 MONTH)) AS period,
           data_horizon() AS horizon
    FROM customer_months
    HAVING count(*) > 0
),
counts AS (
    SELECT p.period, p.horizon,
           coalesce((SELECT sum(d.delta) FROM deltas AS d WHERE d.boundary <= p.period), 0) AS customers_start,
           coalesce(l.lost, 0) AS lost,
           coalesce(g.new, 0) AS new,
           coalesce(g.reactivated, 0) AS reactivated,
           coalesce((SELECT sum(d.delta) FROM deltas AS d WHERE d.boundary <= p.period + INTERVAL 1 MONTH), 0) AS customers_end
    FROM periods AS p
    LEFT JOIN lost AS l ON l.period = p.period
    LEFT JOIN gained AS g ON g.period = p.period
)
SELECT NULL::VARCHAR AS segment, period::DATE AS period,
       customers_start::BIGINT AS customers_start, lost, new, reactivated, customers_end::BIGINT AS customers_end,
       lost::DOUBLE / nullif(customers_start, 0) AS churn_rate,
       1 - lost::DOUBLE / nullif(customers_start, 0) AS retention_rate,
       coalesce(period + INTERVAL 1 MONTH <= horizon, false) AS complete
FROM counts
ORDER BY period
