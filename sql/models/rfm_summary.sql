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
-- reads:      purchases (through valid_purchases), returns
-- depends on: valid_purchases, reporting_currency, currency_mismatch

CREATE OR REPLACE FUNCTION rfm_summary(p_as_of date, p_tz text, p_unit text)
RETURNS TABLE (customer_key bigint, frequency double precision, recency double precision,
               "T" double precision, monetary double precision)
LANGUAGE sql STABLE AS $$
WITH settings AS (
    SELECT p_tz AS tz, p_unit AS unit,
           coalesce(p_as_of, ((SELECT max(vp.ordered_at) FROM valid_purchases AS vp) AT TIME ZONE p_tz)::date) AS as_of,
           reporting_currency() AS currency
),
bounds AS (
    SELECT s.*, (s.as_of + 1)::timestamp AT TIME ZONE s.tz AS calibration_end,
           CASE s.unit WHEN 'week' THEN 7.0 ELSE 1.0 END AS days_per_unit
    FROM settings AS s
),
returned AS (
    SELECT r.source, r.order_id, sum(r.amount) AS amount,
           min(r.currency)::text AS min_currency, max(r.currency)::text AS max_currency
    FROM returns AS r CROSS JOIN bounds AS b
    WHERE r.order_id IS NOT NULL AND r.returned_at < b.calibration_end
    GROUP BY r.source, r.order_id
),
purchase_days AS (
    SELECT p.customer_key, (p.ordered_at AT TIME ZONE b.tz)::date AS day,
           sum(CASE WHEN p.currency = b.currency THEN p.amount ELSE currency_mismatch(b.currency, p.currency) END
               - CASE WHEN rt.order_id IS NULL THEN 0
                      WHEN rt.min_currency = b.currency AND rt.max_currency = b.currency THEN rt.amount
                      ELSE currency_mismatch(b.currency, CASE WHEN rt.min_currency <> b.currency THEN rt.min_currency ELSE rt.max_currency END)
                 END) AS net_value
    FROM valid_purchases AS p
    CROSS JOIN bounds AS b
    LEFT JOIN returned AS rt ON rt.source = p.source AND rt.order_id = p.order_id
    WHERE p.ordered_at < b.calibration_end
    GROUP BY p.customer_key, (p.ordered_at AT TIME ZONE b.tz)::date
),
with_first AS (
    SELECT d.*, min(d.day) OVER (PARTITION BY d.customer_key) AS first_day
    FROM purchase_days AS d
)
SELECT w.customer_key,
       (count(*) - 1)::float8,
       ((max(w.day) - min(w.day)) / b.days_per_unit)::float8,
       ((b.as_of - min(w.day)) / b.days_per_unit)::float8,
       (avg(w.net_value) FILTER (WHERE w.day > w.first_day))::float8
FROM with_first AS w CROSS JOIN bounds AS b
GROUP BY w.customer_key, b.as_of, b.days_per_unit
ORDER BY w.customer_key
$$;
