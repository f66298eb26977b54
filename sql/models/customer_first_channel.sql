-- customer_first_channel (view): one row per buyer, the channel of their first purchase (the
-- earliest valid purchase; ties by source, then order id); columns customer_key, channel
-- (NULL when that order has none).
--
-- Why: `--segment channel` splits customers by where they first bought (docs/metrics.md). A
-- view over the purchases rather than a look-up per customer: the analyses join it on
-- customer_key, which Citus runs on each shard (a SQL function with subqueries is not inlined,
-- and Citus cannot plan it on the workers).
--
-- reads:      purchases (through valid_purchases)
-- depends on: valid_purchases

CREATE OR REPLACE VIEW customer_first_channel AS
SELECT DISTINCT ON (p.customer_key) p.customer_key, p.channel
FROM valid_purchases AS p
ORDER BY p.customer_key, p.ordered_at, p.source, p.order_id;
