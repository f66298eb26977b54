-- The loader's: rekey_direct_rows(table, source, fresh_base) → bigint: after
-- resolve_identities for a direct load (Sources/PatronLoad/Loader+Direct.swift), gives the
-- rows this load wrote the key their component ended with, where that is not the key the
-- loader gave them, and returns how many rows it re-keyed.
--
-- Why: a direct load keys its rows while they stream, before resolve_identities has related
-- the file's components to the stored customers. Two kinds of rows need another key:
-- components that turned out to belong to a stored customer (identity_set_labels, left by
-- resolve_identities), and rows keyed by a component that a later row of the file joined to an
-- older one (listed by the loader in the temporary table identity_retired (provisional,
-- root)). Usually there are none, and then the table is not even read.
--
-- reads:      the temporary tables identity_retired, identity_set_labels; updates the table
--             it is given
-- depends on: load_resolve_identities, citus_distribution

CREATE OR REPLACE FUNCTION rekey_direct_rows(p_table regclass, p_source text, p_fresh_base bigint)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    rekeyed bigint := 0;
BEGIN
    -- (Into a warehouse without identifiers, resolve_identities did not run: no labels.)
    IF to_regclass('pg_temp.identity_set_labels') IS NULL THEN
        CREATE TEMP TABLE identity_set_labels (set_id bigint, label bigint) ON COMMIT DROP;
    END IF;
    CREATE TEMP TABLE identity_rekeys ON COMMIT DROP AS
    SELECT p_fresh_base + r.provisional AS from_key, coalesce(l.label, p_fresh_base + r.root) AS to_key
    FROM identity_retired AS r
    LEFT JOIN identity_set_labels AS l ON l.set_id = r.root
    UNION ALL
    SELECT p_fresh_base + set_id, label
    FROM identity_set_labels
    WHERE label <> p_fresh_base + set_id;
    IF EXISTS (SELECT 1 FROM identity_rekeys) THEN
        ANALYZE identity_rekeys;
        rekeyed := move_customer_rows(p_table, 'pg_temp.identity_rekeys'::regclass, 'from_key', 'to_key', p_source);
    END IF;
    RETURN rekeyed;
END;
$$;
