-- Migration 0011: the predictive model's per-customer input, kept exact by the load.
--
-- clv --method predictive and at_risk fit BG/NBD + Gamma-Gamma on one RFM row per buyer
-- (sql/models/rfm_summary.sql): distinct purchase days, first and last day, the value of the
-- repeat days. Computed from the orders that is a sort of every purchase by customer and time
-- (~35 s at 10M orders); this table holds the same facts per buyer in UTC days, so that
-- rfm_summary reads 1M small rows instead when the question is asked in UTC with --as-of at or
-- after the last purchase day (the default). What fills it and keeps it exact is the model
-- sql/models/customer_rfm.sql, called by refresh_customer_summaries() like the summaries of
-- migration 0009; docs/performance.md says when rfm_summary may use it.

-- One row per buyer (a customer with a valid purchase). Days are UTC calendar days of the
-- valid purchases; the "repeat days" are the days after the first one.
CREATE TABLE customer_rfm (
    customer_key            bigint      PRIMARY KEY,
    first_day               date        NOT NULL,  -- UTC day of the first valid purchase
    last_day                date        NOT NULL,  -- UTC day of the last valid purchase
    purchase_days           integer     NOT NULL,  -- distinct UTC days with a valid purchase
    repeat_gross            numeric,               -- Σ amount of the repeat days' orders; NULL without repeat days
    repeat_returned         numeric,               -- Σ returns of the repeat days' orders, to date; NULL without such returns
    last_repeat_returned_at timestamptz,           -- the latest of those returns (rfm_summary ignores returns after --as-of)
    -- rfm_summary's values that do not depend on --as-of, computed by its own expressions (the
    -- numeric divisions and their conversion to float8 are most of its cost on 1M rows):
    recency_weeks           double precision NOT NULL,  -- (last_day − first_day) / 7.0
    recency_days            double precision NOT NULL,  -- (last_day − first_day) / 1.0
    monetary                double precision           -- (repeat_gross − repeat_returned) / (purchase_days − 1); NULL without repeat days
);

-- Every buyer already loaded is filled by the models' refresh after this migration: migration
-- 0010 queued them all, and refresh_customer_summaries() refreshes customer_rfm for the same
-- customers as the other summaries.
