-- Migration 0002: identity resolution, set-based.
--
-- resolve_identities(source, run_id) reads the temporary table
--     identity_sets (set_id bigint, customer_id text, email text, phone text, handle text)
-- — one row per distinct combination of identifiers that this file's winning rows carry,
-- normalized, NULL when absent — and leaves the temporary table
--     identity_customers (customer_id text, email text, phone text, handle text, customer_key bigint)
-- with the customer of every combination that has at least one identifier. Absent identifiers
-- are '' there, so callers find a row's customer with plain (hashable) equality on
-- coalesce(column, ''). Working on combinations rather than rows keeps the graph small: a
-- customer usually gives the same identifiers every time.
--
-- Rules (INPUTS.md): rows sharing any normalized identifier are one customer, across sources
-- and loads, transitively. customer_id is scoped to its source. So: the identifiers of this
-- file and the customers that already own some of them form a graph; each connected component
-- is one customer. A component that touches no existing customer becomes a new customer; one
-- that touches several merges them into the oldest (smallest key), re-pointing every fact and
-- identifier and recording the merge.
--
-- How. Each identifier is a node numbered by its owner's key if it has one — so all the
-- identifiers of a stored customer are one node — else by a fresh number taken from the
-- customers' key sequence (above every key ever handed out). A combination with one node links
-- nothing. A combination with several nodes joins them; when none of its nodes is in another
-- such combination (the usual case), its component is just those nodes. Only combinations
-- sharing nodes go through label propagation (every node repeatedly takes the smallest label of
-- the combinations it is in), usually one pass. A component's label is its smallest node: a
-- stored customer's key if it touches one (the oldest survives), else a fresh number, which
-- becomes the new customer's key as it is.
--
-- Callers hold the loader's advisory lock, so no other load writes customers meanwhile.
CREATE FUNCTION resolve_identities(p_source text, p_run bigint)
RETURNS TABLE (customers_created bigint, customers_merged bigint)
LANGUAGE plpgsql AS $$
DECLARE
    key_sequence text := pg_get_serial_sequence('customers', 'customer_key');
    fresh_base   bigint;  -- fresh node numbers start here; every existing key is below
    node_count   bigint;
    changed      bigint;
    created      bigint;
    merged       bigint;
BEGIN
    -- (combination, identifier) pairs.
    CREATE TEMP TABLE identity_edges ON COMMIT DROP AS
    SELECT s.set_id, v.kind, v.source, v.value
    FROM identity_sets AS s
    CROSS JOIN LATERAL (VALUES ('customer_id', p_source, s.customer_id),
                               ('email', '', s.email),
                               ('phone', '', s.phone),
                               ('handle', '', s.handle)) AS v (kind, source, value)
    WHERE v.value IS NOT NULL;
    ANALYZE identity_edges;

    -- Nodes: each distinct identifier, its owner, and its node number. The fresh numbers are
    -- reserved in the key sequence, so that a new customer's key is its component's label.
    fresh_base := nextval(key_sequence);
    CREATE TEMP TABLE identity_nodes ON COMMIT DROP AS
    SELECT n.kind, n.source, n.value, ci.customer_key AS owner,
           coalesce(ci.customer_key, fresh_base - 1 + row_number() OVER ()) AS node
    FROM (SELECT DISTINCT kind, source, value FROM identity_edges) AS n
    LEFT JOIN customer_identifiers AS ci USING (kind, source, value);
    GET DIAGNOSTICS node_count = ROW_COUNT;
    IF node_count > 1 THEN
        PERFORM setval(key_sequence, fresh_base + node_count - 1);
    END IF;
    ANALYZE identity_nodes;

    -- (combination, node) pairs. A combination naming two identifiers of one stored customer
    -- has that node twice: harmless below.
    CREATE TEMP TABLE identity_links ON COMMIT DROP AS
    SELECT e.set_id, n.node
    FROM identity_edges AS e
    JOIN identity_nodes AS n USING (kind, source, value);

    -- Per combination: its smallest node, and whether it joins several nodes.
    CREATE TEMP TABLE identity_set_nodes ON COMMIT DROP AS
    SELECT set_id, min(node) AS first_node, min(node) <> max(node) AS joins
    FROM identity_links
    GROUP BY set_id;

    -- First pass for every node of a joining combination: the smallest first node of its
    -- joining combinations. That is final unless the node is in several of them.
    CREATE TEMP TABLE identity_labels ON COMMIT DROP AS
    SELECT l.node, min(s.first_node) AS label, count(*) > 1 AS shared
    FROM identity_links AS l
    JOIN identity_set_nodes AS s USING (set_id)
    WHERE s.joins
    GROUP BY l.node;
    ANALYZE identity_labels;

    IF EXISTS (SELECT 1 FROM identity_labels WHERE shared) THEN
        CREATE TEMP TABLE identity_tangled ON COMMIT DROP AS
        SELECT l.set_id, l.node
        FROM identity_links AS l
        WHERE l.set_id IN (SELECT l2.set_id FROM identity_links AS l2
                           JOIN identity_labels AS x USING (node) WHERE x.shared);
        ANALYZE identity_tangled;
        LOOP
            UPDATE identity_labels AS n
            SET label = x.label
            FROM (SELECT t.node, min(s.label) AS label
                  FROM identity_tangled AS t
                  JOIN (SELECT t2.set_id, min(coalesce(l.label, t2.node)) AS label
                        FROM identity_tangled AS t2
                        LEFT JOIN identity_labels AS l USING (node)
                        GROUP BY t2.set_id) AS s USING (set_id)
                  GROUP BY t.node) AS x
            WHERE n.node = x.node AND x.label < n.label;
            GET DIAGNOSTICS changed = ROW_COUNT;
            EXIT WHEN changed = 0;
        END LOOP;
    END IF;

    -- A component with a fresh label is a new customer, keyed by that label.
    INSERT INTO customers (customer_key, created_by_run)
    SELECT DISTINCT coalesce(l.label, n.node), p_run
    FROM identity_nodes AS n
    LEFT JOIN identity_labels AS l USING (node)
    WHERE coalesce(l.label, n.node) >= fresh_base;
    GET DIAGNOSTICS created = ROW_COUNT;

    -- Stored customers proved to be one: fold each into its component's survivor.
    CREATE TEMP TABLE identity_merges ON COMMIT DROP AS
    SELECT node AS merged_key, label AS into_key
    FROM identity_labels
    WHERE node < fresh_base AND label <> node;
    GET DIAGNOSTICS merged = ROW_COUNT;

    IF merged > 0 THEN
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

    -- Identifiers seen for the first time.
    INSERT INTO customer_identifiers (kind, source, value, customer_key, first_run)
    SELECT n.kind, n.source, n.value, coalesce(l.label, n.node), p_run
    FROM identity_nodes AS n
    LEFT JOIN identity_labels AS l USING (node)
    WHERE n.owner IS NULL;

    -- Every combination's customer: its component's label (all its nodes have the same).
    CREATE TEMP TABLE identity_customers ON COMMIT DROP AS
    SELECT coalesce(s.customer_id, '') AS customer_id, coalesce(s.email, '') AS email,
           coalesce(s.phone, '') AS phone, coalesce(s.handle, '') AS handle,
           coalesce(l.label, k.first_node) AS customer_key
    FROM identity_sets AS s
    JOIN identity_set_nodes AS k USING (set_id)
    LEFT JOIN identity_labels AS l ON l.node = k.first_node;
    ANALYZE identity_customers;

    RETURN QUERY SELECT created, merged;
END;
$$;
