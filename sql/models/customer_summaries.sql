-- customer_summaries: keeps the summaries of migrations 0009, 0010 and 0012 exact —
-- customer_totals (with the predictive model's per-buyer facts, read through the view
-- customer_rfm), customer_months and their roll-ups (month_totals, cohort_month_buyers, cohort_last_purchases,
-- churn_events, summary_currencies): refresh_customer_summaries() → bigint, the triggers that
-- queue what a statement touched, and customer_summaries_current(reads_amounts) /
-- customer_summaries_apply(period, tz, reads_amounts) → boolean, which tell an analysis
-- whether it may read them.
--
-- Why: analyses that read every purchase cost many passes over 10M wide rows; the summaries
-- hold the same facts per customer (and per customer and UTC month), and the roll-ups the
-- headline counts per month, so those analyses read a few hundred rows, 1M small ones, or
-- ~7M narrow ones, and give the same answer (docs/performance.md).
--
-- How they stay exact: every statement that inserts, updates or deletes purchases queues the
-- (customer, UTC month) pairs of the rows it touched, before and after (a purchase moved to
-- another customer by a merge or a re-key queues both), in customer_month_queue; a statement
-- on returns, or on purchases that have returns, queues whole customers (the customer of the
-- return's order, old and new) in customer_summary_queue. The queues are flushed by
-- refresh_customer_summaries(), which the loader calls before it records a run, and in any
-- case by a deferred trigger at commit: whoever writes, the committed summaries match the
-- committed rows. An analysis reads the summaries only when both queues are empty (inside a
-- writing transaction they are not: the raw rows are read then). On Citus, which allows no
-- trigger on a distributed table, the loader queues whole customers instead
-- (load_queue_summaries; move_customer_rows for the purchases it moves): every write there goes
-- through the loader, and a change made by hand must queue its customers itself
-- (docs/scale-out.md).
--
-- The refresh computes the new month rows of every customer concerned — a whole customer from
-- their purchases and returns; a queued month from that month's purchases (through
-- purchases_customer_idx), the customer's other months as stored — then the columns that
-- depend on the customer's other months (first purchase, repeat buyer, churn runs), and writes
-- only the rows that differ from the stored ones (binary equality, *=, so 1.0 → 1.00 is a
-- change). The roll-ups move by the contributions of exactly those rows: minus the old, plus
-- the new. A month refresh assumes the month's refunds and returned amounts are unchanged and
-- zero, which holds for a customer without returns (customer_totals.returns = 0) whose changed
-- purchases have none; any other customer is refreshed whole.
--
-- The one time zone: months are UTC calendar months, so the summaries answer --period
-- month|quarter|year in UTC (and the time zones that are UTC under another name); any other
-- --tz or --period reads the raw rows, slower, same definitions. A customer's first purchase
-- instant and their totals are exact in every time zone.
--
-- reads:      purchases (through valid_purchases), returns, the queues, the summaries
-- depends on: valid_purchases, load_suspend_indexes, reporting_currency, currency_mismatch, citus_distribution

CREATE OR REPLACE FUNCTION refresh_customer_summaries() RETURNS bigint
LANGUAGE plpgsql
-- A full rebuild aggregates every purchase: in memory rather than in spill files. A nightly
-- refresh reads a few thousand customers' rows: through their indexes, from pages mostly
-- cached — at the default random_page_cost (4, a spinning disk's) the planner scans whole
-- tables instead, 10x slower at 1M customers (measured; docs/performance.md).
SET work_mem = '256MB'
SET random_page_cost = 1.1
-- Switched off for one statement below; whatever the body sets is the caller's again at exit.
SET enable_hashagg = on
-- A trigger runs it for whoever writes, with their search_path: the summaries are this schema's.
SET search_path FROM CURRENT
AS $$
DECLARE
    refreshed bigint;
    written   bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM customer_summary_queue) AND NOT EXISTS (SELECT 1 FROM customer_month_queue) THEN
        RETURN 0;
    END IF;
    -- What is refreshed: whole customers, and (customer, month) pairs of other customers.
    CREATE TEMP TABLE IF NOT EXISTS summary_whole_customers (customer_key bigint PRIMARY KEY) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS summary_queued_months (customer_key bigint, month date, PRIMARY KEY (customer_key, month))
        ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS summary_refresh_keys (customer_key bigint PRIMARY KEY) ON COMMIT DELETE ROWS;
    -- Every month row of the customers refreshed, before the columns that depend on the others …
    CREATE TEMP TABLE IF NOT EXISTS summary_month_facts (
        customer_key bigint, month date, orders integer, gross numeric, returned numeric, refunds numeric,
        first_ordered_at timestamptz, last_ordered_at timestamptz, min_currency char(3), max_currency char(3),
        purchase_days integer, later_days_gross numeric
    ) ON COMMIT DELETE ROWS;
    -- Every return of a whole customer's valid orders: the customer, the UTC day of its order.
    CREATE TEMP TABLE IF NOT EXISTS summary_order_returns (
        customer_key bigint, order_day date, amount numeric, returned_at timestamptz
    ) ON COMMIT DELETE ROWS;
    -- … the new rows, and the rows that change (sign −1: stored, going; +1: new, coming).
    CREATE TEMP TABLE IF NOT EXISTS summary_old_months (LIKE customer_months) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS summary_old_totals (LIKE customer_totals) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS summary_month_changes (sign integer, LIKE customer_months) ON COMMIT DELETE ROWS;
    CREATE TEMP TABLE IF NOT EXISTS summary_total_changes (sign integer, LIKE customer_totals) ON COMMIT DELETE ROWS;
    TRUNCATE summary_whole_customers, summary_queued_months, summary_refresh_keys, summary_month_facts,
             summary_order_returns, summary_old_months, summary_old_totals, summary_month_changes,
             summary_total_changes;

    WITH taken AS (DELETE FROM customer_summary_queue RETURNING customer_keys)
    INSERT INTO summary_whole_customers
    SELECT DISTINCT k FROM taken CROSS JOIN LATERAL unnest(taken.customer_keys) AS k WHERE k IS NOT NULL;
    WITH taken AS (DELETE FROM customer_month_queue RETURNING customer_keys, months)
    INSERT INTO summary_queued_months
    SELECT DISTINCT q.k, q.m FROM taken CROSS JOIN LATERAL unnest(taken.customer_keys, taken.months) AS q(k, m)
    WHERE q.k IS NOT NULL;
    INSERT INTO summary_refresh_keys
    SELECT customer_key FROM summary_whole_customers UNION SELECT customer_key FROM summary_queued_months;
    GET DIAGNOSTICS refreshed = ROW_COUNT;
    ANALYZE summary_refresh_keys;
    -- Their stored totals, read once …
    INSERT INTO summary_old_totals SELECT t.* FROM customer_totals AS t
    JOIN summary_refresh_keys AS k ON k.customer_key = t.customer_key;
    -- … say who else is refreshed whole: a customer with returns (see above), and one without
    -- summaries yet (a first load: every month of theirs is new, read in one pass).
    INSERT INTO summary_whole_customers
    SELECT DISTINCT q.customer_key FROM summary_queued_months AS q
    LEFT JOIN summary_old_totals AS t ON t.customer_key = q.customer_key
    WHERE t.customer_key IS NULL OR t.returns > 0
    ON CONFLICT DO NOTHING;
    DELETE FROM summary_queued_months AS q USING summary_whole_customers AS w WHERE w.customer_key = q.customer_key;
    ANALYZE summary_whole_customers, summary_queued_months;
    -- Their stored months, read once.
    INSERT INTO summary_old_months SELECT m.* FROM customer_months AS m
    JOIN summary_refresh_keys AS k ON k.customer_key = m.customer_key;
    ANALYZE summary_old_months, summary_old_totals;

    -- Many whole customers (a first load, a rebuild) have most of the purchases: those are read
    -- in one pass and sorted by customer and time, then added up in that order — not read page
    -- by page at random through the customer index, nor hashed by day (a hash of a million
    -- numeric sums outgrows its memory estimate several times and spills).
    IF (SELECT count(*) FROM summary_whole_customers) > 20000 THEN
        PERFORM set_config('random_page_cost', '4', true);
        PERFORM set_config('enable_hashagg', 'off', true);
    END IF;
    -- Whole customers: per UTC day, then per UTC month (as a local timestamp: its start), their
    -- valid purchases (the days give the month's distinct days and its amount after its first
    -- day) …
    WITH order_days AS (
        SELECT d.*, d.day > min(d.day) OVER (PARTITION BY d.customer_key, d.month_start) AS later_day
        FROM (
            SELECT p.customer_key, date_trunc('month', p.ordered_at AT TIME ZONE 'UTC') AS month_start,
                   (p.ordered_at AT TIME ZONE 'UTC')::date AS day,
                   count(*) AS orders, sum(p.amount) AS gross,
                   min(p.ordered_at) AS first_ordered_at, max(p.ordered_at) AS last_ordered_at,
                   min(p.currency) AS min_currency, max(p.currency) AS max_currency
            FROM valid_purchases AS p
            JOIN summary_whole_customers AS k ON k.customer_key = p.customer_key
            GROUP BY 1, 2, 3
        ) AS d
    ),
    order_months AS (
        SELECT customer_key, month_start, sum(orders) AS orders, sum(gross) AS gross,
               min(first_ordered_at) AS first_ordered_at, max(last_ordered_at) AS last_ordered_at,
               min(min_currency) AS min_currency, max(max_currency) AS max_currency,
               count(*) AS purchase_days, sum(gross) FILTER (WHERE later_day) AS later_days_gross
        FROM order_days
        GROUP BY 1, 2
    ),
    -- … and the returns of those purchases: by the month of their order (returned) and their
    -- own (refunds).
    order_returns AS (
        SELECT p.customer_key, date_trunc('month', p.ordered_at AT TIME ZONE 'UTC') AS order_month,
               (p.ordered_at AT TIME ZONE 'UTC')::date AS order_day,
               date_trunc('month', r.returned_at AT TIME ZONE 'UTC') AS return_month, r.amount, r.currency,
               r.returned_at
        FROM returns AS r
        JOIN valid_purchases AS p ON p.source = r.source AND p.order_id = r.order_id
        JOIN summary_whole_customers AS k ON k.customer_key = p.customer_key
    ),
    returns_kept AS (
        INSERT INTO summary_order_returns (customer_key, order_day, amount, returned_at)
        SELECT customer_key, order_day, amount, returned_at FROM order_returns
    ),
    returned_by_month AS (
        SELECT customer_key, order_month AS month_start, sum(amount) AS returned,
               min(currency) AS min_currency, max(currency) AS max_currency
        FROM order_returns GROUP BY customer_key, order_month
    ),
    refunds_by_month AS (
        SELECT customer_key, return_month AS month_start, sum(amount) AS refunds,
               min(currency) AS min_currency, max(currency) AS max_currency
        FROM order_returns GROUP BY customer_key, return_month
    )
    INSERT INTO summary_month_facts
    SELECT coalesce(m.customer_key, x.customer_key), coalesce(m.month_start, x.month_start)::date,
           coalesce(m.orders, 0), coalesce(m.gross, 0), coalesce(rt.returned, 0), coalesce(x.refunds, 0),
           m.first_ordered_at, m.last_ordered_at,
           least(m.min_currency, rt.min_currency, x.min_currency),
           greatest(m.max_currency, rt.max_currency, x.max_currency),
           coalesce(m.purchase_days, 0), m.later_days_gross
    FROM order_months AS m
    LEFT JOIN returned_by_month AS rt ON rt.customer_key = m.customer_key AND rt.month_start = m.month_start
    FULL JOIN refunds_by_month AS x ON x.customer_key = m.customer_key AND x.month_start = m.month_start;
    PERFORM set_config('random_page_cost', '1.1', true);
    PERFORM set_config('enable_hashagg', 'on', true);
    ANALYZE summary_order_returns;

    -- One pass from here to the rows that change. The facts per customer and month: whole
    -- customers' (above); a queued month's valid purchases (none returned: see above); the
    -- customer's other months as stored.
    WITH facts AS MATERIALIZED (
        SELECT * FROM summary_month_facts
        UNION ALL
        SELECT o.customer_key, o.month, count(*)::integer, sum(o.amount), 0, 0, min(o.ordered_at), max(o.ordered_at),
               min(o.currency), max(o.currency), count(DISTINCT o.day)::integer,
               sum(o.amount) FILTER (WHERE o.day > o.first_day)
        FROM (
            SELECT q.customer_key, q.month, p.amount, p.ordered_at, p.currency,
                   (p.ordered_at AT TIME ZONE 'UTC')::date AS day,
                   min((p.ordered_at AT TIME ZONE 'UTC')::date) OVER (PARTITION BY q.customer_key, q.month) AS first_day
            FROM summary_queued_months AS q
            JOIN valid_purchases AS p ON p.customer_key = q.customer_key
                                     AND p.ordered_at >= q.month::timestamp AT TIME ZONE 'UTC'
                                     AND p.ordered_at < (q.month + interval '1 month')::timestamp AT TIME ZONE 'UTC'
        ) AS o
        GROUP BY o.customer_key, o.month
        UNION ALL
        SELECT m.customer_key, m.month, m.orders, m.gross, m.returned, m.refunds, m.first_ordered_at,
               m.last_ordered_at, m.min_currency, m.max_currency, m.purchase_days, m.later_days_gross
        FROM summary_old_months AS m
        WHERE NOT EXISTS (SELECT 1 FROM summary_whole_customers AS w WHERE w.customer_key = m.customer_key)
          AND NOT EXISTS (SELECT 1 FROM summary_queued_months AS q WHERE q.customer_key = m.customer_key AND q.month = m.month)
    ),
    -- Their totals (a customer with no valid purchase left has none) …
    totals AS MATERIALIZED (
        SELECT f.customer_key, min(f.first_ordered_at) AS first_purchase_at, max(f.last_ordered_at) AS last_purchase_at,
               sum(f.orders) AS orders, sum(f.gross) AS gross, sum(f.returned) AS returned,
               min(f.min_currency) AS min_currency, max(f.max_currency) AS max_currency,
               sum(f.purchase_days)::integer AS purchase_days,
               (min(f.first_ordered_at) AT TIME ZONE 'UTC')::date AS first_day,
               (max(f.last_ordered_at) AT TIME ZONE 'UTC')::date AS last_day,
               min(f.month) FILTER (WHERE f.orders > 0) AS first_month
        FROM facts AS f
        GROUP BY f.customer_key
        HAVING sum(f.orders) > 0
    ),
    -- … with the predictive model's facts (sql/models/customer_rfm.sql): the repeat days'
    -- amount is every order month's amount but the first's, whose amount after its first day
    -- counts; the returns (whole customers only: nobody else has any) of the orders of the
    -- repeat days.
    repeat_sums AS (
        SELECT f.customer_key,
               sum(CASE WHEN f.month = t.first_month THEN f.later_days_gross ELSE f.gross END) AS repeat_gross
        FROM facts AS f
        JOIN totals AS t ON t.customer_key = f.customer_key
        WHERE f.orders > 0 AND t.purchase_days > 1
        GROUP BY f.customer_key
    ),
    return_sums AS (
        SELECT o.customer_key, count(*) AS returns,
               sum(o.amount) FILTER (WHERE o.order_day > t.first_day) AS repeat_returned,
               max(o.returned_at) FILTER (WHERE o.order_day > t.first_day) AS last_repeat_returned_at
        FROM summary_order_returns AS o
        JOIN totals AS t ON t.customer_key = o.customer_key
        GROUP BY o.customer_key
    ),
    new_totals AS (
        SELECT t.customer_key, t.first_purchase_at, t.last_purchase_at, t.orders, t.gross, t.returned,
               t.min_currency, t.max_currency, coalesce(r.returns, 0) AS returns, t.first_day, t.last_day,
               t.purchase_days, g.repeat_gross, r.repeat_returned, r.last_repeat_returned_at,
               -- rfm_summary's own expressions (its days_per_unit is the numeric 7.0 or 1.0).
               ((t.last_day - t.first_day) / 7.0)::float8 AS recency_weeks,
               ((t.last_day - t.first_day) / 1.0)::float8 AS recency_days,
               ((g.repeat_gross - coalesce(r.repeat_returned, 0)) / nullif(t.purchase_days - 1, 0))::float8 AS monetary
        FROM totals AS t
        LEFT JOIN repeat_sums AS g ON g.customer_key = t.customer_key
        LEFT JOIN return_sums AS r ON r.customer_key = t.customer_key
    ),
    -- … and their month rows with what depends on the other order months (in order: the
    -- order months of a customer form their own partition, the refund-only ones another).
    new_months AS (
        SELECT o.customer_key, o.month, o.first_purchase_at, o.orders, o.gross, o.returned, o.refunds,
               o.first_ordered_at, o.last_ordered_at, o.min_currency, o.max_currency,
               CASE WHEN o.orders > 0 THEN
                   o.orders >= 2
                   OR coalesce(o.previous_last_at >= ((o.month + interval '1 month')::timestamp - interval '365 days')
                                                    AT TIME ZONE 'UTC', false)
               END AS repeat_buyer,
               CASE WHEN o.orders > 0 THEN
                   o.previous_active_through IS NULL
                   OR (o.month + interval '1 month')::date > (o.previous_active_through + interval '1 month')::date
               END AS starts_run,
               CASE WHEN o.orders > 0 THEN
                   o.next_month IS NULL
                   OR (o.next_month + interval '1 month')::date > (o.active_through + interval '1 month')::date
               END AS ends_run,
               o.purchase_days, o.later_days_gross
        FROM (
            SELECT f.*, t.first_purchase_at, a.active_through,
                   lag(f.last_ordered_at) OVER w AS previous_last_at,
                   lag(a.active_through) OVER w AS previous_active_through,
                   lead(f.month) OVER w AS next_month
            FROM facts AS f
            JOIN totals AS t ON t.customer_key = f.customer_key
            CROSS JOIN LATERAL (
                SELECT date_trunc('month', (f.last_ordered_at AT TIME ZONE 'UTC') + interval '90 days')::date AS active_through
            ) AS a
            WINDOW w AS (PARTITION BY f.customer_key, f.orders > 0 ORDER BY f.month)
        ) AS o
    ),
    -- The rows that change: stored rows with no identical new row, new rows with no identical
    -- stored row (identical: every column equal, amounts in the same scale too). The identical
    -- pairs are found first, by key; the changes are the rows of either side outside them.
    kept_months AS (
        SELECT o.customer_key, o.month
        FROM summary_old_months AS o
        JOIN new_months AS n ON n.customer_key = o.customer_key AND n.month = o.month
        WHERE o.first_purchase_at = n.first_purchase_at AND o.orders = n.orders
          AND o.gross = n.gross AND scale(o.gross) = scale(n.gross)
          AND o.returned = n.returned AND scale(o.returned) = scale(n.returned)
          AND o.refunds = n.refunds AND scale(o.refunds) = scale(n.refunds)
          AND o.first_ordered_at IS NOT DISTINCT FROM n.first_ordered_at
          AND o.last_ordered_at IS NOT DISTINCT FROM n.last_ordered_at
          AND o.min_currency = n.min_currency AND o.max_currency = n.max_currency
          AND o.repeat_buyer IS NOT DISTINCT FROM n.repeat_buyer AND o.starts_run IS NOT DISTINCT FROM n.starts_run
          AND o.ends_run IS NOT DISTINCT FROM n.ends_run AND o.purchase_days = n.purchase_days
          AND o.later_days_gross IS NOT DISTINCT FROM n.later_days_gross
          AND scale(o.later_days_gross) IS NOT DISTINCT FROM scale(n.later_days_gross)
    ),
    kept_totals AS (
        SELECT o.customer_key
        FROM summary_old_totals AS o
        JOIN new_totals AS n ON n.customer_key = o.customer_key
        WHERE o.first_purchase_at = n.first_purchase_at AND o.last_purchase_at = n.last_purchase_at
          AND o.orders = n.orders AND o.gross = n.gross AND scale(o.gross) = scale(n.gross)
          AND o.returned = n.returned AND scale(o.returned) = scale(n.returned)
          AND o.min_currency = n.min_currency AND o.max_currency = n.max_currency AND o.returns = n.returns
          AND o.purchase_days = n.purchase_days
          AND o.repeat_gross IS NOT DISTINCT FROM n.repeat_gross
          AND scale(o.repeat_gross) IS NOT DISTINCT FROM scale(n.repeat_gross)
          AND o.repeat_returned IS NOT DISTINCT FROM n.repeat_returned
          AND scale(o.repeat_returned) IS NOT DISTINCT FROM scale(n.repeat_returned)
          AND o.last_repeat_returned_at IS NOT DISTINCT FROM n.last_repeat_returned_at
    ),
    total_changes AS (
        INSERT INTO summary_total_changes
        SELECT -1, o.* FROM summary_old_totals AS o
        WHERE NOT EXISTS (SELECT 1 FROM kept_totals AS k WHERE k.customer_key = o.customer_key)
        UNION ALL
        SELECT 1, n.* FROM new_totals AS n
        WHERE NOT EXISTS (SELECT 1 FROM kept_totals AS k WHERE k.customer_key = n.customer_key)
    )
    INSERT INTO summary_month_changes
    SELECT -1, o.* FROM summary_old_months AS o
    WHERE NOT EXISTS (SELECT 1 FROM kept_months AS k WHERE k.customer_key = o.customer_key AND k.month = o.month)
    UNION ALL
    SELECT 1, n.* FROM new_months AS n
    WHERE NOT EXISTS (SELECT 1 FROM kept_months AS k WHERE k.customer_key = n.customer_key AND k.month = n.month);

    -- Write them. Many rows (a first load, a new source) build the indexes once at the end
    -- instead of row by row, as the loader does (load_suspend_indexes.sql).
    DELETE FROM customer_months AS m USING summary_month_changes AS c
    WHERE c.sign = -1 AND m.customer_key = c.customer_key AND m.month = c.month;
    DELETE FROM customer_totals AS t USING summary_total_changes AS c
    WHERE c.sign = -1 AND t.customer_key = c.customer_key;
    SELECT count(*) INTO written FROM summary_month_changes WHERE sign = 1;
    PERFORM suspend_indexes('customer_months', written);
    PERFORM suspend_indexes('customer_totals', written / 4);
    INSERT INTO customer_months
    SELECT customer_key, month, first_purchase_at, orders, gross, returned, refunds, first_ordered_at, last_ordered_at,
           min_currency, max_currency, repeat_buyer, starts_run, ends_run, purchase_days, later_days_gross
    FROM summary_month_changes WHERE sign = 1
    ORDER BY customer_key, month;  -- a customer's months on one page: the next refresh reads one
    INSERT INTO customer_totals
    SELECT customer_key, first_purchase_at, last_purchase_at, orders, gross, returned, min_currency, max_currency, returns,
           first_day, last_day, purchase_days, repeat_gross, repeat_returned, last_repeat_returned_at, recency_weeks,
           recency_days, monetary
    FROM summary_total_changes WHERE sign = 1
    ORDER BY customer_key;  -- the predictive model reads customer_rfm in this order: one pass if stored so
    PERFORM restore_indexes();

    -- The roll-ups move by the changed rows' contributions.
    INSERT INTO month_totals AS t (month, gross_scale, returned_scale, refunds_scale, customer_months, buyers,
                                   orders, gross, returned, refunds)
    SELECT c.month, scale(c.gross), scale(c.returned), scale(c.refunds), sum(c.sign),
           coalesce(sum(c.sign) FILTER (WHERE c.orders > 0), 0), sum(c.sign * c.orders),
           sum(c.sign * c.gross), sum(c.sign * c.returned), sum(c.sign * c.refunds)
    FROM summary_month_changes AS c
    GROUP BY c.month, scale(c.gross), scale(c.returned), scale(c.refunds)
    ON CONFLICT (month, gross_scale, returned_scale, refunds_scale) DO UPDATE
    SET customer_months = t.customer_months + excluded.customer_months, buyers = t.buyers + excluded.buyers,
        orders = t.orders + excluded.orders, gross = t.gross + excluded.gross,
        returned = t.returned + excluded.returned, refunds = t.refunds + excluded.refunds;
    DELETE FROM month_totals WHERE customer_months = 0;

    INSERT INTO cohort_month_buyers AS t (cohort, month, buyers, repeat_buyers)
    SELECT date_trunc('month', c.first_purchase_at AT TIME ZONE 'UTC')::date, c.month, sum(c.sign),
           coalesce(sum(c.sign) FILTER (WHERE c.repeat_buyer), 0)
    FROM summary_month_changes AS c WHERE c.orders > 0
    GROUP BY 1, 2
    ON CONFLICT (cohort, month) DO UPDATE
    SET buyers = t.buyers + excluded.buyers, repeat_buyers = t.repeat_buyers + excluded.repeat_buyers;
    DELETE FROM cohort_month_buyers WHERE buyers = 0;

    -- churn_rate's run events, as sql/analyses/churn_rate.sql computes them: a run starting at
    -- order month m is active from m + 1 month (and the customer is new or reactivated in m);
    -- one ending at m, covered through m's active_through, is lost then and inactive after.
    INSERT INTO churn_events AS t (cohort, period, active_delta, lost, new, reactivated)
    WITH runs AS MATERIALIZED (
        SELECT c.sign, c.month, c.starts_run, c.ends_run,
               date_trunc('month', c.first_purchase_at AT TIME ZONE 'UTC')::date AS cohort,
               date_trunc('month', (c.last_ordered_at AT TIME ZONE 'UTC') + interval '90 days')::date AS active_through
        FROM summary_month_changes AS c
        WHERE c.orders > 0 AND (c.starts_run OR c.ends_run)
    ),
    events AS (
        SELECT r.cohort, (r.month + interval '1 month')::date AS period, r.sign AS active_delta, 0 AS lost, 0 AS new,
               0 AS reactivated
        FROM runs AS r WHERE r.starts_run
        UNION ALL
        SELECT r.cohort, r.month, 0, 0, r.sign * (r.cohort = r.month)::int, r.sign * (r.cohort < r.month)::int
        FROM runs AS r WHERE r.starts_run
        UNION ALL
        SELECT r.cohort, (r.active_through + interval '1 month')::date, -r.sign, 0, 0, 0 FROM runs AS r WHERE r.ends_run
        UNION ALL
        SELECT r.cohort, r.active_through, 0, r.sign, 0, 0 FROM runs AS r WHERE r.ends_run
    )
    SELECT e.cohort, e.period, sum(e.active_delta), sum(e.lost), sum(e.new), sum(e.reactivated)
    FROM events AS e
    GROUP BY e.cohort, e.period
    HAVING sum(e.active_delta) <> 0 OR sum(e.lost) <> 0 OR sum(e.new) <> 0 OR sum(e.reactivated) <> 0
    ON CONFLICT (cohort, period) DO UPDATE
    SET active_delta = t.active_delta + excluded.active_delta, lost = t.lost + excluded.lost,
        new = t.new + excluded.new, reactivated = t.reactivated + excluded.reactivated;
    DELETE FROM churn_events WHERE active_delta = 0 AND lost = 0 AND new = 0 AND reactivated = 0;

    INSERT INTO cohort_last_purchases AS t (cohort, last_month, buyers)
    SELECT date_trunc('month', c.first_purchase_at AT TIME ZONE 'UTC')::date,
           date_trunc('month', c.last_purchase_at AT TIME ZONE 'UTC')::date, sum(c.sign)
    FROM summary_total_changes AS c GROUP BY 1, 2
    ON CONFLICT (cohort, last_month) DO UPDATE SET buyers = t.buyers + excluded.buyers;
    DELETE FROM cohort_last_purchases WHERE buyers = 0;

    INSERT INTO summary_currencies AS t (currency, buyers)
    SELECT x.currency, sum(x.sign)
    FROM (SELECT c.sign, c.min_currency AS currency FROM summary_total_changes AS c
          UNION ALL
          SELECT c.sign, c.max_currency FROM summary_total_changes AS c WHERE c.max_currency <> c.min_currency) AS x
    GROUP BY x.currency
    ON CONFLICT (currency) DO UPDATE SET buyers = t.buyers + excluded.buyers;
    DELETE FROM summary_currencies WHERE buyers = 0;
    RETURN refreshed;
END
$$;

-- customer_summaries_current(reads_amounts): whether the summaries match the rows — nothing
-- queued (see above). With reads_amounts, an analysis that adds up amounts fails here, as
-- reading purchase_facts would, when orders or returns are in another currency than
-- reporting_currency() (currency_mismatch). PGOPTIONS='-c patron.summaries=off' makes it
-- false: every analysis then reads the raw rows (to compare the two ways).
CREATE OR REPLACE FUNCTION customer_summaries_current(p_reads_amounts boolean) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    expected text;
    lowest   text;
    highest  text;
BEGIN
    IF current_setting('patron.summaries', true) = 'off' OR EXISTS (SELECT 1 FROM customer_summary_queue)
       OR EXISTS (SELECT 1 FROM customer_month_queue) THEN
        RETURN false;
    END IF;
    IF p_reads_amounts THEN
        SELECT min(c.currency)::text, max(c.currency)::text INTO lowest, highest FROM summary_currencies AS c;
        expected := reporting_currency();
        IF lowest <> expected OR highest <> expected THEN
            PERFORM currency_mismatch(expected, CASE WHEN lowest <> expected THEN lowest ELSE highest END);
        END IF;
    END IF;
    RETURN true;
END
$$;

-- customer_summaries_apply(period, tz, reads_amounts): whether an analysis in these periods
-- may answer from customer_months — UTC months, quarters or years — and the summaries are
-- current.
CREATE OR REPLACE FUNCTION customer_summaries_apply(p_period text, p_tz text, p_reads_amounts boolean) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT p_period IN ('month', 'quarter', 'year')
       AND upper(p_tz) IN ('UTC', 'ETC/UTC', 'UCT', 'ETC/UCT', 'GMT', 'ETC/GMT', 'GMT0', 'ETC/GMT0', 'GMT+0',
                           'ETC/GMT+0', 'GMT-0', 'ETC/GMT-0', 'GREENWICH', 'ETC/GREENWICH', 'UNIVERSAL',
                           'ETC/UNIVERSAL', 'ZULU', 'ETC/ZULU')
       AND customer_summaries_current(p_reads_amounts)
$$;

-- The queueing triggers: one statement-level trigger per table and event (a trigger with
-- transition tables serves one event), each function serving its table's three. They and the
-- refresh run with this schema's search_path (SET … FROM CURRENT: the path migrate created
-- them with), whatever the writer's: a fix made by hand in psql is summarized too.
--
-- A purchase queues its (customer, UTC month) — a cancelled one too: it may have been valid
-- before — and, when its order has returns, its customer whole.
CREATE OR REPLACE FUNCTION queue_purchase_customers() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    inserted bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A statement that brings more rows than the summaries hold (a first load) queues whole
        -- customers: they are summarized in one pass over their purchases.
        SELECT count(*) INTO inserted FROM new_rows;
        IF inserted >= 10000
           AND inserted > (SELECT count(*) FROM (SELECT 1 FROM customer_months LIMIT inserted) AS s) THEN
            INSERT INTO customer_summary_queue (customer_keys)
            SELECT array_agg(DISTINCT customer_key) FROM new_rows;
            RETURN NULL;
        END IF;
        INSERT INTO customer_month_queue (customer_keys, months)
        SELECT array_agg(t.customer_key), array_agg(t.month)
        FROM (SELECT DISTINCT customer_key, date_trunc('month', ordered_at AT TIME ZONE 'UTC')::date AS month
              FROM new_rows) AS t
        HAVING count(*) > 0;
        INSERT INTO customer_summary_queue (customer_keys)
        SELECT array_agg(DISTINCT n.customer_key) FROM new_rows AS n
        WHERE EXISTS (SELECT 1 FROM returns AS r WHERE r.source = n.source AND r.order_id = n.order_id)
        HAVING count(*) > 0;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO customer_month_queue (customer_keys, months)
        SELECT array_agg(t.customer_key), array_agg(t.month)
        FROM (SELECT customer_key, date_trunc('month', ordered_at AT TIME ZONE 'UTC')::date AS month FROM old_rows
              UNION SELECT customer_key, date_trunc('month', ordered_at AT TIME ZONE 'UTC')::date FROM new_rows) AS t
        HAVING count(*) > 0;
        INSERT INTO customer_summary_queue (customer_keys)
        SELECT array_agg(DISTINCT c.customer_key)
        FROM (SELECT customer_key, source, order_id FROM old_rows
              UNION ALL SELECT customer_key, source, order_id FROM new_rows) AS c
        WHERE EXISTS (SELECT 1 FROM returns AS r WHERE r.source = c.source AND r.order_id = c.order_id)
        HAVING count(*) > 0;
    ELSE
        INSERT INTO customer_month_queue (customer_keys, months)
        SELECT array_agg(t.customer_key), array_agg(t.month)
        FROM (SELECT DISTINCT customer_key, date_trunc('month', ordered_at AT TIME ZONE 'UTC')::date AS month
              FROM old_rows) AS t
        HAVING count(*) > 0;
        INSERT INTO customer_summary_queue (customer_keys)
        SELECT array_agg(DISTINCT o.customer_key) FROM old_rows AS o
        WHERE EXISTS (SELECT 1 FROM returns AS r WHERE r.source = o.source AND r.order_id = o.order_id)
        HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$;

-- A return counts for the customer of its order (a return may name no customer itself).
CREATE OR REPLACE FUNCTION queue_return_customers() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO customer_summary_queue (customer_keys)
        SELECT array_agg(p.customer_key)
        FROM (SELECT DISTINCT source, order_id FROM new_rows WHERE order_id IS NOT NULL) AS r
        JOIN purchases AS p ON p.source = r.source AND p.order_id = r.order_id
        HAVING count(*) > 0;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO customer_summary_queue (customer_keys)
        SELECT array_agg(p.customer_key)
        FROM (SELECT source, order_id FROM old_rows WHERE order_id IS NOT NULL
              UNION SELECT source, order_id FROM new_rows WHERE order_id IS NOT NULL) AS r
        JOIN purchases AS p ON p.source = r.source AND p.order_id = r.order_id
        HAVING count(*) > 0;
    ELSE
        INSERT INTO customer_summary_queue (customer_keys)
        SELECT array_agg(p.customer_key)
        FROM (SELECT DISTINCT source, order_id FROM old_rows WHERE order_id IS NOT NULL) AS r
        JOIN purchases AS p ON p.source = r.source AND p.order_id = r.order_id
        HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$;

-- Not on a table distributed by Citus, which allows no triggers (see citus_distribution).
DO $$
BEGIN
    IF is_distributed_by_customer('purchases') THEN
        RETURN;
    END IF;
    CREATE OR REPLACE TRIGGER purchases_queue_summaries_insert AFTER INSERT ON purchases
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION queue_purchase_customers();
    CREATE OR REPLACE TRIGGER purchases_queue_summaries_update AFTER UPDATE ON purchases
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION queue_purchase_customers();
    CREATE OR REPLACE TRIGGER purchases_queue_summaries_delete AFTER DELETE ON purchases
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION queue_purchase_customers();
    CREATE OR REPLACE TRIGGER returns_queue_summaries_insert AFTER INSERT ON returns
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION queue_return_customers();
    CREATE OR REPLACE TRIGGER returns_queue_summaries_update AFTER UPDATE ON returns
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION queue_return_customers();
    CREATE OR REPLACE TRIGGER returns_queue_summaries_delete AFTER DELETE ON returns
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION queue_return_customers();
END
$$;

-- At commit, whatever is still queued is refreshed: one firing per queued statement, the
-- first does the work, the others find the queue empty.
CREATE OR REPLACE FUNCTION flush_customer_summary_queue() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    PERFORM refresh_customer_summaries();
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS customer_summary_queue_flush ON customer_summary_queue;
CREATE CONSTRAINT TRIGGER customer_summary_queue_flush AFTER INSERT ON customer_summary_queue
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION flush_customer_summary_queue();
DROP TRIGGER IF EXISTS customer_month_queue_flush ON customer_month_queue;
CREATE CONSTRAINT TRIGGER customer_month_queue_flush AFTER INSERT ON customer_month_queue
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION flush_customer_summary_queue();

-- What migrations 0009 and 0010 queued (every buyer of an existing warehouse), or anything a failed
-- refresh left: summarized now, in the transaction that creates the models.
SELECT refresh_customer_summaries();
