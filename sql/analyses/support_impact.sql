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
           $5::int AS window_days, coalesce($6::boolean, false) AS pooled, period_interval($3::text) AS step,
           customer_summaries_apply($3::text, $4::text, true) AS from_summaries
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
-- Per customer and period bucket with a purchase: its last purchase, the customer's next such
-- bucket and its last purchase, and the customer's historical net value to date (everything
-- loaded). Between a bucket q and the next one q', the latest purchase before the start s of a
-- period p in (q, q'] is q's last: the customer is active at s iff it is at or after s − W;
-- not lost iff the latest purchase before e (q's last, or q''s when p = q') is at or after
-- e − W; repurchased iff p = q'. From customer_months (UTC months, kept exact by every load)
-- when the summaries apply, else from the purchases, read once.
customer_runs AS (
    SELECT r.*, r.net_value::float8 AS net_float
    FROM (
        SELECT b.customer_key, b.bucket, b.last_at,
               lead(b.bucket) OVER w AS next_bucket, lead(b.last_at) OVER w AS next_last_at,
               sum(b.net_value) OVER (PARTITION BY b.customer_key) AS net_value
        FROM (
            SELECT f.customer_key, period_label(st.period, st.tz, f.ordered_at) AS bucket,
                   max(f.ordered_at) AS last_at, sum(f.net_value) AS net_value
            FROM purchase_facts AS f
            CROSS JOIN settings AS st
            WHERE NOT (SELECT from_summaries FROM settings)
            GROUP BY 1, 2
        ) AS b
        WINDOW w AS (PARTITION BY b.customer_key ORDER BY b.bucket)
        UNION ALL
        SELECT m.customer_key, m.month, m.last_ordered_at,
               lead(m.month) OVER w, lead(m.last_ordered_at) OVER w,
               sum(m.gross - m.returned) OVER (PARTITION BY m.customer_key)
        FROM customer_months AS m
        WHERE (SELECT from_summaries AND period = 'month' FROM settings) AND m.orders > 0
        WINDOW w AS (PARTITION BY m.customer_key ORDER BY m.month)
        UNION ALL
        SELECT b.customer_key, b.bucket, b.last_at,
               lead(b.bucket) OVER w, lead(b.last_at) OVER w,
               sum(b.net_value) OVER (PARTITION BY b.customer_key)
        FROM (
            SELECT m.customer_key, date_trunc(st.period, m.month::timestamp)::date AS bucket,
                   max(m.last_ordered_at) AS last_at, sum(m.gross - m.returned) AS net_value
            FROM customer_months AS m
            CROSS JOIN settings AS st
            WHERE (SELECT from_summaries AND period <> 'month' FROM settings) AND m.orders > 0
            GROUP BY 1, 2
        ) AS b
        WINDOW w AS (PARTITION BY b.customer_key ORDER BY b.bucket)
    ) AS r
),
-- Customers active at s, one row per period: the candidates of a bucket are the periods after
-- it up to its next bucket and to W + 2 elapsed days after its last purchase (covers any DST
-- shift); the window start then decides exactly.
active AS (
    SELECT p.period, r.customer_key, r.net_value, r.net_float,
           p.period = r.next_bucket AS repurchased,
           CASE WHEN p.period = r.next_bucket THEN r.next_last_at ELSE r.last_at END < p.end_window_start AS lost
    FROM (
        SELECT r.customer_key, r.last_at, r.next_bucket, r.next_last_at, r.net_value, r.net_float,
               candidate.label::date AS period
        FROM customer_runs AS r
        CROSS JOIN settings AS st
        CROSS JOIN LATERAL generate_series(
            r.bucket + st.step,
            least(r.next_bucket::timestamp,
                  period_label(st.period, st.tz, r.last_at + make_interval(days => st.window_days + 2))::timestamp),
            st.step) AS candidate(label)
        OFFSET 0  -- keeps the candidates a subquery, so periods (a few rows) join by hash
    ) AS r
    JOIN periods AS p ON p.period = r.period AND r.last_at >= p.window_start
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
-- Every ticket in the window [s − W, s) of the periods after its creation, as it stood at s
-- (candidates as for the purchases).
window_tickets AS (
    SELECT p.period, p.period_start, t.customer_key, t.source, t.ticket_id, own.csat,
           coalesce(t.resolved_at < p.period_start, false) AS resolved_before_s,
           coalesce(t.first_response_at < p.period_start AND t.frt_hours > f.p90_hours, false) AS slow
    FROM ticket_facts AS t
    JOIN tickets AS own ON own.source = t.source AND own.ticket_id = t.ticket_id
    CROSS JOIN settings AS st
    CROSS JOIN LATERAL generate_series(
        period_label(st.period, st.tz, t.created_at) + st.step,
        period_label(st.period, st.tz, t.created_at + make_interval(days => st.window_days + 2))::timestamp,
        st.step) AS candidate(label)
    JOIN periods AS p ON p.period = candidate.label::date
                     AND t.created_at >= p.window_start AND t.created_at < p.period_start
    LEFT JOIN frt_p90 AS f ON f.created_period = period_label(st.period, st.tz, t.created_at)
    WHERE t.customer_key IS NOT NULL
),
-- A window ticket without its own csat takes its latest linked csat survey answered before s.
survey_csat AS (
    SELECT w.period, w.source, w.ticket_id,
           (array_agg(sv.score ORDER BY sv.responded_at DESC, sv.response_id DESC, sv.source DESC))[1] AS csat
    FROM window_tickets AS w
    JOIN surveys AS sv ON coalesce(sv.ticket_source, sv.source) = w.source AND sv.ticket_id = w.ticket_id
                      AND sv.kind = 'csat' AND sv.responded_at < w.period_start
    WHERE w.csat IS NULL AND w.resolved_before_s
    GROUP BY w.period, w.source, w.ticket_id
),
ticket_experience AS (
    SELECT w.period, w.customer_key,
           bool_or(w.resolved_before_s AND coalesce(w.csat, s.csat) >= 4) AS resolved_satisfied,
           bool_or(w.resolved_before_s AND coalesce(w.csat, s.csat) <= 3) AS resolved_unsatisfied,
           bool_or(NOT w.resolved_before_s) AS unresolved,
           bool_or(w.slow) AS slow_first_response
    FROM window_tickets AS w
    LEFT JOIN survey_csat AS s ON s.period = w.period AND s.source = w.source AND s.ticket_id = w.ticket_id
    GROUP BY w.period, w.customer_key
),
negative_mentions AS (
    SELECT DISTINCT p.period, m.customer_key
    FROM mention_facts AS m
    CROSS JOIN settings AS st
    CROSS JOIN LATERAL generate_series(
        period_label(st.period, st.tz, m.posted_at) + st.step,
        period_label(st.period, st.tz, m.posted_at + make_interval(days => st.window_days + 2))::timestamp,
        st.step) AS candidate(label)
    JOIN periods AS p ON p.period = candidate.label::date
                     AND m.posted_at >= p.window_start AND m.posted_at < p.period_start
    WHERE m.customer_key IS NOT NULL AND m.sentiment_label = 'negative'
),
classified AS (
    SELECT a.period, a.lost, a.repurchased, a.net_value, a.net_float,
           x.customer_key IS NULL AS no_contact,
           coalesce(x.resolved_satisfied, false) AS resolved_satisfied,
           coalesce(x.resolved_unsatisfied, false) AS resolved_unsatisfied,
           coalesce(x.unresolved, false) AS unresolved,
           coalesce(x.slow_first_response, false) AS slow_first_response,
           n.customer_key IS NOT NULL AS negative_mention
    FROM active AS a
    LEFT JOIN ticket_experience AS x ON x.period = a.period AND x.customer_key = a.customer_key
    LEFT JOIN negative_mentions AS n ON n.period = a.period AND n.customer_key = a.customer_key
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
-- Every segment's figures in one pass per frame: one column group per segment (FILTER), so
-- that the active customers are sorted once, by frame, not once per segment they belong to.
wide AS (
    SELECT CASE WHEN st.pooled THEN NULL ELSE c.period END AS period,
           count(*) AS all_n, count(*) FILTER (WHERE c.lost) AS all_lost,
           count(*) FILTER (WHERE c.repurchased) AS all_rep, avg(c.net_value) AS all_mean,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c.net_float) AS all_median,
           count(*) FILTER (WHERE c.no_contact) AS all_nc,
           count(*) FILTER (WHERE c.no_contact AND c.lost) AS all_nc_lost,
           count(*) FILTER (WHERE c.no_contact AND c.repurchased) AS all_nc_rep,
           count(*) FILTER (WHERE c.no_contact) AS nc_n,
           count(*) FILTER (WHERE c.no_contact AND c.lost) AS nc_lost,
           count(*) FILTER (WHERE c.no_contact AND c.repurchased) AS nc_rep,
           avg(c.net_value) FILTER (WHERE c.no_contact) AS nc_mean,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c.net_float) FILTER (WHERE c.no_contact) AS nc_median,
           count(*) FILTER (WHERE c.resolved_satisfied) AS rs_n,
           count(*) FILTER (WHERE c.resolved_satisfied AND c.lost) AS rs_lost,
           count(*) FILTER (WHERE c.resolved_satisfied AND c.repurchased) AS rs_rep,
           avg(c.net_value) FILTER (WHERE c.resolved_satisfied) AS rs_mean,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c.net_float) FILTER (WHERE c.resolved_satisfied) AS rs_median,
           count(*) FILTER (WHERE c.resolved_satisfied AND c.no_contact) AS rs_nc,
           count(*) FILTER (WHERE c.resolved_satisfied AND c.no_contact AND c.lost) AS rs_nc_lost,
           count(*) FILTER (WHERE c.resolved_satisfied AND c.no_contact AND c.repurchased) AS rs_nc_rep,
           count(*) FILTER (WHERE c.resolved_unsatisfied) AS ru_n,
           count(*) FILTER (WHERE c.resolved_unsatisfied AND c.lost) AS ru_lost,
           count(*) FILTER (WHERE c.resolved_unsatisfied AND c.repurchased) AS ru_rep,
           avg(c.net_value) FILTER (WHERE c.resolved_unsatisfied) AS ru_mean,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c.net_float) FILTER (WHERE c.resolved_unsatisfied) AS ru_median,
           count(*) FILTER (WHERE c.resolved_unsatisfied AND c.no_contact) AS ru_nc,
           count(*) FILTER (WHERE c.resolved_unsatisfied AND c.no_contact AND c.lost) AS ru_nc_lost,
           count(*) FILTER (WHERE c.resolved_unsatisfied AND c.no_contact AND c.repurchased) AS ru_nc_rep,
           count(*) FILTER (WHERE c.unresolved) AS un_n,
           count(*) FILTER (WHERE c.unresolved AND c.lost) AS un_lost,
           count(*) FILTER (WHERE c.unresolved AND c.repurchased) AS un_rep,
           avg(c.net_value) FILTER (WHERE c.unresolved) AS un_mean,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c.net_float) FILTER (WHERE c.unresolved) AS un_median,
           count(*) FILTER (WHERE c.unresolved AND c.no_contact) AS un_nc,
           count(*) FILTER (WHERE c.unresolved AND c.no_contact AND c.lost) AS un_nc_lost,
           count(*) FILTER (WHERE c.unresolved AND c.no_contact AND c.repurchased) AS un_nc_rep,
           count(*) FILTER (WHERE c.slow_first_response) AS sf_n,
           count(*) FILTER (WHERE c.slow_first_response AND c.lost) AS sf_lost,
           count(*) FILTER (WHERE c.slow_first_response AND c.repurchased) AS sf_rep,
           avg(c.net_value) FILTER (WHERE c.slow_first_response) AS sf_mean,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c.net_float) FILTER (WHERE c.slow_first_response) AS sf_median,
           count(*) FILTER (WHERE c.slow_first_response AND c.no_contact) AS sf_nc,
           count(*) FILTER (WHERE c.slow_first_response AND c.no_contact AND c.lost) AS sf_nc_lost,
           count(*) FILTER (WHERE c.slow_first_response AND c.no_contact AND c.repurchased) AS sf_nc_rep,
           count(*) FILTER (WHERE c.negative_mention) AS nm_n,
           count(*) FILTER (WHERE c.negative_mention AND c.lost) AS nm_lost,
           count(*) FILTER (WHERE c.negative_mention AND c.repurchased) AS nm_rep,
           avg(c.net_value) FILTER (WHERE c.negative_mention) AS nm_mean,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c.net_float) FILTER (WHERE c.negative_mention) AS nm_median,
           count(*) FILTER (WHERE c.negative_mention AND c.no_contact) AS nm_nc,
           count(*) FILTER (WHERE c.negative_mention AND c.no_contact AND c.lost) AS nm_nc_lost,
           count(*) FILTER (WHERE c.negative_mention AND c.no_contact AND c.repurchased) AS nm_nc_rep
    FROM classified AS c
    JOIN periods AS p ON p.period = c.period
    CROSS JOIN settings AS st
    WHERE NOT st.pooled OR p.complete
    GROUP BY 1
),
-- The same figures, one row per segment (no row where a segment has no customers).
stats AS (
    SELECT w.period, g.segment, g.customers, g.lost, g.repurchased, g.mean_net_value, g.median_net_value,
           g.no_contact_members, g.no_contact_members_lost, g.no_contact_members_repurchased
    FROM wide AS w
    CROSS JOIN LATERAL (VALUES
        ('all', w.all_n, w.all_lost, w.all_rep, w.all_mean, w.all_median, w.all_nc, w.all_nc_lost, w.all_nc_rep),
        ('no_contact', w.nc_n, w.nc_lost, w.nc_rep, w.nc_mean, w.nc_median, w.nc_n, w.nc_lost, w.nc_rep),
        ('resolved_satisfied', w.rs_n, w.rs_lost, w.rs_rep, w.rs_mean, w.rs_median, w.rs_nc, w.rs_nc_lost, w.rs_nc_rep),
        ('resolved_unsatisfied', w.ru_n, w.ru_lost, w.ru_rep, w.ru_mean, w.ru_median, w.ru_nc, w.ru_nc_lost, w.ru_nc_rep),
        ('unresolved', w.un_n, w.un_lost, w.un_rep, w.un_mean, w.un_median, w.un_nc, w.un_nc_lost, w.un_nc_rep),
        ('slow_first_response', w.sf_n, w.sf_lost, w.sf_rep, w.sf_mean, w.sf_median, w.sf_nc, w.sf_nc_lost, w.sf_nc_rep),
        ('negative_mention', w.nm_n, w.nm_lost, w.nm_rep, w.nm_mean, w.nm_median, w.nm_nc, w.nm_nc_lost, w.nm_nc_rep))
        AS g(segment, customers, lost, repurchased, mean_net_value, median_net_value,
             no_contact_members, no_contact_members_lost, no_contact_members_repurchased)
    WHERE g.customers > 0
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
