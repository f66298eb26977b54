-- analysis: revenue
-- summary: Orders, buying customers, gross and net revenue, refunds and AOV per period.
-- description: Orders are purchases (non-cancelled orders), placed in a period by ordered_at.
--   gross = sum of their amounts; net_revenue = the same orders net of all their returns to
--   date (a later return lowers an old period's net revenue, so it can still move);
--   aov = gross / orders. refunds = the amounts returned in the period (placed by
--   returned_at, whenever the order was placed). Only returns of loaded, non-cancelled orders
--   count: a return of a cancelled order is ignored, a return without order_id counts
--   nowhere (net value needs its order), and one whose order is not loaded (yet) counts
--   nowhere until its order arrives. --segment channel splits by the order's
--   channel (a refund follows its order), country by the customer's profile country;
--   "(unknown)" when absent. Periods run from the first order or counted return (or --from)
--   to the last (or --to), empty ones included; with --segment only segment × period pairs
--   with orders or refunds are listed. Amounts are in the one currency of the data.
-- grain: one row per period (× segment with --segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone for period boundaries.
-- param: $5 segment choice(channel,country) : Split by the order's channel or the customer's profile country.
-- column: segment text : The --segment value ((unknown) when absent); empty without --segment.
-- column: period date : The period's local start date.
-- column: orders bigint : Purchases (non-cancelled orders) placed in the period.
-- column: customers bigint : Distinct customers with an order in the period.
-- column: gross numeric : Sum of the amounts of the period's orders.
-- column: net_revenue numeric : gross minus every return of those orders to date.
-- column: refunds numeric : Amounts returned in the period (returns of loaded, non-cancelled orders).
-- column: aov numeric : Average order value, gross / orders; empty without orders.
-- column: complete boolean : False while the period is not over (its end is after the data horizon).
-- query: main
-- Two ways to the same totals: from the monthly summaries (month_totals, customer_months; kept
-- exact by every load) when customer_summaries_apply() allows — UTC months, quarters or years,
-- no --segment — else from the orders and returns themselves. Each branch is gated by a
-- one-time filter, so only one of them runs.
-- The orders and the refunds are read once each, by their totals (order_totals,
-- refund_totals), and the periods run from the first to the last period of those totals: so
-- both are part of their aggregate, and no row of them is kept in between. On Citus
-- (docs/scale-out.md) each shard then adds its orders up per period and the coordinator adds
-- those partial totals up; a CTE of orders, read twice or not inlined, would be planned apart
-- and send every order to the coordinator.
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz, $5::text AS segment_by,
           $5::text IS NULL AND customer_summaries_apply($3::text, $4::text, true) AS from_summaries
),
-- Profile countries, read only for --segment country.
countries AS (
    SELECT d.customer_key, d.country
    FROM customer_dimensions AS d
    WHERE (SELECT segment_by FROM settings) = 'country'
),
-- Returns of loaded, non-cancelled orders, placed by returned_at. Read once, by refund_totals.
refunds AS (
    SELECT period_label(s.period, s.tz, r.returned_at) AS period, r.returned_at, r.amount,
           CASE s.segment_by WHEN 'channel' THEN coalesce(p.channel, '(unknown)')
                             WHEN 'country' THEN coalesce(d.country, '(unknown)') END AS segment
    FROM returns AS r
    JOIN valid_purchases AS p ON p.source = r.source AND p.order_id = r.order_id
    CROSS JOIN settings AS s
    LEFT JOIN countries AS d ON d.customer_key = p.customer_key
    WHERE NOT (SELECT from_summaries FROM settings)
),
-- The summaries' branch: per period, from the monthly roll-up (buyers are distinct within a
-- month; a quarter or year counts its distinct customers from customer_months below).
summary_totals AS (
    SELECT date_trunc(s.period, t.month::timestamp)::date AS period,
           sum(t.orders)::bigint AS orders, sum(t.buyers)::bigint AS customer_months,
           sum(t.gross) AS gross, sum(t.gross) - sum(t.returned) AS net_revenue, sum(t.refunds) AS refunds
    FROM month_totals AS t
    CROSS JOIN settings AS s
    WHERE (SELECT from_summaries FROM settings)
    GROUP BY 1
),
summary_quarter_year_buyers AS (
    SELECT b.period, count(*) AS customers
    FROM (SELECT DISTINCT date_trunc(s.period, m.month::timestamp)::date AS period, m.customer_key
          FROM customer_months AS m CROSS JOIN settings AS s
          WHERE (SELECT from_summaries AND period <> 'month' FROM settings) AND m.orders > 0) AS b
    GROUP BY b.period
),
order_totals AS (
    SELECT o.segment, o.period, count(*) AS orders, count(DISTINCT o.customer_key) AS customers,
           sum(o.amount) AS gross, sum(o.net_value) AS net_revenue
    -- One row per order. A subquery, not a CTE: purchase_facts calls currency_mismatch(), which
    -- is volatile, and neither PostgreSQL nor Citus inlines a CTE that calls a volatile function.
    FROM (
        SELECT period_label(s.period, s.tz, f.ordered_at) AS period, f.ordered_at, f.customer_key,
               f.amount, f.net_value,
               CASE s.segment_by WHEN 'channel' THEN coalesce(f.channel, '(unknown)')
                                 WHEN 'country' THEN coalesce(d.country, '(unknown)') END AS segment
        FROM purchase_facts AS f
        CROSS JOIN settings AS s
        LEFT JOIN countries AS d ON d.customer_key = f.customer_key
        WHERE NOT (SELECT from_summaries FROM settings)
    ) AS o
    GROUP BY o.segment, o.period
    UNION ALL
    SELECT NULL, t.period, t.orders, coalesce(b.customers, t.customer_months), t.gross, t.net_revenue
    FROM summary_totals AS t
    LEFT JOIN summary_quarter_year_buyers AS b ON b.period = t.period
    WHERE t.orders > 0
),
-- Its summaries' arm lists every period of summary_totals, with or without orders, so that the
-- periods below span them all.
refund_totals AS (
    SELECT r.segment, r.period, sum(r.amount) AS refunds
    FROM refunds AS r
    GROUP BY r.segment, r.period
    UNION ALL
    SELECT NULL, t.period, t.refunds
    FROM summary_totals AS t
),
-- From the first to the last period with orders or refunds. period_series places its bounds in
-- their periods (date_trunc of the local time), so a period's local start stands for every
-- instant in it: the same periods as from the first and last order or return themselves.
periods AS (
    SELECT ps.period, ps.complete
    FROM settings AS s
    CROSS JOIN LATERAL period_series(
        s.period, s.tz, s.from_date, s.to_date,
        least((SELECT min(period) FROM order_totals), (SELECT min(period) FROM refund_totals))::timestamp AT TIME ZONE s.tz,
        greatest((SELECT max(period) FROM order_totals), (SELECT max(period) FROM refund_totals))::timestamp AT TIME ZONE s.tz) AS ps
),
-- DISTINCT over UNION ALL, not UNION: PostgreSQL sizes a UNION's hash table for every input row
-- distinct, and it estimates the orders' groups at about one per order (their period is
-- computed from ordered_at): allocating that hash table cost more than the summaries' whole
-- query. A DISTINCT is estimated from the column instead.
segments AS (
    SELECT DISTINCT x.segment
    FROM (SELECT segment FROM order_totals
          UNION ALL
          SELECT segment FROM refund_totals
          UNION ALL
          SELECT NULL::text FROM settings AS s WHERE s.segment_by IS NULL) AS x
)
SELECT g.segment, p.period,
       coalesce(o.orders, 0)::bigint AS orders,
       coalesce(o.customers, 0)::bigint AS customers,
       coalesce(o.gross, 0)::numeric AS gross,
       coalesce(o.net_revenue, 0)::numeric AS net_revenue,
       coalesce(r.refunds, 0)::numeric AS refunds,
       o.gross / nullif(o.orders, 0) AS aov,
       p.complete
FROM segments AS g
CROSS JOIN periods AS p
CROSS JOIN settings AS s
LEFT JOIN order_totals AS o ON o.segment IS NOT DISTINCT FROM g.segment AND o.period = p.period
LEFT JOIN refund_totals AS r ON r.segment IS NOT DISTINCT FROM g.segment AND r.period = p.period
WHERE s.segment_by IS NULL OR o.orders IS NOT NULL OR r.refunds IS NOT NULL
ORDER BY g.segment NULLS FIRST, p.period
