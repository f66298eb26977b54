-- Synthetic shop for scripts/bench-analyses, written straight into the warehouse tables of the
-- current search_path (a migrated, empty Patron schema). Deterministic: every "random" number
-- is a hash of a row number, so two runs build the same data.
--
-- psql variables: :customers (e.g. 100000). Each customer gets 1–19 purchases (mean 10) over
-- 2022-01-01 … 2025-01-01, from a first purchase spread evenly over those three years;
-- 5 % of orders are cancelled, 3 % of valid orders are half returned a week later, and one
-- customer in ten answers an NPS survey. Amounts in EUR.

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
       round((5 + pg_temp.u(6, c.k * 32 + j) * 195)::numeric, 2),
       'EUR',
       (ARRAY['web', 'store', 'app'])[1 + floor(pg_temp.u(7, c.k * 32 + j) * 3)::int],
       1 + floor(pg_temp.u(8, c.k * 32 + j) * 4)::int,
       CASE WHEN pg_temp.u(9, c.k * 32 + j) < 0.05 THEN 'cancelled' ELSE 'completed' END,
       1, 1
FROM (
    SELECT k, timestamptz '2022-01-01' + pg_temp.u(3, k) * interval '1096 days' AS first_at,
           1 + floor(pg_temp.u(4, k) * 19)::int AS purchases
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

ANALYZE;
