-- purchase_facts (view): one row per valid purchase, with its returns and its net value =
-- amount − sum of its returns.
--
-- Why: net value is defined once (docs/metrics.md, "Settled edge cases"). Returns find their
-- order by (source, order_id) when this is read; returns of cancelled orders (and of orders not
-- loaded) count nowhere. Reading `amount`, `returned_amount` or `net_value` fails
-- (currency_mismatch) if an order or its returns are in another currency than
-- reporting_currency().
--
-- reads:      purchases (through valid_purchases), returns
-- depends on: valid_purchases, reporting_currency, currency_mismatch

CREATE OR REPLACE VIEW purchase_facts AS
SELECT f.source, f.order_id, f.customer_key, f.ordered_at, f.channel, f.items,
       f.amount, f.returned_amount, f.amount - f.returned_amount AS net_value, f.currency
FROM (
    SELECT p.source, p.order_id, p.customer_key, p.ordered_at, p.channel, p.items, c.currency,
           CASE WHEN p.currency = c.currency THEN p.amount
                ELSE currency_mismatch(c.currency, p.currency) END AS amount,
           CASE WHEN r.order_id IS NULL THEN 0
                WHEN r.min_currency = c.currency AND r.max_currency = c.currency THEN r.returned_amount
                ELSE currency_mismatch(c.currency, CASE WHEN r.min_currency <> c.currency THEN r.min_currency ELSE r.max_currency END)
           END AS returned_amount
    FROM valid_purchases AS p
    -- OFFSET 0 keeps the look-up a subquery run once, not a call inlined into every row.
    CROSS JOIN (SELECT reporting_currency() AS currency OFFSET 0) AS c
    LEFT JOIN (
        SELECT source, order_id, sum(amount) AS returned_amount,
               min(currency)::text AS min_currency, max(currency)::text AS max_currency
        FROM returns
        WHERE order_id IS NOT NULL
        GROUP BY source, order_id
    ) AS r ON r.source = p.source AND r.order_id = p.order_id
) AS f;
