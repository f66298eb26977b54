-- rfm_summary(as_of, tz, unit) → one row per buyer up to the end of the local day as_of (NULL:
-- the last purchase day in tz): customer_key, frequency = distinct local purchase days − 1,
-- recency = last − first purchase day, T = as_of − first purchase day (both in unit: 'week'
-- or 'day'), monetary = mean net value of the repeat purchase days (first day excluded; NULL
-- without repeats). A day's net value = its orders' amounts − their returns made by the end
-- of as_of. rfm_summary_from_orders(as_of, tz, unit, customers) computes the same rows from
-- the orders, for the buyers in the array customers (NULL: every buyer); rfm_summary reads
-- them from customer_rfm instead when that gives the same rows (see its comment below).
--
-- Why: the predictive model (BG/NBD + Gamma-Gamma) is fitted on these rows by every analysis
-- that declares `prepare: predictive_clv` (clv, at_risk), so they all see one fit
-- (docs/metrics.md, "clv"). Purchases on the same local day are one transaction. Computed
-- from the orders they cost a sort of every purchase (~35 s at 10M orders); from customer_rfm,
-- a read of one small row per buyer (docs/performance.md).
--
-- How (from the orders): one pass over the valid purchases in (customer, time) order marks each purchase that
-- opens a new local day and knows the customer's first day (window functions), and one
-- aggregate per customer sums what the model needs; returns, few, are summed per customer and
-- local day of their order and subtracted from the repeat days' value. The mean of the repeat
-- days' net values is Σ of those values ÷ their number, so no per-day rows are kept (the
-- earlier per-(customer, day) aggregate spilled at 10M purchases).
--
-- reads:      purchases (through valid_purchases), returns, customer_rfm, summary_currencies
-- depends on: valid_purchases, reporting_currency, currency_mismatch, customer_summaries, customer_rfm

CREATE OR REPLACE FUNCTION rfm_summary_from_orders(p_as_of date, p_tz text, p_unit text, p_customers bigint[])
RETURNS TABLE (customer_key bigint, frequency double precision, recency double precision,
               "T" double precision, monetary double precision)
-- PL/pgSQL rather than SQL: Citus plans a query that reads distributed tables with parameters
-- only from PL/pgSQL (docs/scale-out.md).
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
RETURN QUERY
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
              AND (p_customers IS NULL OR p.customer_key = ANY (p_customers))
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
      AND (p_customers IS NULL OR p.customer_key = ANY (p_customers))
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
ORDER BY c.customer_key;
END;
$$;

-- rfm_summary: the rows of rfm_summary_from_orders, read from customer_rfm (one row per buyer,
-- kept exact by every load: sql/models/customer_rfm.sql) when that gives the same rows: the
-- summaries are current, every amount is in the reporting currency, the days are UTC days
-- (tz is UTC under any of its names) and every valid purchase is before the end of as_of (the
-- default as_of, the last purchase day, is). A buyer with a return of a repeat day's order
-- made after the end of as_of is computed from their orders (that return does not count).
-- Otherwise every buyer is computed from the orders.
CREATE OR REPLACE FUNCTION rfm_summary(p_as_of date, p_tz text, p_unit text)
RETURNS TABLE (customer_key bigint, frequency double precision, recency double precision,
               "T" double precision, monetary double precision)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    last_day        date;
    as_of           date;
    calibration_end timestamptz;
    days_per_unit   numeric := CASE p_unit WHEN 'week' THEN 7.0 ELSE 1.0 END;
    min_first_day   date;
    ages            float8[];
    recomputed      bigint[];
BEGIN
    IF customer_summaries_apply('month', p_tz, false)
       AND (SELECT count(*) = 1 AND min(c.currency) = reporting_currency() FROM summary_currencies AS c) THEN
        last_day := ((SELECT max(vp.ordered_at) FROM valid_purchases AS vp) AT TIME ZONE p_tz)::date;
        as_of := coalesce(p_as_of, last_day);
        calibration_end := (as_of + 1)::timestamp AT TIME ZONE p_tz;
        IF as_of >= last_day THEN
            -- T for each first day from first_day on, computed once per day, not once per buyer.
            min_first_day := (SELECT min(m.first_day) FROM customer_rfm AS m);
            ages := ARRAY(SELECT ((as_of - (min_first_day + d.n)) / days_per_unit)::float8
                          FROM generate_series(0, as_of - min_first_day) AS d(n) ORDER BY d.n);
            RETURN QUERY
            SELECT c.customer_key,
                   (c.purchase_days - 1)::float8,
                   CASE p_unit WHEN 'week' THEN c.recency_weeks ELSE c.recency_days END,
                   ages[c.first_day - min_first_day + 1],
                   c.monetary
            FROM customer_rfm AS c
            WHERE c.last_repeat_returned_at IS NULL OR c.last_repeat_returned_at < calibration_end;
            recomputed := ARRAY(SELECT c.customer_key FROM customer_rfm AS c WHERE c.last_repeat_returned_at >= calibration_end);
            IF cardinality(recomputed) > 0 THEN
                RETURN QUERY SELECT * FROM rfm_summary_from_orders(p_as_of, p_tz, p_unit, recomputed);
            END IF;
            RETURN;
        END IF;
    END IF;
    RETURN QUERY SELECT * FROM rfm_summary_from_orders(p_as_of, p_tz, p_unit, NULL);
END
$$;
