-- customer_dimension(customer_key, dimension) → text: one dimension of one customer for
-- --segment — `channel` (of their first valid purchase; ties: the smallest (source,
-- order_id)), `country` or `segment` (customer_dimensions); NULL when unknown or for another
-- dimension.
--
-- Why: a function, so that an analysis pays for the look-up (by index) only when it splits by
-- that dimension:
--   CASE WHEN segment_by IS NOT NULL THEN coalesce(customer_dimension(key, segment_by), '(unknown)') END
-- (docs/metrics.md, "Shared parameters and conventions").
--
-- reads:      purchases (through valid_purchases), customers, customer_profiles
-- depends on: valid_purchases, customer_dimensions

CREATE OR REPLACE FUNCTION customer_dimension(p_customer_key bigint, p_dimension text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE p_dimension
        WHEN 'channel' THEN (SELECT p.channel FROM valid_purchases AS p
                             WHERE p.customer_key = p_customer_key
                             ORDER BY p.ordered_at, p.source, p.order_id LIMIT 1)
        WHEN 'country' THEN (SELECT d.country FROM customer_dimensions AS d WHERE d.customer_key = p_customer_key)
        WHEN 'segment' THEN (SELECT d.segment FROM customer_dimensions AS d WHERE d.customer_key = p_customer_key)
    END
$$;
