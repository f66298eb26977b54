-- Migration 0012: the predictive model's per-buyer facts move into customer_totals, and follow
-- from the month rows.
--
-- customer_rfm (migration 0011) was recomputed from all of a customer's orders whenever the
-- summaries refreshed them: a sort of their purchases by day, 0.67 s of a nightly delta's
-- 2.1 s refresh and the largest single step of a first load (docs/performance.md). Its facts
-- follow from two more columns per month row — the month's distinct UTC purchase days, and
-- the amount of its orders after its first UTC day — so the refresh now computes them with
-- the month rows and the totals, from the rows it already has, and stores them on
-- customer_totals; customer_rfm becomes a view of those columns (sql/models/customer_rfm.sql),
-- with the same columns and values as before, for rfm_summary.
--
-- The summaries are emptied and every buyer queued: the models, created again after this
-- migration, rebuild them (sql/models/customer_summaries.sql).

-- The refresh that wrote customer_rfm is replaced by the models; until they are created again,
-- nothing may run it (the commit triggers would, on the queue filled below).
DROP TRIGGER IF EXISTS customer_summary_queue_flush ON customer_summary_queue;
DROP TRIGGER IF EXISTS customer_month_queue_flush ON customer_month_queue;
DROP FUNCTION IF EXISTS refresh_customer_rfm();
DROP TABLE customer_rfm;

TRUNCATE customer_months, customer_totals, month_totals, cohort_month_buyers, cohort_last_purchases,
         churn_events, summary_currencies, customer_summary_queue, customer_month_queue;

ALTER TABLE customer_months
    -- With orders (else 0): the distinct UTC days of the month's orders …
    ADD COLUMN purchase_days integer NOT NULL,
    -- … and the Σ amount of its orders after the first of those days (NULL: one day or none).
    ADD COLUMN later_days_gross numeric;

ALTER TABLE customer_totals
    -- Days are UTC calendar days of the valid purchases; the repeat days, those after the first.
    ADD COLUMN first_day date NOT NULL,
    ADD COLUMN last_day date NOT NULL,
    ADD COLUMN purchase_days integer NOT NULL,          -- distinct days with a valid purchase
    ADD COLUMN repeat_gross numeric,                    -- Σ amount of the repeat days' orders; NULL without repeat days
    ADD COLUMN repeat_returned numeric,                 -- Σ returns of the repeat days' orders, to date; NULL without
    ADD COLUMN last_repeat_returned_at timestamptz,     -- the latest of those returns
    -- rfm_summary's values that do not depend on --as-of, by its own expressions (the numeric
    -- divisions and their conversion to float8 are most of its cost on 1M rows):
    ADD COLUMN recency_weeks double precision NOT NULL, -- (last_day − first_day) / 7.0
    ADD COLUMN recency_days double precision NOT NULL,  -- (last_day − first_day) / 1.0
    ADD COLUMN monetary double precision;               -- (repeat_gross − repeat_returned) / (purchase_days − 1)

INSERT INTO customer_summary_queue (customer_keys)
SELECT array_agg(DISTINCT customer_key) FROM purchases HAVING count(*) > 0;
