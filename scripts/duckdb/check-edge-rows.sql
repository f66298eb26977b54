-- Rows that scripts/bench-duckdb-check adds to a loaded demo shop (search_path = its schema),
-- so that the DuckDB mirrors are checked against Patron on the settled edge cases too, not
-- only on the regular bench data. psql variable :far_return = 1 adds a return of an order
-- never loaded, dated 2027: it counts nowhere but moves the data horizon (every period
-- complete); without it the last periods are incomplete.

-- A return of a cancelled order and one without order_id: both count nowhere.
INSERT INTO returns (source, return_id, order_id, returned_at, amount, currency, loaded_by_run, changed_by_run)
SELECT 'shop', 'X-cancelled', p.order_id, p.ordered_at + interval '10 days', 10.00, p.currency, 1, 1
FROM (SELECT * FROM purchases WHERE status = 'cancelled' ORDER BY source, order_id LIMIT 1) AS p;
INSERT INTO returns (source, return_id, order_id, returned_at, amount, currency, loaded_by_run, changed_by_run)
SELECT 'shop', 'X-no-order', NULL, '2024-05-20 10:00+00', 11.00, currency, 1, 1
FROM (SELECT currency FROM purchases LIMIT 1) AS c;

-- A refund 75 days after the last order: revenue's periods then end with refund-only ones.
INSERT INTO returns (source, return_id, order_id, returned_at, amount, currency, loaded_by_run, changed_by_run)
SELECT source, 'X-late', order_id, ordered_at + interval '75 days', 1.23, currency, 1, 1
FROM purchases WHERE status = 'completed' ORDER BY ordered_at DESC, source, order_id LIMIT 1;

INSERT INTO returns (source, return_id, order_id, returned_at, amount, currency, loaded_by_run, changed_by_run)
SELECT 'shop', 'X-far', 'X-never-loaded', '2027-01-01 00:00+00', 12.00, currency, 1, 1
FROM (SELECT currency FROM purchases LIMIT 1) AS c
WHERE :far_return = 1;

-- NPS answers of one repeat buyer tied at one instant: the greatest response_id is the latest.
INSERT INTO surveys (source, response_id, customer_key, kind, score, responded_at, loaded_by_run, changed_by_run)
SELECT 'helpdesk', v.rid, c.k, 'nps', v.score, v.at, 1, 1
FROM (SELECT customer_key AS k FROM purchases WHERE status = 'completed'
      GROUP BY customer_key HAVING count(*) >= 4 ORDER BY customer_key LIMIT 1) AS c
CROSS JOIN (VALUES ('X-tie-a', 3, timestamptz '2024-05-10 12:00+00'), ('X-tie-b', 10, timestamptz '2024-05-10 12:00+00'),
                   ('X-later', 2, timestamptz '2024-06-01 00:00+00')) AS v(rid, score, at);

-- Purchases exactly on a month boundary, exactly 90 days before it (active at the boundary:
-- the window is [t − 90 days, t)), and two at one instant.
INSERT INTO purchases (source, order_id, customer_key, ordered_at, amount, currency, channel, status, loaded_by_run, changed_by_run)
SELECT 'shop', 'X-' || c.k || '-' || v.j, c.k, v.at, 50.00, c.currency, 'web', 'completed', 1, 1
FROM (SELECT customer_key AS k, min(currency) AS currency FROM purchases GROUP BY customer_key ORDER BY customer_key LIMIT 2) AS c
CROSS JOIN (VALUES (1, timestamptz '2024-07-01 00:00+00'), (2, timestamptz '2024-07-01 00:00+00' - interval '90 days'),
                   (3, timestamptz '2024-09-15 08:00+00'), (4, timestamptz '2024-09-15 08:00+00')) AS v(j, at);

VACUUM ANALYZE;
