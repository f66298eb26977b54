-- analysis: csat
-- summary: Customer satisfaction (CSAT) per period: satisfied answers (score 4 or 5 of 5) ÷ answers.
-- description: Counts every CSAT answer once (view satisfaction_answers): a resolved ticket's own
--   csat, placed by its resolved_at, and every csat survey answer, placed by its responded_at,
--   except a survey linked to a ticket (its ticket_id, of the source its ticket_source names,
--   else of its own) that carries its own csat — the ticket's value wins, even while that
--   ticket is not resolved (its score then counts once it is). An unresolved ticket's own
--   csat is not counted (it has no resolution instant). Several surveys linked to one ticket
--   without a csat of its own each count.
--   csat = satisfied / answered (empty when nobody answered), mean_score = mean of the 1–5
--   scores. --segment splits by the ticket's channel, category, priority or agent (a survey
--   answer takes them from its linked ticket; (unknown) when it has none) or by origin
--   (ticket or survey). Periods run from the first answer (or --from) to the last (or --to),
--   empty ones included; with --segment only segment × period pairs with answers are listed.
-- grain: one row per period (× segment with --segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods are local calendar periods there.
-- param: $5 segment choice(channel,category,priority,agent,origin) : Split by the ticket's channel, category, priority or agent, or by origin (ticket or survey).
-- column: segment text : The --segment value ((unknown) when the answer has none); empty without --segment.
-- column: period date : The period's local start date.
-- column: answered bigint : CSAT answers placed in the period.
-- column: satisfied bigint : Answers with score 4 or 5.
-- column: csat float8 : satisfied / answered; empty when answered is 0.
-- column: mean_score float8 : Mean score (1–5) of the answers; empty when answered is 0.
-- column: complete boolean : False while the period is not over (its end is after the data horizon).
-- query: main
-- One text for one server and for Citus (docs/scale-out.md): satisfaction_answers is read alone
-- in its FROM, with the settings as parameters (see answers).
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           $5::text AS segment_by
),
-- The view alone in its FROM, the settings as parameters: on Citus, satisfaction_answers joins
-- a survey to its ticket, which may be another customer's (not co-located); Citus plans that
-- join only where the view is not itself joined with something (docs/scale-out.md).
answers AS (
    SELECT a.at, a.score, period_label($3::text, $4::text, a.at) AS period,
           CASE WHEN $5::text = 'origin' THEN coalesce(a.origin, '(unknown)')
                WHEN $5::text IS NOT NULL THEN
                    ticket_dimension($5::text, a.channel, a.category, a.priority, a.agent)
           END AS segment
    FROM satisfaction_answers AS a
    WHERE a.kind = 'csat'
),
periods AS (
    SELECT ps.*
    FROM settings AS s
    CROSS JOIN LATERAL period_series(
        s.period, s.tz, s.from_date, s.to_date,
        (SELECT min(at) FROM answers), (SELECT max(at) FROM answers)) AS ps
),
counts AS (
    SELECT a.segment, a.period,
           count(*) AS answered,
           count(*) FILTER (WHERE a.score >= 4) AS satisfied,
           avg(a.score)::float8 AS mean_score
    FROM answers AS a
    WHERE a.period IN (SELECT p.period FROM periods AS p)
    GROUP BY a.segment, a.period
),
-- Without --segment every period is listed, with --segment the pairs with answers.
rows_out AS (
    SELECT c.segment, p.period, p.complete,
           coalesce(c.answered, 0) AS answered, coalesce(c.satisfied, 0) AS satisfied, c.mean_score
    FROM periods AS p
    CROSS JOIN settings AS s
    LEFT JOIN counts AS c ON c.period = p.period
    WHERE s.segment_by IS NULL OR c.period IS NOT NULL
)
SELECT r.segment, r.period, r.answered, r.satisfied,
       r.satisfied::float8 / nullif(r.answered, 0) AS csat,
       r.mean_score,
       r.complete
FROM rows_out AS r
ORDER BY r.segment NULLS FIRST, r.period
