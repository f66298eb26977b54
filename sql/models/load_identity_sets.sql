-- The loader's: load_identity_sets(with_handle) → bigint: creates the temporary table
--     identity_sets (set_id bigint, customer_id text, email text, phone text, handle text)
-- that resolve_identities reads — one row per distinct combination of identifiers among the
-- valid staged rows of a file, numbered 1…n — and returns n.
--
-- Why: the same statement for every entity that resolves customers (all but mentions); they
-- differ only in whether their rows carry a handle (customers and tickets do; purchases,
-- returns and surveys don't: their handle is NULL). `with_handle` says which, from the
-- loader's entity spec. Working on combinations rather than rows keeps the identity graph small
-- (docs/inputs.md, "Identity resolution").
--
-- reads:      the temporary table load_stage (sql/load/<entity>.sql, create_stage)
-- depends on: none

CREATE OR REPLACE FUNCTION load_identity_sets(p_with_handle boolean)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    sets bigint;
BEGIN
    EXECUTE format($sql$
        CREATE TEMP TABLE identity_sets ON COMMIT DROP AS
        SELECT row_number() OVER () AS set_id, *
        FROM (SELECT DISTINCT customer_id, email, phone, %s AS handle
              FROM load_stage
              WHERE reject_reason IS NULL) AS s
        $sql$, CASE WHEN p_with_handle THEN 'handle' ELSE 'NULL::text' END);
    GET DIAGNOSTICS sets = ROW_COUNT;
    RETURN sets;
END;
$$;
