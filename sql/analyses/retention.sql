-- analysis: retention
-- summary: Cohort retention: share of each first-purchase cohort active k periods later.
-- description: A customer's cohort is the period of their first purchase ever (a purchase is a
--   non-cancelled order). retained(c, k) = customers of cohort c with at least one purchase in
--   period c+k; retention_rate = retained / cohort_size (1.0 at k = 0). --mode rolling counts a
--   customer at k if they were active in c+k or any later period (all loaded data, even past
--   --to). --activity any counts tickets, survey answers and mentions as activity too (a
--   mention through its handle). Cohorts and offsets cover every period from the first
--   purchase (or --from) to the last activity (or --to), empty cohorts included (size 0, rate
--   empty); with --segment only segment × cohort pairs with buyers are listed. complete is
--   false while period c+k is not over (its end is after the data horizon).
-- grain: one row per cohort × period offset (× segment with --segment)
-- unique: segment, cohort, period_offset
-- param: $1 from date : First cohort period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods are local calendar periods there.
-- param: $5 mode choice(on,rolling) = on : on: active in period c+k; rolling: active in c+k or any later period.
-- param: $6 activity choice(purchases,any) = purchases : What counts as activity: purchases, or any touch (tickets, surveys, mentions too).
-- param: $7 segment choice(channel,country,segment) : Split cohorts by first-purchase channel, profile country or profile segment.
-- param: pivot flag : Wide table: one row per cohort, one column per period offset (retention_rate); as a table, a heatmap in percent.
-- column: segment text : The --segment value ((unknown) when the customer has none); empty without --segment.
-- column: cohort date : The cohort: local start date of the first-purchase period.
-- column: cohort_size bigint : Customers whose first purchase falls in the cohort period.
-- column: period_offset int : k: periods since the cohort period.
-- column: period date : Local start date of period c+k.
-- column: retained bigint : Cohort customers active in period c+k (rolling: in c+k or later).
-- column: retention_rate float8 : retained / cohort_size; empty when the cohort is empty.
-- column: complete boolean : False while period c+k is not over.
-- pivot: segment, cohort, cohort_size by period_offset value retention_rate percent complete complete
-- query: main
-- Two ways to the same counts: from the summaries (cohort_last_purchases for cohorts and last
-- purchases, cohort_month_buyers or customer_months for activity; kept exact by every load)
-- when customer_summaries_apply() allows — UTC months, quarters or years, purchases as
-- activity, no --segment; with --mode rolling --activity any, customer_totals and the other
-- touches — else from the purchases (and other touches) themselves. One-time filters gate each branch.
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           $5::text AS mode, $6::text AS activity, $7::text AS segment_by,
           $6::text = 'purchases' AND $7::text IS NULL AND customer_summaries_apply($3::text, $4::text, false)
               AS from_summaries,
           -- --mode rolling --activity any: buyers, cohorts and last purchases from customer_totals,
           -- the other touches (far fewer) read as they are.
           $5::text = 'rolling' AND $6::text = 'any' AND $7::text IS NULL
               AND customer_summaries_apply($3::text, $4::text, false) AS rolling_any_from_summaries
),
buyers AS (
    SELECT f.customer_key,
           period_label(s.period, s.tz, f.first_purchase_at) AS cohort,
           CASE WHEN s.segment_by IS NOT NULL THEN
               coalesce(customer_dimension(f.customer_key, s.segment_by), '(unknown)')
           END AS segment
    FROM customer_first_purchase AS f
    CROSS JOIN settings AS s
    WHERE NOT (SELECT from_summaries OR rolling_any_from_summaries FROM settings)
),
-- The summaries' buyers: how many per cohort and period of their last purchase.
summary_buyers AS (
    SELECT date_trunc(s.period, c.cohort::timestamp)::date AS cohort,
           date_trunc(s.period, c.last_month::timestamp)::date AS last_period, sum(c.buyers)::bigint AS buyers
    FROM cohort_last_purchases AS c
    CROSS JOIN settings AS s
    WHERE (SELECT from_summaries OR rolling_any_from_summaries FROM settings)
    GROUP BY 1, 2
),
activity_events AS (
    SELECT p.customer_key, p.ordered_at AS at FROM valid_purchases AS p
    UNION ALL
    SELECT a.customer_key, a.at
    FROM customer_activity AS a CROSS JOIN settings AS s
    WHERE s.activity = 'any' AND a.kind <> 'purchase'
),
-- One row per customer and period with activity.
active_periods AS (
    SELECT DISTINCT e.customer_key, period_label(s.period, s.tz, e.at) AS period
    FROM activity_events AS e CROSS JOIN settings AS s
    WHERE NOT (SELECT from_summaries OR rolling_any_from_summaries FROM settings)
),
periods AS (
    SELECT ps.period, ps.complete, row_number() OVER (ORDER BY ps.period) AS n
    FROM settings AS s
    CROSS JOIN LATERAL period_series(
        s.period, s.tz, s.from_date, s.to_date,
        (SELECT min(ordered_at) FROM valid_purchases),
        greatest((SELECT max(ordered_at) FROM valid_purchases),
                 -- the purchases' maximum is the indexed one before: only the other touches here
                 CASE WHEN s.activity = 'any' THEN (SELECT max(at) FROM customer_activity WHERE kind <> 'purchase') END)) AS ps
),
cohort_sizes AS (
    SELECT b.segment, b.cohort, count(*) AS cohort_size
    FROM buyers AS b
    GROUP BY b.segment, b.cohort
    UNION ALL
    SELECT NULL, b.cohort, sum(b.buyers)::bigint
    FROM summary_buyers AS b
    GROUP BY b.cohort
),
-- Every cohort × later period reported; empty cohorts only without --segment.
-- segment_key is the segment made non-NULL, so that joins on it can hash.
grid AS (
    SELECT z.segment, coalesce(z.segment, '') AS segment_key, c.period AS cohort,
           coalesce(z.cohort_size, 0) AS cohort_size, o.n - c.n AS period_offset, o.period, o.complete
    FROM periods AS c
    JOIN periods AS o ON o.n >= c.n
    LEFT JOIN cohort_sizes AS z ON z.cohort = c.period
    CROSS JOIN settings AS s
    WHERE s.segment_by IS NULL OR z.cohort_size IS NOT NULL
),
-- mode on: cohort customers active in the period itself.
active_counts AS (
    SELECT coalesce(b.segment, '') AS segment_key, b.cohort, a.period, count(*) AS active
    FROM buyers AS b
    JOIN active_periods AS a ON a.customer_key = b.customer_key AND a.period >= b.cohort
    WHERE $5::text = 'on'  -- a constant once bound: the other mode's counts are never computed
    GROUP BY coalesce(b.segment, ''), b.cohort, a.period
    UNION ALL
    -- From the summaries, months: buyers per cohort and month.
    SELECT '', c.cohort, c.month, c.buyers
    FROM cohort_month_buyers AS c
    WHERE $5::text = 'on' AND (SELECT from_summaries AND period = 'month' FROM settings)
    UNION ALL
    -- … quarters or years: the distinct customers of each.
    SELECT '', q.cohort, q.period, count(*)
    FROM (SELECT DISTINCT m.customer_key,
                 date_trunc(s.period, m.first_purchase_at AT TIME ZONE 'UTC')::date AS cohort,
                 date_trunc(s.period, m.month::timestamp)::date AS period
          FROM customer_months AS m CROSS JOIN settings AS s
          WHERE $5::text = 'on' AND (SELECT from_summaries AND period <> 'month' FROM settings) AND m.orders > 0) AS q
    GROUP BY q.cohort, q.period
),
-- mode rolling: cohort customers by their last active period (the last period reported
-- when later), summed from the last period backwards below.
last_active_counts AS (
    SELECT coalesce(b.segment, '') AS segment_key, b.cohort,
           least(l.last_period, (SELECT max(period) FROM periods)) AS period, count(*) AS customers
    FROM buyers AS b
    JOIN (SELECT customer_key, max(period) AS last_period FROM active_periods GROUP BY customer_key) AS l
      ON l.customer_key = b.customer_key
    WHERE $5::text = 'rolling'
    GROUP BY coalesce(b.segment, ''), b.cohort, least(l.last_period, (SELECT max(period) FROM periods))
    UNION ALL
    SELECT '', b.cohort, least(b.last_period, (SELECT max(period) FROM periods)), sum(b.buyers)::bigint
    FROM summary_buyers AS b
    WHERE $5::text = 'rolling' AND (SELECT from_summaries FROM settings)
    GROUP BY b.cohort, least(b.last_period, (SELECT max(period) FROM periods))
    UNION ALL
    -- --activity any from the summaries: each buyer's last touch is their last purchase or
    -- their last other touch, whichever is later (in UTC the period of the latest touch is the
    -- latest period).
    SELECT '', date_trunc(s.period, t.first_purchase_at AT TIME ZONE 'UTC')::date,
           least(date_trunc(s.period, greatest(t.last_purchase_at, o.last_at) AT TIME ZONE 'UTC')::date,
                 (SELECT max(period) FROM periods)),
           count(*)
    FROM customer_totals AS t
    CROSS JOIN settings AS s
    LEFT JOIN (SELECT a.customer_key, max(a.at) AS last_at
               FROM customer_activity AS a WHERE a.kind <> 'purchase' GROUP BY a.customer_key) AS o
      ON o.customer_key = t.customer_key
    WHERE (SELECT rolling_any_from_summaries FROM settings)
    GROUP BY 2, 3
),
retained AS (
    SELECT g.segment, g.cohort, g.cohort_size, g.period_offset, g.period, g.complete,
           CASE s.mode
               WHEN 'on' THEN coalesce(ac.active, 0)
               ELSE coalesce(sum(lc.customers) OVER (PARTITION BY g.segment_key, g.cohort ORDER BY g.period DESC), 0)
           END::bigint AS retained
    FROM grid AS g
    CROSS JOIN settings AS s
    LEFT JOIN active_counts AS ac
      ON ac.segment_key = g.segment_key AND ac.cohort = g.cohort AND ac.period = g.period
    LEFT JOIN last_active_counts AS lc
      ON lc.segment_key = g.segment_key AND lc.cohort = g.cohort AND lc.period = g.period
)
SELECT r.segment, r.cohort, r.cohort_size, r.period_offset::int AS period_offset, r.period, r.retained,
       r.retained::float8 / nullif(r.cohort_size, 0) AS retention_rate,
       r.complete
FROM retained AS r
ORDER BY r.segment COLLATE "C" NULLS FIRST, r.cohort, r.period_offset
