-- customer_segments (view): one row per customer, the values `--segment` splits by: channel
-- (of the customer's first purchase: the earliest valid purchase, ties by source, then order
-- id; NULL for a customer without purchases or when that order has none), country and segment
-- (from their profiles, as customer_dimensions). The analyses print "(unknown)" for NULL.
--
-- Why: the analyses look one customer's value up with their bound --segment parameter:
--     CASE WHEN $N::text IS NOT NULL THEN
--         (SELECT CASE $N::text WHEN 'channel' THEN cs.channel WHEN 'country' THEN cs.country
--                               WHEN 'segment' THEN cs.segment END
--          FROM customer_segments AS cs WHERE cs.customer_key = …)
--     END
-- Once bound, the planner folds that to the one column asked for (each column is a look-up
-- of its own, by primary key or index), and to nothing without --segment. Citus runs the
-- look-up on each shard (correlated on customer_key), where customer_dimension(), a SQL
-- function reading distributed tables, cannot run. Not a join: on PostgreSQL 15 Citus refuses
-- an outer join that the planner removes in a query with one-time filters, which every
-- analysis has.
--
-- reads:      customers, customer_profiles, purchases (through valid_purchases)
-- depends on: valid_purchases, customer_dimensions

CREATE OR REPLACE VIEW customer_segments AS
SELECT d.customer_key,
       (SELECT p.channel FROM valid_purchases AS p
        WHERE p.customer_key = d.customer_key
        ORDER BY p.ordered_at, p.source, p.order_id LIMIT 1) AS channel,
       d.country, d.segment
FROM customer_dimensions AS d;
