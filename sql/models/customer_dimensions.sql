-- customer_dimensions (view): one row per customer — country and segment, each from the most
-- recently changed profile that has one (a person may have a profile in several sources).
--
-- Why: `--segment country|segment` splits every analysis by the same values
-- (docs/metrics.md, "Shared parameters and conventions").
--
-- reads:      customers, customer_profiles
-- depends on: none

CREATE OR REPLACE VIEW customer_dimensions AS
SELECT c.customer_key,
       (SELECT cp.country FROM customer_profiles AS cp
        WHERE cp.customer_key = c.customer_key AND cp.country IS NOT NULL
        ORDER BY cp.changed_by_run DESC, cp.source LIMIT 1) AS country,
       (SELECT cp.segment FROM customer_profiles AS cp
        WHERE cp.customer_key = c.customer_key AND cp.segment IS NOT NULL
        ORDER BY cp.changed_by_run DESC, cp.source LIMIT 1) AS segment
FROM customers AS c;
