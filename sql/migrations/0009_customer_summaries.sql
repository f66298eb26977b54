-- Migration 0009: per-customer summaries of purchases and returns, kept exact by the load.
--
-- The analyses that read every purchase (revenue, retention, churn_rate, loyal_customer_rate,
-- clv --method historical, support_impact) read these instead when the question is asked in
-- calendar months, quarters or years of UTC: a warehouse of 10M orders then answers from ~1M
-- small rows per customer or ~7M per customer and month, not from 10M wide ones and their
-- returns. What fills them and keeps them exact, and when an analysis may use them, is the
-- model sql/models/customer_summaries.sql; docs/performance.md says what it costs a load.
--
-- Months are UTC calendar months (the summaries' one time zone, customer_summaries.sql says why).

-- One row per customer and UTC month with a valid purchase, or with a refund (a return placed
-- in that month, of one of the customer's valid orders).
CREATE TABLE customer_months (
    customer_key      bigint      NOT NULL,
    month             date        NOT NULL,  -- first day of the UTC month
    first_purchase_at timestamptz NOT NULL,  -- the customer's first valid purchase ever (cohort anchor)
    orders            integer     NOT NULL,  -- valid purchases placed in the month
    gross             numeric     NOT NULL,  -- their amounts
    returned          numeric     NOT NULL,  -- every return of those orders, to date
    refunds           numeric     NOT NULL,  -- returns placed in the month (by returned_at), of any of the customer's valid orders
    first_ordered_at  timestamptz,           -- the month's first and last purchase (NULL without orders)
    last_ordered_at   timestamptz,
    PRIMARY KEY (customer_key, month)
);

-- One row per buyer (a customer with a valid purchase).
CREATE TABLE customer_totals (
    customer_key      bigint      PRIMARY KEY,
    first_purchase_at timestamptz NOT NULL,
    last_purchase_at  timestamptz NOT NULL,
    orders            bigint      NOT NULL,   -- valid purchases
    gross             numeric     NOT NULL,   -- their amounts
    returned          numeric     NOT NULL,   -- their returns, to date
    -- The smallest and largest currency of their orders and returns (one currency: equal).
    -- Analyses that add up amounts from the summaries compare these with reporting_currency().
    min_currency      char(3)     NOT NULL,
    max_currency      char(3)     NOT NULL
);

-- Rolled up from the two tables above, by refresh_customer_summaries(), which adds the rows it
-- writes and subtracts the rows it replaces: the headline analyses read these few rows.
--
-- Per UTC month: the customer_months rows of the month summed. Amounts keep the scale they
-- were loaded with (12.5 and 12.50 are the same number, not the same text): rows are kept
-- apart by the scales of the sums they hold, so that summing a month's rows gives the very
-- text a sum over its orders gives, and a scale that no row holds any more disappears.
CREATE TABLE month_totals (
    month           date    NOT NULL,
    gross_scale     integer NOT NULL,
    returned_scale  integer NOT NULL,
    refunds_scale   integer NOT NULL,
    customer_months bigint  NOT NULL,   -- customer_months rows summed here
    buyers          bigint  NOT NULL,   -- of which with orders
    orders          bigint  NOT NULL,
    gross           numeric NOT NULL,
    returned        numeric NOT NULL,
    refunds         numeric NOT NULL,
    PRIMARY KEY (month, gross_scale, returned_scale, refunds_scale)
);

-- Buyers per first-purchase month (the cohort) and month with orders: retention's counts; and
-- of them the repeat buyers at loyal_customer_rate's defaults (2 purchases in the 365 days
-- before the month's end).
CREATE TABLE cohort_month_buyers (
    cohort        date   NOT NULL,
    month         date   NOT NULL,
    buyers        bigint NOT NULL,
    repeat_buyers bigint NOT NULL,
    PRIMARY KEY (cohort, month)
);

-- Buyers per cohort and month of their last purchase: cohort sizes, and retention --mode rolling.
CREATE TABLE cohort_last_purchases (
    cohort     date   NOT NULL,
    last_month date   NOT NULL,
    buyers     bigint NOT NULL,
    PRIMARY KEY (cohort, last_month)
);

-- churn_rate's events at its defaults (--window 90 days, UTC months), per cohort (the month
-- of the first purchase) and month: customers whose run of activity starts or ends there, lost,
-- new and reactivated (churn_rate.sql defines them).
CREATE TABLE churn_events (
    cohort       date   NOT NULL,
    period       date   NOT NULL,
    active_delta bigint NOT NULL,
    lost         bigint NOT NULL,
    new          bigint NOT NULL,
    reactivated  bigint NOT NULL,
    PRIMARY KEY (cohort, period)
);

-- Buyers per currency among their orders and returns: one row when all is in one currency.
CREATE TABLE summary_currencies (
    currency char(3) PRIMARY KEY,
    buyers   bigint  NOT NULL
);

-- Customers whose summaries a statement made stale: one row per statement that changed
-- purchases or returns, holding the customer keys it touched (before and after). Filled by
-- triggers, emptied by refresh_customer_summaries() before the transaction commits; rows here
-- in a committed state mean a refresh failed to run, and the analyses then read the raw rows.
CREATE TABLE customer_summary_queue (
    customer_keys bigint[] NOT NULL
);

-- Every buyer already loaded: summarized when the models are created, right after this.
INSERT INTO customer_summary_queue (customer_keys)
SELECT array_agg(DISTINCT customer_key) FROM purchases HAVING count(*) > 0;
