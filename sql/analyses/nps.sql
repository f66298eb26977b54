-- analysis: nps
-- summary: Net Promoter Score per period: % promoters (9–10) − % detractors (0–6) of NPS answers.
-- description: Every NPS survey answer is placed in the period of its responded_at. nps =
--   100 × (promoters − detractors) / responses, in points from −100 to 100 (empty when the
--   period has no answers); passives score 7–8. Every answer counts: a customer who answers
--   twice in a period counts twice (as survey tools report it). --latest-per-customer counts
--   only each customer's latest answer in the period instead (several at the same instant: the
--   greatest (source, response_id)). --segment splits by the customer's first-purchase channel,
--   profile country, profile segment or first-purchase cohort ((unknown) when the customer has
--   none, e.g. never bought). Periods run from the first answer (or --from) to the last (or
--   --to), empty ones included; with --segment only segment × period pairs with answers are listed.
-- grain: one row per period (× segment with --segment)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone: periods are local calendar periods there.
-- param: $5 segment choice(channel,country,segment,cohort) : Split by first-purchase channel, profile country, profile segment or first-purchase cohort (period label).
-- param: $6 latest_per_customer flag : Count only each customer's latest answer in each period.
-- column: segment text : The --segment value ((unknown) when the customer has none); empty without --segment.
-- column: period date : The period's local start date.
-- column: responses bigint : NPS answers counted in the period.
-- column: promoters bigint : Answers scoring 9–10.
-- column: passives bigint : Answers scoring 7–8.
-- column: detractors bigint : Answers scoring 0–6.
-- column: nps float8 : 100 × (promoters − detractors) / responses; empty when responses is 0.
-- column: mean_score float8 : Mean score (0–10); empty when responses is 0.
-- column: complete boolean : False while the period is not over (its end is after the data horizon).
-- query: main
-- One text for one server and for Citus (docs/scale-out.md): the segment look-ups run below the
-- window function, on the survey's customer_key (see answers).
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz,
           $5::text AS segment_by, $6::boolean AS latest_per_customer
),
-- Each answer with its segment, looked up only for the dimension asked for (a CASE branch's
-- subquery runs only when taken), so a plain run reads no customer dimension at all.
-- Shaped for Citus too (docs/scale-out.md): the look-ups sit below the window function and
-- read the settings as parameters (not a join with the settings CTE), so that each is a
-- subquery on the answer's customer_key, which Citus runs on the survey's shard (a subquery
-- in the select list above a window function or an aggregate it refuses).
answers AS (
    SELECT a.*,
           row_number() OVER (
               PARTITION BY a.customer_key, a.period
               ORDER BY a.responded_at DESC, a.source DESC, a.response_id DESC) AS newest_first
    FROM (
        SELECT sv.customer_key, sv.responded_at, sv.score, sv.source, sv.response_id,
               period_label($3::text, $4::text, sv.responded_at) AS period,
               CASE WHEN $5::text IS NOT NULL THEN
                   coalesce(CASE $5::text
                                WHEN 'channel' THEN
                                    (SELECT p.channel FROM valid_purchases AS p
                                     WHERE p.customer_key = sv.customer_key
                                     ORDER BY p.ordered_at, p.source, p.order_id LIMIT 1)
                                WHEN 'country' THEN
                                    (SELECT d.country FROM customer_dimensions AS d WHERE d.customer_key = sv.customer_key)
                                WHEN 'segment' THEN
                                    (SELECT d.segment FROM customer_dimensions AS d WHERE d.customer_key = sv.customer_key)
                                WHEN 'cohort' THEN
                                    (SELECT period_label($3::text, $4::text, min(p.ordered_at))::text FROM valid_purchases AS p
                                     WHERE p.customer_key = sv.customer_key)
                            END, '(unknown)')
               END AS segment
        FROM surveys AS sv
        WHERE sv.kind = 'nps'
    ) AS a
),
counted AS (
    SELECT a.period, a.score, a.segment
    FROM answers AS a
    CROSS JOIN settings AS s
    WHERE NOT s.latest_per_customer OR a.newest_first = 1
),
periods AS (
    SELECT ps.*
    FROM settings AS s
    CROSS JOIN LATERAL period_series(
        s.period, s.tz, s.from_date, s.to_date,
        (SELECT min(responded_at) FROM answers), (SELECT max(responded_at) FROM answers)) AS ps
),
counts AS (
    SELECT c.segment, c.period,
           count(*) AS responses,
           count(*) FILTER (WHERE c.score >= 9) AS promoters,
           count(*) FILTER (WHERE c.score BETWEEN 7 AND 8) AS passives,
           count(*) FILTER (WHERE c.score <= 6) AS detractors,
           avg(c.score)::float8 AS mean_score
    FROM counted AS c
    WHERE c.period IN (SELECT p.period FROM periods AS p)
    GROUP BY c.segment, c.period
),
-- Without --segment every period is listed, with --segment the pairs with answers.
rows_out AS (
    SELECT c.segment, p.period, p.complete,
           coalesce(c.responses, 0) AS responses, coalesce(c.promoters, 0) AS promoters,
           coalesce(c.passives, 0) AS passives, coalesce(c.detractors, 0) AS detractors, c.mean_score
    FROM periods AS p
    CROSS JOIN settings AS s
    LEFT JOIN counts AS c ON c.period = p.period
    WHERE s.segment_by IS NULL OR c.period IS NOT NULL
)
SELECT r.segment, r.period, r.responses, r.promoters, r.passives, r.detractors,
       100.0::float8 * (r.promoters - r.detractors) / nullif(r.responses, 0) AS nps,
       r.mean_score,
       r.complete
FROM rows_out AS r
ORDER BY r.segment NULLS FIRST, r.period
