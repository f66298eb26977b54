-- analysis: at_risk
-- summary: Valuable customers slipping away: high historical value, low P(alive); a call list sorted by value at risk.
-- description: value = the customer's historical CLV (clv --method historical: net value of every
--   valid order loaded = amounts − their returns; cancelled orders never count). A customer is
--   listed when value ≥ the --min-value-percentile percentile (percentile_cont) of every buyer's
--   value and P(alive) < --max-p-alive. P(alive) and expected purchases over --horizon months come
--   from the same BG/NBD fit as clv --method predictive with the same --as-of, --tz and --unit
--   (so they equal clv --per-customer's p_alive and expected_purchases); a customer is a candidate
--   when they bought by the end of --as-of. value_at_risk = value × (1 − P(alive)); rows sorted by
--   it, largest first (ties: customer_key). days_since_last_purchase counts local days in --tz
--   from the last purchase day up to --as-of. Identifiers: every e-mail and every phone joined to
--   the customer (identity resolution), sorted, separated by ", ". The latest ticket (greatest
--   created_at; ties: ticket_id, source) and the latest survey answer of any kind (greatest
--   responded_at; ties: response_id, source) are the latest loaded, whatever --as-of says; the
--   ticket's FRT is first_response_time's (elapsed hours to the first response; empty without one),
--   its CSAT the effective one (the ticket's own, else its latest linked survey's).
-- grain: one row per customer at risk
-- unique: customer_key
-- param: $1 tz timezone = UTC : Time zone of days (purchase days, --as-of, days since last purchase).
-- param: $2 as_of date : Last day of the data the model is fitted on, inclusive. Default: the last purchase day.
-- param: $3 unit choice(week,day) = week : Unit of frequency, recency and T in the model fit.
-- param: $4 horizon int(1..) = 12 : Months over which expected purchases are counted.
-- param: $5 min_value_percentile int(0..100) = 75 : Keep customers whose value is at or above this percentile of all buyers' values.
-- param: $6 max_p_alive numeric = 0.5 : Keep customers whose P(alive) is below this.
-- column: customer_key bigint : The customer.
-- column: emails text : Every e-mail address of the customer, sorted, ", "-separated; empty if none.
-- column: phones text : Every phone number of the customer, sorted, ", "-separated; empty if none.
-- column: value numeric : Historical CLV: net value of all their valid orders (clv --method historical).
-- column: p_alive float8 : Probability of being alive at --as-of (BG/NBD, as clv --per-customer).
-- column: expected_purchases float8 : Expected purchases over --horizon months (as clv --per-customer).
-- column: value_at_risk float8 : value × (1 − p_alive).
-- column: days_since_last_purchase int : Local days (--tz) from their last valid purchase day up to --as-of.
-- column: latest_ticket_source text : Source of their latest ticket; empty without tickets.
-- column: latest_ticket_id text : Its ticket id.
-- column: latest_ticket_created_at timestamptz : When it was created.
-- column: latest_ticket_status text : Its status (open, pending, solved, closed…).
-- column: latest_ticket_frt_hours float8 : Its first response time in hours (first_response_time's FRT); empty without a response.
-- column: latest_ticket_csat int : Its effective CSAT (1–5): its own, else its latest linked survey's.
-- column: latest_survey_kind text : Kind of their latest survey answer: nps, csat or ces; empty without answers.
-- column: latest_survey_score int : Its score.
-- column: latest_survey_at timestamptz : When it was answered.
-- prepare: predictive_clv from rfm_summary
-- query: main
-- Values from customer_totals (kept exact by every load) unless the summaries are not current.
WITH customer_values AS (
    SELECT pf.customer_key, sum(pf.net_value) AS value
    FROM purchase_facts AS pf
    WHERE NOT (SELECT customer_summaries_current(true))
    GROUP BY pf.customer_key
    UNION ALL
    SELECT t.customer_key, t.gross - t.returned
    FROM customer_totals AS t
    WHERE (SELECT customer_summaries_current(true))
),
threshold AS (
    SELECT percentile_cont($5::int / 100.0) WITHIN GROUP (ORDER BY v.value) AS min_value
    FROM customer_values AS v
),
at_risk AS (
    SELECT v.customer_key, v.value, cp.p_alive, cp.expected_purchases,
           -- T − recency is --as-of − last purchase day in --unit; round() undoes the division by 7.
           round((cp."T" - cp.recency) * CASE $3::text WHEN 'week' THEN 7 ELSE 1 END)::int AS days_since_last_purchase
    FROM customer_values AS v
    JOIN clv_predictions AS cp ON cp.customer_key = v.customer_key
    CROSS JOIN threshold AS t
    WHERE v.value >= t.min_value AND cp.p_alive < $6::numeric
),
-- One pass over the listed customers' tickets and answers (not one lookup per customer:
-- ticket_facts aggregates the linked surveys).
latest_ticket AS (
    SELECT DISTINCT ON (tf.customer_key) tf.customer_key, tf.source, tf.ticket_id, tf.created_at,
           tf.status, tf.frt_hours, tf.csat
    FROM ticket_facts AS tf
    JOIN at_risk AS r ON r.customer_key = tf.customer_key
    ORDER BY tf.customer_key, tf.created_at DESC, tf.ticket_id DESC, tf.source DESC
),
latest_survey AS (
    SELECT DISTINCT ON (s.customer_key) s.customer_key, s.kind, s.score, s.responded_at
    FROM surveys AS s
    JOIN at_risk AS r ON r.customer_key = s.customer_key
    ORDER BY s.customer_key, s.responded_at DESC, s.response_id DESC, s.source DESC
),
identifiers AS (
    SELECT ci.customer_key,
           string_agg(ci.value, ', ' ORDER BY ci.value) FILTER (WHERE ci.kind = 'email') AS emails,
           string_agg(ci.value, ', ' ORDER BY ci.value) FILTER (WHERE ci.kind = 'phone') AS phones
    FROM customer_identifiers AS ci
    JOIN at_risk AS r ON r.customer_key = ci.customer_key
    WHERE ci.kind IN ('email', 'phone')
    GROUP BY ci.customer_key
)
SELECT r.customer_key, i.emails, i.phones,
       r.value, r.p_alive, r.expected_purchases,
       r.value::float8 * (1 - r.p_alive) AS value_at_risk,
       r.days_since_last_purchase,
       lt.source AS latest_ticket_source, lt.ticket_id AS latest_ticket_id,
       lt.created_at AS latest_ticket_created_at, lt.status AS latest_ticket_status,
       lt.frt_hours AS latest_ticket_frt_hours, lt.csat::int AS latest_ticket_csat,
       ls.kind AS latest_survey_kind, ls.score::int AS latest_survey_score, ls.responded_at AS latest_survey_at
FROM at_risk AS r
LEFT JOIN identifiers AS i ON i.customer_key = r.customer_key
LEFT JOIN latest_ticket AS lt ON lt.customer_key = r.customer_key
LEFT JOIN latest_survey AS ls ON ls.customer_key = r.customer_key
ORDER BY value_at_risk DESC, r.customer_key
-- step: rfm_summary
-- The rows the model is fitted on, exactly clv's (sql/models/rfm_summary.sql); the
-- engine puts them in customer order.
SELECT r.customer_key, r.frequency, r.recency, r."T", r.monetary
FROM rfm_summary($2::date, $1::text, $3::text) AS r
