-- analysis: first_contact_resolution
-- summary: First contact resolution (FCR) per period: resolved tickets solved with at most one agent reply and no reopen.
-- description: Over resolved tickets (status solved or closed), placed in the period holding
--   their resolved_at (local periods in --tz). A resolved ticket is a first-contact
--   resolution when agent_replies ≤ 1 and reopens = 0. fcr_rate = first_contact ÷ assessed,
--   where assessed = resolved tickets whose agent_replies and reopens are both known: a
--   ticket missing either is left out of both (never read as 0, like a missing handling
--   time); resolved counts them all. Empty rate when nothing was assessed. Periods run from
--   the first resolution (or --from) to the last (or --to), empty ones included; with
--   --segment only segment × period combinations with resolutions are listed.
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
-- column: assessed bigint : Of those, tickets with both agent_replies and reopens known.
-- column: first_contact bigint : Assessed tickets with agent_replies ≤ 1 and reopens = 0.
-- column: fcr_rate float8 : first_contact ÷ assessed.
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
           t.agent_replies IS NOT NULL AND t.reopens IS NOT NULL AS is_assessed,
           coalesce(t.agent_replies <= 1 AND t.reopens = 0, false) AS is_first_contact,
           CASE WHEN s.segment_by IS NOT NULL THEN
               ticket_dimension(s.segment_by, t.channel, t.category, t.priority, t.agent)
           END AS segment
    FROM ticket_facts AS t
    CROSS JOIN settings AS s
    WHERE t.resolved_at >= (SELECT min(period_start) FROM periods)
      AND t.resolved_at < (SELECT max(period_end) FROM periods)
),
stats AS (
    SELECT r.segment, r.period, count(*) AS resolved,
           count(*) FILTER (WHERE r.is_assessed) AS assessed,
           count(*) FILTER (WHERE r.is_first_contact) AS first_contact
    FROM reported_tickets AS r
    GROUP BY r.segment, r.period
)
SELECT x.segment, p.period, coalesce(x.resolved, 0)::bigint AS resolved,
       coalesce(x.assessed, 0)::bigint AS assessed, coalesce(x.first_contact, 0)::bigint AS first_contact,
       x.first_contact::float8 / nullif(x.assessed, 0) AS fcr_rate,
       p.complete
FROM periods AS p
CROSS JOIN settings AS s
LEFT JOIN stats AS x ON x.period = p.period
WHERE s.segment_by IS NULL OR x.period IS NOT NULL
ORDER BY x.segment NULLS FIRST, p.period
