-- analysis: handling_time
-- summary: Average handling time (AHT) per period: mean and median agent work hours of resolved tickets.
-- description: Over resolved tickets (status solved or closed), placed in the period holding
--   their resolved_at (local periods in --tz): mean and median handle_seconds (agent work
--   time), reported in hours (handle_seconds ÷ 3600) like every support duration. A ticket
--   without handle_seconds is left out of the mean and median (never read as 0): resolved
--   counts every resolved ticket, timed those with a handling time. The median is
--   percentile_cont (interpolated). Periods run from the first resolution (or --from) to the
--   last (or --to), empty ones included; with --segment only segment × period combinations
--   with resolutions are listed.
-- grain: one row per period (× segment with --segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods are local calendar periods there.
-- param: $5 segment choice(channel,category,priority,agent) : Split by the ticket's channel, category, priority or agent.
-- column: segment text : The --segment value ((unknown) when the ticket has none); empty without --segment.
-- column: period date : The period's local start date.
-- column: resolved bigint : Tickets resolved in the period.
-- column: timed bigint : Of those, tickets with handle_seconds (the count AHT is over).
-- column: mean_hours float8 : Mean handling time in hours.
-- column: median_hours float8 : Median handling time in hours (percentile_cont 0.5).
-- column: complete boolean : False while the period is not over (its end is after the data horizon).
-- query: main
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           $5::text AS segment_by
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
           t.handle_seconds::float8 / 3600 AS handle_hours,
           CASE WHEN s.segment_by IS NOT NULL THEN
               ticket_dimension(s.segment_by, t.channel, t.category, t.priority, t.agent)
           END AS segment
    FROM ticket_facts AS t
    CROSS JOIN settings AS s
    WHERE t.resolved_at >= (SELECT min(period_start) FROM periods)
      AND t.resolved_at < (SELECT max(period_end) FROM periods)
),
stats AS (
    SELECT r.segment, r.period, count(*) AS resolved, count(r.handle_hours) AS timed,
           avg(r.handle_hours) AS mean_hours,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.handle_hours) AS median_hours
    FROM reported_tickets AS r
    GROUP BY r.segment, r.period
)
SELECT x.segment, p.period, coalesce(x.resolved, 0)::bigint AS resolved, coalesce(x.timed, 0)::bigint AS timed,
       x.mean_hours, x.median_hours, p.complete
FROM periods AS p
CROSS JOIN settings AS s
LEFT JOIN stats AS x ON x.period = p.period
WHERE s.segment_by IS NULL OR x.period IS NOT NULL
ORDER BY x.segment NULLS FIRST, p.period
