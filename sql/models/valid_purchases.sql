-- valid_purchases (view): one row per purchase that counts — every non-cancelled order,
-- whatever its amount.
--
-- Why: "cancelled orders are ignored everywhere" (docs/metrics.md, "Shared parameters and
-- conventions"); every analysis and model that reads orders starts here.
--
-- reads:      purchases
-- depends on: none

CREATE OR REPLACE VIEW valid_purchases AS
SELECT p.source, p.order_id, p.customer_key, p.ordered_at, p.amount, p.currency, p.channel, p.items
FROM purchases AS p
WHERE p.status <> 'cancelled';
