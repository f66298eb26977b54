-- analysis: return_rate
-- summary: Returns per order and refunds per gross revenue, per period or ranked by reason.
-- description: Per period: orders = purchases (non-cancelled orders) placed in it (ordered_at);
--   returns = returns made in it (returned_at), each return row counted (a second partial
--   return of the same order counts again), whenever its order was placed; refunds = their
--   amounts; gross = the amounts of the period's orders. return_rate = returns / orders and
--   refund_rate = refunds / gross (empty when the denominator is 0; a flow ratio, so it can
--   exceed 1). Only returns of loaded, non-cancelled orders count (as in revenue). --by reason
--   gives one row per return reason over the whole reported range instead (all periods from
--   --from to --to, default all data), ranked by number of returns, then refunded amount,
--   then reason; "(none)" when a return has no reason; return_rate there is the reason's
--   returns / all orders of the range. --segment channel (the order's channel) or country
--   (the customer's profile country) splits either shape; "(unknown)" when absent.
-- grain: one row per period (× segment); with --by reason one row per reason (× segment)
-- unique: segment, period
-- unique[by_reason]: segment, reason
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone for period boundaries.
-- param: $5 segment choice(channel,country) : Split by the order's channel or the customer's profile country.
-- param: $6 by choice(period,reason) = period : period: one row per period; reason: reasons ranked over the range.
-- column: segment text : The --segment value ((unknown) when absent); empty without --segment.
-- column: period date : The period's local start date.
-- column: orders bigint : Purchases placed in the period.
-- column: returns bigint : Returns made in the period.
-- column: gross numeric : Amounts of the orders placed.
-- column: refunds numeric : Amounts of the returns made.
-- column: return_rate float8 : returns / orders; empty without orders.
-- column: refund_rate float8 : refunds / gross; empty when gross is 0.
-- column: complete boolean : False while the period is not over.
-- column[by_reason]: segment text : The --segment value ((unknown) when absent); empty without --segment.
-- column[by_reason]: rank bigint : 1 = the reason with the most returns (then the largest refunds); ties share a rank.
-- column[by_reason]: reason text : The return reason, (none) when absent.
-- column[by_reason]: orders bigint : Purchases placed in the whole range.
-- column[by_reason]: returns bigint : That reason's returns in the range.
-- column[by_reason]: gross numeric : Amounts of the orders placed in the range.
-- column[by_reason]: refunds numeric : Amounts of that reason's returns.
-- column[by_reason]: return_rate float8 : The reason's returns / all orders of the range.
-- column[by_reason]: refund_rate float8 : refunds / gross; empty when gross is 0.
-- column[by_reason]: share_of_returns float8 : The reason's returns / all returns of the range.
-- column[by_reason]: complete boolean : False while the range's last period is not over.
-- query: by_reason when by=reason
-- One text for one server and for Citus (docs/scale-out.md): the returns' orders come from
-- return_orders(), which looks them up in the form each can run.
-- Orders and gross come from the monthly roll-up (month_totals, kept exact by every load) when
-- customer_summaries_apply() allows — UTC months, quarters or years, no --segment — else from
-- the orders themselves; returns are always counted from their rows (the summaries hold no
-- count of returns). One-time filters gate each branch.
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
orders AS (
    SELECT f.ordered_at, f.amount,
           CASE s.segment_by WHEN 'channel' THEN coalesce(f.channel, '(unknown)')
                             WHEN 'country' THEN coalesce(d.country, '(unknown)') END AS segment
    FROM purchase_facts AS f
    CROSS JOIN settings AS s
    LEFT JOIN countries AS d ON d.customer_key = f.customer_key
    WHERE NOT (SELECT from_summaries FROM settings)
),
counted_returns AS (
    SELECT r.returned_at, r.amount, coalesce(r.reason, '(none)') AS reason,
           CASE s.segment_by WHEN 'channel' THEN coalesce(r.channel, '(unknown)')
                             WHEN 'country' THEN coalesce(d.country, '(unknown)') END AS segment
    -- Each return of a loaded, non-cancelled order, with the order's channel and customer,
    -- looked up by the order's primary key (return_orders: a form for one server, another
    -- for Citus, where returns are a coordinator table).
    FROM return_orders() AS r
    CROSS JOIN settings AS s
    LEFT JOIN countries AS d ON d.customer_key = r.customer_key
),
-- The orders' first and last instants from the index on ordered_at (orders holds every valid
-- purchase), not from the orders CTE, which would then be materialized.
periods AS (
    SELECT ps.*
    FROM settings AS s
    CROSS JOIN LATERAL period_series(
        s.period, s.tz, s.from_date, s.to_date,
        least((SELECT min(ordered_at) FROM valid_purchases), (SELECT min(returned_at) FROM counted_returns)),
        greatest((SELECT max(ordered_at) FROM valid_purchases), (SELECT max(returned_at) FROM counted_returns))) AS ps
),
range AS (
    SELECT min(period_start) AS range_start, max(period_end) AS range_end, bool_and(complete) AS complete
    FROM periods
),
range_orders AS (
    SELECT o.segment, count(*) AS orders, sum(o.amount) AS gross
    FROM orders AS o CROSS JOIN range AS g
    WHERE o.ordered_at >= g.range_start AND o.ordered_at < g.range_end
    GROUP BY o.segment
    UNION ALL
    -- The range is whole UTC months: the roll-up's months inside it.
    SELECT NULL, sum(t.orders)::bigint, sum(t.gross)
    FROM month_totals AS t CROSS JOIN range AS g
    WHERE (SELECT from_summaries FROM settings)
      AND t.month::timestamp AT TIME ZONE 'UTC' >= g.range_start AND t.month::timestamp AT TIME ZONE 'UTC' < g.range_end
    HAVING sum(t.orders) > 0
),
reasons AS (
    SELECT r.segment, r.reason, count(*) AS returns, sum(r.amount) AS refunds
    FROM counted_returns AS r CROSS JOIN range AS g
    WHERE r.returned_at >= g.range_start AND r.returned_at < g.range_end
    GROUP BY r.segment, r.reason
)
SELECT x.segment,
       rank() OVER (PARTITION BY x.segment ORDER BY x.returns DESC, x.refunds DESC) AS rank,
       x.reason,
       coalesce(o.orders, 0)::bigint AS orders, x.returns::bigint AS returns,
       coalesce(o.gross, 0)::numeric AS gross, x.refunds::numeric AS refunds,
       x.returns::float8 / nullif(o.orders, 0) AS return_rate,
       x.refunds::float8 / nullif(o.gross, 0) AS refund_rate,
       x.returns::float8 / sum(x.returns) OVER (PARTITION BY x.segment) AS share_of_returns,
       g.complete
FROM reasons AS x
CROSS JOIN range AS g
LEFT JOIN range_orders AS o ON o.segment IS NOT DISTINCT FROM x.segment
ORDER BY x.segment NULLS FIRST, x.returns DESC, x.refunds DESC, x.reason
-- query: main
-- One text for one server and for Citus (docs/scale-out.md): the returns' orders come from
-- return_orders(), which looks them up in the form each can run.
-- Orders and gross per period come from the monthly roll-up (month_totals, kept exact by every
-- load) when customer_summaries_apply() allows — UTC months, quarters or years, no --segment —
-- else from the orders themselves; returns are always counted from their rows (the summaries
-- hold no count of returns). One-time filters gate each branch.
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
orders AS (
    SELECT period_label(s.period, s.tz, f.ordered_at) AS period, f.ordered_at, f.amount,
           CASE s.segment_by WHEN 'channel' THEN coalesce(f.channel, '(unknown)')
                             WHEN 'country' THEN coalesce(d.country, '(unknown)') END AS segment
    FROM purchase_facts AS f
    CROSS JOIN settings AS s
    LEFT JOIN countries AS d ON d.customer_key = f.customer_key
    WHERE NOT (SELECT from_summaries FROM settings)
),
counted_returns AS (
    SELECT period_label(s.period, s.tz, r.returned_at) AS period, r.returned_at, r.amount,
           CASE s.segment_by WHEN 'channel' THEN coalesce(r.channel, '(unknown)')
                             WHEN 'country' THEN coalesce(d.country, '(unknown)') END AS segment
    -- Each return of a loaded, non-cancelled order, with the order's channel and customer,
    -- looked up by the order's primary key (return_orders: a form for one server, another
    -- for Citus, where returns are a coordinator table).
    FROM return_orders() AS r
    CROSS JOIN settings AS s
    LEFT JOIN countries AS d ON d.customer_key = r.customer_key
),
-- The totals carry their first and last instants, so that the periods below need not read the
-- rows again (which would materialize them: 10M orders at 1M customers).
order_totals AS (
    SELECT o.segment, o.period, count(*) AS orders, sum(o.amount) AS gross,
           min(o.ordered_at) AS first_at, max(o.ordered_at) AS last_at
    FROM orders AS o GROUP BY o.segment, o.period
    UNION ALL
    -- From the roll-up: a period's months summed (its start stands for its instants).
    SELECT NULL, date_trunc(s.period, t.month::timestamp)::date, sum(t.orders)::bigint, sum(t.gross),
           date_trunc(s.period, t.month::timestamp) AT TIME ZONE 'UTC',
           date_trunc(s.period, t.month::timestamp) AT TIME ZONE 'UTC'
    FROM month_totals AS t CROSS JOIN settings AS s
    WHERE (SELECT from_summaries FROM settings)
    GROUP BY 2, 5
    HAVING sum(t.orders) > 0
),
return_totals AS (
    SELECT r.segment, r.period, count(*) AS returns, sum(r.amount) AS refunds,
           min(r.returned_at) AS first_at, max(r.returned_at) AS last_at
    FROM counted_returns AS r GROUP BY r.segment, r.period
),
periods AS (
    SELECT ps.period, ps.complete
    FROM settings AS s
    CROSS JOIN LATERAL period_series(
        s.period, s.tz, s.from_date, s.to_date,
        least((SELECT min(first_at) FROM order_totals), (SELECT min(first_at) FROM return_totals)),
        greatest((SELECT max(last_at) FROM order_totals), (SELECT max(last_at) FROM return_totals))) AS ps
),
segments AS (
    SELECT segment FROM order_totals
    UNION
    SELECT segment FROM return_totals
    UNION
    SELECT NULL::text FROM settings AS s WHERE s.segment_by IS NULL
)
SELECT g.segment, p.period,
       coalesce(o.orders, 0)::bigint AS orders,
       coalesce(r.returns, 0)::bigint AS returns,
       coalesce(o.gross, 0)::numeric AS gross,
       coalesce(r.refunds, 0)::numeric AS refunds,
       coalesce(r.returns, 0)::float8 / nullif(o.orders, 0) AS return_rate,
       coalesce(r.refunds, 0)::float8 / nullif(o.gross, 0) AS refund_rate,
       p.complete
FROM segments AS g
CROSS JOIN periods AS p
CROSS JOIN settings AS s
LEFT JOIN order_totals AS o ON o.segment IS NOT DISTINCT FROM g.segment AND o.period = p.period
LEFT JOIN return_totals AS r ON r.segment IS NOT DISTINCT FROM g.segment AND r.period = p.period
WHERE s.segment_by IS NULL OR o.orders IS NOT NULL OR r.returns IS NOT NULL
ORDER BY g.segment NULLS FIRST, p.period
