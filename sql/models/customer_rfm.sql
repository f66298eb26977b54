-- customer_rfm (view): one row per buyer (a customer with a valid purchase) — first and last
-- UTC purchase day, distinct UTC purchase days, Σ amount of the orders of the days after the
-- first (the repeat days; NULL without), Σ of those orders' returns to date and the latest of
-- those returns; and the values of rfm_summary that do not depend on its as_of: recency in
-- weeks and in days, monetary (counting every return).
--
-- Why: rfm_summary (the predictive model's input: clv, at_risk) needs, per buyer, the distinct
-- days and the value of the repeat days; computed from the orders that is a sort of every
-- purchase by customer and time. From this view it reads one small row per buyer when its
-- days are UTC days and every purchase is before the end of --as-of (sql/models/rfm_summary.sql;
-- docs/performance.md).
--
-- How it stays exact: the columns are customer_totals' (migration 0012), which the summaries'
-- refresh computes with the month rows (sql/models/customer_summaries.sql): distinct days are
-- Σ of the months' distinct days (a day lies in one month), and the repeat days' amount is Σ of
-- the amounts of every month after the first plus the first month's amount after its first
-- day — the same amounts rfm_summary adds from the orders, so the same number at the same
-- scale.
--
-- reads:      customer_totals
-- depends on: customer_summaries

CREATE OR REPLACE VIEW customer_rfm AS
SELECT t.customer_key, t.first_day, t.last_day, t.purchase_days, t.repeat_gross, t.repeat_returned,
       t.last_repeat_returned_at, t.recency_weeks, t.recency_days, t.monetary
FROM customer_totals AS t;
