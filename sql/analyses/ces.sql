-- analysis: ces
-- summary: Customer effort score (CES) per period: mean, median and distribution of 1–7 scores (lower is better).
-- description: Counts every CES answer once (view satisfaction_answers): a resolved ticket's own
--   ces, placed by its resolved_at, and every ces survey answer, placed by its responded_at,
--   except a survey linked to a ticket (its ticket_id, of the source its ticket_source names,
--   else of its own) that carries its own ces — the ticket's value wins. An unresolved
--   ticket's own ces is not counted. mean_effort and median_effort (percentile_cont) are over
--   the period's answers (empty when there are none);
--   score_1 … score_7 count the answers of each score, so the distribution is one row per
--   period (divide by responses for shares). --segment splits by the ticket's channel,
--   category, priority or agent (a survey answer takes them from its linked ticket; (unknown)
--   when it has none) or by origin (ticket or survey). Periods run from the first answer (or
--   --from) to the last (or --to), empty ones included; with --segment only segment × period
--   pairs with answers are listed.
-- grain: one row per period (× segment with --segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods are local calendar periods there.
-- param: $5 segment choice(channel,category,priority,agent,origin) : Split by the ticket's channel, category, priority or agent, or by origin (ticket or survey).
-- column: segment text : The --segment value ((unknown) when the answer has none); empty without --segment.
-- column: period date : The period's local start date.
-- column: responses bigint : CES answers placed in the period.
-- column: mean_effort float8 : Mean score (1 = very easy … 7 = very hard); empty when responses is 0.
-- column: median_effort float8 : Median score (percentile_cont); empty when responses is 0.
-- column: score_1 bigint : Answers scoring 1 (very easy).
-- column: score_2 bigint : Answers scoring 2.
-- column: score_3 bigint : Answers scoring 3.
-- column: score_4 bigint : Answers scoring 4.
-- column: score_5 bigint : Answers scoring 5.
-- column: score_6 bigint : Answers scoring 6.
-- column: score_7 bigint : Answers scoring 7 (very hard).
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
    WHERE a.kind = 'ces'
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
           count(*) AS responses,
           avg(a.score)::float8 AS mean_effort,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY a.score) AS median_effort,
           count(*) FILTER (WHERE a.score = 1) AS score_1,
           count(*) FILTER (WHERE a.score = 2) AS score_2,
           count(*) FILTER (WHERE a.score = 3) AS score_3,
           count(*) FILTER (WHERE a.score = 4) AS score_4,
           count(*) FILTER (WHERE a.score = 5) AS score_5,
           count(*) FILTER (WHERE a.score = 6) AS score_6,
           count(*) FILTER (WHERE a.score = 7) AS score_7
    FROM answers AS a
    WHERE a.period IN (SELECT p.period FROM periods AS p)
    GROUP BY a.segment, a.period
)
-- Without --segment every period is listed, with --segment the pairs with answers.
SELECT c.segment, p.period,
       coalesce(c.responses, 0) AS responses, c.mean_effort, c.median_effort,
       coalesce(c.score_1, 0) AS score_1, coalesce(c.score_2, 0) AS score_2,
       coalesce(c.score_3, 0) AS score_3, coalesce(c.score_4, 0) AS score_4,
       coalesce(c.score_5, 0) AS score_5, coalesce(c.score_6, 0) AS score_6,
       coalesce(c.score_7, 0) AS score_7,
       p.complete
FROM periods AS p
CROSS JOIN settings AS s
LEFT JOIN counts AS c ON c.period = p.period
WHERE s.segment_by IS NULL OR c.period IS NOT NULL
ORDER BY c.segment NULLS FIRST, p.period
