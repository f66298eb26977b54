-- Migration 0002: identity resolution, set-based.
--
-- resolve_identities(source, run_id) reads the temporary table `identity_rows`
--     (line bigint, customer_id text, email text, phone text, handle text)
-- — one row per winning input row, identifiers already normalized, NULL when absent — and
-- leaves the temporary table `row_customers (line bigint, customer_key bigint)` with the
-- customer of every row that carries at least one identifier.
--
-- Rules (INPUTS.md): rows sharing any normalized identifier are one customer, across sources
-- and loads, transitively. customer_id is scoped to its source. So: the identifiers of this
-- file and the customers that already own some of them form a graph; each connected component
-- is one customer. A component that touches no existing customer becomes a new customer; one
-- that touches several merges them into the oldest (smallest key), re-pointing every fact and
-- identifier and recording the merge.
--
-- Components are found by label propagation: every identifier starts with its owner's key, or
-- a fresh number above every existing key; rows and identifiers then repeatedly take the
-- smallest label around them. Only rows with two or more identifiers can join anything, so
-- only they take part in the loop (usually one or two passes).
--
-- Callers hold the loader's advisory lock, so no other load writes customers meanwhile.
CREATE FUNCTION resolve_identities(p_source text, p_run bigint)
RETURNS TABLE (customers_created bigint, customers_merged bigint)
LANGUAGE plpgsql AS $$
DECLARE
    key_ceiling bigint;
    changed     bigint;
BEGIN
    -- Edges: (row, identifier).
    CREATE TEMP TABLE identity_edges ON COMMIT DROP AS
    SELECT r.line, v.kind, v.source, v.value
    FROM identity_rows AS r
    CROSS JOIN LATERAL (VALUES ('customer_id', p_source, r.customer_id),
                               ('email', '', r.email),
                               ('phone', '', r.phone),
                               ('handle', '', r.handle)) AS v (kind, source, value)
    WHERE v.value IS NOT NULL;

    SELECT coalesce(max(customer_key), 0) INTO key_ceiling FROM customers;

    -- Nodes: each distinct identifier, its current owner, and its starting label.
    CREATE TEMP TABLE identity_nodes ON COMMIT DROP AS
    SELECT n.kind, n.source, n.value, ci.customer_key AS owner,
           coalesce(ci.customer_key, key_ceiling + row_number() OVER ()) AS label
    FROM (SELECT DISTINCT kind, source, value FROM identity_edges) AS n
    LEFT JOIN customer_identifiers AS ci USING (kind, source, value);
    CREATE UNIQUE INDEX ON identity_nodes (kind, source, value);
    ANALYZE identity_nodes;

    -- Only rows with several identifiers connect identifiers to each other.
    CREATE TEMP TABLE identity_links ON COMMIT DROP AS
    SELECT e.line, e.kind, e.source, e.value
    FROM identity_edges AS e
    WHERE e.line IN (SELECT line FROM identity_edges GROUP BY line HAVING count(*) > 1);
    ANALYZE identity_links;

    LOOP
        WITH row_label AS (
            SELECT l.line, min(n.label) AS label
            FROM identity_links AS l
            JOIN identity_nodes AS n USING (kind, source, value)
            GROUP BY l.line
        ), node_label AS (
            SELECT l.kind, l.source, l.value, min(r.label) AS label
            FROM identity_links AS l
            JOIN row_label AS r USING (line)
            GROUP BY l.kind, l.source, l.value
        )
        UPDATE identity_nodes AS n
        SET label = nl.label
        FROM node_label AS nl
        WHERE (n.kind, n.source, n.value) = (nl.kind, nl.source, nl.value)
          AND nl.label < n.label;
        GET DIAGNOSTICS changed = ROW_COUNT;
        EXIT WHEN changed = 0;
    END LOOP;

    -- A component's label is its smallest existing owner if it has one (existing keys are all
    -- below key_ceiling), else a fresh number: those become new customers.
    CREATE TEMP TABLE identity_new_customers ON COMMIT DROP AS
    SELECT label, nextval(pg_get_serial_sequence('customers', 'customer_key')) AS customer_key
    FROM (SELECT DISTINCT label FROM identity_nodes WHERE label > key_ceiling) AS fresh;

    INSERT INTO customers (customer_key, created_by_run)
    SELECT customer_key, p_run FROM identity_new_customers;

    CREATE TEMP TABLE identity_resolved ON COMMIT DROP AS
    SELECT n.kind, n.source, n.value, n.owner, coalesce(f.customer_key, n.label) AS customer_key
    FROM identity_nodes AS n
    LEFT JOIN identity_new_customers AS f USING (label);
    CREATE UNIQUE INDEX ON identity_resolved (kind, source, value);
    ANALYZE identity_resolved;

    -- Customers proved to be one: fold each into the component's survivor.
    CREATE TEMP TABLE identity_merges ON COMMIT DROP AS
    SELECT DISTINCT owner AS merged_key, customer_key AS into_key
    FROM identity_resolved
    WHERE owner IS NOT NULL AND owner <> customer_key;

    IF EXISTS (SELECT 1 FROM identity_merges) THEN
        UPDATE customer_identifiers AS t SET customer_key = m.into_key
        FROM identity_merges AS m WHERE t.customer_key = m.merged_key;
        UPDATE customer_profiles AS t SET customer_key = m.into_key
        FROM identity_merges AS m WHERE t.customer_key = m.merged_key;
        UPDATE purchases AS t SET customer_key = m.into_key
        FROM identity_merges AS m WHERE t.customer_key = m.merged_key;
        UPDATE returns AS t SET customer_key = m.into_key
        FROM identity_merges AS m WHERE t.customer_key = m.merged_key;
        UPDATE tickets AS t SET customer_key = m.into_key
        FROM identity_merges AS m WHERE t.customer_key = m.merged_key;
        UPDATE surveys AS t SET customer_key = m.into_key
        FROM identity_merges AS m WHERE t.customer_key = m.merged_key;
        INSERT INTO customer_merges (merged_key, into_key, run_id)
        SELECT merged_key, into_key, p_run FROM identity_merges;
        DELETE FROM customers AS c USING identity_merges AS m WHERE c.customer_key = m.merged_key;
    END IF;

    INSERT INTO customer_identifiers (kind, source, value, customer_key, first_run)
    SELECT kind, source, value, customer_key, p_run
    FROM identity_resolved
    WHERE owner IS NULL;

    CREATE TEMP TABLE row_customers ON COMMIT DROP AS
    SELECT e.line, min(n.customer_key) AS customer_key
    FROM identity_edges AS e
    JOIN identity_resolved AS n USING (kind, source, value)
    GROUP BY e.line;
    CREATE UNIQUE INDEX ON row_customers (line);
    ANALYZE row_customers;

    RETURN QUERY SELECT (SELECT count(*) FROM identity_new_customers),
                        (SELECT count(*) FROM identity_merges);
END;
$$;
