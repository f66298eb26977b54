-- analysis: ticket_volume
-- summary: Tickets created per period, optionally split by channel, category, priority or agent.
-- description: A ticket counts in the period holding its created_at (local periods in --tz).
--   tickets = tickets created in the period; customers = distinct customers who created them;
--   share = tickets ÷ all tickets created in the period, so with --segment channel it is the
--   channel mix (the share of tickets per channel; 1.0 without --segment, empty for a period
--   without tickets). A ticket without the --segment value counts under (unknown). Periods
--   run from the first ticket (or --from) to the last (or --to), empty ones included; with
--   --segment only segment × period combinations with tickets are listed.
-- grain: one row per period (× segment with --segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods are local calendar periods there.
-- param: $5 segment choice(channel,category,priority,agent) : Split by the ticket's channel, category, priority or agent.
-- column: segment text : The --segment value ((unknown) when the ticket has none); empty without --segment.
-- column: period date : The period's local start date.
-- column: tickets bigint : Tickets created in the period.
-- column: customers bigint : Distinct customers who created them.
-- column: share float8 : tickets ÷ all tickets created in the period (the channel mix with --segment channel).
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
    SELECT period_label(s.period, s.tz, t.created_at) AS period, t.customer_key,
           CASE WHEN s.segment_by IS NOT NULL THEN
               ticket_dimension(s.segment_by, t.channel, t.category, t.priority, t.agent)
           END AS segment
    FROM ticket_facts AS t
    CROSS JOIN settings AS s
    WHERE t.created_at >= (SELECT min(period_start) FROM periods)
      AND t.created_at < (SELECT max(period_end) FROM periods)
),
counts AS (
    SELECT r.segment, r.period, count(*) AS tickets, count(DISTINCT r.customer_key) AS customers
    FROM reported_tickets AS r
    GROUP BY r.segment, r.period
)
SELECT c.segment, p.period,
       coalesce(c.tickets, 0)::bigint AS tickets,
       coalesce(c.customers, 0)::bigint AS customers,
       c.tickets::float8 / nullif(sum(c.tickets) OVER (PARTITION BY p.period), 0) AS share,
       p.complete
FROM periods AS p
CROSS JOIN settings AS s
LEFT JOIN counts AS c ON c.period = p.period
WHERE s.segment_by IS NULL OR c.period IS NOT NULL
ORDER BY c.segment NULLS FIRST, p.period
