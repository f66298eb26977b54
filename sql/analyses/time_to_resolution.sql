-- analysis: time_to_resolution
-- summary: Time to resolution (TTR) per period: mean, median and p90 hours from creation to resolution.
-- description: TTR = resolved_at − created_at, in hours, over resolved tickets (status solved
--   or closed; resolved_at is the last solve). A ticket counts in the period holding its
--   resolved_at (local periods in --tz). A reopened ticket that is open again is unresolved
--   and not counted. Median and p90 are percentile_cont (interpolated). Calendar (elapsed)
--   hours by default; with --schedule FILE, open business hours of that schedule only (weekly
--   local opening hours in its own time zone, holidays closed; correct across DST changes;
--   see README "Business hours"). Periods run from the first resolution (or --from) to the
--   last (or --to), empty ones included; with --segment only segment × period combinations
--   with resolutions are listed.
-- grain: one row per period (× segment with --segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods are local calendar periods there.
-- param: $5 segment choice(channel,category,priority,agent) : Split by the ticket's channel, category, priority or agent.
-- param: $6 schedule schedule : Business-hours schedule file: count only open business time (see README).
-- column: segment text : The --segment value ((unknown) when the ticket has none); empty without --segment.
-- column: period date : The period's local start date.
-- column: resolved bigint : Tickets resolved in the period (the count TTR is over).
-- column: mean_hours float8 : Mean TTR in hours (business hours with --schedule).
-- column: median_hours float8 : Median TTR (percentile_cont 0.5).
-- column: p90_hours float8 : 90th percentile TTR (percentile_cont 0.9).
-- column: complete boolean : False while the period is not over (its end is after the data horizon).
-- query: main
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           $5::text AS segment_by, $6::jsonb AS schedule
),
periods AS (
    SELECT ps.*
    FROM settings AS s
    CROSS JOIN LATERAL period_series(s.period, s.tz, s.from_date, s.to_date,
                                     (SELECT min(resolved_at) FROM ticket_facts),
                                     (SELECT max(resolved_at) FROM ticket_facts)) AS ps
),
reported_tickets AS (
    SELECT period_label(s.period, s.tz, t.resolved_at) AS period,
           CASE WHEN s.schedule IS NULL THEN t.ttr_hours ELSE b.ttr_hours END AS ttr_hours,
           CASE WHEN s.segment_by IS NOT NULL THEN
               ticket_dimension(s.segment_by, t.channel, t.category, t.priority, t.agent)
           END AS segment
    FROM ticket_facts AS t
    CROSS JOIN settings AS s
    LEFT JOIN ticket_business_hours($6::jsonb) AS b ON b.source = t.source AND b.ticket_id = t.ticket_id
    WHERE t.resolved_at >= (SELECT min(period_start) FROM periods)
      AND t.resolved_at < (SELECT max(period_end) FROM periods)
),
stats AS (
    SELECT r.segment, r.period, count(*) AS resolved,
           avg(r.ttr_hours) AS mean_hours,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.ttr_hours) AS median_hours,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY r.ttr_hours) AS p90_hours
    FROM reported_tickets AS r
    GROUP BY r.segment, r.period
)
SELECT x.segment, p.period, coalesce(x.resolved, 0)::bigint AS resolved,
       x.mean_hours, x.median_hours, x.p90_hours, p.complete
FROM periods AS p
CROSS JOIN settings AS s
LEFT JOIN stats AS x ON x.period = p.period
WHERE s.segment_by IS NULL OR x.period IS NOT NULL
ORDER BY x.segment NULLS FIRST, p.period
