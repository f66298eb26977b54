-- reporting_currency() → text: the currency amounts are compared with — that of any one valid
-- purchase (all must agree; see currency_mismatch).
--
-- Why: one place that says which currency a warehouse reports in.
--
-- reads:      purchases
-- depends on: none

CREATE OR REPLACE FUNCTION reporting_currency() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT currency::text FROM purchases WHERE status <> 'cancelled' LIMIT 1
$$;
