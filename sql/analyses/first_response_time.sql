-- analysis: first_response_time
-- summary: First response time (FRT) per period: mean, median and p90 hours to the first human reply.
-- description: FRT = first_response_at − created_at, in hours, over tickets with a first
--   response; a ticket counts in the period holding its created_at (local periods in --tz).
--   created = tickets created in the period, responded = those with a first response (the
--   count the statistics are over); median and p90 are percentile_cont (interpolated).
--   Calendar (elapsed) hours by default; with --schedule FILE, open business hours of that
--   schedule only (weekly local opening hours in its own time zone, holidays closed; correct
--   across DST changes; see README "Business hours"). --by weekday_hour gives a 7 × 24 grid
--   instead: every ticket created in the whole reported range, by the local weekday (1 =
--   Monday … 7 = Sunday) and hour of its created_at in --tz, all 168 cells listed (with
--   --segment, per segment that has tickets). Periods run from the first ticket (or --from)
--   to the last (or --to), empty ones included; with --segment only segment × period
--   combinations with tickets are listed.
-- grain: one row per period (× segment); with --by weekday_hour one row per weekday × hour (× segment)
-- unique: segment, period
-- unique[grid]: segment, weekday, hour
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods (and the grid's weekdays and hours) are local there.
-- param: $5 segment choice(channel,category,priority,agent) : Split by the ticket's channel, category, priority or agent.
-- param: $6 schedule schedule : Business-hours schedule file: count only open business time (see README).
-- param: $7 by choice(weekday_hour) : weekday_hour: a 7 × 24 grid by local weekday and hour of creation over the whole range.
-- column: segment text : The --segment value ((unknown) when the ticket has none); empty without --segment.
-- column: period date : The period's local start date.
-- column: created bigint : Tickets created in the period.
-- column: responded bigint : Of those, tickets with a first response: the count FRT is over.
-- column: mean_hours float8 : Mean FRT in hours (business hours with --schedule).
-- column: median_hours float8 : Median FRT (percentile_cont 0.5).
-- column: p90_hours float8 : 90th percentile FRT (percentile_cont 0.9).
-- column: complete boolean : False while the period is not over.
-- column[grid]: segment text : The --segment value ((unknown) when the ticket has none); empty without --segment.
-- column[grid]: weekday int : ISO weekday of created_at in --tz, 1 = Monday … 7 = Sunday.
-- column[grid]: weekday_name text : Mon … Sun.
-- column[grid]: hour int : Local hour of created_at, 0–23.
-- column[grid]: created bigint : Tickets created in the cell, over the whole reported range.
-- column[grid]: responded bigint : Of those, tickets with a first response.
-- column[grid]: mean_hours float8 : Mean FRT in hours (business hours with --schedule).
-- column[grid]: median_hours float8 : Median FRT (percentile_cont 0.5).
-- column[grid]: p90_hours float8 : 90th percentile FRT (percentile_cont 0.9).
-- query: grid when by=weekday_hour
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           $5::text AS segment_by, $6::jsonb AS schedule
),
periods AS (
    SELECT ps.*
    FROM settings AS s
    CROSS JOIN LATERAL period_series(s.period, s.tz, s.from_date, s.to_date,
                                     (SELECT min(created_at) FROM tickets),
                                     (SELECT max(created_at) FROM tickets)) AS ps
),
reported_tickets AS (
    SELECT extract(isodow FROM t.created_at AT TIME ZONE s.tz)::int AS weekday,
           extract(hour FROM t.created_at AT TIME ZONE s.tz)::int AS hour,
           CASE WHEN s.schedule IS NULL THEN t.frt_hours ELSE b.frt_hours END AS frt_hours,
           CASE WHEN s.segment_by IS NOT NULL THEN
               ticket_dimension(s.segment_by, t.channel, t.category, t.priority, t.agent)
           END AS segment
    FROM ticket_facts AS t
    CROSS JOIN settings AS s
    LEFT JOIN ticket_business_hours($6::jsonb) AS b ON b.source = t.source AND b.ticket_id = t.ticket_id
    WHERE t.created_at >= (SELECT min(period_start) FROM periods)
      AND t.created_at < (SELECT max(period_end) FROM periods)
),
cells AS (
    SELECT r.segment, r.weekday, r.hour, count(*) AS created, count(r.frt_hours) AS responded,
           avg(r.frt_hours) AS mean_hours,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.frt_hours) AS median_hours,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY r.frt_hours) AS p90_hours
    FROM reported_tickets AS r
    GROUP BY r.segment, r.weekday, r.hour
),
segments AS (
    SELECT DISTINCT c.segment FROM cells AS c
    UNION
    SELECT NULL::text FROM settings AS s WHERE s.segment_by IS NULL
)
SELECT g.segment, d.weekday,
       (ARRAY['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'])[d.weekday] AS weekday_name,
       h.hour,
       coalesce(c.created, 0)::bigint AS created, coalesce(c.responded, 0)::bigint AS responded,
       c.mean_hours, c.median_hours, c.p90_hours
FROM segments AS g
CROSS JOIN generate_series(1, 7) AS d(weekday)
CROSS JOIN generate_series(0, 23) AS h(hour)
LEFT JOIN cells AS c ON c.segment IS NOT DISTINCT FROM g.segment AND c.weekday = d.weekday AND c.hour = h.hour
ORDER BY g.segment NULLS FIRST, d.weekday, h.hour
-- query: main
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           $5::text AS segment_by, $6::jsonb AS schedule
),
periods AS (
    SELECT ps.*
    FROM settings AS s
    CROSS JOIN LATERAL period_series(s.period, s.tz, s.from_date, s.to_date,
                                     (SELECT min(created_at) FROM tickets),
                                     (SELECT max(created_at) FROM tickets)) AS ps
),
reported_tickets AS (
    SELECT period_label(s.period, s.tz, t.created_at) AS period,
           CASE WHEN s.schedule IS NULL THEN t.frt_hours ELSE b.frt_hours END AS frt_hours,
           CASE WHEN s.segment_by IS NOT NULL THEN
               ticket_dimension(s.segment_by, t.channel, t.category, t.priority, t.agent)
           END AS segment
    FROM ticket_facts AS t
    CROSS JOIN settings AS s
    LEFT JOIN ticket_business_hours($6::jsonb) AS b ON b.source = t.source AND b.ticket_id = t.ticket_id
    WHERE t.created_at >= (SELECT min(period_start) FROM periods)
      AND t.created_at < (SELECT max(period_end) FROM periods)
),
stats AS (
    SELECT r.segment, r.period, count(*) AS created, count(r.frt_hours) AS responded,
           avg(r.frt_hours) AS mean_hours,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.frt_hours) AS median_hours,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY r.frt_hours) AS p90_hours
    FROM reported_tickets AS r
    GROUP BY r.segment, r.period
)
SELECT x.segment, p.period,
       coalesce(x.created, 0)::bigint AS created, coalesce(x.responded, 0)::bigint AS responded,
       x.mean_hours, x.median_hours, x.p90_hours, p.complete
FROM periods AS p
CROSS JOIN settings AS s
LEFT JOIN stats AS x ON x.period = p.period
WHERE s.segment_by IS NULL OR x.period IS NOT NULL
ORDER BY x.segment NULLS FIRST, p.period
