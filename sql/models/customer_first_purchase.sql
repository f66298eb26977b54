-- customer_first_purchase (view): one row per buyer — each customer's first valid purchase
-- instant (first_purchase_at), the anchor of their cohort.
--
-- Why: retention cohorts and repurchase rates anchor on the same instant. Someone with only
-- cancelled orders is not a buyer (docs/metrics.md, "Settled edge cases").
--
-- reads:      purchases (through valid_purchases)
-- depends on: valid_purchases

CREATE OR REPLACE VIEW customer_first_purchase AS
SELECT p.customer_key, min(p.ordered_at) AS first_purchase_at
FROM valid_purchases AS p
GROUP BY p.customer_key;
