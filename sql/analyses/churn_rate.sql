-- analysis: churn_rate
-- summary: Customer churn rate per period: lost customers ÷ customers active at the start.
-- description: A customer is active at instant t if they have a purchase (a non-cancelled
--   order) in [t − W, t), W = --window local calendar days in --tz. For each period [s, e):
--   customers_start = active at s; lost = active at s and not at e; new = first purchase in
--   [s, e) and active at e; reactivated = purchased before s, not active at s, active at e;
--   customers_end = active at e. So customers_end = customers_start − lost + new +
--   reactivated. churn_rate = lost / customers_start, retention_rate = 1 − churn_rate (empty
--   when nobody was active at s). A purchase exactly at t − W makes a customer active at t;
--   one exactly at t does not. Periods run from the first purchase (or --from) to the last
--   (or --to), empty ones included.
-- grain: one row per period (× segment with --segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods and window days are local there.
-- param: $5 window int(1..) = 90 : W: a customer is active while their last purchase is less than W days old.
-- param: $6 segment choice(channel,country,segment,cohort) : Split by first-purchase channel, profile country, profile segment or first-purchase cohort (period label).
-- column: segment text : The --segment value ((unknown) when the customer has none); empty without --segment.
-- column: period date : The period's local start date.
-- column: customers_start bigint : Customers active at the period start s.
-- column: lost bigint : Active at s, not active at the period end e.
-- column: new bigint : First purchase in [s, e) and active at e.
-- column: reactivated bigint : Bought before s, not active at s, active at e.
-- column: customers_end bigint : Active at e (= customers_start − lost + new + reactivated).
-- column: churn_rate float8 : lost / customers_start; empty when customers_start is 0.
-- column: retention_rate float8 : 1 − churn_rate.
-- column: complete boolean : False while the period is not over (its end is after the data horizon).
-- query: main
-- Three ways to the same counts, all kept exact by every load, when customer_summaries_apply()
-- allows (UTC months, quarters or years; no --segment other than cohort): at the defaults
-- (--window 90, months) the events below come rolled up per cohort and month (churn_events);
-- else the buyers and their last purchase per period come from customer_totals and
-- customer_months; else from the purchases themselves. One-time filters gate each branch.
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           $5::int AS window_days, $6::text AS segment_by, period_interval($3::text) AS step,
           ($6::text IS NULL OR $6::text = 'cohort') AND customer_summaries_apply($3::text, $4::text, false)
               AS from_summaries,
           ($6::text IS NULL OR $6::text = 'cohort') AND $3::text = 'month' AND $5::int = 90
               AND customer_summaries_apply($3::text, $4::text, false) AS from_rollup
),
first_purchases AS (
    SELECT f.customer_key, f.first_purchase_at
    FROM customer_first_purchase AS f
    WHERE NOT (SELECT from_summaries FROM settings)
    UNION ALL
    SELECT t.customer_key, t.first_purchase_at
    FROM customer_totals AS t
    WHERE (SELECT from_summaries FROM settings)
),
buyers AS (
    SELECT f.customer_key,
           period_label(s.period, s.tz, f.first_purchase_at) AS first_period,
           CASE WHEN s.segment_by IS NULL THEN NULL
                WHEN s.segment_by = 'cohort' THEN period_label(s.period, s.tz, f.first_purchase_at)::text
                ELSE coalesce((SELECT CASE $6::text WHEN 'channel' THEN cs.channel WHEN 'country' THEN cs.country
                                                      WHEN 'segment' THEN cs.segment END
                               FROM customer_segments AS cs WHERE cs.customer_key = f.customer_key), '(unknown)')
           END AS segment
    FROM first_purchases AS f
    CROSS JOIN settings AS s
),
-- The purchases of one customer in one period make them active at every period boundary b
-- with purchase < b <= purchase + W: from the next boundary up to the start of the period
-- holding (latest purchase of the period + W days). Boundaries are named by their label.
coverage AS (
    SELECT cp.customer_key, cp.period,
           (cp.period + s.step)::date AS active_from,
           period_label(s.period, s.tz, shift_local_days(cp.last_at, s.window_days, s.tz)) AS active_through
    FROM (
        SELECT p.customer_key, period_label(s.period, s.tz, p.ordered_at) AS period, max(p.ordered_at) AS last_at
        FROM valid_purchases AS p CROSS JOIN settings AS s
        WHERE NOT (SELECT from_summaries FROM settings)
        GROUP BY p.customer_key, period_label(s.period, s.tz, p.ordered_at)
        UNION ALL
        SELECT m.customer_key, m.month, m.last_ordered_at
        FROM customer_months AS m
        WHERE (SELECT from_summaries AND period = 'month' FROM settings) AND m.orders > 0
        UNION ALL
        SELECT m.customer_key, date_trunc(s.period, m.month::timestamp)::date, max(m.last_ordered_at)
        FROM customer_months AS m CROSS JOIN settings AS s
        WHERE (SELECT from_summaries AND period <> 'month' FROM settings) AND m.orders > 0
        GROUP BY 1, 2
    ) AS cp
    CROSS JOIN settings AS s
),
-- Consecutive boundaries merge into runs of activity [run_from, run_through] (labels).
-- active_through never decreases with the period, so the previous row bounds the run so far.
run_starts AS (
    SELECT c.customer_key, c.period, c.active_from, c.active_through,
           CASE WHEN c.active_from <= (lag(c.active_through) OVER w + s.step)::date THEN 0 ELSE 1 END AS starts_run
    FROM coverage AS c CROSS JOIN settings AS s
    WHERE c.active_from <= c.active_through
    WINDOW w AS (PARTITION BY c.customer_key ORDER BY c.period)
),
runs AS (
    SELECT r.customer_key, min(r.active_from) AS run_from, max(r.active_through) AS run_through
    FROM (SELECT rs.*, sum(rs.starts_run) OVER (PARTITION BY rs.customer_key ORDER BY rs.period) AS run_number
          FROM run_starts AS rs) AS r
    GROUP BY r.customer_key, r.run_number
),
-- Each run with its customer's segment and first purchase period. Gated here too, not only
-- below: read four times, it is a subplan on Citus, which computes it before anything can
-- skip it (one server never reads it when the roll-up answers).
buyer_runs AS (
    SELECT b.segment, b.first_period, r.run_from, r.run_through
    FROM runs AS r JOIN buyers AS b ON b.customer_key = r.customer_key
    WHERE NOT (SELECT from_rollup FROM settings)
),
-- Per label: +1 where a run starts being active, −1 after it ends; lost in the run's last
-- period (active at its start, not at its end); a run's start is new or reactivated in the
-- period before it (the purchase that started it).
events AS (
    SELECT r.segment, r.run_from AS period, 1 AS active_delta, 0 AS lost, 0 AS new, 0 AS reactivated
    FROM buyer_runs AS r
    UNION ALL
    SELECT r.segment, (r.run_through + s.step)::date, -1, 0, 0, 0
    FROM buyer_runs AS r CROSS JOIN settings AS s
    UNION ALL
    SELECT r.segment, r.run_through, 0, 1, 0, 0
    FROM buyer_runs AS r
    UNION ALL
    SELECT r.segment, (r.run_from - s.step)::date, 0, 0,
           (r.first_period = (r.run_from - s.step)::date)::int,
           (r.first_period < (r.run_from - s.step)::date)::int
    FROM buyer_runs AS r CROSS JOIN settings AS s
),
events_by_period AS (
    SELECT e.segment, e.period, sum(e.active_delta) AS active_delta,
           sum(e.lost) AS lost, sum(e.new) AS new, sum(e.reactivated) AS reactivated
    FROM events AS e
    WHERE NOT (SELECT from_rollup FROM settings)
    GROUP BY e.segment, e.period
    UNION ALL
    SELECT CASE WHEN s.segment_by = 'cohort' THEN c.cohort::text END, c.period, sum(c.active_delta)::bigint,
           sum(c.lost)::bigint, sum(c.new)::bigint, sum(c.reactivated)::bigint
    FROM churn_events AS c
    CROSS JOIN settings AS s
    WHERE (SELECT from_rollup FROM settings)
    GROUP BY 1, 2
),
periods AS (
    SELECT ps.period, (ps.period + s.step)::date AS next_period, ps.complete
    FROM settings AS s
    CROSS JOIN LATERAL period_series(
        s.period, s.tz, s.from_date, s.to_date,
        (SELECT min(ordered_at) FROM valid_purchases),
        (SELECT max(ordered_at) FROM valid_purchases)) AS ps
),
segments AS (
    SELECT DISTINCT e.segment FROM events_by_period AS e
    UNION
    SELECT NULL::text FROM settings AS s WHERE s.segment_by IS NULL
),
counts AS (
    SELECT g.segment, p.period, p.complete,
           coalesce((SELECT sum(e.active_delta) FROM events_by_period AS e
                     WHERE e.segment IS NOT DISTINCT FROM g.segment AND e.period <= p.period), 0) AS customers_start,
           coalesce((SELECT sum(e.active_delta) FROM events_by_period AS e
                     WHERE e.segment IS NOT DISTINCT FROM g.segment AND e.period <= p.next_period), 0) AS customers_end,
           coalesce(x.lost, 0) AS lost, coalesce(x.new, 0) AS new, coalesce(x.reactivated, 0) AS reactivated
    FROM segments AS g
    CROSS JOIN periods AS p
    LEFT JOIN events_by_period AS x ON x.segment IS NOT DISTINCT FROM g.segment AND x.period = p.period
)
SELECT c.segment, c.period,
       c.customers_start::bigint AS customers_start, c.lost::bigint AS lost, c.new::bigint AS "new",
       c.reactivated::bigint AS reactivated, c.customers_end::bigint AS customers_end,
       c.lost::float8 / nullif(c.customers_start, 0) AS churn_rate,
       1 - c.lost::float8 / nullif(c.customers_start, 0) AS retention_rate,
       c.complete
FROM counts AS c
CROSS JOIN settings AS s
WHERE s.segment_by IS NULL OR c.customers_start + c.customers_end + c.new + c.reactivated + c.lost > 0
ORDER BY c.segment COLLATE "C" NULLS FIRST, c.period
