-- Synthetic shop for scripts/bench-analyses, written straight into the warehouse tables of the
-- current search_path (a migrated, empty Patron schema). Deterministic: every "random" number
-- is a hash of a row number, so two runs build the same data.
--
-- psql variables: :customers (e.g. 100000). Purchases follow the generative process of Patron's
-- predictive model (docs/metrics.md, "clv"; Sources/PatronModels), so that
-- `clv --method predictive` and at_risk can be fitted and checked against known parameters:
--
--   BG/NBD (time unit: the week, Patron's default --unit)   r = 3, α = 18, a = 1.5, b = 20
--   Gamma-Gamma (EUR)                                        p = 4, q = 6, γ = 75
--
-- Each customer k makes a first purchase at a time spread evenly over 2022-01-01 … 2025-01-01,
-- then, while alive, buys at exponential gaps of rate λ ~ Gamma(r, α) (shape r, rate α per
-- week; mean 1/6 a week) and drops out for good after each repeat purchase with probability
-- p ~ Beta(a, b) (mean 7 %); purchases stop at 2025-01-01. Each valid order is worth
-- z ~ Gamma(p, ν) EUR with ν ~ Gamma(q, γ) per customer (mean order value pγ/(q − 1) = 60 EUR).
-- Gamma draws are Marsaglia–Tsang on hash draws; the gaps are inverse-CDF exponentials.
-- About 8.9 orders per customer (8.9M valid orders at 1M customers, 9.3M rows with the
-- cancelled ones), 94 % of customers with a repeat purchase.
--
-- How the rest of the shop leaves the model's input (rfm_summary) exactly as drawn:
-- - cancelled orders are extra rows: one valid order in 19 gets a cancelled twin (5 % of the
--   rows), which the model ignores like every analysis;
-- - returns: 3 % of the valid orders placed before 2024-12-25 are half returned a week later
--   (so before the last purchase day, the model's default --as-of); such an order is charged
--   2z, so that its net value, which is what the model sees, is the draw z (± a cent).
-- What remains between the draws and the fit is Patron's transaction grain: purchases on the
-- same local day are one transaction (about 1.3 % of the orders fall on a day the customer
-- already bought on), which biases the fitted r and α up by a few per cent (see
-- Tests/PatronAnalysesTests/Database/Headline/BenchGeneratorTests.swift for what a fit
-- recovers). One customer in ten answers an NPS survey. Amounts in EUR.
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

-- The purchase process (see the header). Everything is drawn per customer k or per order id
-- k·65536 + j, so a customer's history does not depend on how many customers are generated.
\set bg_r 3
\set bg_alpha 18
\set bg_a 1.5
\set bg_b 20
\set gg_p 4
\set gg_q 6
\set gg_gamma 75

-- A standard normal (Box–Muller) from two hash draws.
CREATE FUNCTION pg_temp.normal(seed integer, i bigint) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
    SELECT sqrt(-2 * ln(1 - pg_temp.u(seed, i))) * cos(2 * pi() * pg_temp.u(seed + 1000, i))
$$;

-- One Marsaglia–Tsang trial for Gamma(d + 1/3) (d ≥ 2/3), c = 1/√(9d), from a standard normal n
-- and ln U: the draw d·v, v = (1 + c·n)³, or NULL if the trial is rejected.
CREATE FUNCTION pg_temp.mt_trial(d double precision, c double precision, n double precision, ln_u double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN 1 + c * n > 0 AND ln_u < n * n / 2 + d - d * (1 + c * n) ^ 3 + 3 * d * ln(1 + c * n)
                THEN d * (1 + c * n) ^ 3 END
$$;

-- Gamma(shape, 1) draws for the rows of gamma_input (id, draw, shape) by Marsaglia & Tsang
-- (2000): trials until the first accepted one, each from its own hash draws; a shape below 1
-- is drawn as Gamma(shape + 1) · U^(1/shape). Exact (the chance that 60 trials all fail is
-- below 0.05⁶⁰).
CREATE TEMPORARY TABLE gamma_input (id bigint, draw integer, shape double precision);
CREATE FUNCTION pg_temp.gamma_draws() RETURNS TABLE (id bigint, draw integer, x double precision)
LANGUAGE sql AS $$
    WITH RECURSIVE trials (id, draw, shape, d, c, trial, n, ln_u) AS (
        SELECT g.id, g.draw, g.shape, g.d, 1 / sqrt(9 * g.d), 0,
               pg_temp.normal(100 + g.draw, g.id * 64), ln(1 - pg_temp.u(200 + g.draw, g.id * 64))
        FROM (SELECT gi.*, CASE WHEN gi.shape < 1 THEN gi.shape + 1 ELSE gi.shape END - 1.0 / 3 AS d
              FROM pg_temp.gamma_input AS gi) AS g
        UNION ALL
        SELECT t.id, t.draw, t.shape, t.d, t.c, t.trial + 1,
               pg_temp.normal(100 + t.draw, t.id * 64 + t.trial + 1), ln(1 - pg_temp.u(200 + t.draw, t.id * 64 + t.trial + 1))
        FROM trials AS t
        WHERE pg_temp.mt_trial(t.d, t.c, t.n, t.ln_u) IS NULL AND t.trial < 60
    )
    SELECT t.id, t.draw,
           pg_temp.mt_trial(t.d, t.c, t.n, t.ln_u)
           * CASE WHEN t.shape < 1 THEN (1 - pg_temp.u(300 + t.draw, t.id)) ^ (1 / t.shape) ELSE 1 END
    FROM trials AS t
    WHERE pg_temp.mt_trial(t.d, t.c, t.n, t.ln_u) IS NOT NULL
$$;

-- Per customer: λ ~ Gamma(r, α) (draw 1), p = X / (X + Y) ~ Beta(a, b) (draws 2, 3),
-- ν ~ Gamma(q, γ) (draw 4).
INSERT INTO gamma_input
SELECT k, s.draw, s.shape
FROM generate_series(1, :customers) AS k
CROSS JOIN (VALUES (1, :bg_r::float8), (2, :bg_a::float8), (3, :bg_b::float8), (4, :gg_q::float8)) AS s (draw, shape);

CREATE TEMPORARY TABLE bench_buyers AS
SELECT g.id AS k,
       -- first purchase, in weeks since 2022-01-01, spread evenly over the three years
       pg_temp.u(3, g.id) * 1096 / 7 AS first_week,
       max(g.x) FILTER (WHERE g.draw = 1) / :bg_alpha AS lambda,
       max(g.x) FILTER (WHERE g.draw = 2) / (max(g.x) FILTER (WHERE g.draw = 2) + max(g.x) FILTER (WHERE g.draw = 3)) AS dropout,
       max(g.x) FILTER (WHERE g.draw = 4) / :gg_gamma AS nu
FROM pg_temp.gamma_draws() AS g
GROUP BY g.id;

-- The BG/NBD process of each customer: the first purchase (j = 0), then purchases at
-- exponential gaps of rate λ until 2025-01-01; after each repeat purchase (j ≥ 1) the customer
-- drops out for good with probability p.
CREATE TEMPORARY TABLE bench_orders AS
WITH RECURSIVE orders (k, j, week, lambda, dropout) AS (
    SELECT b.k, 0, b.first_week, b.lambda, b.dropout FROM bench_buyers AS b
    UNION ALL
    SELECT o.k, o.j + 1, o.week - ln(1 - pg_temp.u(60, o.k * 65536 + o.j + 1)) / o.lambda, o.lambda, o.dropout
    FROM orders AS o
    WHERE (o.j = 0 OR pg_temp.u(61, o.k * 65536 + o.j) >= o.dropout)
      AND o.week - ln(1 - pg_temp.u(60, o.k * 65536 + o.j + 1)) / o.lambda < 1096.0 / 7
)
SELECT o.k, o.j, o.k * 65536 + o.j AS id, o.week FROM orders AS o;

-- Each order's value z ~ Gamma(p, ν): Gamma(p, 1) / ν.
TRUNCATE gamma_input;
INSERT INTO gamma_input SELECT o.id, 5, :gg_p::float8 FROM bench_orders AS o;

-- Valid orders carry the model's values: an order that will be half returned (3 % of those
-- placed before 2024-12-25, so that the return, a week later, falls before the last day) is
-- charged 2z, so that its net value is z. One order in 19 has a cancelled twin (5 % of the
-- rows), which the model never sees.
-- Orders and returns in one transaction: the per-customer summaries the load keeps
-- (docs/performance.md) are computed once, at its commit, not once per statement.
BEGIN;
INSERT INTO purchases (source, order_id, customer_key, customer_id, ordered_at, amount, currency, channel, items,
                       status, loaded_by_run, changed_by_run)
SELECT 'bench', 'O' || o.k || '-' || (o.j + 1) || c.suffix, o.k, 'C' || o.k, o.ordered_at,
       round((z.x / b.nu * CASE WHEN c.suffix = '' AND o.ordered_at < timestamptz '2024-12-25'
                                     AND pg_temp.u(10, hashtext('O' || o.k || '-' || (o.j + 1))) < 0.03
                                THEN 2 ELSE 1 END)::numeric, 2),
       'EUR',
       (ARRAY['web', 'store', 'app'])[1 + floor(pg_temp.u(7, o.id) * 3)::int],
       1 + floor(pg_temp.u(8, o.id) * 4)::int,
       c.status, 1, 1
FROM (SELECT bo.*, timestamptz '2022-01-01' + bo.week * interval '7 days' AS ordered_at FROM bench_orders AS bo) AS o
JOIN bench_buyers AS b ON b.k = o.k
JOIN pg_temp.gamma_draws() AS z ON z.id = o.id
CROSS JOIN LATERAL (VALUES ('', 'completed'), ('-c', 'cancelled')) AS c (suffix, status)
WHERE c.suffix = '' OR pg_temp.u(9, o.id) < 1.0 / 19;

DROP TABLE bench_orders, bench_buyers, gamma_input;

INSERT INTO returns (source, return_id, order_id, returned_at, amount, currency, reason, loaded_by_run, changed_by_run)
SELECT p.source, 'R' || p.order_id, p.order_id, p.ordered_at + interval '7 days', round(p.amount / 2, 2), 'EUR', 'size', 1, 1
FROM purchases AS p
WHERE p.status = 'completed' AND p.ordered_at < timestamptz '2024-12-25' AND pg_temp.u(10, hashtext(p.order_id)) < 0.03;
COMMIT;

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

INSERT INTO mentions (source, mention_id, platform, handle, handle_key, posted_at, text, sentiment, is_complaint, reach,
                      responded_at, loaded_by_run, changed_by_run)
SELECT 'bench', 'M' || m.i, m.platform, m.handle, m.handle, m.posted_at, NULL, m.sentiment,
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
