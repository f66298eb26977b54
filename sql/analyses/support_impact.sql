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
-- One text for one server and for Citus (docs/scale-out.md): no subquery in a select list above
-- an aggregate of a distributed table (the sample of value_blocks is a CTE of its own, the
-- summaries' block is computed below their GROUP BY), no correlated subquery over an
-- intermediate result (contacts joins customer_months and slow_buckets instead of EXISTS),
-- and customer_summaries_apply() only in settings (it reads coordinator tables).
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           $5::int AS window_days, coalesce($6::boolean, false) AS pooled, period_interval($3::text) AS step,
           s.from_summaries,
           -- customer_months' run flags are churn_rate's defaults: --window 90 in UTC months.
           s.from_summaries AND $3::text = 'month' AND $5::int = 90 AS run_flags
    FROM (SELECT customer_summaries_apply($3::text, $4::text, true) AS from_summaries) AS s
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
-- Boundaries of ~512 blocks of net value, from a sample of the customers' totals: they only
-- group customers for the medians (any boundaries give the same answer, these keep the
-- blocks small). A block is found by the value rounded to an integer (and clamped): ordered
-- as the values are, and bigint compares fast (numeric to float8 goes through text).
-- The sample is kept apart (MATERIALIZED, a few thousand rows): on Citus the percentile, whose
-- fractions are a subquery, then runs on the coordinator over it (Citus runs no subquery of a
-- select list above an aggregate of a distributed table).
-- customer_totals is kept on Citus too (the loader queues it there), so the sample is never
-- empty where there are buyers; an empty one would put all customers in one block, and the
-- medians would sort every active customer of every frame.
value_sample AS MATERIALIZED (
    SELECT least(greatest(t.gross - t.returned, -1e15), 1e15)::bigint AS value
    FROM customer_totals AS t TABLESAMPLE SYSTEM (2) REPEATABLE (22)
),
value_blocks AS (
    SELECT coalesce((
        SELECT percentile_disc((SELECT array_agg(g / 512.0)::float8[] FROM generate_series(1, 511) AS g))
                   WITHIN GROUP (ORDER BY v.value)
        FROM value_sample AS v), '{}') AS bounds
),
-- Per customer and period bucket q with a purchase (a customer-bucket): pmax, the last period
-- whose window [s − W, s) holds q's last purchase, so that the customer is active at every
-- period in (q, min(q', pmax)], q' being their next bucket; starts: not active at q's own
-- start (no earlier bucket reaches q); ends: q' lies beyond pmax. A run of activity (a spell)
-- goes from a starting bucket's q + 1 period to the pmax of the next ending bucket (the same
-- one, or a later one); the customer is lost at its last period, and repurchased at every
-- bucket inside it (one that does not start). pmax is exact: in UTC the period of the last
-- purchase + W days; elsewhere the same, checked against the window starts (DST).
-- From the purchases (raw rows: purchase_buckets) or from customer_months summed into the
-- buckets (month_buckets), whichever the settings choose; the other is empty.
-- * Each is one query over one table, grouped and windowed by customer, with the settings it
--   needs as parameters ($3 period, $4 tz, $5 W): on Citus each runs on the shards as a whole.
--   (A UNION ALL of the two whose legs join the settings, Citus plans leg by leg, and unions
--   and windows on the coordinator: docs/scale-out.md. Grouped by the settings' columns
--   instead, every sorted row would carry them.)
-- * pmax is computed in the select list of the GROUP BY, once per customer-bucket. From a
--   subquery above it, which the planner folds into the window functions, it would be
--   computed once per reference.
-- * The passes below read their union, slow_buckets, kept (materialized) once. Inlined into
--   each of them, Citus would write the union again for every one (1.5 s each at 100k
--   customers).
purchase_buckets AS MATERIALIZED (
    SELECT g.customer_key, g.bucket, g.pmax,
           coalesce(lag(g.pmax) OVER w < g.bucket, true) AS starts,
           coalesce(lead(g.bucket) OVER w > g.pmax, true) AS ends,
           sum(g.net_value) OVER (PARTITION BY g.customer_key) AS net_value
    FROM (
        SELECT f.customer_key, period_label($3::text, $4::text, f.ordered_at) AS bucket, sum(f.net_value) AS net_value,
               -- a = the period holding the local day of the last purchase + W days. a is the
               -- answer when its window starts on a local day before the purchase's and the
               -- next window on a day after the day after it: local midnights that far apart
               -- stay in order whatever DST does. Otherwise (a local day that begins a window:
               -- a daily period, or a month's first day) check the instants, and the periods
               -- around a.
               CASE WHEN date_trunc($3::text, ((max(f.ordered_at) AT TIME ZONE $4::text)::date + $5::int)::timestamp)::date - $5::int
                         < (max(f.ordered_at) AT TIME ZONE $4::text)::date
                     AND (date_trunc($3::text, ((max(f.ordered_at) AT TIME ZONE $4::text)::date + $5::int)::timestamp) + period_interval($3::text))::date - $5::int
                         > (max(f.ordered_at) AT TIME ZONE $4::text)::date + 1
                    THEN date_trunc($3::text, ((max(f.ordered_at) AT TIME ZONE $4::text)::date + $5::int)::timestamp)::date
                    ELSE (SELECT max(x.l::date)
                          FROM generate_series(date_trunc($3::text, ((max(f.ordered_at) AT TIME ZONE $4::text)::date + $5::int)::timestamp) - 3 * period_interval($3::text),
                                               date_trunc($3::text, ((max(f.ordered_at) AT TIME ZONE $4::text)::date + $5::int)::timestamp) + 3 * period_interval($3::text),
                                               period_interval($3::text)) AS x(l)
                          WHERE shift_local_days(x.l AT TIME ZONE $4::text, -$5::int, $4::text) <= max(f.ordered_at))
               END AS pmax
        FROM purchase_facts AS f
        WHERE NOT (SELECT from_summaries FROM settings)
        GROUP BY 1, 2
    ) AS g
    WINDOW w AS (PARTITION BY g.customer_key ORDER BY g.bucket)
),
month_buckets AS MATERIALIZED (
    SELECT b.customer_key, b.bucket, b.pmax,
           coalesce(lag(b.pmax) OVER w < b.bucket, true) AS starts,
           coalesce(lead(b.bucket) OVER w > b.pmax, true) AS ends,
           sum(b.net_value) OVER (PARTITION BY b.customer_key) AS net_value
    FROM (
        SELECT m.customer_key, date_trunc($3::text, m.month::timestamp)::date AS bucket,
               date_trunc($3::text, (max(m.last_ordered_at) AT TIME ZONE 'UTC') + make_interval(days => $5::int))::date AS pmax,
               sum(m.gross - m.returned) AS net_value
        FROM customer_months AS m
        WHERE (SELECT from_summaries AND NOT run_flags FROM settings) AND m.orders > 0
        GROUP BY 1, 2
    ) AS b
    WINDOW w AS (PARTITION BY b.customer_key ORDER BY b.bucket)
),
slow_buckets AS MATERIALIZED (
    SELECT * FROM purchase_buckets
    UNION ALL
    SELECT * FROM month_buckets
),
-- Spells by where they start and end, value block and scale of the net value (numeric sums
-- keep the largest scale of their terms: see scale_frames). At the defaults straight from
-- customer_months, in parallel (pmax is then at least two months after the bucket).
mark_blocks AS (
    SELECT x.first_period, x.last_period, x.block, x.scale, sum(x.n) AS n, sum(x.net) AS net
    FROM (
        SELECT CASE WHEN b.starts AND b.pmax > b.bucket THEN (b.bucket + st.step)::date END AS first_period,
               CASE WHEN b.ends AND (b.pmax > b.bucket OR NOT b.starts) THEN b.pmax END AS last_period,
               width_bucket(least(greatest(b.net_value, -1e15), 1e15)::bigint, (SELECT bounds FROM value_blocks)) AS block, scale(b.net_value) AS scale,
               count(*) AS n, sum(b.net_value) AS net
        FROM slow_buckets AS b
        CROSS JOIN settings AS st
        WHERE b.starts OR b.ends
        GROUP BY 1, 2, 3, 4
        UNION ALL
        SELECT y.first_period, y.last_period, y.block, y.scale, count(*), sum(y.net)
        FROM (
            -- (The block below the GROUP BY: Citus runs a subquery of the select list only there.)
            SELECT CASE WHEN m.starts_run THEN (m.month + interval '1 month')::date END AS first_period,
                   CASE WHEN m.ends_run THEN date_trunc('month', (m.last_ordered_at AT TIME ZONE 'UTC') + interval '90 days')::date END AS last_period,
                   width_bucket(least(greatest(t.gross - t.returned, -1e15), 1e15)::bigint, (SELECT bounds FROM value_blocks)) AS block,
                   scale(t.gross - t.returned) AS scale, t.gross - t.returned AS net
            FROM customer_months AS m
            JOIN customer_totals AS t ON t.customer_key = m.customer_key
            WHERE (SELECT run_flags FROM settings) AND m.orders > 0 AND (m.starts_run OR m.ends_run)
        ) AS y
        GROUP BY 1, 2, 3, 4
    ) AS x
    GROUP BY 1, 2, 3, 4
),
-- +n where spells start (their first period), −n the period after they end.
events AS (
    SELECT first_period AS at, block, scale, n AS delta, net AS net_delta FROM mark_blocks WHERE first_period IS NOT NULL
    UNION ALL
    SELECT (b.last_period + st.step)::date, b.block, b.scale, -b.n, -b.net
    FROM mark_blocks AS b CROSS JOIN settings AS st WHERE b.last_period IS NOT NULL
),
-- Active customers per period and value block (a block's count holds from one event to its
-- next); per period and scale, their count and net value.
block_steps AS (
    SELECT e.block, e.at, lead(e.at) OVER w AS next_at, sum(e.delta) OVER w AS n
    FROM (SELECT at, block, sum(delta) AS delta FROM events GROUP BY 1, 2) AS e
    WINDOW w AS (PARTITION BY e.block ORDER BY e.at)
),
period_blocks AS (
    SELECT p.period, s.block, s.n::bigint AS n
    FROM periods AS p
    JOIN block_steps AS s ON s.at <= p.period AND (s.next_at > p.period OR s.next_at IS NULL)
    WHERE s.n > 0
),
period_scales AS (
    SELECT p.period, e.scale, sum(e.delta) AS n, sum(e.net_delta) AS net
    FROM periods AS p
    JOIN (SELECT at, scale, sum(delta) AS delta, sum(net_delta) AS net_delta FROM events GROUP BY 1, 2) AS e
      ON e.at <= p.period
    GROUP BY 1, 2
    HAVING sum(e.delta) > 0
),
-- Lost per period (spells ending there) and repurchased (buckets inside a spell): counted from
-- the customer-buckets, or at the defaults from month_totals' buyers less the spells starting.
period_counts AS (
    SELECT x.period, sum(x.lost)::bigint AS lost, sum(x.repurchased)::bigint AS repurchased
    FROM (
        SELECT last_period AS period, n AS lost, 0 AS repurchased FROM mark_blocks WHERE last_period IS NOT NULL
        UNION ALL
        SELECT b.bucket, 0, count(*) FROM slow_buckets AS b WHERE NOT b.starts GROUP BY b.bucket
        UNION ALL
        SELECT t.month, 0, t.buyers FROM month_totals AS t WHERE (SELECT run_flags FROM settings)
        UNION ALL
        SELECT (b.first_period - interval '1 month')::date, 0, -b.n
        FROM mark_blocks AS b WHERE (SELECT run_flags FROM settings) AND b.first_period IS NOT NULL
    ) AS x
    GROUP BY x.period
),
-- One frame per reported period, or one for the pooled complete periods (fkey: its join key).
frames AS (
    SELECT p.period, 1::bigint AS periods, p.complete, p.period AS fkey
    FROM periods AS p CROSS JOIN settings AS st
    WHERE NOT st.pooled
    UNION ALL
    SELECT NULL::date, (SELECT count(*) FROM periods WHERE complete), true, 'infinity'::date
    FROM settings AS st
    WHERE st.pooled
),
frame_periods AS (
    SELECT CASE WHEN st.pooled THEN 'infinity'::date ELSE p.period END AS fkey, p.period
    FROM periods AS p CROSS JOIN settings AS st
    WHERE NOT st.pooled OR p.complete
),
-- Customers with a ticket or a negative mention: their spells, paired (start, end), are
-- looked up by the contacts below.
contact_customers AS (
    SELECT t.customer_key FROM tickets AS t WHERE t.customer_key IS NOT NULL
    UNION
    SELECT m.customer_key FROM mention_facts AS m WHERE m.customer_key IS NOT NULL AND m.sentiment_label = 'negative'
),
contact_spells AS (
    SELECT s.customer_key, (s.bucket + st.step)::date AS first_period,
           CASE WHEN s.ends THEN s.pmax ELSE s.next_pmax END AS last_period, s.net_value
    FROM (
        SELECT m.*, lead(m.pmax) OVER (PARTITION BY m.customer_key ORDER BY m.bucket) AS next_pmax
        FROM (
            SELECT b.customer_key, b.bucket, b.pmax, b.starts, b.ends, b.net_value
            FROM slow_buckets AS b
            WHERE (b.starts OR b.ends) AND b.customer_key IN (SELECT customer_key FROM contact_customers)
            UNION ALL
            -- At the defaults their months through the primary key, customer by customer.
            SELECT m.customer_key, m.month, date_trunc('month', (m.last_ordered_at AT TIME ZONE 'UTC') + interval '90 days')::date,
                   m.starts_run, m.ends_run, NULL::numeric
            FROM (SELECT customer_key FROM contact_customers ORDER BY customer_key) AS cc
            CROSS JOIN LATERAL (
                SELECT * FROM customer_months AS m
                WHERE m.customer_key = cc.customer_key AND m.orders > 0 AND (m.starts_run OR m.ends_run)
                OFFSET 0
            ) AS m
            WHERE (SELECT run_flags FROM settings)
        ) AS m
    ) AS s
    CROSS JOIN settings AS st
    WHERE s.starts AND s.pmax > s.bucket
),
-- The calendar days (session time zone) that each period's window [s − W, s) touches: an
-- instant finds the windows that may hold it by its day, then exactly.
window_days AS (
    SELECT d.day::date AS day, p.period, p.period_start, p.window_start
    FROM periods AS p
    CROSS JOIN LATERAL generate_series(p.window_start::date::timestamp, p.period_start::date::timestamp, interval '1 day') AS d(day)
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
-- Linked csat answers per ticket, latest first.
ticket_surveys AS (
    SELECT coalesce(sv.ticket_source, sv.source) AS source, sv.ticket_id,
           array_agg(sv.responded_at ORDER BY sv.responded_at DESC, sv.response_id DESC, sv.source DESC) AS answered,
           array_agg(sv.score ORDER BY sv.responded_at DESC, sv.response_id DESC, sv.source DESC) AS scores
    FROM surveys AS sv
    WHERE sv.kind = 'csat' AND sv.ticket_id IS NOT NULL
    GROUP BY 1, 2
),
-- Every ticket in the window [s − W, s) of a period at whose start its customer is active, as
-- it stood at s (resolved_at and frt_hours as ticket_facts defines them; csat: its own, else
-- its latest linked csat answer before s).
window_tickets AS (
    SELECT w.period, t.customer_key, sp.last_period, sp.net_value,
           coalesce(CASE WHEN t.status IN ('solved', 'closed') THEN t.resolved_at END < w.period_start, false) AS resolved_before_s,
           coalesce(t.csat, (SELECT u.score FROM unnest(ts.answered, ts.scores) WITH ORDINALITY AS u(answered, score, i)
                             WHERE u.answered < w.period_start ORDER BY u.i LIMIT 1)) AS csat,
           coalesce(t.first_response_at < w.period_start
                    AND extract(epoch FROM t.first_response_at - t.created_at)::float8 / 3600 > f.p90_hours, false) AS slow
    FROM tickets AS t
    CROSS JOIN settings AS st
    JOIN window_days AS w ON w.day = t.created_at::date AND t.created_at >= w.window_start AND t.created_at < w.period_start
    JOIN contact_spells AS sp ON sp.customer_key = t.customer_key AND w.period BETWEEN sp.first_period AND sp.last_period
    LEFT JOIN frt_p90 AS f ON f.created_period = period_label(st.period, st.tz, t.created_at)
    LEFT JOIN ticket_surveys AS ts ON ts.source = t.source AND ts.ticket_id = t.ticket_id
    WHERE t.customer_key IS NOT NULL
),
window_mentions AS (
    SELECT DISTINCT w.period, m.customer_key, sp.last_period, sp.net_value
    FROM mention_facts AS m
    JOIN window_days AS w ON w.day = m.posted_at::date AND m.posted_at >= w.window_start AND m.posted_at < w.period_start
    JOIN contact_spells AS sp ON sp.customer_key = m.customer_key AND w.period BETWEEN sp.first_period AND sp.last_period
    WHERE m.customer_key IS NOT NULL AND m.sentiment_label = 'negative'
),
-- Active customers with a contact in the window, per period: their segments and outcome.
contacts AS MATERIALIZED (
    SELECT c.*, c.net_value::float8 AS net_float,
           width_bucket(least(greatest(c.net_value, -1e15), 1e15)::bigint, (SELECT bounds FROM value_blocks)) AS block,
           CASE WHEN st.run_flags THEN m.customer_key IS NOT NULL ELSE sb.customer_key IS NOT NULL END AS repurchased
    FROM (
        SELECT y.period, y.customer_key, coalesce(y.net_value, t.gross - t.returned) AS net_value, y.lost, y.ticket,
               y.resolved_satisfied, y.resolved_unsatisfied, y.unresolved, y.slow_first_response, y.negative_mention
        FROM (
        SELECT x.period, x.customer_key, min(x.net_value) AS net_value, min(x.last_period) = x.period AS lost,
               bool_or(x.ticket) AS ticket,
               bool_or(x.ticket AND x.resolved_before_s AND x.csat >= 4) AS resolved_satisfied,
               bool_or(x.ticket AND x.resolved_before_s AND x.csat <= 3) AS resolved_unsatisfied,
               bool_or(x.ticket AND NOT x.resolved_before_s) AS unresolved,
               bool_or(x.ticket AND x.slow) AS slow_first_response,
               bool_or(NOT x.ticket) AS negative_mention
        FROM (
            SELECT period, customer_key, last_period, net_value, true AS ticket, resolved_before_s, csat, slow FROM window_tickets
            UNION ALL
            SELECT period, customer_key, last_period, net_value, false, false, NULL, false FROM window_mentions
        ) AS x
        GROUP BY x.period, x.customer_key
        ) AS y
        LEFT JOIN customer_totals AS t ON t.customer_key = y.customer_key AND y.net_value IS NULL
    ) AS c
    CROSS JOIN settings AS st
    -- Repurchased: a bucket of the customer's at the period (slow_buckets holds every
    -- customer-bucket with a purchase, from the purchases or the summaries), or at the
    -- defaults, where it is empty, their month in customer_months, by primary key. Joins, not
    -- IN (…) (millions of customer-buckets are too many for a hashed subplan), nor EXISTS
    -- (Citus runs no correlated subquery over contacts, an intermediate result there).
    LEFT JOIN slow_buckets AS sb ON NOT st.run_flags AND sb.customer_key = c.customer_key AND sb.bucket = c.period
    LEFT JOIN (
        SELECT m.customer_key, m.month FROM customer_months AS m
        WHERE (SELECT run_flags FROM settings) AND m.orders > 0  -- (read only at the defaults)
    ) AS m ON m.customer_key = c.customer_key AND m.month = c.period
),
-- The contacts' figures per frame and segment; "ticket" (any window ticket) is what
-- no_contact leaves out of all.
contact_stats AS (
    SELECT f.fkey, g.segment, count(*) AS customers, count(*) FILTER (WHERE c.lost) AS lost,
           count(*) FILTER (WHERE c.repurchased) AS repurchased, avg(c.net_value) AS mean_net_value,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c.net_float) AS median_net_value,
           count(*) FILTER (WHERE NOT c.ticket) AS no_contact_members,
           count(*) FILTER (WHERE NOT c.ticket AND c.lost) AS no_contact_members_lost,
           count(*) FILTER (WHERE NOT c.ticket AND c.repurchased) AS no_contact_members_repurchased
    FROM contacts AS c
    JOIN frame_periods AS f ON f.period = c.period
    CROSS JOIN LATERAL (VALUES ('ticket', c.ticket), ('resolved_satisfied', c.resolved_satisfied),
                               ('resolved_unsatisfied', c.resolved_unsatisfied), ('unresolved', c.unresolved),
                               ('slow_first_response', c.slow_first_response), ('negative_mention', c.negative_mention))
        AS g(segment, member)
    WHERE g.member
    GROUP BY f.fkey, g.segment
),
-- all and no_contact per frame: counts from the spells; the net value summed per scale (a
-- numeric sum shows the largest scale among its terms, so a scale counts only where it has
-- customers); no_contact = all less the contacts with a ticket.
contact_scales AS (
    SELECT c.period, scale(c.net_value) AS scale, count(*) AS n, sum(c.net_value) AS net
    FROM contacts AS c WHERE c.ticket GROUP BY 1, 2
),
scale_frames AS (
    SELECT f.fkey, sum(s.n)::bigint AS all_n, sum(s.net) AS all_net,
           sum(s.n - coalesce(c.n, 0))::bigint AS nc_n,
           sum(s.net - coalesce(c.net, 0)) FILTER (WHERE s.n - coalesce(c.n, 0) > 0) AS nc_net
    FROM frame_periods AS f
    JOIN period_scales AS s ON s.period = f.period
    LEFT JOIN contact_scales AS c ON c.period = s.period AND c.scale = s.scale
    GROUP BY f.fkey
),
count_frames AS (
    SELECT f.fkey, sum(pc.lost)::bigint AS lost, sum(pc.repurchased)::bigint AS repurchased
    FROM frame_periods AS f JOIN period_counts AS pc ON pc.period = f.period
    GROUP BY f.fkey
),
-- Medians of all and no_contact: the active customers per frame and value block, the blocks
-- and places within them of the middle one or two (percentile_cont's rows floor and ceil of
-- (n − 1) / 2), then the customers of those blocks alone, sorted by value.
seg_blocks AS (
    SELECT a.fkey, s.segment, a.block, s.n
    FROM (
        SELECT f.fkey, b.block, sum(b.n)::bigint AS n
        FROM frame_periods AS f JOIN period_blocks AS b ON b.period = f.period
        GROUP BY 1, 2
    ) AS a
    LEFT JOIN (
        SELECT f.fkey, c.block, count(*) AS n
        FROM contacts AS c JOIN frame_periods AS f ON f.period = c.period
        WHERE c.ticket
        GROUP BY 1, 2
    ) AS c ON c.fkey = a.fkey AND c.block = a.block
    CROSS JOIN LATERAL (VALUES ('all', a.n), ('no_contact', a.n - coalesce(c.n, 0))) AS s(segment, n)
    WHERE s.n > 0
),
median_targets AS (
    SELECT DISTINCT x.fkey, x.segment, x.block, k.pos - (x.cum - x.n) AS place
    FROM (
        SELECT s.*, sum(s.n) OVER (PARTITION BY s.fkey, s.segment ORDER BY s.block)::bigint AS cum,
               sum(s.n) OVER (PARTITION BY s.fkey, s.segment)::bigint AS total
        FROM seg_blocks AS s
    ) AS x
    CROSS JOIN LATERAL (VALUES ((x.total - 1) / 2), (x.total / 2)) AS k(pos)
    WHERE k.pos >= x.cum - x.n AND k.pos < x.cum
),
-- The customers of the targeted blocks.
median_customers AS (
    SELECT v.customer_key, v.net_value, v.block
    FROM (
        SELECT t.customer_key, t.gross - t.returned AS net_value,
               width_bucket(least(greatest(t.gross - t.returned, -1e15), 1e15)::bigint, vb.bounds) AS block
        FROM customer_totals AS t CROSS JOIN value_blocks AS vb
        WHERE (SELECT run_flags FROM settings)
        UNION ALL
        SELECT DISTINCT b.customer_key, b.net_value, width_bucket(least(greatest(b.net_value, -1e15), 1e15)::bigint, vb.bounds)
        FROM slow_buckets AS b CROSS JOIN value_blocks AS vb
        WHERE b.starts  -- (a customer never active has no spell)
    ) AS v
    WHERE v.block IN (SELECT block FROM median_targets)
),
-- Their spells, each with the customer's block and net value.
median_spells AS (
    SELECT s.customer_key, s.block, s.net_value, (s.bucket + st.step)::date AS first_period,
           CASE WHEN s.ends THEN s.pmax ELSE s.next_pmax END AS last_period
    FROM (
        SELECT m.*, lead(m.pmax) OVER (PARTITION BY m.customer_key ORDER BY m.bucket) AS next_pmax
        FROM (
            SELECT b.customer_key, mc.block, mc.net_value, b.bucket, b.pmax, b.starts, b.ends
            FROM slow_buckets AS b
            JOIN median_customers AS mc ON mc.customer_key = b.customer_key
            WHERE b.starts OR b.ends
            UNION ALL
            -- At the defaults a few tens of thousands of customers: their months by primary key.
            SELECT mc.customer_key, mc.block, mc.net_value, m.month,
                   date_trunc('month', (m.last_ordered_at AT TIME ZONE 'UTC') + interval '90 days')::date,
                   m.starts_run, m.ends_run
            FROM median_customers AS mc
            CROSS JOIN LATERAL (
                SELECT * FROM customer_months AS m
                WHERE m.customer_key = mc.customer_key AND m.orders > 0 AND (m.starts_run OR m.ends_run)
                OFFSET 0  -- a look-up per customer, not a join with every month
            ) AS m
            WHERE (SELECT run_flags FROM settings)
        ) AS m
    ) AS s
    CROSS JOIN settings AS st
    WHERE s.starts AND s.pmax > s.bucket
),
-- The targeted blocks' active customers per frame (no_contact: less the contacts with a
-- ticket), placed by value within their block.
median_values AS (
    SELECT v.fkey, v.segment, v.block, v.value,
           row_number() OVER (PARTITION BY v.fkey, v.segment, v.block ORDER BY v.value) - 1 AS place
    FROM (
        SELECT f.fkey, g.segment, sp.block, sp.net_value::float8 AS value
        FROM median_spells AS sp
        JOIN (SELECT DISTINCT t.block, f.fkey, f.period
              FROM median_targets AS t JOIN frame_periods AS f ON f.fkey = t.fkey) AS f
          ON f.block = sp.block AND f.period BETWEEN sp.first_period AND sp.last_period
        LEFT JOIN contacts AS c ON c.period = f.period AND c.customer_key = sp.customer_key AND c.ticket
        CROSS JOIN LATERAL (VALUES ('all', true), ('no_contact', c.customer_key IS NULL)) AS g(segment, member)
        WHERE g.member
    ) AS v
    WHERE (v.fkey, v.segment, v.block) IN (SELECT fkey, segment, block FROM median_targets)
),
medians AS (
    SELECT t.fkey, t.segment, percentile_cont(0.5) WITHIN GROUP (ORDER BY v.value) AS median_net_value
    FROM median_targets AS t
    JOIN median_values AS v ON v.fkey = t.fkey AND v.segment = t.segment AND v.block = t.block AND v.place = t.place
    GROUP BY t.fkey, t.segment
),
-- Every segment's figures per frame (no row where a segment has no customers).
stats AS (
    SELECT f.period, x.*
    FROM frames AS f
    CROSS JOIN LATERAL (
        SELECT 'all' AS segment, s.all_n AS customers, coalesce(cf.lost, 0) AS lost, coalesce(cf.repurchased, 0) AS repurchased,
               s.all_net / nullif(s.all_n, 0) AS mean_net_value, ma.median_net_value,
               0::bigint AS no_contact_members, 0::bigint AS no_contact_members_lost,
               0::bigint AS no_contact_members_repurchased
        FROM scale_frames AS s
        LEFT JOIN count_frames AS cf ON cf.fkey = s.fkey
        LEFT JOIN medians AS ma ON ma.fkey = s.fkey AND ma.segment = 'all'
        WHERE s.fkey = f.fkey
        UNION ALL
        SELECT 'no_contact', s.nc_n, coalesce(cf.lost, 0) - coalesce(tk.lost, 0),
               coalesce(cf.repurchased, 0) - coalesce(tk.repurchased, 0),
               s.nc_net / nullif(s.nc_n, 0), mn.median_net_value, 0, 0, 0
        FROM scale_frames AS s
        LEFT JOIN count_frames AS cf ON cf.fkey = s.fkey
        LEFT JOIN contact_stats AS tk ON tk.fkey = s.fkey AND tk.segment = 'ticket'
        LEFT JOIN medians AS mn ON mn.fkey = s.fkey AND mn.segment = 'no_contact'
        WHERE s.fkey = f.fkey
        UNION ALL
        SELECT c.segment, c.customers, c.lost, c.repurchased, c.mean_net_value, c.median_net_value,
               c.no_contact_members, c.no_contact_members_lost, c.no_contact_members_repurchased
        FROM contact_stats AS c
        WHERE c.fkey = f.fkey AND c.segment <> 'ticket'
    ) AS x
    WHERE x.customers > 0
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
