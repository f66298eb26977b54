-- rfm_summary(as_of, tz, unit) → one row per buyer up to the end of the local day as_of (NULL:
-- the last purchase day in tz): customer_key, frequency = distinct local purchase days − 1,
-- recency = last − first purchase day, T = as_of − first purchase day (both in unit: 'week'
-- or 'day'), monetary = mean net value of the repeat purchase days (first day excluded; NULL
-- without repeats). A day's net value = its orders' amounts − their returns made by the end
-- of as_of.
--
-- Why: the predictive model (BG/NBD + Gamma-Gamma) is fitted on these rows by every analysis
-- that declares `prepare: predictive_clv` (clv, at_risk), so they all see one fit
-- (docs/metrics.md, "clv"). Purchases on the same local day are one transaction.
--
-- How: one pass over the valid purchases in (customer, time) order marks each purchase that
-- opens a new local day and knows the customer's first day (window functions), and one
-- aggregate per customer sums what the model needs; returns, few, are summed per customer and
-- local day of their order and subtracted from the repeat days' value. The mean of the repeat
-- days' net values is Σ of those values ÷ their number, so no per-day rows are kept (the
-- earlier per-(customer, day) aggregate spilled at 10M purchases).
--
-- reads:      purchases (through valid_purchases), returns
-- depends on: valid_purchases, reporting_currency, currency_mismatch

CREATE OR REPLACE FUNCTION rfm_summary(p_as_of date, p_tz text, p_unit text)
RETURNS TABLE (customer_key bigint, frequency double precision, recency double precision,
               "T" double precision, monetary double precision)
LANGUAGE sql STABLE AS $$
WITH bounds AS (
    SELECT s.*, (s.as_of + 1)::timestamp AT TIME ZONE s.tz AS calibration_end,
           CASE s.unit WHEN 'week' THEN 7.0 ELSE 1.0 END AS days_per_unit
    FROM (SELECT p_tz AS tz, p_unit AS unit,
                 coalesce(p_as_of, ((SELECT max(vp.ordered_at) FROM valid_purchases AS vp) AT TIME ZONE p_tz)::date) AS as_of,
                 reporting_currency() AS currency) AS s
),
customers AS (
    SELECT m.customer_key, count(*) FILTER (WHERE m.new_day) AS days, min(m.day) AS first_day, max(m.day) AS last_day,
           sum(m.value) FILTER (WHERE m.day > m.first_day) AS repeat_value
    FROM (
        SELECT o.customer_key, o.day, o.value,
               o.day IS DISTINCT FROM lag(o.day) OVER w AS new_day,
               first_value(o.day) OVER w AS first_day
        FROM (
            SELECT p.customer_key, p.ordered_at, (p.ordered_at AT TIME ZONE b.tz)::date AS day,
                   CASE WHEN p.currency = b.currency THEN p.amount ELSE currency_mismatch(b.currency, p.currency) END AS value
            FROM valid_purchases AS p CROSS JOIN bounds AS b
            WHERE p.ordered_at < b.calibration_end
        ) AS o
        WINDOW w AS (PARTITION BY o.customer_key ORDER BY o.ordered_at)
    ) AS m
    GROUP BY m.customer_key
),
-- Returns made by the end of as_of, by customer and local day of their (valid) order.
returned AS (
    SELECT p.customer_key, (p.ordered_at AT TIME ZONE b.tz)::date AS day,
           sum(CASE WHEN r.currency = b.currency THEN r.amount ELSE currency_mismatch(b.currency, r.currency) END) AS amount
    FROM returns AS r
    JOIN valid_purchases AS p ON p.source = r.source AND p.order_id = r.order_id
    CROSS JOIN bounds AS b
    WHERE r.returned_at < b.calibration_end AND p.ordered_at < b.calibration_end
    GROUP BY p.customer_key, (p.ordered_at AT TIME ZONE b.tz)::date
)
SELECT c.customer_key,
       (c.days - 1)::float8,
       ((c.last_day - c.first_day) / b.days_per_unit)::float8,
       ((b.as_of - c.first_day) / b.days_per_unit)::float8,
       -- numeric Σ ÷ n, as avg() computes it
       ((c.repeat_value - coalesce(sum(rt.amount) FILTER (WHERE rt.day > c.first_day), 0)) / nullif(c.days - 1, 0))::float8
FROM customers AS c
CROSS JOIN bounds AS b
LEFT JOIN returned AS rt ON rt.customer_key = c.customer_key
GROUP BY c.customer_key, c.days, c.first_day, c.last_day, c.repeat_value, b.as_of, b.days_per_unit
ORDER BY c.customer_key
$$;
