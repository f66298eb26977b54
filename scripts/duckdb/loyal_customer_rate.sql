-- patron: loyal_customer_rate
-- Mirrors: patron run loyal_customer_rate (defaults: --period month --tz UTC --min-orders 2
-- --lookback 365, no --from/--to, no --segment) — sql/analyses/loyal_customer_rate.sql;
-- docs/metrics.md, "loyal_customer_rate". Same columns, same order.
-- For each month [s, e): buyers = customers with a valid purchase in it; repeat = buyers with
-- at least 2 valid purchases in [e − 365 days, e); loyal = repeat buyers whose latest NPS
-- answer before e is not 0–6 (or who never answered); nps_answered = loyal buyers with an
-- answer before e; promoters = loyal buyers whose latest answer is 9–10. Answers at the same
-- instant: the greatest (source, response_id) is the latest (byte order, as the C collation
-- of scripts/pg-local). Months run from the first to the last valid purchase.
WITH customer_months AS (
    SELECT customer_key, date_trunc('month', ordered_at) AS period, count(*) AS orders,
           max(ordered_at) AS last_at
    FROM valid_purchases
    GROUP BY ALL
),
-- A buyer of month [s, e) is a repeat buyer when the month holds 2 of their purchases, or
-- their last purchase before it (that of their previous month with purchases) lies in
-- [e − 365 days, e).
buyer_months AS (
    SELECT customer_key, period, period + INTERVAL 1 MONTH AS period_end,
           orders >= 2 OR coalesce(lag(last_at) OVER w >= period + INTERVAL 1 MONTH - INTERVAL 365 DAY, false) AS is_repeat
    FROM customer_months
    WINDOW w AS (PARTITION BY customer_key ORDER BY period)
),
-- The latest NPS answer per customer and instant (ties broken by source, response_id).
nps AS (
    SELECT customer_key, responded_at, score
    FROM surveys
    WHERE kind = 'nps'
    QUALIFY row_number() OVER (PARTITION BY customer_key, responded_at ORDER BY source DESC, response_id DESC) = 1
),
-- Repeat buyers with their latest answer before e (if any); other buyers need none.
buyer_scores AS (
    SELECT b.period, true AS is_repeat, n.score
    FROM (SELECT * FROM buyer_months WHERE is_repeat) AS b
    ASOF LEFT JOIN nps AS n ON n.customer_key = b.customer_key AND n.responded_at < b.period_end
    UNION ALL
    SELECT period, false, NULL FROM buyer_months WHERE NOT is_repeat
),
counts AS (
    SELECT period,
           count(*) AS buyers,
           count(*) FILTER (WHERE is_repeat) AS repeat,
           count(*) FILTER (WHERE is_repeat AND (score IS NULL OR score >= 7)) AS loyal,
           count(*) FILTER (WHERE is_repeat AND score >= 7) AS nps_answered,
           count(*) FILTER (WHERE is_repeat AND score >= 9) AS promoters
    FROM buyer_scores
    GROUP BY period
),
periods AS (
    SELECT unnest(generate_series(min(period), max(period), INTERVAL 1 MONTH)) AS period, data_horizon() AS horizon
    FROM customer_months
    HAVING count(*) > 0
)
SELECT NULL::VARCHAR AS segment, p.period::DATE AS period,
       coalesce(c.buyers, 0) AS buyers, coalesce(c.repeat, 0) AS repeat, coalesce(c.loyal, 0) AS loyal,
       coalesce(c.nps_answered, 0) AS nps_answered, coalesce(c.promoters, 0) AS promoters,
       c.repeat::DOUBLE / nullif(c.buyers, 0) AS repeat_rate,
       c.loyal::DOUBLE / nullif(c.buyers, 0) AS loyal_rate,
       c.promoters::DOUBLE / nullif(c.nps_answered, 0) AS promoter_share,
       coalesce(p.period + INTERVAL 1 MONTH <= p.horizon, false) AS complete
FROM periods AS p
LEFT JOIN counts AS c ON c.period = p.period
ORDER BY p.period
