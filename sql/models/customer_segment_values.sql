-- customer_segment_values (view): one row per customer and dimension the analyses split by
-- with --segment; columns customer_key, dimension ('channel', 'country' or 'segment'), value.
-- channel: the channel of the customer's first purchase (the earliest valid purchase; ties by
-- source, then order id), for buyers only; country, segment: from their profiles
-- (customer_dimensions). value is NULL when the customer has none; the analyses print
-- "(unknown)" then.
--
-- Why: the analyses read it as
--     LEFT JOIN (SELECT customer_key, value FROM customer_segment_values
--                WHERE dimension = $N::text) AS sv ON sv.customer_key = …
-- with $N their --segment parameter. Once bound, the condition is a constant in each branch:
-- the planner keeps the requested dimension's branch only, and none without --segment (so
-- the join costs nothing then). Citus runs the join on each shard: it is on customer_key.
-- customer_dimension() answers the same for one customer, but Citus cannot run a SQL function
-- that reads distributed tables inside a query it pushes down to the workers.
--
-- reads:      purchases (through valid_purchases), customers, customer_profiles
-- depends on: valid_purchases, customer_dimensions

CREATE OR REPLACE VIEW customer_segment_values AS
SELECT c.customer_key, 'channel' AS dimension, c.channel AS value
FROM (SELECT DISTINCT ON (p.customer_key) p.customer_key, p.channel
      FROM valid_purchases AS p
      ORDER BY p.customer_key, p.ordered_at, p.source, p.order_id) AS c
UNION ALL
SELECT d.customer_key, 'country', d.country FROM customer_dimensions AS d
UNION ALL
SELECT d.customer_key, 'segment', d.segment FROM customer_dimensions AS d;
