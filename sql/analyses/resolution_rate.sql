-- analysis: resolution_rate
-- summary: Resolution rate per period: tickets created in the period that are resolved now ÷ tickets created.
-- description: A ticket counts in the period holding its created_at (local periods in --tz).
--   resolved = tickets created in the period that are resolved at report time (status solved
--   or closed now, whenever that happened); a reopened ticket that is open again is not
--   resolved. resolution_rate = resolved ÷ created, empty for a period without tickets. The
--   rate of a recent period can still rise as its tickets get solved. Periods run from the
--   first ticket (or --from) to the last (or --to), empty ones included; with --segment only
--   segment × period combinations with tickets are listed.
-- grain: one row per period (× segment with --segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods are local calendar periods there.
-- param: $5 segment choice(channel,category,priority,agent) : Split by the ticket's channel, category, priority or agent.
-- column: segment text : The --segment value ((unknown) when the ticket has none); empty without --segment.
-- column: period date : The period's local start date.
-- column: created bigint : Tickets created in the period.
-- column: resolved bigint : Of those, tickets resolved now (solved or closed).
-- column: resolution_rate float8 : resolved ÷ created.
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
                                     (SELECT min(created_at) FROM tickets),
                                     (SELECT max(created_at) FROM tickets)) AS ps
),
reported_tickets AS (
    SELECT period_label(s.period, s.tz, t.created_at) AS period, t.is_resolved,
           CASE WHEN s.segment_by IS NOT NULL THEN
               ticket_dimension(s.segment_by, t.channel, t.category, t.priority, t.agent)
           END AS segment
    FROM ticket_facts AS t
    CROSS JOIN settings AS s
    WHERE t.created_at >= (SELECT min(period_start) FROM periods)
      AND t.created_at < (SELECT max(period_end) FROM periods)
),
stats AS (
    SELECT r.segment, r.period, count(*) AS created, count(*) FILTER (WHERE r.is_resolved) AS resolved
    FROM reported_tickets AS r
    GROUP BY r.segment, r.period
)
SELECT x.segment, p.period, coalesce(x.created, 0)::bigint AS created, coalesce(x.resolved, 0)::bigint AS resolved,
       x.resolved::float8 / nullif(x.created, 0) AS resolution_rate,
       p.complete
FROM periods AS p
CROSS JOIN settings AS s
LEFT JOIN stats AS x ON x.period = p.period
WHERE s.segment_by IS NULL OR x.period IS NOT NULL
ORDER BY x.segment NULLS FIRST, p.period
