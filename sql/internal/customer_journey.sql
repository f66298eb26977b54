-- `patron customer IDENTIFIER`: one customer's journey (Sources/PatronAnalyses/CustomerJourney.swift).
-- Every number comes from the models the analyses use (purchase_facts, ticket_facts,
-- mention_facts, shift_local_days, data_horizon), never from a definition of its own; the
-- predictive model's P(alive) is the clv analysis' own output, fitted by the runner.
-- Instants print in the session's TimeZone, which `use_time_zone` sets to --tz first.

-- name: use_time_zone
-- $1 = --tz (checked by the command): instants in the output are local there.
SELECT set_config('TimeZone', $1, false);

-- name: find_customer
-- The identifiers an IDENTIFIER can be, normalized by the loader's rules in Swift: $1 email,
-- $2 phone, $3 handle, ($4 source, $5 customer_id) for SOURCE:ID, $6 a customer_id in any
-- source. NULL where the text cannot be that kind. One row per matching identifier; the
-- primary key (value, kind, source) serves every arm.
SELECT i.kind, i.source, i.value, i.customer_key
FROM customer_identifiers AS i
WHERE (i.kind = 'email' AND i.source = '' AND i.value = $1::text)
   OR (i.kind = 'phone' AND i.source = '' AND i.value = $2::text)
   OR (i.kind = 'handle' AND i.source = '' AND i.value = $3::text)
   OR (i.kind = 'customer_id' AND i.source = $4::text AND i.value = $5::text)
   OR (i.kind = 'customer_id' AND i.value = $6::text)
ORDER BY i.customer_key, i.kind, i.source, i.value;

-- name: identifiers
-- Every identifier of customer $1, with the load run that first saw it. Grain: one row per
-- (kind, source, value). Email, phone and handle have no source (they are global).
SELECT i.kind, nullif(i.source, '') AS source, i.value, i.first_run,
       r.entity AS first_run_entity, r.source AS first_run_source, r.file AS first_run_file,
       to_json(r.started_at) #>> '{}' AS first_seen_at
FROM customer_identifiers AS i
LEFT JOIN load_runs AS r ON r.run_id = i.first_run
WHERE i.customer_key = $1::bigint
ORDER BY i.first_run NULLS LAST, i.kind, i.source, i.value;

-- name: merges
-- The customers folded into customer $1, directly or through a customer folded into it
-- earlier (merged keys are never reused, so the chain has no cycle). Grain: one row per
-- merged_key.
WITH RECURSIVE folded AS (
    SELECT m.merged_key, m.into_key, m.run_id, m.merged_at
    FROM customer_merges AS m
    WHERE m.into_key = $1::bigint
    UNION ALL
    SELECT m.merged_key, m.into_key, m.run_id, m.merged_at
    FROM customer_merges AS m
    JOIN folded AS f ON m.into_key = f.merged_key
)
SELECT f.merged_key, f.into_key, f.run_id, r.entity AS run_entity, r.source AS run_source, r.file AS run_file,
       to_json(f.merged_at) #>> '{}' AS merged_at
FROM folded AS f
LEFT JOIN load_runs AS r ON r.run_id = f.run_id
ORDER BY f.merged_at, f.merged_key;

-- name: summary
-- Customer $1's headline numbers, as of the data horizon's local day in $2 (--tz); $3 = W
-- (--window days). Grain: one row.
-- value_to_date: clv --method historical for this customer (sum of purchase_facts.net_value:
-- amounts of valid orders − their returns, everything loaded). churn_status: churn_rate's
-- "active at t" with t = the end of the as_of day: a valid purchase in [t − W, t) is
-- `active`; purchases, none of them in it, `churned`; no valid purchase, `no_purchase`.
-- active_until: last purchase + W local days, the last instant they count as active.
WITH settings AS (
    SELECT $1::bigint AS customer_key, $2::text AS tz, $3::int AS window_days,
           (data_horizon() AT TIME ZONE $2::text)::date AS as_of
),
bought AS (
    SELECT count(*) AS orders, sum(pf.amount) AS gross, sum(pf.returned_amount) AS returned,
           sum(pf.net_value) AS net_value, min(pf.ordered_at) AS first_at, max(pf.ordered_at) AS last_at
    FROM purchase_facts AS pf
    WHERE pf.customer_key = (SELECT customer_key FROM settings)
)
SELECT coalesce(b.net_value, 0) AS value_to_date, reporting_currency() AS currency,
       b.orders, coalesce(b.gross, 0) AS gross, coalesce(b.returned, 0) AS returned,
       to_json(b.first_at) #>> '{}' AS first_purchase_at,
       to_json(b.last_at) #>> '{}' AS last_purchase_at,
       s.as_of,
       s.as_of - (b.last_at AT TIME ZONE s.tz)::date AS days_since_last_purchase,
       CASE WHEN b.last_at IS NULL THEN 'no_purchase'
            WHEN b.last_at >= shift_local_days((s.as_of + 1)::timestamp AT TIME ZONE s.tz, -s.window_days, s.tz) THEN 'active'
            ELSE 'churned' END AS churn_status,
       s.window_days AS churn_window_days,
       to_json(shift_local_days(b.last_at, s.window_days, s.tz)) #>> '{}' AS active_until
FROM bought AS b
CROSS JOIN settings AS s;

-- name: timeline
-- Customer $1's events in time order: orders (cancelled ones too, without net value), returns
-- (of their orders, or carrying their identifiers; counts_in_value: it lowers value_to_date,
-- i.e. its order is one of their valid purchases), tickets (ticket_facts: FRT and TTR in
-- hours, effective CSAT/CES), survey answers, and mentions whose handle is theirs
-- (mention_facts). `details` holds each kind's own fields (docs/metrics.md, "patron
-- customer"); `description` is the same as text for a table. Grain: one row per event.
-- The valid orders' facts: the customer named by a subquery, so that Citus does not send this
-- part whole to the customer's shard (router execution): purchase_facts calls
-- reporting_currency(), which reads purchases, a distributed query no shard may start; planned
-- for all shards, that call runs first, on the coordinator. One server: the same index scan.
WITH facts AS (
    SELECT pf.* FROM purchase_facts AS pf WHERE pf.customer_key = (SELECT $1::bigint)
),
their_returns AS (
    SELECT r.source, r.return_id FROM returns AS r WHERE r.customer_key = $1::bigint
    UNION
    SELECT r.source, r.return_id
    FROM purchases AS p
    JOIN returns AS r ON r.source = p.source AND r.order_id = p.order_id
    WHERE p.customer_key = $1::bigint
),
events AS (
    SELECT p.ordered_at AS at, 1 AS kind_order, 'order' AS kind, p.source, p.order_id AS id,
           json_build_object('status', p.status, 'amount', p.amount, 'currency', p.currency,
                             'returned', f.returned_amount, 'net_value', f.net_value,
                             'channel', p.channel, 'items', p.items) AS details
    FROM purchases AS p
    LEFT JOIN facts AS f ON f.source = p.source AND f.order_id = p.order_id
    WHERE p.customer_key = $1::bigint
    UNION ALL
    SELECT r.returned_at, 2, 'return', r.source, r.return_id,
           json_build_object('order_id', r.order_id, 'amount', r.amount, 'currency', r.currency,
                             'reason', r.reason, 'counts_in_value', f.order_id IS NOT NULL)
    FROM their_returns AS t
    JOIN returns AS r ON r.source = t.source AND r.return_id = t.return_id
    LEFT JOIN facts AS f ON f.source = r.source AND f.order_id = r.order_id
    UNION ALL
    SELECT tf.created_at, 3, 'ticket', tf.source, tf.ticket_id,
           json_build_object('status', tf.status, 'channel', tf.channel, 'category', tf.category,
                             'priority', tf.priority, 'agent', tf.agent,
                             'first_response_at', tf.first_response_at, 'resolved_at', tf.resolved_at,
                             'frt_hours', tf.frt_hours, 'ttr_hours', tf.ttr_hours,
                             'csat', tf.csat, 'ces', tf.ces, 'reopens', tf.reopens)
    FROM ticket_facts AS tf
    WHERE tf.customer_key = $1::bigint
    UNION ALL
    SELECT s.responded_at, 4, 'survey', s.source, s.response_id,
           json_build_object('survey', s.kind, 'score', s.score,
                             'ticket_source', CASE WHEN s.ticket_id IS NOT NULL THEN coalesce(s.ticket_source, s.source) END,
                             'ticket_id', s.ticket_id, 'comment', s.comment)
    FROM surveys AS s
    WHERE s.customer_key = $1::bigint
    UNION ALL
    SELECT mf.posted_at, 5, 'mention', mf.source, mf.mention_id,
           json_build_object('platform', mf.platform, 'handle', mf.handle, 'sentiment', mf.sentiment,
                             'sentiment_label', mf.sentiment_label, 'is_complaint', mf.is_complaint,
                             'reach', mf.reach, 'responded_at', mf.responded_at,
                             'response_hours', mf.response_hours, 'text', m.text)
    FROM mention_facts AS mf
    JOIN mentions AS m ON m.source = mf.source AND m.mention_id = mf.mention_id
    WHERE mf.customer_key = $1::bigint
)
SELECT to_json(e.at) #>> '{}' AS at, e.kind, e.source, e.id, e.details,
       -- For people: numbers with more than 4 decimals (hours as float8) rounded to 4.
       (SELECT string_agg(d.key || '=' || CASE WHEN json_typeof(d.value) = 'number' AND scale((d.value #>> '{}')::numeric) > 4
                                                THEN round((d.value #>> '{}')::numeric, 4)::text
                                                ELSE d.value #>> '{}' END, ', ')
        FROM json_each(e.details) AS d
        WHERE json_typeof(d.value) <> 'null') AS description
FROM events AS e
ORDER BY e.at, e.kind_order, e.source, e.id;
