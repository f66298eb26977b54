-- customer_first_purchase (view): one row per buyer — each customer's first valid purchase
-- instant (first_purchase_at), the anchor of their cohort.
--
-- Why: retention cohorts and repurchase rates anchor on the same instant. Someone with only
-- cancelled orders is not a buyer (docs/metrics.md, "Settled edge cases").
--
-- From customer_totals, kept exact by every load, when the summaries are current
-- (customer_summaries_current): 1M small rows instead of aggregating every purchase; from the
-- purchases otherwise. The instant is the same in every time zone, so every reader may use it.
--
-- reads:      purchases (through valid_purchases), customer_totals
-- depends on: valid_purchases, customer_summaries

CREATE OR REPLACE VIEW customer_first_purchase AS
SELECT p.customer_key, min(p.ordered_at) AS first_purchase_at
FROM valid_purchases AS p
WHERE NOT (SELECT customer_summaries_current(false))
GROUP BY p.customer_key
UNION ALL
SELECT t.customer_key, t.first_purchase_at
FROM customer_totals AS t
WHERE (SELECT customer_summaries_current(false));
