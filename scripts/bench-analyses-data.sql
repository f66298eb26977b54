-- Synthetic shop for scripts/bench-analyses, written straight into the warehouse tables of the
-- current search_path (a migrated, empty Patron schema). Deterministic: every "random" number
-- is a hash of a row number, so two runs build the same data.
--
-- psql variables: :customers (e.g. 100000). Each customer gets 1–19 purchases (mean 10) over
-- 2022-01-01 … 2025-01-01, from a first purchase spread evenly over those three years, each
-- order worth 0.5–1.5 × the customer's own spending level (log-uniform, 20–200 EUR: customers
-- differ in what they spend, as Gamma-Gamma expects; with one level for all it cannot fit);
-- 5 % of orders are cancelled, 3 % of valid orders are half returned a week later, and one
-- customer in ten answers an NPS survey. Amounts in EUR.
--
-- Support and social data (for the support, satisfaction, social and support_impact analyses):
-- - tickets: 0.4 per customer (customers drawn at random, so some have several, some none —
--   repeat contacts included), created over the same three years, on five channels, four
--   categories, four priorities, one agent per 2,000 customers; about 6 % still open
--   (new/open/pending; some of those reopened with an old resolved_at), the rest solved/closed.
--   First response after an exponential wait (mean 6 h; 4 % never answered), resolution after
--   another (mean 30 h); replies, reopens and handle_seconds with a few missing values; csat on
--   30 % and ces on 15 % of the tickets.
-- - surveys: csat answers linked to 12 % of the tickets (a quarter of which also carry their own
--   csat: the ticket's value wins), ces answers linked to 6 %, and unlinked csat answers from 3 %
--   of the customers.
-- - mentions: 0.15 per customer on three platforms; 40 % by the handles of customers (every
--   fifth customer has one: customer_identifiers kind 'handle', `platform:@cK`), the rest by
--   unknown handles; sentiment in −1..1, complaints, reach, half of them responded to.

-- u(seed, i): a uniform number in [0, 1) from a hash of (seed, i).
CREATE FUNCTION pg_temp.u(seed integer, i bigint) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
    SELECT (hashint8(i * 7919 + seed) & 2147483647)::double precision / 2147483648
$$;

INSERT INTO load_runs (run_id, entity, source, file, format, status, started_at, finished_at)
VALUES (1, 'purchases', 'bench', 'bench-analyses-data.sql', 'sql', 'loaded', now(), now());

INSERT INTO customers (customer_key, created_by_run)
SELECT k, 1 FROM generate_series(1, :customers) AS k;

INSERT INTO customer_identifiers (kind, source, value, customer_key, first_run)
SELECT 'customer_id', 'bench', 'C' || k, k, 1 FROM generate_series(1, :customers) AS k;

INSERT INTO customer_profiles (source, customer_id, customer_key, country, segment, loaded_by_run, changed_by_run)
SELECT 'bench', 'C' || k, k,
       (ARRAY['DE', 'FR', 'GB', 'US', 'NL'])[1 + floor(pg_temp.u(1, k) * 5)::int],
       (ARRAY['retail', 'vip', 'wholesale'])[1 + floor(pg_temp.u(2, k) * 3)::int],
       1, 1
FROM generate_series(1, :customers) AS k;

INSERT INTO purchases (source, order_id, customer_key, customer_id, ordered_at, amount, currency, channel, items,
                       status, loaded_by_run, changed_by_run)
SELECT 'bench', 'O' || c.k || '-' || j, c.k, 'C' || c.k,
       CASE WHEN j = 1 THEN c.first_at
            ELSE c.first_at + pg_temp.u(5, c.k * 32 + j) * (timestamptz '2025-01-01' - c.first_at) END,
       round((c.spend * (0.5 + pg_temp.u(6, c.k * 32 + j)))::numeric, 2),
       'EUR',
       (ARRAY['web', 'store', 'app'])[1 + floor(pg_temp.u(7, c.k * 32 + j) * 3)::int],
       1 + floor(pg_temp.u(8, c.k * 32 + j) * 4)::int,
       CASE WHEN pg_temp.u(9, c.k * 32 + j) < 0.05 THEN 'cancelled' ELSE 'completed' END,
       1, 1
FROM (
    SELECT k, timestamptz '2022-01-01' + pg_temp.u(3, k) * interval '1096 days' AS first_at,
           1 + floor(pg_temp.u(4, k) * 19)::int AS purchases,
           20 * exp(pg_temp.u(14, k) * 2.3) AS spend
    FROM generate_series(1, :customers) AS k
) AS c
CROSS JOIN LATERAL generate_series(1, c.purchases) AS j;

INSERT INTO returns (source, return_id, order_id, returned_at, amount, currency, reason, loaded_by_run, changed_by_run)
SELECT p.source, 'R' || p.order_id, p.order_id, p.ordered_at + interval '7 days', round(p.amount / 2, 2), 'EUR', 'size', 1, 1
FROM purchases AS p
WHERE p.status = 'completed' AND pg_temp.u(10, hashtext(p.order_id)) < 0.03;

INSERT INTO surveys (source, response_id, customer_key, customer_id, kind, score, responded_at, loaded_by_run, changed_by_run)
SELECT 'bench', 'S' || k, k, 'C' || k, 'nps', floor(pg_temp.u(11, k) * 11)::int,
       timestamptz '2022-06-01' + pg_temp.u(12, k) * interval '900 days', 1, 1
FROM generate_series(1, :customers) AS k
WHERE pg_temp.u(13, k) < 0.1;

-- Every fifth customer has a social handle (identity resolution keys handles with source '').
INSERT INTO customer_identifiers (kind, source, value, customer_key, first_run)
SELECT 'handle', '', (ARRAY['twitter', 'instagram', 'facebook'])[1 + (k / 5) % 3] || ':@c' || k, k, 1
FROM generate_series(5, :customers, 5) AS k;

INSERT INTO tickets (source, ticket_id, customer_key, customer_id, created_at, channel, category, priority,
                     status, agent, first_response_at, resolved_at, reopens, agent_replies, customer_replies,
                     handle_seconds, csat, ces, loaded_by_run, changed_by_run)
SELECT 'bench', 'T' || t.i, t.k, 'C' || t.k, t.created_at,
       (ARRAY['email', 'chat', 'phone', 'social', 'web'])[1 + floor(pg_temp.u(22, t.i) * 5)::int],
       (ARRAY['billing', 'shipping', 'product', 'returns'])[1 + floor(pg_temp.u(23, t.i) * 4)::int],
       (ARRAY['low', 'normal', 'normal', 'high', 'urgent'])[1 + floor(pg_temp.u(24, t.i) * 5)::int],
       t.status,
       'agent_' || (1 + floor(pg_temp.u(25, t.i) * greatest(10, :customers / 2000))::int),
       CASE WHEN pg_temp.u(26, t.i) >= 0.04 OR t.status IN ('solved', 'closed') THEN t.responded_at END,
       CASE WHEN t.status IN ('solved', 'closed') OR pg_temp.u(27, t.i) < 0.3
            THEN t.responded_at - ln(1 - pg_temp.u(28, t.i)) * interval '30 hours' END,
       CASE WHEN pg_temp.u(29, t.i) < 0.05 THEN NULL
            WHEN t.status NOT IN ('solved', 'closed') AND pg_temp.u(27, t.i) < 0.3 THEN 1
            WHEN pg_temp.u(30, t.i) < 0.08 THEN 1 ELSE 0 END,
       CASE WHEN pg_temp.u(31, t.i) < 0.05 THEN NULL ELSE 1 + floor(pg_temp.u(32, t.i) * 4)::int END,
       floor(pg_temp.u(33, t.i) * 4)::int,
       CASE WHEN pg_temp.u(34, t.i) < 0.1 THEN NULL ELSE 120 + floor(pg_temp.u(35, t.i) * 3600)::bigint END,
       CASE WHEN pg_temp.u(36, t.i) < 0.3 THEN (ARRAY[1, 2, 3, 4, 4, 5, 5, 5])[1 + floor(pg_temp.u(37, t.i) * 8)::int] END,
       CASE WHEN pg_temp.u(38, t.i) < 0.15 THEN 1 + floor(pg_temp.u(39, t.i) * 7)::int END,
       1, 1
FROM (
    SELECT i, 1 + floor(pg_temp.u(20, i) * :customers)::bigint AS k, created_at,
           created_at - ln(1 - pg_temp.u(40, i)) * interval '6 hours' AS responded_at,
           CASE WHEN pg_temp.u(41, i) < 0.06 THEN (ARRAY['new', 'open', 'pending'])[1 + floor(pg_temp.u(42, i) * 3)::int]
                WHEN pg_temp.u(42, i) < 0.7 THEN 'closed' ELSE 'solved' END AS status
    FROM (SELECT i, timestamptz '2022-01-01' + pg_temp.u(21, i) * interval '1096 days' AS created_at
          FROM generate_series(1, (:customers * 4) / 10) AS i) AS g
) AS t;

-- csat and ces answers linked to tickets, a day after the ticket's resolution (or creation).
INSERT INTO surveys (source, response_id, customer_key, customer_id, kind, score, responded_at, ticket_id,
                     loaded_by_run, changed_by_run)
SELECT 'bench', s.kind || '-' || t.ticket_id, t.customer_key, t.customer_id, s.kind,
       CASE s.kind WHEN 'csat' THEN 1 + floor(pg_temp.u(44, hashtext(t.ticket_id)) * 5)::int
                   ELSE 1 + floor(pg_temp.u(45, hashtext(t.ticket_id)) * 7)::int END,
       coalesce(t.resolved_at, t.created_at) + interval '1 day', t.ticket_id, 1, 1
FROM tickets AS t
CROSS JOIN LATERAL (VALUES ('csat', 0.12), ('ces', 0.06)) AS s (kind, share)
WHERE pg_temp.u(CASE s.kind WHEN 'csat' THEN 46 ELSE 47 END, hashtext(t.ticket_id)) < s.share;

-- Unlinked csat answers (post-purchase surveys).
INSERT INTO surveys (source, response_id, customer_key, customer_id, kind, score, responded_at, loaded_by_run, changed_by_run)
SELECT 'bench', 'SC' || k, k, 'C' || k, 'csat', 1 + floor(pg_temp.u(48, k) * 5)::int,
       timestamptz '2022-01-01' + pg_temp.u(49, k) * interval '1096 days', 1, 1
FROM generate_series(1, :customers) AS k
WHERE pg_temp.u(50, k) < 0.03;

INSERT INTO mentions (source, mention_id, platform, handle, posted_at, text, sentiment, is_complaint, reach,
                      responded_at, loaded_by_run, changed_by_run)
SELECT 'bench', 'M' || m.i, m.platform, m.handle, m.posted_at, NULL, m.sentiment,
       m.sentiment < -0.3 AND pg_temp.u(54, m.i) < 0.7,
       floor(exp(pg_temp.u(55, m.i) * 10))::bigint,
       CASE WHEN pg_temp.u(56, m.i) < 0.5 THEN m.posted_at - ln(1 - pg_temp.u(57, m.i)) * interval '4 hours' END,
       1, 1
FROM (
    SELECT i, posted_at, sentiment,
           CASE WHEN linked THEN (ARRAY['twitter', 'instagram', 'facebook'])[1 + (ck / 5) % 3]
                ELSE (ARRAY['twitter', 'instagram', 'facebook'])[1 + floor(pg_temp.u(58, i) * 3)::int] END AS platform,
           CASE WHEN linked THEN (ARRAY['twitter', 'instagram', 'facebook'])[1 + (ck / 5) % 3] || ':@c' || ck END AS handle_linked,
           linked, ck
    FROM (
        SELECT i, timestamptz '2022-01-01' + pg_temp.u(51, i) * interval '1096 days' AS posted_at,
               round((pg_temp.u(52, i) * 2 - 1)::numeric, 3)::float8 AS sentiment,
               pg_temp.u(53, i) < 0.4 AS linked,
               5 * (1 + floor(pg_temp.u(59, i) * (:customers / 5))::bigint) AS ck
        FROM generate_series(1, (:customers * 15) / 100) AS i
    ) AS r
) AS m0
CROSS JOIN LATERAL (SELECT m0.i, m0.posted_at, m0.sentiment, m0.platform,
                           coalesce(m0.handle_linked, m0.platform || ':@fan' || m0.i) AS handle) AS m;

-- VACUUM too: set the visibility map now, so autovacuum does not do it during the timings.
VACUUM ANALYZE;
