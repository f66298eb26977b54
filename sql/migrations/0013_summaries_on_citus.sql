-- Migration 0013: the customer summaries are kept on Citus too.
--
-- Until now a warehouse distributed on Citus had no queueing triggers (Citus allows none on a
-- distributed table) and its analyses read the raw rows; its summaries stayed as they were when
-- it was distributed. The loader now queues the customers a file changes there
-- (sql/models/load_queue_summaries.sql), so the summaries can serve the analyses again — once
-- they match the rows. On such a warehouse they are emptied and every buyer is queued: the
-- refresh at this migration's commit (or the models', created again after it) rebuilds them.
-- Elsewhere (one server, or Citus not installed) this changes nothing: the triggers kept them.

DO $$
BEGIN
    IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition
                   WHERE logicalrelid = 'purchases'::regclass AND partmethod = 'h') THEN
        RETURN;
    END IF;
    TRUNCATE customer_months, customer_totals, month_totals, cohort_month_buyers, cohort_last_purchases,
             churn_events, summary_currencies, customer_summary_queue, customer_month_queue;
    INSERT INTO customer_summary_queue (customer_keys)
    SELECT array_agg(DISTINCT customer_key) FROM purchases HAVING count(*) > 0;
END
$$;
