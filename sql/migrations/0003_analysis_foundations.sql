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
--   reporting_currency()              the one currency of the purchases, or a clear error
--   valid_purchases                   purchases that count: every non-cancelled order
--   purchase_facts                    valid purchases with returns and net value
--   customer_first_purchase           each buyer's first purchase (cohort anchor)
--   customer_dimensions               per customer: country and segment (for --segment)
--   customer_activity                 every dated touch of a customer (for --activity any)
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
    WITH bounds AS (
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

-- The currency every counted purchase and return is in. Patron loads no exchange rates, so
-- amounts in two currencies cannot be added up: that is an error with a clear message
-- (SQLSTATE 22023), not a silent sum. NULL when there are no purchases. VOLATILE on purpose:
-- the planner may drop an unused STABLE call, and the check must run even when no column
-- of purchase_facts that needs it is read.
CREATE FUNCTION reporting_currency() RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    first_currency text;
    other_currency text;
BEGIN
    SELECT currency INTO first_currency FROM purchases WHERE status <> 'cancelled' LIMIT 1;
    SELECT currency INTO other_currency FROM (
        SELECT p.currency FROM purchases AS p
        WHERE p.status <> 'cancelled' AND p.currency <> first_currency
        UNION ALL
        SELECT r.currency FROM returns AS r
        JOIN purchases AS p ON p.source = r.source AND p.order_id = r.order_id AND p.status <> 'cancelled'
        WHERE r.currency <> first_currency
    ) AS others LIMIT 1;
    IF other_currency IS NOT NULL THEN
        RAISE EXCEPTION 'purchases and returns are in more than one currency (% and %); without exchange rates Patron cannot add them up',
            first_currency, other_currency
            USING ERRCODE = '22023',
                  HINT = 'load each currency into its own schema (--schema), or convert the amounts before loading';
    END IF;
    RETURN first_currency;
END
$$;

-- Purchases that count (METRICS.md): every non-cancelled order, whatever its amount.
CREATE VIEW valid_purchases AS
SELECT p.source, p.order_id, p.customer_key, p.ordered_at, p.amount, p.currency, p.channel, p.items
FROM purchases AS p
WHERE p.status <> 'cancelled';

-- One row per valid purchase with its returns and net value = amount − sum of its returns.
-- Returns find their order by (source, order_id) when this is read; returns of cancelled
-- orders (and of orders not loaded) count nowhere. Reading it checks reporting_currency().
CREATE VIEW purchase_facts AS
SELECT p.source, p.order_id, p.customer_key, p.ordered_at, p.amount, p.channel, p.items,
       coalesce(r.returned_amount, 0) AS returned_amount,
       p.amount - coalesce(r.returned_amount, 0) AS net_value,
       c.currency
FROM valid_purchases AS p
CROSS JOIN (SELECT reporting_currency() AS currency) AS c
LEFT JOIN (
    SELECT source, order_id, sum(amount) AS returned_amount
    FROM returns
    WHERE order_id IS NOT NULL
    GROUP BY source, order_id
) AS r ON r.source = p.source AND r.order_id = p.order_id;

-- Each buyer's first valid purchase: when, and through which channel (ties: the smallest
-- (source, order_id)). Someone with only cancelled orders is not a buyer.
CREATE VIEW customer_first_purchase AS
SELECT DISTINCT ON (p.customer_key)
       p.customer_key, p.ordered_at AS first_purchase_at, p.channel AS first_channel
FROM valid_purchases AS p
ORDER BY p.customer_key, p.ordered_at, p.source, p.order_id;

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
