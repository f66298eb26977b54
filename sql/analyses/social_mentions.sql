-- analysis: social_mentions
-- summary: Mentions per platform and period: sentiment split, complaints, responses, linked customers.
-- description: A mention is placed in a period by posted_at. Sentiment (mention_facts): positive
--   above 0.05, negative below −0.05, else neutral (exactly ±0.05 is neutral); a mention
--   without a score is unscored. negative_share = negative / scored mentions (unscored ones
--   left out); complaint_share = complaints / mentions whose is_complaint is known;
--   response_rate = mentions with responded_at / mentions; median_response_hours =
--   percentile_cont(0.5) of responded_at − posted_at in hours over the responded mentions of
--   the period (whenever the response came); linked_share = mentions whose handle resolves to
--   a known customer / mentions. By default one row per platform and period (only platform ×
--   period pairs with mentions); --segment none gives one overall row per period, every
--   period from the first mention (or --from) to the last (or --to) listed, empty ones
--   included; --segment linked splits linked from unlinked mentions.
-- grain: one row per platform × period (per period with --segment none)
-- unique: segment, period
-- param: $1 from date : First period reported (the period holding this local date). Default: the first with data.
-- param: $2 to date : Report periods starting before this local date (exclusive). Default: up to the last with data.
-- param: $3 period choice(day,week,month,quarter,year) = month : Period length (weeks are ISO, Monday start).
-- param: $4 tz timezone = UTC : Reporting time zone for period boundaries.
-- param: $5 segment choice(platform,linked,none) = platform : Split by platform (default), by linked/unlinked, or none (all platforms together).
-- column: segment text : The platform (or linked/unlinked); empty with --segment none.
-- column: period date : The period's local start date.
-- column: mentions bigint : Mentions posted in the period.
-- column: positive bigint : Mentions with sentiment above 0.05.
-- column: neutral bigint : Mentions with sentiment in [−0.05, 0.05].
-- column: negative bigint : Mentions with sentiment below −0.05.
-- column: unscored bigint : Mentions without a sentiment.
-- column: negative_share float8 : negative / (positive + neutral + negative); empty without scored mentions.
-- column: complaints bigint : Mentions flagged as complaints.
-- column: complaint_share float8 : complaints / mentions whose is_complaint is known.
-- column: responded bigint : Mentions with a response (responded_at).
-- column: response_rate float8 : responded / mentions.
-- column: median_response_hours float8 : Median hours from posted_at to responded_at over the responded mentions.
-- column: linked bigint : Mentions whose handle resolves to a known customer.
-- column: linked_share float8 : linked / mentions.
-- column: complete boolean : False while the period is not over (its end is after the data horizon).
-- query: main
WITH settings AS (
    SELECT $1::date AS from_date, $2::date AS to_date, $3::text AS period, $4::text AS tz, $5::text AS segment_by
),
-- Read twice (totals, medians), each time as a scan of its own: a CTE read twice would be
-- materialized whole, and on Citus computed on the coordinator.
placed AS NOT MATERIALIZED (
    SELECT period_label(s.period, s.tz, m.posted_at) AS period, m.*,
           CASE s.segment_by WHEN 'platform' THEN m.platform
                             WHEN 'linked' THEN CASE WHEN m.is_linked THEN 'linked' ELSE 'unlinked' END END AS segment
    FROM mention_facts AS m
    CROSS JOIN settings AS s
),
totals AS (
    SELECT m.segment, m.period,
           count(*) AS mentions,
           count(*) FILTER (WHERE m.sentiment_label = 'positive') AS positive,
           count(*) FILTER (WHERE m.sentiment_label = 'neutral') AS neutral,
           count(*) FILTER (WHERE m.sentiment_label = 'negative') AS negative,
           count(*) FILTER (WHERE m.sentiment_label IS NULL) AS unscored,
           count(*) FILTER (WHERE m.is_complaint) AS complaints,
           count(m.is_complaint) AS complaint_known,
           count(m.responded_at) AS responded,
           count(*) FILTER (WHERE m.is_linked) AS linked
    FROM placed AS m
    GROUP BY m.segment, m.period
),
-- The median apart, over the responded mentions alone: the counts above are sums, which Citus
-- adds up from each shard's, while an exact median needs every value in one place; so only
-- the responded mentions' hours travel to the coordinator, not every mention.
medians AS (
    SELECT m.segment, m.period,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY m.response_hours) AS median_response_hours
    FROM placed AS m
    WHERE m.responded_at IS NOT NULL
    GROUP BY m.segment, m.period
),
periods AS (
    SELECT ps.period, ps.complete
    FROM settings AS s
    CROSS JOIN LATERAL period_series(
        s.period, s.tz, s.from_date, s.to_date,
        (SELECT min(posted_at) FROM mentions), (SELECT max(posted_at) FROM mentions)) AS ps
),
segments AS (
    SELECT DISTINCT segment FROM totals
    UNION
    SELECT NULL::text FROM settings AS s WHERE s.segment_by = 'none'
)
SELECT g.segment, p.period,
       coalesce(t.mentions, 0)::bigint AS mentions,
       coalesce(t.positive, 0)::bigint AS positive,
       coalesce(t.neutral, 0)::bigint AS neutral,
       coalesce(t.negative, 0)::bigint AS negative,
       coalesce(t.unscored, 0)::bigint AS unscored,
       t.negative::float8 / nullif(t.positive + t.neutral + t.negative, 0) AS negative_share,
       coalesce(t.complaints, 0)::bigint AS complaints,
       t.complaints::float8 / nullif(t.complaint_known, 0) AS complaint_share,
       coalesce(t.responded, 0)::bigint AS responded,
       t.responded::float8 / nullif(t.mentions, 0) AS response_rate,
       d.median_response_hours,
       coalesce(t.linked, 0)::bigint AS linked,
       t.linked::float8 / nullif(t.mentions, 0) AS linked_share,
       p.complete
FROM segments AS g
CROSS JOIN periods AS p
CROSS JOIN settings AS s
LEFT JOIN totals AS t ON t.segment IS NOT DISTINCT FROM g.segment AND t.period = p.period
LEFT JOIN medians AS d ON d.segment IS NOT DISTINCT FROM g.segment AND d.period = p.period
WHERE s.segment_by = 'none' OR t.mentions IS NOT NULL
ORDER BY g.segment NULLS FIRST, p.period
