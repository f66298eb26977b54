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
--
-- The raw rows' branch is one aggregate over a per-customer join (buyer_period_counts or
-- buyer_last_counts), so that on Citus each shard counts its own customers and the coordinator
-- only adds the counts up (docs/scale-out.md).
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
-- Mentions whose handle names a customer (--activity any only). Resolved once, apart: on Citus
-- mentions sit with customer_identifiers (by handle_key), not with the customer's other rows,
-- so the touches below join this small result to customers. The gate sits on the mentions
-- themselves, so that no shard reads them at the default --activity purchases.
mention_touches AS MATERIALIZED (
    SELECT i.customer_key, m.posted_at AS at
    FROM (SELECT handle_key, posted_at FROM mentions WHERE (SELECT activity = 'any' FROM settings)) AS m
    JOIN customer_identifiers AS i ON i.kind = 'handle' AND i.source = '' AND i.value = m.handle_key
),
-- The raw rows' buyers: one row per customer, with the cohort and (with --segment) the segment.
-- Grouped by customer (and first purchase, one per customer) although each is one row already:
-- a grouped subquery is not flattened into the join below, so cohort and segment are computed
-- once per customer, not once per joined row, and the planner expects as many customers as
-- rows, which keeps the counts below hashed. Citus still runs it on each shard.
buyers AS NOT MATERIALIZED (
    SELECT f.customer_key,
           period_label(min(s.period), min(s.tz), f.first_purchase_at) AS cohort,
           min(CASE WHEN s.segment_by IS NOT NULL THEN
                   coalesce((SELECT CASE $7::text WHEN 'channel' THEN cs.channel WHEN 'country' THEN cs.country
                                                  WHEN 'segment' THEN cs.segment END
                             FROM customer_segments AS cs WHERE cs.customer_key = f.customer_key), '(unknown)')
               END) AS segment
    FROM customer_first_purchase AS f
    CROSS JOIN settings AS s
    WHERE NOT (SELECT from_summaries OR rolling_any_from_summaries FROM settings)
    GROUP BY f.customer_key, f.first_purchase_at
),
-- What counts as activity: purchases, and with --activity any the other touches.
touches AS NOT MATERIALIZED (
    SELECT v.customer_key, v.ordered_at AS at FROM valid_purchases AS v
    UNION ALL
    SELECT t.customer_key, t.created_at FROM tickets AS t
    WHERE (SELECT activity = 'any' FROM settings)
    UNION ALL
    SELECT r.customer_key, r.responded_at FROM surveys AS r
    WHERE (SELECT activity = 'any' FROM settings)
    UNION ALL
    SELECT c.customer_key, m.at FROM customers AS c
    JOIN mention_touches AS m ON m.customer_key = c.customer_key
),
-- mode on: per segment, cohort and period, the cohort's customers active in the period.
buyer_period_counts AS (
    SELECT b.segment, b.cohort, a.period, count(*) AS customers
    FROM buyers AS b
    JOIN (SELECT DISTINCT e.customer_key, period_label(s.period, s.tz, e.at) AS period
          FROM touches AS e CROSS JOIN settings AS s
          -- The other mode's counts are never computed. The filter sits here, not on the join:
          -- there (a one-time filter, or the bound $5 folded to false) Citus no longer runs the
          -- join on the shards but ships the touches to the coordinator first.
          WHERE (SELECT mode = 'on' AND NOT (from_summaries OR rolling_any_from_summaries) FROM settings)) AS a
      ON a.customer_key = b.customer_key AND a.period >= b.cohort
    GROUP BY b.segment, b.cohort, a.period
),
-- mode rolling: per segment, cohort and period, the cohort's customers last active then (the
-- period of the latest touch is the latest period).
buyer_last_counts AS (
    SELECT b.segment, b.cohort, period_label(s.period, s.tz, l.last_at) AS period, count(*) AS customers
    FROM buyers AS b
    JOIN (SELECT e.customer_key, max(e.at) AS last_at FROM touches AS e
          WHERE (SELECT mode = 'rolling' AND NOT (from_summaries OR rolling_any_from_summaries) FROM settings)
          GROUP BY e.customer_key) AS l
      ON l.customer_key = b.customer_key
    CROSS JOIN settings AS s
    GROUP BY b.segment, b.cohort, period_label(s.period, s.tz, l.last_at)
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
periods AS (
    SELECT ps.period, ps.complete, row_number() OVER (ORDER BY ps.period) AS n
    FROM settings AS s
    CROSS JOIN LATERAL period_series(
        s.period, s.tz, s.from_date, s.to_date,
        (SELECT min(ordered_at) FROM valid_purchases),
        greatest((SELECT max(ordered_at) FROM valid_purchases),
                 -- the purchases' maximum is the indexed one before: only the other touches here
                 CASE WHEN s.activity = 'any' THEN
                     greatest((SELECT max(created_at) FROM tickets), (SELECT max(responded_at) FROM surveys),
                              (SELECT max(at) FROM mention_touches))
                 END)) AS ps
),
-- Every buyer is active in their cohort's period (mode on), and last active once (rolling).
cohort_sizes AS (
    SELECT c.segment, c.cohort, sum(c.customers)::bigint AS cohort_size
    FROM buyer_period_counts AS c
    WHERE c.period = c.cohort
    GROUP BY c.segment, c.cohort
    UNION ALL
    SELECT c.segment, c.cohort, sum(c.customers)::bigint
    FROM buyer_last_counts AS c
    GROUP BY c.segment, c.cohort
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
    SELECT coalesce(c.segment, '') AS segment_key, c.cohort, c.period, c.customers AS active
    FROM buyer_period_counts AS c
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
    SELECT coalesce(c.segment, '') AS segment_key, c.cohort,
           least(c.period, (SELECT max(period) FROM periods)) AS period, sum(c.customers)::bigint AS customers
    FROM buyer_last_counts AS c
    GROUP BY coalesce(c.segment, ''), c.cohort, least(c.period, (SELECT max(period) FROM periods))
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
    LEFT JOIN (SELECT e.customer_key, max(e.at) AS last_at
               FROM (SELECT k.customer_key, k.created_at AS at FROM tickets AS k
                     UNION ALL
                     SELECT r.customer_key, r.responded_at FROM surveys AS r
                     UNION ALL
                     SELECT c.customer_key, m.at FROM customers AS c
                     JOIN mention_touches AS m ON m.customer_key = c.customer_key) AS e
               WHERE (SELECT rolling_any_from_summaries FROM settings)
               GROUP BY e.customer_key) AS o
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
