-- Migration 0010: the summaries refresh by customer and month, not by customer.
--
-- A nightly delta touches one or two months of each customer it names; 0009's refresh read
-- all of their purchases and wrote all of their months again (3.5x the delta load's cost per
-- row, docs/performance.md). Now a purchase queues its (customer, UTC month) pair; the refresh
-- reads that month's purchases alone, keeps every other month row as stored, and writes only
-- the rows that changed. For that, each month row also holds:
-- - its currencies (so a customer's totals follow from their months),
-- - what its neighbours decide for the roll-ups: whether its buyer is a repeat buyer at
--   loyal_customer_rate's defaults, and whether it starts or ends one of churn_rate's runs of
--   activity (so a changed row's contribution to the roll-ups is the row's own);
-- and each customer's totals the number of their returns: a customer with returns is
-- refreshed whole, as before (a month's returns can belong to another month's orders).
--
-- The summaries are emptied and every buyer queued: the models, created again after this
-- migration, rebuild them (sql/models/customer_summaries.sql).

-- The old refresh is replaced by the models; until they are created again, nothing may run it
-- (its commit trigger would, on the queue filled below).
DROP TRIGGER IF EXISTS customer_summary_queue_flush ON customer_summary_queue;
DROP FUNCTION IF EXISTS summary_contributions(integer);

TRUNCATE customer_months, customer_totals, month_totals, cohort_month_buyers, cohort_last_purchases,
         churn_events, summary_currencies, customer_summary_queue;

ALTER TABLE customer_months
    -- The smallest and largest currency of the month's orders and of the returns it counts.
    ADD COLUMN min_currency char(3) NOT NULL,
    ADD COLUMN max_currency char(3) NOT NULL,
    -- With orders (else NULL): the month holds two orders, or the customer's last purchase
    -- before the month lies in the 365 days before the month's end.
    ADD COLUMN repeat_buyer boolean,
    -- With orders (else NULL): churn_rate at --window 90 in UTC months counts the customer
    -- active from the next month through the month of the last purchase + 90 days; a run of
    -- such overlapping or adjacent coverages starts at a month whose coverage does not touch
    -- the previous order month's, and ends at one the next order month's does not touch.
    ADD COLUMN starts_run boolean,
    ADD COLUMN ends_run boolean;

ALTER TABLE customer_totals
    -- Returns of the customer's valid orders.
    ADD COLUMN returns bigint NOT NULL;

-- (customer, month) pairs whose purchases a statement changed; months[i] goes with
-- customer_keys[i]. customer_summary_queue keeps queueing whole customers.
CREATE TABLE customer_month_queue (
    customer_keys bigint[] NOT NULL,
    months        date[]   NOT NULL
);

INSERT INTO customer_summary_queue (customer_keys)
SELECT array_agg(DISTINCT customer_key) FROM purchases HAVING count(*) > 0;
