-- analysis: support_impact
-- summary: Churn, repurchase and historical value of active customers by their support experience.
-- description: For each period [s, e), the customers active at s (as in churn_rate: a purchase
--   in [s − W, s), W = --window local days in --tz) are grouped by their support experience in
--   the window [s − W, s): no_contact (no ticket created in the window); resolved_satisfied (a
--   window ticket resolved before s whose CSAT is ≥ 4: the ticket's own csat, else its latest
--   linked csat survey answered before s, whatever source the survey came from);
--   resolved_unsatisfied (… CSAT ≤ 3); unresolved (a window ticket not resolved before s: open
--   now, or resolved at or after s);
--   slow_first_response (a window ticket first answered before s whose first-response time is
--   above the p90 FRT of all tickets created in the same --period bucket as it);
--   negative_mention (a mention with negative sentiment posted in the window through a handle
--   of the customer). No look-ahead: only what was known at s classifies a customer. Segments
--   other than no_contact may overlap (a customer with two tickets can be both satisfied and
--   unresolved); negative_mention may overlap no_contact too, since a mention is not a ticket.
--   The all row gives the base. Per segment: customers, lost (active at s, not active at e),
--   churn_rate = lost / customers, repurchased (a purchase in [s, e)), repurchase_rate, and
--   the mean and median historical net value to date (everything loaded) of its customers.
--   Effect size against no_contact: churn_rate_diff = churn_rate − the churn rate of the
--   no_contact customers who are not in the segment (baseline_customers of them), with a
--   two-proportion z-score (pooled variance) and a 95% confidence interval of the difference
--   (unpooled normal approximation); likewise repurchase_rate_diff and repurchase_z; empty
--   for all and no_contact, or when undefined. A churn effect shows most clearly when the
--   period is about as long as the window (--period quarter with W = 90): with monthly periods
--   a customer who leaves is counted lost only in the month their W days run out.
--   Every period is listed for all; the other segments only where they have customers.
--   --pooled sums the complete periods into one row per segment: customers are then
--   customer-periods (a customer active in 3 periods counts 3 times), period is empty and
--   periods says how many periods were pooled. Periods run from the first purchase (or
--   --from) to the last (or --to).
-- grain: one row per support-experience segment × period (--pooled: per segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start); also the bucket of the FRT p90.
-- param: $4 tz timezone = UTC : Reporting time zone: periods and window days are local there.
-- param: $5 window int(1..) = 90 : W: active = a purchase in the last W days; support experience = the last W days before s.
-- param: $6 pooled flag : One row per segment summing every complete period (customer-periods).
-- column: segment text : all, no_contact, resolved_satisfied, resolved_unsatisfied, unresolved, slow_first_response, negative_mention.
-- column: period date : The period's local start date; empty with --pooled.
-- column: periods bigint : Periods summed in the row (1; with --pooled the number of complete periods).
-- column: customers bigint : Customers active at s in the segment (--pooled: customer-periods).
-- column: lost bigint : Of them, not active at e.
-- column: churn_rate float8 : lost / customers.
-- column: repurchased bigint : Of them, with a purchase in [s, e).
-- column: repurchase_rate float8 : repurchased / customers.
-- column: mean_net_value numeric : Mean historical net value to date of the segment's customers.
-- column: median_net_value float8 : Median of it (percentile_cont).
-- column: baseline_customers bigint : no_contact customers not in the segment: the comparison group.
-- column: churn_rate_diff float8 : churn_rate − the baseline's churn rate.
-- column: churn_z float8 : Two-proportion z-score of the difference (|z| > 1.96: significant at 5%).
-- column: churn_diff_ci_low float8 : Lower end of the 95% confidence interval of churn_rate_diff.
-- column: churn_diff_ci_high float8 : Upper end of it.
-- column: repurchase_rate_diff float8 : repurchase_rate − the baseline's repurchase rate.
-- column: repurchase_z float8 : Two-proportion z-score of that difference.
-- column: complete boolean : False while the period is not over (--pooled: always true).
-- query: main
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           $5::int AS window_days, coalesce($6::boolean, false) AS pooled
),
periods AS (
    SELECT ps.period, ps.period_start, ps.period_end, ps.complete,
           shift_local_days(ps.period_start, -st.window_days, st.tz) AS window_start,
           shift_local_days(ps.period_end, -st.window_days, st.tz) AS end_window_start
    FROM settings AS st
    CROSS JOIN LATERAL period_series(
        st.period, st.tz, st.from_date, st.to_date,
        (SELECT min(ordered_at) FROM valid_purchases),
        (SELECT max(ordered_at) FROM valid_purchases)) AS ps
),
-- Customers active at s; lost = no purchase in [e − W, e); repurchased = a purchase in [s, e).
-- A purchase at t matters to the periods whose [s − W, e) holds it: its own period and those
-- starting up to W local days later. Those candidates (W + 2 elapsed days cover any DST shift)
-- are found by equality on the period label, so the purchases are read once, not by an index
-- range per period (random reads that dominated at a million customers); the join's range
-- condition then decides exactly.
active AS (
    SELECT p.period, v.customer_key,
           NOT bool_or(v.ordered_at >= p.end_window_start) AS lost,
           bool_or(v.ordered_at >= p.period_start) AS repurchased
    FROM (
        SELECT v.customer_key, v.ordered_at, candidate.label::date AS period
        FROM valid_purchases AS v
        CROSS JOIN settings AS st
        CROSS JOIN LATERAL generate_series(
            period_label(st.period, st.tz, v.ordered_at)::timestamp,
            period_label(st.period, st.tz, v.ordered_at + make_interval(days => st.window_days + 2))::timestamp,
            period_interval(st.period)) AS candidate(label)
        OFFSET 0  -- keeps the candidates a subquery, so periods (a few rows) join by hash
    ) AS v
    JOIN periods AS p ON p.period = v.period
                     AND v.ordered_at >= p.window_start AND v.ordered_at < p.period_end
    GROUP BY p.period, v.customer_key
    HAVING bool_or(v.ordered_at < p.period_start)
),
-- The p90 first-response time of the tickets created in each period bucket.
frt_p90 AS (
    SELECT period_label(st.period, st.tz, t.created_at) AS created_period,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY t.frt_hours) AS p90_hours
    FROM ticket_facts AS t
    CROSS JOIN settings AS st
    WHERE t.frt_hours IS NOT NULL
    GROUP BY 1
),
-- Window tickets of active customers, as they stood at s.
window_tickets AS (
    SELECT a.period, a.customer_key,
           coalesce(t.resolved_at < p.period_start, false) AS resolved_before_s,
           coalesce(own.csat,
                    (SELECT sv.score FROM surveys AS sv
                     WHERE coalesce(sv.ticket_source, sv.source) = t.source AND sv.ticket_id = t.ticket_id
                       AND sv.kind = 'csat' AND sv.responded_at < p.period_start
                     ORDER BY sv.responded_at DESC, sv.response_id DESC, sv.source DESC LIMIT 1)) AS csat_at_s,
           coalesce(t.first_response_at < p.period_start AND t.frt_hours > f.p90_hours, false) AS slow
    FROM active AS a
    JOIN periods AS p ON p.period = a.period
    JOIN ticket_facts AS t ON t.customer_key = a.customer_key
                          AND t.created_at >= p.window_start AND t.created_at < p.period_start
    JOIN tickets AS own ON own.source = t.source AND own.ticket_id = t.ticket_id
    CROSS JOIN settings AS st
    LEFT JOIN frt_p90 AS f ON f.created_period = period_label(st.period, st.tz, t.created_at)
),
ticket_experience AS (
    SELECT w.period, w.customer_key,
           bool_or(w.resolved_before_s AND w.csat_at_s >= 4) AS resolved_satisfied,
           bool_or(w.resolved_before_s AND w.csat_at_s <= 3) AS resolved_unsatisfied,
           bool_or(NOT w.resolved_before_s) AS unresolved,
           bool_or(w.slow) AS slow_first_response
    FROM window_tickets AS w
    GROUP BY w.period, w.customer_key
),
negative_mentions AS (
    SELECT DISTINCT a.period, a.customer_key
    FROM active AS a
    JOIN periods AS p ON p.period = a.period
    JOIN mention_facts AS m ON m.customer_key = a.customer_key AND m.sentiment_label = 'negative'
                           AND m.posted_at >= p.window_start AND m.posted_at < p.period_start
),
customer_value AS (
    SELECT f.customer_key, sum(f.net_value) AS net_value
    FROM purchase_facts AS f
    GROUP BY f.customer_key
),
classified AS (
    SELECT a.period, a.customer_key, a.lost, a.repurchased, v.net_value,
           x.customer_key IS NULL AS no_contact,
           coalesce(x.resolved_satisfied, false) AS resolved_satisfied,
           coalesce(x.resolved_unsatisfied, false) AS resolved_unsatisfied,
           coalesce(x.unresolved, false) AS unresolved,
           coalesce(x.slow_first_response, false) AS slow_first_response,
           n.customer_key IS NOT NULL AS negative_mention
    FROM active AS a
    JOIN customer_value AS v ON v.customer_key = a.customer_key
    LEFT JOIN ticket_experience AS x ON x.period = a.period AND x.customer_key = a.customer_key
    LEFT JOIN negative_mentions AS n ON n.period = a.period AND n.customer_key = a.customer_key
),
members AS (
    SELECT c.period, g.segment, c.lost, c.repurchased, c.net_value, c.no_contact
    FROM classified AS c
    CROSS JOIN LATERAL (VALUES ('all', true), ('no_contact', c.no_contact),
                               ('resolved_satisfied', c.resolved_satisfied),
                               ('resolved_unsatisfied', c.resolved_unsatisfied),
                               ('unresolved', c.unresolved),
                               ('slow_first_response', c.slow_first_response),
                               ('negative_mention', c.negative_mention)) AS g(segment, member)
    WHERE g.member
),
-- One frame row per reported period, or one for the pooled complete periods.
frames AS (
    SELECT p.period, 1::bigint AS periods, p.complete
    FROM periods AS p CROSS JOIN settings AS st
    WHERE NOT st.pooled
    UNION ALL
    SELECT NULL::date, (SELECT count(*) FROM periods WHERE complete), true
    FROM settings AS st
    WHERE st.pooled
),
stats AS (
    SELECT CASE WHEN st.pooled THEN NULL ELSE m.period END AS period, m.segment,
           count(*) AS customers,
           count(*) FILTER (WHERE m.lost) AS lost,
           count(*) FILTER (WHERE m.repurchased) AS repurchased,
           avg(m.net_value) AS mean_net_value,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY m.net_value::float8) AS median_net_value,
           count(*) FILTER (WHERE m.no_contact) AS no_contact_members,
           count(*) FILTER (WHERE m.no_contact AND m.lost) AS no_contact_members_lost,
           count(*) FILTER (WHERE m.no_contact AND m.repurchased) AS no_contact_members_repurchased
    FROM members AS m
    JOIN periods AS p ON p.period = m.period
    CROSS JOIN settings AS st
    WHERE NOT st.pooled OR p.complete
    GROUP BY 1, m.segment
),
segment_names (segment, ord) AS (
    VALUES ('all', 1), ('no_contact', 2), ('resolved_satisfied', 3), ('resolved_unsatisfied', 4),
           ('unresolved', 5), ('slow_first_response', 6), ('negative_mention', 7)
),
rows AS (
    SELECT g.segment, g.ord, f.period, f.periods, f.complete,
           coalesce(x.customers, 0) AS customers, coalesce(x.lost, 0) AS lost,
           coalesce(x.repurchased, 0) AS repurchased, x.mean_net_value, x.median_net_value,
           -- The comparison group: no_contact customers outside the segment.
           CASE WHEN g.segment NOT IN ('all', 'no_contact') AND x.customers IS NOT NULL
                THEN coalesce(nc.customers, 0) - x.no_contact_members END AS base_n,
           CASE WHEN g.segment NOT IN ('all', 'no_contact') AND x.customers IS NOT NULL
                THEN coalesce(nc.lost, 0) - x.no_contact_members_lost END AS base_lost,
           CASE WHEN g.segment NOT IN ('all', 'no_contact') AND x.customers IS NOT NULL
                THEN coalesce(nc.repurchased, 0) - x.no_contact_members_repurchased END AS base_repurchased
    FROM segment_names AS g
    CROSS JOIN frames AS f
    LEFT JOIN stats AS x ON x.segment = g.segment AND x.period IS NOT DISTINCT FROM f.period
    LEFT JOIN stats AS nc ON nc.segment = 'no_contact' AND nc.period IS NOT DISTINCT FROM f.period
    WHERE g.segment = 'all' OR x.customers > 0
),
rates AS (
    SELECT r.*,
           r.lost::float8 / nullif(r.customers, 0) AS p1,
           r.base_lost::float8 / nullif(r.base_n, 0) AS p2,
           (r.lost + r.base_lost)::float8 / nullif(r.customers + r.base_n, 0) AS p_pooled,
           r.repurchased::float8 / nullif(r.customers, 0) AS q1,
           r.base_repurchased::float8 / nullif(r.base_n, 0) AS q2,
           (r.repurchased + r.base_repurchased)::float8 / nullif(r.customers + r.base_n, 0) AS q_pooled
    FROM rows AS r
)
SELECT r.segment, r.period, r.periods,
       r.customers::bigint AS customers, r.lost::bigint AS lost, r.p1 AS churn_rate,
       r.repurchased::bigint AS repurchased, r.q1 AS repurchase_rate,
       r.mean_net_value, r.median_net_value,
       r.base_n::bigint AS baseline_customers,
       r.p1 - r.p2 AS churn_rate_diff,
       (r.p1 - r.p2) / nullif(sqrt(r.p_pooled * (1 - r.p_pooled) * (1.0 / nullif(r.customers, 0) + 1.0 / nullif(r.base_n, 0))), 0) AS churn_z,
       r.p1 - r.p2 - 1.959963984540054 * sqrt(r.p1 * (1 - r.p1) / nullif(r.customers, 0) + r.p2 * (1 - r.p2) / nullif(r.base_n, 0)) AS churn_diff_ci_low,
       r.p1 - r.p2 + 1.959963984540054 * sqrt(r.p1 * (1 - r.p1) / nullif(r.customers, 0) + r.p2 * (1 - r.p2) / nullif(r.base_n, 0)) AS churn_diff_ci_high,
       r.q1 - r.q2 AS repurchase_rate_diff,
       (r.q1 - r.q2) / nullif(sqrt(r.q_pooled * (1 - r.q_pooled) * (1.0 / nullif(r.customers, 0) + 1.0 / nullif(r.base_n, 0))), 0) AS repurchase_z,
       r.complete
FROM rates AS r
ORDER BY r.period NULLS FIRST, r.ord
