-- customer_activity (view): one row per dated touch of a customer — valid purchases
-- (ordered_at), tickets (created_at), survey answers (responded_at) and mentions (posted_at)
-- whose handle resolves to a customer (by handle_key, as in mention_facts); columns
-- customer_key, at, kind.
--
-- Why: `--activity any` counts a customer active on any touch, not only purchases
-- (docs/metrics.md, "Shared parameters and conventions").
--
-- reads:      purchases (through valid_purchases), tickets, surveys, mentions, customer_identifiers
-- depends on: valid_purchases

CREATE OR REPLACE VIEW customer_activity AS
SELECT customer_key, ordered_at AS at, 'purchase' AS kind FROM valid_purchases
UNION ALL
SELECT customer_key, created_at, 'ticket' FROM tickets
UNION ALL
SELECT customer_key, responded_at, 'survey' FROM surveys
UNION ALL
SELECT i.customer_key, m.posted_at, 'mention'
FROM mentions AS m
JOIN customer_identifiers AS i ON i.kind = 'handle' AND i.source = '' AND i.value = m.handle_key;
