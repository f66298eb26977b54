-- mention_facts (view): one row per mention, with its sentiment label and the customer its
-- handle resolves to.
--
-- Why (docs/metrics.md, "Settled edge cases"): sentiment is positive above 0.05, negative
-- below −0.05, else neutral; a mention is linked when its handle resolves to a customer
-- (customers exist only through rows of the other entities, so such a customer appears in some
-- other entity; docs/inputs.md, "Identity resolution"). The join is on handle_key (migration
-- 0014): the handle, or a value no handle can take for a mention without one; on Citus the
-- two tables are co-located by it, so the join runs on each shard.
--
-- reads:      mentions, customer_identifiers
-- depends on: none

CREATE OR REPLACE VIEW mention_facts AS
SELECT m.source, m.mention_id, m.platform, m.handle, m.posted_at, m.sentiment,
       CASE WHEN m.sentiment > 0.05 THEN 'positive'
            WHEN m.sentiment < -0.05 THEN 'negative'
            WHEN m.sentiment IS NOT NULL THEN 'neutral' END AS sentiment_label,
       m.is_complaint, m.reach, m.responded_at,
       extract(epoch FROM m.responded_at - m.posted_at)::float8 / 3600 AS response_hours,
       i.customer_key,
       i.customer_key IS NOT NULL AS is_linked
FROM mentions AS m
LEFT JOIN customer_identifiers AS i ON i.kind = 'handle' AND i.source = '' AND i.value = m.handle_key;
