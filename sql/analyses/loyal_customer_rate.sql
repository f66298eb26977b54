-- analysis: loyal_customer_rate
-- summary: Loyal customer rate per period: repeat buyers who are not NPS detractors ÷ buyers.
-- description: For each period [s, e): buyers = customers with at least one purchase (a
--   non-cancelled order) in the period; repeat = buyers with at least --min-orders purchases
--   in the trailing lookback [e − L, e), L = --lookback local calendar days in --tz; loyal =
--   repeat buyers whose latest NPS answer before e, if any, is not a detractor (0–6); a repeat
--   buyer who never answered NPS is loyal. repeat_rate = repeat / buyers, loyal_rate = loyal /
--   buyers, promoter_share = loyal customers whose latest answer is a promoter (9–10) ÷ loyal
--   customers who answered NPS. Empty when the denominator is 0. Several answers at the same
--   instant: the one with the greatest (source, response_id) is the latest.
-- grain: one row per period (× segment with --segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods and lookback days are local there.
-- param: $5 min_orders int(1..) = 2 : Purchases in the lookback that make a buyer a repeat buyer.
-- param: $6 lookback int(1..) = 365 : L: days before the period end counted for --min-orders.
-- param: $7 segment choice(channel,country,segment,cohort) : Split by first-purchase channel, profile country, profile segment or first-purchase cohort (period label).
-- column: segment text : The --segment value ((unknown) when the customer has none); empty without --segment.
-- column: period date : The period's local start date.
-- column: buyers bigint : Customers with a purchase in the period.
-- column: repeat bigint : Buyers with at least --min-orders purchases in [e − L, e).
-- column: loyal bigint : Repeat buyers whose latest NPS answer before e is not 0–6 (or who never answered).
-- column: nps_answered bigint : Loyal customers with an NPS answer before e.
-- column: promoters bigint : Loyal customers whose latest NPS answer before e is 9–10.
-- column: repeat_rate float8 : repeat / buyers.
-- column: loyal_rate float8 : loyal / buyers.
-- column: promoter_share float8 : promoters / nps_answered.
-- column: complete boolean : False while the period is not over (its end is after the data horizon).
-- query: main
-- Buyers per period come from the per-customer monthly summaries (customer_months, kept exact
-- by every load) when customer_summaries_apply() allows — UTC months, --min-orders 1 or 2, no
-- --segment other than cohort — else from the purchases themselves; one-time filters gate
-- each branch. From the summaries: a buyer of month m is a repeat buyer when m holds
-- --min-orders purchases, or (--min-orders 2) when their last purchase before m lies in
-- [e − L, e): a month is never longer than the lookback, so m itself lies inside it.
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           $5::int AS min_orders, $6::int AS lookback_days, $7::text AS segment_by,
           $3::text = 'month' AND $5::int <= 2 AND $6::int >= 31 AND ($7::text IS NULL OR $7::text = 'cohort')
               AND NOT ($5::int = 2 AND $6::int = 365)
               AND customer_summaries_apply($3::text, $4::text, false) AS from_summaries,
           -- At the defaults (--min-orders 2, --lookback 365) buyers and repeat buyers come rolled
           -- up per cohort and month (cohort_month_buyers); only the repeat buyers who answered
           -- NPS are looked at one by one.
           $3::text = 'month' AND $5::int = 2 AND $6::int = 365 AND ($7::text IS NULL OR $7::text = 'cohort')
               AND customer_summaries_apply($3::text, $4::text, false) AS from_rollup
),
-- Each purchase with the instant of the purchase min_orders − 1 places before it (itself
-- when min_orders = 1): a buyer's latest purchase before e and the min_orders − 1 before it
-- all lie in [e − L, e) exactly when that earlier one does. One window, one sort.
ranked AS (
    SELECT p.customer_key, p.ordered_at, period_label(s.period, s.tz, p.ordered_at) AS period,
           lag(p.ordered_at, s.min_orders - 1) OVER w AS nth_back_at,
           lead(period_label(s.period, s.tz, p.ordered_at)) OVER w AS next_purchase_period,
           first_value(p.ordered_at) OVER w AS first_purchase_at
    FROM valid_purchases AS p CROSS JOIN settings AS s
    -- Not for the roll-up either: one server never reads buyer_periods then, but Citus computes
    -- it as a subplan (it is read twice) before anything can skip it.
    WHERE NOT (SELECT from_summaries OR from_rollup FROM settings)
    WINDOW w AS (PARTITION BY p.customer_key ORDER BY p.ordered_at, p.source, p.order_id)
),
-- The summaries' months with purchases, each with the customer's last purchase before it.
summary_months AS (
    SELECT m.customer_key, m.month, m.orders, m.first_purchase_at,
           lag(m.last_ordered_at) OVER (PARTITION BY m.customer_key ORDER BY m.month) AS previous_last_at
    FROM customer_months AS m
    WHERE (SELECT from_summaries FROM settings) AND m.orders > 0
),
periods AS (
    SELECT ps.*
    FROM settings AS s
    CROSS JOIN LATERAL period_series(
        s.period, s.tz, s.from_date, s.to_date,
        (SELECT min(ordered_at) FROM valid_purchases),
        (SELECT max(ordered_at) FROM valid_purchases)) AS ps
),
-- One row per buyer and period: their last purchase in it, whether they are a repeat buyer at
-- its end, and their --segment value.
buyer_periods AS (
    SELECT r.customer_key, pr.period, pr.period_end,
           coalesce(r.nth_back_at >= shift_local_days(pr.period_end, -s.lookback_days, s.tz), false) AS is_repeat,
           CASE WHEN s.segment_by IS NULL THEN NULL
                WHEN s.segment_by = 'cohort' THEN period_label(s.period, s.tz, r.first_purchase_at)::text
                ELSE coalesce((SELECT CASE $7::text WHEN 'channel' THEN cs.channel WHEN 'country' THEN cs.country
                                                      WHEN 'segment' THEN cs.segment END
                               FROM customer_segments AS cs WHERE cs.customer_key = r.customer_key), '(unknown)')
           END AS segment
    FROM ranked AS r
    JOIN periods AS pr ON pr.period = r.period
    CROSS JOIN settings AS s
    WHERE r.next_purchase_period IS DISTINCT FROM r.period
    UNION ALL
    SELECT m.customer_key, pr.period, pr.period_end,
           m.orders >= s.min_orders
           OR coalesce(m.previous_last_at >= shift_local_days(pr.period_end, -s.lookback_days, s.tz), false),
           CASE WHEN s.segment_by = 'cohort' THEN period_label(s.period, s.tz, m.first_purchase_at)::text END
    FROM summary_months AS m
    JOIN periods AS pr ON pr.period = m.month
    CROSS JOIN settings AS s
),
-- The latest NPS answer before e of each repeat buyer who gave one.
latest_nps AS (
    SELECT DISTINCT ON (bp.customer_key, bp.period) bp.customer_key, bp.period, sv.score
    FROM buyer_periods AS bp
    JOIN surveys AS sv
      ON sv.customer_key = bp.customer_key AND sv.kind = 'nps' AND sv.responded_at < bp.period_end
    WHERE bp.is_repeat
    ORDER BY bp.customer_key, bp.period, sv.responded_at DESC, sv.source DESC, sv.response_id DESC
),
segmented AS (
    SELECT bp.segment, bp.period, bp.is_repeat, n.score,
           bp.is_repeat AND (n.score IS NULL OR n.score >= 7) AS is_loyal
    FROM buyer_periods AS bp
    LEFT JOIN latest_nps AS n ON n.customer_key = bp.customer_key AND n.period = bp.period
),
-- The roll-up's branch: buyers and repeat buyers per segment and month …
rollup_buyers AS (
    SELECT CASE WHEN s.segment_by = 'cohort' THEN c.cohort::text END AS segment, c.month AS period,
           sum(c.buyers)::bigint AS buyers, sum(c.repeat_buyers)::bigint AS repeat
    FROM cohort_month_buyers AS c
    CROSS JOIN settings AS s
    WHERE (SELECT from_rollup FROM settings)
    GROUP BY 1, 2
),
-- … and the repeat buyer-months of the customers who answered NPS, with their latest answer
-- before the month's end (as latest_nps above).
rollup_answered AS (
    SELECT DISTINCT ON (r.customer_key, r.month) r.customer_key, r.month, r.first_purchase_at, sv.score
    FROM (SELECT m.customer_key, m.month, m.first_purchase_at, m.orders,
                 lag(m.last_ordered_at) OVER (PARTITION BY m.customer_key ORDER BY m.month) AS previous_last_at
          FROM customer_months AS m
          WHERE (SELECT from_rollup FROM settings) AND m.orders > 0
            AND m.customer_key IN (SELECT customer_key FROM surveys WHERE kind = 'nps')) AS r
    JOIN surveys AS sv
      ON sv.customer_key = r.customer_key AND sv.kind = 'nps'
     AND sv.responded_at < (r.month + interval '1 month')::timestamp AT TIME ZONE 'UTC'
    WHERE r.orders >= 2
       OR r.previous_last_at >= ((r.month + interval '1 month')::timestamp - interval '365 days') AT TIME ZONE 'UTC'
    ORDER BY r.customer_key, r.month, sv.responded_at DESC, sv.source DESC, sv.response_id DESC
),
rollup_answers AS (
    SELECT CASE WHEN s.segment_by = 'cohort' THEN date_trunc('month', a.first_purchase_at AT TIME ZONE 'UTC')::date::text END
               AS segment,
           a.month AS period,
           count(*) FILTER (WHERE a.score < 7) AS detractors,
           count(*) FILTER (WHERE a.score >= 7) AS nps_answered,
           count(*) FILTER (WHERE a.score >= 9) AS promoters
    FROM rollup_answered AS a
    CROSS JOIN settings AS s
    GROUP BY 1, 2
),
counts AS (
    SELECT sg.segment, sg.period,
           count(*) AS buyers,
           count(*) FILTER (WHERE sg.is_repeat) AS repeat,
           count(*) FILTER (WHERE sg.is_loyal) AS loyal,
           count(*) FILTER (WHERE sg.is_loyal AND sg.score IS NOT NULL) AS nps_answered,
           count(*) FILTER (WHERE sg.is_loyal AND sg.score >= 9) AS promoters
    FROM segmented AS sg
    WHERE NOT (SELECT from_rollup FROM settings)
    GROUP BY sg.segment, sg.period
    UNION ALL
    SELECT b.segment, b.period, b.buyers, b.repeat, b.repeat - coalesce(a.detractors, 0),
           coalesce(a.nps_answered, 0), coalesce(a.promoters, 0)
    FROM rollup_buyers AS b
    JOIN periods AS p ON p.period = b.period
    LEFT JOIN rollup_answers AS a ON a.segment IS NOT DISTINCT FROM b.segment AND a.period = b.period
),
-- Without --segment every period is listed, with --segment the pairs with buyers.
rows_out AS (
    SELECT c.segment, p.period, p.complete,
           coalesce(c.buyers, 0) AS buyers, coalesce(c.repeat, 0) AS repeat, coalesce(c.loyal, 0) AS loyal,
           coalesce(c.nps_answered, 0) AS nps_answered, coalesce(c.promoters, 0) AS promoters
    FROM periods AS p
    CROSS JOIN settings AS s
    LEFT JOIN counts AS c ON c.period = p.period
    WHERE s.segment_by IS NULL OR c.period IS NOT NULL
)
SELECT r.segment, r.period, r.buyers, r.repeat, r.loyal, r.nps_answered, r.promoters,
       r.repeat::float8 / nullif(r.buyers, 0) AS repeat_rate,
       r.loyal::float8 / nullif(r.buyers, 0) AS loyal_rate,
       r.promoters::float8 / nullif(r.nps_answered, 0) AS promoter_share,
       r.complete
FROM rows_out AS r
ORDER BY r.segment COLLATE "C" NULLS FIRST, r.period
