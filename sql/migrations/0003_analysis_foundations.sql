-- Migration 0003: building blocks every named analysis shares (sql/analyses/).
--
-- One definition of each rule of METRICS.md ("Shared parameters and conventions", "Settled
-- edge cases"), so that analyses cannot drift apart:
--
--   data_horizon()                    latest loaded timestamp of any kind (sign-ups excepted)
--   period_interval(period)           length of a period: day, week, month, quarter, year
--   period_label(period, tz, at)      local start date of the period holding `at`
--   period_series(period, tz, from, to, first_at, last_at)
--                                     the periods to report, with bounds and `complete`
--   shift_local_days(at, days, tz)    `at` moved by N local calendar days in `tz`
--   reporting_currency(), currency_mismatch(expected, found)
--                                     the one currency amounts are in; the error otherwise
--   valid_purchases                   purchases that count: every non-cancelled order
--   purchase_facts                    valid purchases with returns and net value
--   customer_first_purchase           each buyer's first purchase instant (cohort anchor)
--   customer_dimensions               per customer: country and segment from profiles
--   customer_dimension(key, dim)      channel, country or segment of one customer (--segment)
--   customer_activity                 every dated touch of a customer (for --activity any)
--   churn_rate_between(start, end, window, tz)  churn_rate's definition for one period
--
-- Functions and views read tables through search_path (Patron's schema), like all of
-- Patron's SQL. Timestamps are timestamptz; `tz` is an IANA zone name.

-- The data horizon: the latest timestamp of any kind loaded in any entity, sign-ups
-- excepted. A period is complete when its end is at or before it. NULL for an empty warehouse.
CREATE FUNCTION data_horizon() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT max(latest) FROM (
        SELECT max(ordered_at) FROM purchases
        UNION ALL SELECT max(returned_at) FROM returns
        UNION ALL SELECT max(created_at) FROM tickets
        UNION ALL SELECT max(first_response_at) FROM tickets
        UNION ALL SELECT max(resolved_at) FROM tickets
        UNION ALL SELECT max(posted_at) FROM mentions
        UNION ALL SELECT max(responded_at) FROM mentions
        UNION ALL SELECT max(responded_at) FROM surveys
    ) AS latest_per_column(latest)
$$;

-- The length of one period. ISO weeks (date_trunc('week') starts on Monday).
CREATE FUNCTION period_interval(p_period text) RETURNS interval
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE p_period
        WHEN 'day' THEN interval '1 day'
        WHEN 'week' THEN interval '7 days'
        WHEN 'month' THEN interval '1 month'
        WHEN 'quarter' THEN interval '3 months'
        WHEN 'year' THEN interval '1 year'
    END
$$;

-- The label of the period that holds `p_at`: its local start date in `p_tz`.
CREATE FUNCTION period_label(p_period text, p_tz text, p_at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT date_trunc(p_period, p_at AT TIME ZONE p_tz)::date
$$;

-- The periods an analysis reports: from the period holding `p_from` (else the one holding
-- `p_first_at`, the analysis' first data) up to the last period starting before `p_to` (else
-- the one holding `p_last_at`, its last data), empty periods included. Each with its local
-- start date (`period`, the label), its bounds as instants (half-open [period_start,
-- period_end)), and `complete` (its end is at or before data_horizon()). No rows when there is
-- no data and no --from/--to. `p_from`/`p_to` are local dates in `p_tz`.
CREATE FUNCTION period_series(p_period text, p_tz text, p_from date, p_to date,
                              p_first_at timestamptz, p_last_at timestamptz)
RETURNS TABLE (period date, period_start timestamptz, period_end timestamptz, complete boolean)
LANGUAGE sql STABLE AS $$
    WITH bounds AS MATERIALIZED (  -- once: data_horizon() scans every table
        SELECT date_trunc(p_period, coalesce(p_from::timestamp, p_first_at AT TIME ZONE p_tz)) AS first_start,
               coalesce(p_to::timestamp,
                        date_trunc(p_period, coalesce(p_last_at, p_first_at) AT TIME ZONE p_tz) + period_interval(p_period))
                   AS stop_before,
               data_horizon() AS horizon
    )
    SELECT local_start::date,
           local_start AT TIME ZONE p_tz,
           (local_start + period_interval(p_period)) AT TIME ZONE p_tz,
           coalesce((local_start + period_interval(p_period)) AT TIME ZONE p_tz <= b.horizon, false)
    FROM bounds AS b
    CROSS JOIN LATERAL generate_series(b.first_start, b.stop_before, period_interval(p_period)) AS s(local_start)
    WHERE local_start < b.stop_before
$$;

-- `p_at` moved by `p_days` local calendar days in `p_tz` (what timestamptz ± interval 'N days'
-- does under that TimeZone): windows anchored at a period boundary count days this way.
CREATE FUNCTION shift_local_days(p_at timestamptz, p_days integer, p_tz text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT ((p_at AT TIME ZONE p_tz) + make_interval(days => p_days)) AT TIME ZONE p_tz
$$;

-- Patron loads no exchange rates, so amounts in two currencies cannot be added up. Views
-- and analyses that read amounts compare each row's currency with the first purchase's and
-- call this on a mismatch: an error with a clear message (SQLSTATE 22023), not a silent sum.
-- Checking row by row inside the scan that reads the amounts anyway costs next to nothing, and
-- an analysis that reads no amounts is not stopped by currencies it never adds up.
CREATE FUNCTION currency_mismatch(p_expected text, p_found text) RETURNS numeric
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION 'purchases and returns are in more than one currency (% and %); without exchange rates Patron cannot add them up',
        p_expected, p_found
        USING ERRCODE = '22023',
              HINT = 'load each currency into its own schema (--schema), or convert the amounts before loading';
END
$$;

-- The currency amounts are compared with: that of any one valid purchase (all must agree).
CREATE FUNCTION reporting_currency() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT currency::text FROM purchases WHERE status <> 'cancelled' LIMIT 1
$$;

-- Purchases that count (METRICS.md): every non-cancelled order, whatever its amount.
CREATE VIEW valid_purchases AS
SELECT p.source, p.order_id, p.customer_key, p.ordered_at, p.amount, p.currency, p.channel, p.items
FROM purchases AS p
WHERE p.status <> 'cancelled';

-- One row per valid purchase with its returns and net value = amount − sum of its returns.
-- Returns find their order by (source, order_id) when this is read; returns of cancelled
-- orders (and of orders not loaded) count nowhere. Reading `amount`, `returned_amount` or
-- `net_value` fails (currency_mismatch) if an order or its returns are in another currency
-- than reporting_currency().
CREATE VIEW purchase_facts AS
SELECT f.source, f.order_id, f.customer_key, f.ordered_at, f.channel, f.items,
       f.amount, f.returned_amount, f.amount - f.returned_amount AS net_value, f.currency
FROM (
    SELECT p.source, p.order_id, p.customer_key, p.ordered_at, p.channel, p.items, c.currency,
           CASE WHEN p.currency = c.currency THEN p.amount
                ELSE currency_mismatch(c.currency, p.currency) END AS amount,
           CASE WHEN r.order_id IS NULL THEN 0
                WHEN r.min_currency = c.currency AND r.max_currency = c.currency THEN r.returned_amount
                ELSE currency_mismatch(c.currency, CASE WHEN r.min_currency <> c.currency THEN r.min_currency ELSE r.max_currency END)
           END AS returned_amount
    FROM valid_purchases AS p
    -- OFFSET 0 keeps the look-up a subquery run once, not a call inlined into every row.
    CROSS JOIN (SELECT reporting_currency() AS currency OFFSET 0) AS c
    LEFT JOIN (
        SELECT source, order_id, sum(amount) AS returned_amount,
               min(currency)::text AS min_currency, max(currency)::text AS max_currency
        FROM returns
        WHERE order_id IS NOT NULL
        GROUP BY source, order_id
    ) AS r ON r.source = p.source AND r.order_id = p.order_id
) AS f;

-- Each buyer's first valid purchase. Someone with only cancelled orders is not a buyer.
CREATE VIEW customer_first_purchase AS
SELECT p.customer_key, min(p.ordered_at) AS first_purchase_at
FROM valid_purchases AS p
GROUP BY p.customer_key;

-- Per customer with a profile: country and segment, from the most recently changed profile
-- that has one (a person may have a profile in several sources).
CREATE VIEW customer_dimensions AS
SELECT c.customer_key,
       (SELECT cp.country FROM customer_profiles AS cp
        WHERE cp.customer_key = c.customer_key AND cp.country IS NOT NULL
        ORDER BY cp.changed_by_run DESC, cp.source LIMIT 1) AS country,
       (SELECT cp.segment FROM customer_profiles AS cp
        WHERE cp.customer_key = c.customer_key AND cp.segment IS NOT NULL
        ORDER BY cp.changed_by_run DESC, cp.source LIMIT 1) AS segment
FROM customers AS c;

-- One dimension of a customer for --segment: `channel` (of their first valid purchase;
-- ties: the smallest (source, order_id)), `country` or `segment` (customer_dimensions); NULL
-- when unknown or for another dimension. A function, so that an analysis pays for the look-up
-- (by index) only when it splits by that dimension:
--   CASE WHEN segment_by IS NOT NULL THEN coalesce(customer_dimension(key, segment_by), '(unknown)') END
CREATE FUNCTION customer_dimension(p_customer_key bigint, p_dimension text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE p_dimension
        WHEN 'channel' THEN (SELECT p.channel FROM valid_purchases AS p
                             WHERE p.customer_key = p_customer_key
                             ORDER BY p.ordered_at, p.source, p.order_id LIMIT 1)
        WHEN 'country' THEN (SELECT d.country FROM customer_dimensions AS d WHERE d.customer_key = p_customer_key)
        WHEN 'segment' THEN (SELECT d.segment FROM customer_dimensions AS d WHERE d.customer_key = p_customer_key)
    END
$$;

-- Every dated touch of a customer: valid purchases (ordered_at), tickets (created_at), survey
-- answers (responded_at) and mentions (posted_at) whose handle resolves to a customer.
CREATE VIEW customer_activity AS
SELECT customer_key, ordered_at AS at, 'purchase' AS kind FROM valid_purchases
UNION ALL
SELECT customer_key, created_at, 'ticket' FROM tickets
UNION ALL
SELECT customer_key, responded_at, 'survey' FROM surveys
UNION ALL
SELECT i.customer_key, m.posted_at, 'mention'
FROM mentions AS m
JOIN customer_identifiers AS i ON i.kind = 'handle' AND i.source = '' AND i.value = m.handle;

-- churn_rate's definition for one period [p_start, p_end): lost ÷ customers active at p_start,
-- active at t meaning a valid purchase in [t − W, t), W = p_window_days local days in p_tz.
-- NULL when nobody was active at p_start. clv --method formula takes its annual churn here.
CREATE FUNCTION churn_rate_between(p_start timestamptz, p_end timestamptz, p_window_days integer, p_tz text)
RETURNS double precision
LANGUAGE sql STABLE AS $$
    SELECT count(*) FILTER (WHERE a.active_at_start AND NOT a.active_at_end)::float8
           / nullif(count(*) FILTER (WHERE a.active_at_start), 0)
    FROM (
        SELECT p.customer_key,
               bool_or(p.ordered_at >= shift_local_days(p_start, -p_window_days, p_tz) AND p.ordered_at < p_start) AS active_at_start,
               bool_or(p.ordered_at >= shift_local_days(p_end, -p_window_days, p_tz) AND p.ordered_at < p_end) AS active_at_end
        FROM valid_purchases AS p
        WHERE p.ordered_at < p_end
        GROUP BY p.customer_key
    ) AS a
$$;
