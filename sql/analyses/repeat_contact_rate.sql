-- analysis: repeat_contact_rate
-- summary: Repeat contact rate per period: share of tickets followed by another ticket of the same customer within --within days.
-- description: A ticket counts in the period holding its created_at (local periods in --tz).
--   It is followed when the same customer (after identity resolution, across sources)
--   created another ticket in [created_at, created_at + W), W = --within days of elapsed time
--   (W × 24 h): half-open like every interval, so a ticket exactly W later does not count and
--   another ticket at the very same instant (a duplicate contact through a second channel)
--   does. Later tickets count even when they fall after the period or after --to.
--   repeat_contact_rate = followed ÷ tickets. window_closed is false while W has not passed
--   since the period end (some follow-ups may still arrive), besides complete. Periods run
--   from the first ticket (or --from) to the last (or --to), empty ones included; with
--   --segment only segment × period combinations with tickets are listed.
-- grain: one row per period (× segment with --segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods are local calendar periods there.
-- param: $5 within int(1..) = 7 : W: a follow-up ticket within W days (W × 24 h) after a ticket makes it a repeat contact.
-- param: $6 segment choice(channel,category,priority,agent) : Split by the (first) ticket's channel, category, priority or agent.
-- column: segment text : The --segment value ((unknown) when the ticket has none); empty without --segment.
-- column: period date : The period's local start date.
-- column: tickets bigint : Tickets created in the period.
-- column: followed bigint : Of those, tickets followed by another ticket of the same customer within W.
-- column: repeat_contact_rate float8 : followed ÷ tickets.
-- column: window_closed boolean : True when the period end + W is at or before the data horizon (no follow-up can still arrive).
-- column: complete boolean : False while the period is not over (its end is after the data horizon).
-- query: main
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           make_interval(hours => 24 * $5::int) AS within, $6::text AS segment_by
),
periods AS (
    SELECT ps.*
    FROM settings AS s
    CROSS JOIN LATERAL period_series(s.period, s.tz, s.from_date, s.to_date,
                                     (SELECT min(created_at) FROM tickets),
                                     (SELECT max(created_at) FROM tickets)) AS ps
),
-- Each ticket with its customer's neighbours in time (ties ordered by source, ticket_id):
-- another ticket lies in [created_at, created_at + W) exactly when the next one does, or the
-- previous one was created at the same instant.
neighbours AS (
    SELECT t.created_at, t.channel, t.category, t.priority, t.agent,
           lead(t.created_at) OVER w AS next_created_at,
           lag(t.created_at) OVER w AS previous_created_at
    FROM ticket_facts AS t
    WINDOW w AS (PARTITION BY t.customer_key ORDER BY t.created_at, t.source, t.ticket_id)
),
reported_tickets AS (
    SELECT period_label(s.period, s.tz, n.created_at) AS period,
           coalesce(n.next_created_at < n.created_at + s.within, false)
               OR coalesce(n.previous_created_at = n.created_at, false) AS is_followed,
           CASE WHEN s.segment_by IS NOT NULL THEN
               ticket_dimension(s.segment_by, n.channel, n.category, n.priority, n.agent)
           END AS segment
    FROM neighbours AS n
    CROSS JOIN settings AS s
    WHERE n.created_at >= (SELECT min(period_start) FROM periods)
      AND n.created_at < (SELECT max(period_end) FROM periods)
),
stats AS (
    SELECT r.segment, r.period, count(*) AS tickets, count(*) FILTER (WHERE r.is_followed) AS followed
    FROM reported_tickets AS r
    GROUP BY r.segment, r.period
)
SELECT x.segment, p.period, coalesce(x.tickets, 0)::bigint AS tickets, coalesce(x.followed, 0)::bigint AS followed,
       x.followed::float8 / nullif(x.tickets, 0) AS repeat_contact_rate,
       coalesce(p.period_end + s.within <= data_horizon(), false) AS window_closed,
       p.complete
FROM periods AS p
CROSS JOIN settings AS s
LEFT JOIN stats AS x ON x.period = p.period
WHERE s.segment_by IS NULL OR x.period IS NOT NULL
ORDER BY x.segment NULLS FIRST, p.period
