-- analysis: repurchase_rate
-- summary: Share of the period's buyers who had bought before the period started.
-- description: buyers = customers with at least one purchase (a non-cancelled order) in the
--   period [s, e); repeat_buyers = those of them whose first purchase ever is before s (no
--   look-ahead: a first purchase exactly at s, or a second order later in the same period,
--   does not make a repeat buyer of this period); new_buyers = buyers − repeat_buyers;
--   repurchase_rate = repeat_buyers / buyers (empty without buyers). History before --from
--   still counts as "before". Periods run from the first purchase (or --from) to the last
--   (or --to), empty ones included; with --segment only segment × period pairs with buyers
--   are listed.
-- grain: one row per period (× segment with --segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone for period boundaries.
-- param: $5 segment choice(channel,country,segment,cohort) : Split by first-purchase channel, profile country, profile segment or first-purchase cohort (period label).
-- column: segment text : The --segment value ((unknown) when the customer has none); empty without --segment.
-- column: period date : The period's local start date.
-- column: buyers bigint : Customers with a purchase in the period.
-- column: repeat_buyers bigint : Buyers whose first purchase is before the period starts.
-- column: new_buyers bigint : Buyers whose first purchase is in the period.
-- column: repurchase_rate float8 : repeat_buyers / buyers; empty without buyers.
-- column: complete boolean : False while the period is not over (its end is after the data horizon).
-- query: main
-- Two ways to the same counts: from the summaries (kept exact by every load) when
-- customer_summaries_apply() allows — UTC months, quarters or years, no --segment other than
-- cohort — else from the purchases themselves. In UTC months cohort_month_buyers holds the
-- buyers per cohort (the month of the first purchase) and month, and a buyer of month m is a
-- repeat buyer exactly when their cohort is before m; quarters and years count the distinct
-- customers of customer_months (cohort quarter or year before the period: repeat). One-time
-- filters gate each branch, so only one of them runs.
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz, $5::text AS segment_by,
           ($5::text IS NULL OR $5::text = 'cohort') AND customer_summaries_apply($3::text, $4::text, false)
               AS from_summaries
),
buyers AS (
    SELECT f.customer_key, f.first_purchase_at,
           CASE WHEN s.segment_by IS NOT NULL THEN
               coalesce(CASE s.segment_by
                            WHEN 'cohort' THEN period_label(s.period, s.tz, f.first_purchase_at)::text
                            ELSE (SELECT CASE $5::text WHEN 'channel' THEN cs.channel WHEN 'country' THEN cs.country
                                                           WHEN 'segment' THEN cs.segment END
                                  FROM customer_segments AS cs WHERE cs.customer_key = f.customer_key)
                        END, '(unknown)')
           END AS segment
    FROM customer_first_purchase AS f
    CROSS JOIN settings AS s
    WHERE NOT (SELECT from_summaries FROM settings)
),
periods AS (
    SELECT ps.period, ps.period_start, ps.complete
    FROM settings AS s
    CROSS JOIN LATERAL period_series(
        s.period, s.tz, s.from_date, s.to_date,
        (SELECT min(ordered_at) FROM valid_purchases),
        (SELECT max(ordered_at) FROM valid_purchases)) AS ps
),
-- One row per buyer and period with a purchase in it.
period_buyers AS (
    SELECT DISTINCT period_label(s.period, s.tz, v.ordered_at) AS period, v.customer_key
    FROM valid_purchases AS v
    CROSS JOIN settings AS s
    WHERE NOT (SELECT from_summaries FROM settings)
),
-- The summaries' buyers per cohort (UTC period of the first purchase) and period.
summary_buyers AS (
    SELECT c.cohort, c.month AS period, c.buyers
    FROM cohort_month_buyers AS c
    WHERE (SELECT from_summaries AND period = 'month' FROM settings)
    UNION ALL
    SELECT q.cohort, q.period, count(*)::bigint
    FROM (SELECT DISTINCT m.customer_key,
                 date_trunc(s.period, m.first_purchase_at AT TIME ZONE 'UTC')::date AS cohort,
                 date_trunc(s.period, m.month::timestamp)::date AS period
          FROM customer_months AS m CROSS JOIN settings AS s
          WHERE (SELECT from_summaries AND period <> 'month' FROM settings) AND m.orders > 0) AS q
    GROUP BY q.cohort, q.period
),
counts AS (
    SELECT b.segment, p.period,
           count(*) AS buyers,
           count(*) FILTER (WHERE b.first_purchase_at < p.period_start) AS repeat_buyers
    FROM period_buyers AS pb
    JOIN periods AS p ON p.period = pb.period
    JOIN buyers AS b ON b.customer_key = pb.customer_key
    GROUP BY b.segment, p.period
    UNION ALL
    SELECT CASE WHEN s.segment_by = 'cohort' THEN b.cohort::text END, p.period,
           sum(b.buyers)::bigint, coalesce(sum(b.buyers) FILTER (WHERE b.cohort < b.period), 0)::bigint
    FROM summary_buyers AS b
    JOIN periods AS p ON p.period = b.period
    CROSS JOIN settings AS s
    GROUP BY 1, p.period
),
segments AS (
    SELECT DISTINCT segment FROM counts
    UNION
    SELECT NULL::text FROM settings AS s WHERE s.segment_by IS NULL
)
SELECT g.segment, p.period,
       coalesce(c.buyers, 0)::bigint AS buyers,
       coalesce(c.repeat_buyers, 0)::bigint AS repeat_buyers,
       coalesce(c.buyers - c.repeat_buyers, 0)::bigint AS new_buyers,
       c.repeat_buyers::float8 / nullif(c.buyers, 0) AS repurchase_rate,
       p.complete
FROM segments AS g
CROSS JOIN periods AS p
CROSS JOIN settings AS s
LEFT JOIN counts AS c ON c.segment IS NOT DISTINCT FROM g.segment AND c.period = p.period
WHERE s.segment_by IS NULL OR c.buyers IS NOT NULL
ORDER BY g.segment NULLS FIRST, p.period
