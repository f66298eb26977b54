-- analysis: backlog
-- summary: Ticket backlog at each period end: tickets open then, and how many of them are older than --aged days.
-- description: At the end e of each period [s, e) (local periods in --tz): open_at_end =
--   tickets created before e and not resolved before e. A ticket resolved exactly at e is
--   still open at e. Resolved means resolved now (status solved or closed, at its resolved_at,
--   the last solve): a reopened ticket that is open again counts as open from its creation on,
--   its old resolved_at ignored. aged = open tickets older than --aged days at e, strictly
--   (e − created_at > A × 24 h, elapsed time). opened and resolved are the flows of the
--   period (created in [s, e); resolved now with resolved_at in [s, e)), so open_at_end =
--   previous open_at_end + opened − resolved. All history counts, also before --from.
--   Periods run from the first ticket (or --from) to the last creation or resolution (or
--   --to), empty ones included; with --segment only segment × period combinations with open
--   tickets or flows are listed.
-- grain: one row per period (× segment with --segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods are local calendar periods there.
-- param: $5 aged int(0..) = 3 : A: an open ticket is aged when it is more than A days (A × 24 h) old at the period end.
-- param: $6 segment choice(channel,category,priority,agent) : Split by the ticket's channel, category, priority or agent.
-- column: segment text : The --segment value ((unknown) when the ticket has none); empty without --segment.
-- column: period date : The period's local start date (the backlog is taken at its end).
-- column: opened bigint : Tickets created in the period.
-- column: resolved bigint : Tickets resolved in the period (and still resolved now).
-- column: open_at_end bigint : Tickets created before the period end and not resolved before it.
-- column: aged bigint : Of those, tickets more than --aged days old at the period end.
-- column: aged_share float8 : aged ÷ open_at_end.
-- column: complete boolean : False while the period is not over (its end is after the data horizon).
-- query: main
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           $5::int AS aged_days, $6::text AS segment_by
),
periods AS (
    SELECT ps.*
    FROM settings AS s
    CROSS JOIN LATERAL period_series(s.period, s.tz, s.from_date, s.to_date,
                                     (SELECT min(created_at) FROM ticket_facts),
                                     (SELECT max(greatest(created_at, resolved_at)) FROM ticket_facts)) AS ps
),
-- An instant x lies before the end of period p exactly when the label of x is ≤ p, so each
-- ticket changes the counts at labels: created (+1 open), created + A (+1 aged), resolved
-- (−1 open; −1 aged from the later of its resolution and its ageing).
ticket_labels AS (
    SELECT period_label(s.period, s.tz, t.created_at) AS created_label,
           period_label(s.period, s.tz, t.created_at + make_interval(hours => 24 * s.aged_days)) AS aged_label,
           period_label(s.period, s.tz, t.resolved_at) AS resolved_label,
           CASE WHEN s.segment_by IS NOT NULL THEN
               ticket_dimension(s.segment_by, t.channel, t.category, t.priority, t.agent)
           END AS segment
    FROM ticket_facts AS t
    CROSS JOIN settings AS s
),
changes AS (
    SELECT segment, created_label AS label, 1 AS open_delta, 0 AS aged_delta, 1 AS opened, 0 AS resolved
    FROM ticket_labels
    UNION ALL
    SELECT segment, aged_label, 0, 1, 0, 0
    FROM ticket_labels
    UNION ALL
    SELECT segment, resolved_label, -1, 0, 0, 1
    FROM ticket_labels WHERE resolved_label IS NOT NULL
    UNION ALL
    SELECT segment, greatest(aged_label, resolved_label), 0, -1, 0, 0
    FROM ticket_labels WHERE resolved_label IS NOT NULL
),
changes_by_label AS (
    SELECT c.segment, c.label, sum(c.open_delta) AS open_delta, sum(c.aged_delta) AS aged_delta,
           sum(c.opened) AS opened, sum(c.resolved) AS resolved
    FROM changes AS c
    GROUP BY c.segment, c.label
),
segments AS (
    SELECT DISTINCT c.segment FROM changes_by_label AS c
    UNION
    SELECT NULL::text FROM settings AS s WHERE s.segment_by IS NULL
),
-- Every label from the earliest change (history before --from counts) to the last period
-- reported, so that a running sum over them gives the counts at each period end.
labels AS (
    SELECT l::date AS label
    FROM settings AS s
    CROSS JOIN LATERAL generate_series(
        least((SELECT min(c.label) FROM changes_by_label AS c), (SELECT min(p.period) FROM periods AS p))::timestamp,
        (SELECT max(p.period) FROM periods AS p)::timestamp,
        period_interval(s.period)) AS l
),
running AS (
    SELECT g.segment, l.label,
           coalesce(x.opened, 0) AS opened, coalesce(x.resolved, 0) AS resolved,
           sum(coalesce(x.open_delta, 0)) OVER w AS open_at_end,
           sum(coalesce(x.aged_delta, 0)) OVER w AS aged
    FROM segments AS g
    CROSS JOIN labels AS l
    LEFT JOIN changes_by_label AS x ON coalesce(x.segment, '') = coalesce(g.segment, '') AND x.label = l.label
    WINDOW w AS (PARTITION BY g.segment ORDER BY l.label)
),
counts AS (
    SELECT r.segment, p.period, p.complete, r.opened, r.resolved, r.open_at_end, r.aged
    FROM running AS r
    JOIN periods AS p ON p.period = r.label
)
SELECT c.segment, c.period, c.opened::bigint AS opened, c.resolved::bigint AS resolved,
       c.open_at_end::bigint AS open_at_end, c.aged::bigint AS aged,
       c.aged::float8 / nullif(c.open_at_end, 0) AS aged_share,
       c.complete
FROM counts AS c
CROSS JOIN settings AS s
WHERE s.segment_by IS NULL OR c.open_at_end + c.opened + c.resolved > 0
ORDER BY c.segment NULLS FIRST, c.period
