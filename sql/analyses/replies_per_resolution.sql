-- analysis: replies_per_resolution
-- summary: Agent replies per resolved ticket, per period: mean and median.
-- description: Over resolved tickets (status solved or closed), placed in the period holding
--   their resolved_at (local periods in --tz): mean and median agent_replies. A ticket
--   without agent_replies is left out of the mean and median (never read as 0): resolved
--   counts every resolved ticket, counted those with a reply count. The median is
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
-- column: counted bigint : Of those, tickets with agent_replies (the count the statistics are over).
-- column: mean_replies float8 : Mean agent replies per resolved ticket.
-- column: median_replies float8 : Median agent replies (percentile_cont 0.5).
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
           t.agent_replies::float8 AS agent_replies,
           CASE WHEN s.segment_by IS NOT NULL THEN
               ticket_dimension(s.segment_by, t.channel, t.category, t.priority, t.agent)
           END AS segment
    FROM ticket_facts AS t
    CROSS JOIN settings AS s
    WHERE t.resolved_at >= (SELECT min(period_start) FROM periods)
      AND t.resolved_at < (SELECT max(period_end) FROM periods)
),
stats AS (
    SELECT r.segment, r.period, count(*) AS resolved, count(r.agent_replies) AS counted,
           avg(r.agent_replies) AS mean_replies,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY r.agent_replies) AS median_replies
    FROM reported_tickets AS r
    GROUP BY r.segment, r.period
)
SELECT x.segment, p.period, coalesce(x.resolved, 0)::bigint AS resolved, coalesce(x.counted, 0)::bigint AS counted,
       x.mean_replies, x.median_replies, p.complete
FROM periods AS p
CROSS JOIN settings AS s
LEFT JOIN stats AS x ON x.period = p.period
WHERE s.segment_by IS NULL OR x.period IS NOT NULL
ORDER BY x.segment NULLS FIRST, p.period
