-- customer_summaries: keeps the summaries of migration 0009 exact — customer_totals,
-- customer_months and their roll-ups (month_totals, cohort_month_buyers, cohort_last_purchases,
-- churn_events, summary_currencies): refresh_customer_summaries() → bigint and
-- summary_contributions(sign), the triggers that queue the customers a statement touched, and
-- customer_summaries_current(reads_amounts) / customer_summaries_apply(period, tz,
-- reads_amounts) → boolean, which tell an analysis whether it may read them.
--
-- Why: analyses that read every purchase cost many passes over 10M wide rows; the summaries
-- hold the same facts per customer (and per customer and UTC month), and the roll-ups the
-- headline counts per month, so those analyses read a few hundred rows, 1M small ones, or
-- ~7M narrow ones, and give the same answer (docs/performance.md).
--
-- How they stay exact: every statement that inserts, updates or deletes purchases or returns
-- queues the customer keys it touched, before and after (a purchase moved to another customer
-- by a merge or a re-key queues both; a return queues the customer of its order, old and new).
-- The queue is flushed — those customers' summary rows deleted and computed again from
-- purchases and returns — by refresh_customer_summaries(), which the loader calls before it
-- records a run, and in any case by a deferred trigger at commit: whoever writes, the
-- committed summaries match the committed rows. An analysis reads the summaries only when the
-- queue is empty (inside a writing transaction it is not: the raw rows are read then).
--
-- The one time zone: months are UTC calendar months, so the summaries answer --period
-- month|quarter|year in UTC (and the time zones that are UTC under another name); any other
-- --tz or --period reads the raw rows, slower, same definitions. A customer's first purchase
-- instant and their totals are exact in every time zone.
--
-- reads:      purchases (through valid_purchases), returns, customer_summary_queue, the summaries
-- depends on: valid_purchases, load_suspend_indexes, reporting_currency, currency_mismatch

CREATE OR REPLACE FUNCTION refresh_customer_summaries() RETURNS bigint
LANGUAGE plpgsql
-- A full rebuild aggregates every purchase: in memory rather than in spill files. A nightly
-- refresh reads a few thousand customers' rows: through their indexes, from pages mostly
-- cached — at the default random_page_cost (4, a spinning disk's) the planner scans whole
-- tables instead, 10x slower at 1M customers (measured; docs/performance.md).
SET work_mem = '256MB'
SET random_page_cost = 1.1
-- A trigger runs it for whoever writes, with their search_path: the summaries are this schema's.
SET search_path FROM CURRENT
AS $$
DECLARE
    refreshed bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM customer_summary_queue) THEN
        RETURN 0;
    END IF;
    CREATE TEMP TABLE IF NOT EXISTS summary_refresh_keys (customer_key bigint PRIMARY KEY) ON COMMIT DELETE ROWS;
    TRUNCATE summary_refresh_keys;
    WITH taken AS (DELETE FROM customer_summary_queue RETURNING customer_keys)
    INSERT INTO summary_refresh_keys
    SELECT DISTINCT k FROM taken CROSS JOIN LATERAL unnest(taken.customer_keys) AS k WHERE k IS NOT NULL;
    GET DIAGNOSTICS refreshed = ROW_COUNT;
    ANALYZE summary_refresh_keys;

    CREATE TEMP TABLE IF NOT EXISTS summary_deltas (
        kind text, month date, cohort date, gross_scale integer, returned_scale integer, refunds_scale integer,
        currency char(3), customer_months bigint, buyers bigint, orders bigint,
        gross numeric, returned numeric, refunds numeric,
        active_delta bigint, lost bigint, new bigint, reactivated bigint
    ) ON COMMIT DELETE ROWS;
    TRUNCATE summary_deltas;
    PERFORM summary_contributions(-1);
    DELETE FROM customer_months AS m USING summary_refresh_keys AS k WHERE m.customer_key = k.customer_key;
    DELETE FROM customer_totals AS t USING summary_refresh_keys AS k WHERE t.customer_key = k.customer_key;
    -- A rebuild of most customers (a first load, a new source) builds the indexes once at the
    -- end instead of row by row, as the loader does (load_suspend_indexes.sql).
    PERFORM suspend_indexes('customer_months', refreshed * 4);
    PERFORM suspend_indexes('customer_totals', refreshed);

    -- Per customer and UTC month (as a local timestamp: its start), their valid purchases …
    WITH order_months AS (
        SELECT p.customer_key, date_trunc('month', p.ordered_at AT TIME ZONE 'UTC') AS month_start,
               count(*) AS orders, sum(p.amount) AS gross,
               min(p.ordered_at) AS first_ordered_at, max(p.ordered_at) AS last_ordered_at,
               min(p.currency) AS min_currency, max(p.currency) AS max_currency
        FROM valid_purchases AS p
        JOIN summary_refresh_keys AS k ON k.customer_key = p.customer_key
        GROUP BY 1, 2
    ),
    -- … and the returns of those purchases: by the month of their order (returned) and their
    -- own (refunds).
    order_returns AS (
        SELECT p.customer_key, date_trunc('month', p.ordered_at AT TIME ZONE 'UTC') AS order_month,
               date_trunc('month', r.returned_at AT TIME ZONE 'UTC') AS return_month, r.amount, r.currency
        FROM returns AS r
        JOIN valid_purchases AS p ON p.source = r.source AND p.order_id = r.order_id
        JOIN summary_refresh_keys AS k ON k.customer_key = p.customer_key
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
    ),
    months AS (
        SELECT coalesce(m.customer_key, x.customer_key) AS customer_key,
               coalesce(m.month_start, x.month_start)::date AS month,
               coalesce(m.orders, 0) AS orders, coalesce(m.gross, 0) AS gross,
               coalesce(rt.returned, 0) AS returned, coalesce(x.refunds, 0) AS refunds,
               m.first_ordered_at, m.last_ordered_at,
               least(m.min_currency, rt.min_currency, x.min_currency) AS min_currency,
               greatest(m.max_currency, rt.max_currency, x.max_currency) AS max_currency
        FROM order_months AS m
        LEFT JOIN returned_by_month AS rt ON rt.customer_key = m.customer_key AND rt.month_start = m.month_start
        FULL JOIN refunds_by_month AS x ON x.customer_key = m.customer_key AND x.month_start = m.month_start
    ),
    totals AS (
        SELECT customer_key, min(first_ordered_at) AS first_purchase_at, max(last_ordered_at) AS last_purchase_at,
               sum(orders) AS orders, sum(gross) AS gross, sum(returned) AS returned,
               min(min_currency) AS min_currency, max(max_currency) AS max_currency
        FROM months GROUP BY customer_key
    ),
    totals_written AS (
        INSERT INTO customer_totals (customer_key, first_purchase_at, last_purchase_at, orders, gross, returned,
                                     min_currency, max_currency)
        SELECT * FROM totals
    )
    INSERT INTO customer_months (customer_key, month, first_purchase_at, orders, gross, returned, refunds,
                                 first_ordered_at, last_ordered_at)
    SELECT m.customer_key, m.month, t.first_purchase_at,
           m.orders, m.gross, m.returned, m.refunds, m.first_ordered_at, m.last_ordered_at
    FROM months AS m
    JOIN totals AS t ON t.customer_key = m.customer_key;
    PERFORM restore_indexes();
    PERFORM summary_contributions(1);

    INSERT INTO month_totals AS t (month, gross_scale, returned_scale, refunds_scale, customer_months, buyers,
                                   orders, gross, returned, refunds)
    SELECT d.month, d.gross_scale, d.returned_scale, d.refunds_scale, sum(d.customer_months), sum(d.buyers),
           sum(d.orders), sum(d.gross), sum(d.returned), sum(d.refunds)
    FROM summary_deltas AS d WHERE d.kind = 'month'
    GROUP BY d.month, d.gross_scale, d.returned_scale, d.refunds_scale
    ON CONFLICT (month, gross_scale, returned_scale, refunds_scale) DO UPDATE
    SET customer_months = t.customer_months + excluded.customer_months, buyers = t.buyers + excluded.buyers,
        orders = t.orders + excluded.orders, gross = t.gross + excluded.gross,
        returned = t.returned + excluded.returned, refunds = t.refunds + excluded.refunds;
    DELETE FROM month_totals WHERE customer_months = 0;

    INSERT INTO cohort_month_buyers AS t (cohort, month, buyers, repeat_buyers)
    SELECT d.cohort, d.month, sum(d.buyers), sum(d.orders)   -- orders: the repeat buyers
    FROM summary_deltas AS d WHERE d.kind = 'cohort' GROUP BY d.cohort, d.month
    ON CONFLICT (cohort, month) DO UPDATE
    SET buyers = t.buyers + excluded.buyers, repeat_buyers = t.repeat_buyers + excluded.repeat_buyers;
    DELETE FROM cohort_month_buyers WHERE buyers = 0;

    INSERT INTO cohort_last_purchases AS t (cohort, last_month, buyers)
    SELECT d.cohort, d.month, sum(d.buyers) FROM summary_deltas AS d WHERE d.kind = 'last' GROUP BY d.cohort, d.month
    ON CONFLICT (cohort, last_month) DO UPDATE SET buyers = t.buyers + excluded.buyers;
    DELETE FROM cohort_last_purchases WHERE buyers = 0;

    INSERT INTO summary_currencies AS t (currency, buyers)
    SELECT d.currency, sum(d.buyers) FROM summary_deltas AS d WHERE d.kind = 'currency' GROUP BY d.currency
    ON CONFLICT (currency) DO UPDATE SET buyers = t.buyers + excluded.buyers;
    DELETE FROM summary_currencies WHERE buyers = 0;

    INSERT INTO churn_events AS t (cohort, period, active_delta, lost, new, reactivated)
    SELECT d.cohort, d.month, sum(d.active_delta), sum(d.lost), sum(d.new), sum(d.reactivated)
    FROM summary_deltas AS d WHERE d.kind = 'churn' GROUP BY d.cohort, d.month
    ON CONFLICT (cohort, period) DO UPDATE
    SET active_delta = t.active_delta + excluded.active_delta, lost = t.lost + excluded.lost,
        new = t.new + excluded.new, reactivated = t.reactivated + excluded.reactivated;
    DELETE FROM churn_events WHERE active_delta = 0 AND lost = 0 AND new = 0 AND reactivated = 0;
    RETURN refreshed;
END
$$;

-- summary_contributions(sign): what the summary rows of the customers being refreshed
-- (summary_refresh_keys) add to the roll-ups (month_totals, cohort_month_buyers,
-- cohort_last_purchases, summary_currencies), times sign, into summary_deltas: −1 for the rows
-- about to be replaced, +1 for their replacements.
CREATE OR REPLACE FUNCTION summary_contributions(p_sign integer) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    WITH months AS (
        SELECT m.* FROM customer_months AS m JOIN summary_refresh_keys AS k ON k.customer_key = m.customer_key
    ),
    by_month AS (
        INSERT INTO summary_deltas (kind, month, gross_scale, returned_scale, refunds_scale, customer_months, buyers,
                                    orders, gross, returned, refunds)
        SELECT 'month', m.month, scale(m.gross), scale(m.returned), scale(m.refunds), p_sign * count(*),
               p_sign * count(*) FILTER (WHERE m.orders > 0), p_sign * sum(m.orders),
               p_sign * sum(m.gross), p_sign * sum(m.returned), p_sign * sum(m.refunds)
        FROM months AS m
        GROUP BY m.month, scale(m.gross), scale(m.returned), scale(m.refunds)
    ),
    -- The months with purchases in order, one sort for both uses below: with the customer's
    -- last purchase before the month, and churn_rate's coverage at --window 90 in UTC months
    -- (where a local day is 24 hours): from the next month up to the month holding the last
    -- purchase + 90 days, which is always later (90 days > two months), so churn_rate's
    -- filter active_from <= active_through keeps every row.
    ordered AS (
        SELECT m.customer_key, m.month, m.orders,
               date_trunc('month', m.first_purchase_at AT TIME ZONE 'UTC')::date AS cohort,
               lag(m.last_ordered_at) OVER w AS previous_last_at,
               (m.month + interval '1 month')::date AS active_from,
               date_trunc('month', (m.last_ordered_at AT TIME ZONE 'UTC') + interval '90 days')::date AS active_through,
               lag(date_trunc('month', (m.last_ordered_at AT TIME ZONE 'UTC') + interval '90 days')::date) OVER w
                   AS previous_active_through
        FROM months AS m
        WHERE m.orders > 0
        WINDOW w AS (PARTITION BY m.customer_key ORDER BY m.month)
    ),
    -- A buyer of month m is a repeat buyer at loyal_customer_rate's defaults when m holds two
    -- purchases, or their last purchase before m lies in the 365 days before m's end.
    by_cohort AS (
        INSERT INTO summary_deltas (kind, cohort, month, buyers, orders)
        SELECT 'cohort', o.cohort, o.month, p_sign * count(*),
               p_sign * count(*) FILTER (
                   WHERE o.orders >= 2
                      OR o.previous_last_at >= ((o.month + interval '1 month')::timestamp - interval '365 days') AT TIME ZONE 'UTC')
        FROM ordered AS o
        GROUP BY o.cohort, o.month
    ),
    -- churn_rate's runs of activity and their events, as sql/analyses/churn_rate.sql computes them.
    runs AS (
        SELECT r.customer_key, r.cohort, min(r.active_from) AS run_from, max(r.active_through) AS run_through
        FROM (SELECT o.customer_key, o.cohort, o.active_from, o.active_through,
                     sum(CASE WHEN o.active_from <= (o.previous_active_through + interval '1 month')::date THEN 0 ELSE 1 END)
                         OVER (PARTITION BY o.customer_key ORDER BY o.month) AS run_number
              FROM ordered AS o) AS r
        GROUP BY r.customer_key, r.cohort, r.run_number
    ),
    events AS (
        SELECT r.cohort, r.run_from AS period, 1 AS active_delta, 0 AS lost, 0 AS new, 0 AS reactivated FROM runs AS r
        UNION ALL
        SELECT r.cohort, (r.run_through + interval '1 month')::date, -1, 0, 0, 0 FROM runs AS r
        UNION ALL
        SELECT r.cohort, r.run_through, 0, 1, 0, 0 FROM runs AS r
        UNION ALL
        SELECT r.cohort, (r.run_from - interval '1 month')::date, 0, 0,
               (r.cohort = (r.run_from - interval '1 month')::date)::int,
               (r.cohort < (r.run_from - interval '1 month')::date)::int
        FROM runs AS r
    )
    INSERT INTO summary_deltas (kind, cohort, month, active_delta, lost, new, reactivated)
    SELECT 'churn', e.cohort, e.period, p_sign * sum(e.active_delta), p_sign * sum(e.lost), p_sign * sum(e.new),
           p_sign * sum(e.reactivated)
    FROM events AS e
    GROUP BY e.cohort, e.period;

    WITH totals AS (
        SELECT t.* FROM customer_totals AS t JOIN summary_refresh_keys AS k ON k.customer_key = t.customer_key
    ),
    by_last AS (
        INSERT INTO summary_deltas (kind, cohort, month, buyers)
        SELECT 'last', date_trunc('month', t.first_purchase_at AT TIME ZONE 'UTC')::date,
               date_trunc('month', t.last_purchase_at AT TIME ZONE 'UTC')::date, p_sign * count(*)
        FROM totals AS t
        GROUP BY 2, 3
    )
    INSERT INTO summary_deltas (kind, currency, buyers)
    SELECT 'currency', c.currency, p_sign * count(*)
    FROM totals AS t
    CROSS JOIN LATERAL (SELECT t.min_currency UNION SELECT t.max_currency) AS c(currency)
    GROUP BY c.currency;
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
    IF current_setting('patron.summaries', true) = 'off' OR EXISTS (SELECT 1 FROM customer_summary_queue) THEN
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
CREATE OR REPLACE FUNCTION queue_purchase_customers() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO customer_summary_queue (customer_keys)
        SELECT array_agg(k) FROM (SELECT DISTINCT customer_key FROM new_rows) AS t(k) HAVING count(*) > 0;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO customer_summary_queue (customer_keys)
        SELECT array_agg(k)
        FROM (SELECT customer_key FROM old_rows UNION SELECT customer_key FROM new_rows) AS t(k)
        HAVING count(*) > 0;
    ELSE
        INSERT INTO customer_summary_queue (customer_keys)
        SELECT array_agg(k) FROM (SELECT DISTINCT customer_key FROM old_rows) AS t(k) HAVING count(*) > 0;
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

-- What migration 0009 queued (every buyer of an existing warehouse), or anything a failed
-- refresh left: summarized now, in the transaction that creates the models.
SELECT refresh_customer_summaries();
