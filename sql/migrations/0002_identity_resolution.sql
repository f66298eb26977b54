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
-- identifiers of a stored customer are one node — else by a fresh number above every existing
-- key. A combination with one node links nothing. A combination with several nodes joins
-- them; when none of its nodes is in another such combination (the usual case), its component
-- is just those nodes. Only combinations sharing nodes go through label propagation (every node
-- repeatedly takes the smallest label of the combinations it is in), usually one pass. A
-- component's label is its smallest node: a stored customer's key if it touches one (the oldest
-- survives), else a fresh number, which becomes a new customer.
--
-- Callers hold the loader's advisory lock, so no other load writes customers meanwhile.
CREATE FUNCTION resolve_identities(p_source text, p_run bigint)
RETURNS TABLE (customers_created bigint, customers_merged bigint)
LANGUAGE plpgsql AS $$
DECLARE
    key_ceiling bigint;
    changed     bigint;
BEGIN
    SELECT coalesce(max(customer_key), 0) INTO key_ceiling FROM customers;

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

    -- Nodes: each distinct identifier, its owner, and its node number.
    CREATE TEMP TABLE identity_nodes ON COMMIT DROP AS
    SELECT n.kind, n.source, n.value, ci.customer_key AS owner,
           coalesce(ci.customer_key, key_ceiling + row_number() OVER ()) AS node
    FROM (SELECT DISTINCT kind, source, value FROM identity_edges) AS n
    LEFT JOIN customer_identifiers AS ci USING (kind, source, value);
    ANALYZE identity_nodes;

    -- (combination, node) pairs, and the combinations that link several nodes.
    CREATE TEMP TABLE identity_links ON COMMIT DROP AS
    SELECT DISTINCT e.set_id, n.node
    FROM identity_edges AS e
    JOIN identity_nodes AS n USING (kind, source, value);

    CREATE TEMP TABLE identity_multi ON COMMIT DROP AS
    SELECT l.set_id, l.node, s.label
    FROM identity_links AS l
    JOIN (SELECT set_id, min(node) AS label FROM identity_links GROUP BY set_id HAVING count(*) > 1) AS s
      USING (set_id);

    -- First pass for every linked node: the smallest label of its combinations. That is final
    -- unless a node is in several combinations; those combinations propagate on.
    CREATE TEMP TABLE identity_labels ON COMMIT DROP AS
    SELECT node, min(label) AS label, count(*) > 1 AS shared
    FROM identity_multi
    GROUP BY node;
    CREATE UNIQUE INDEX ON identity_labels (node);
    ANALYZE identity_labels;

    IF EXISTS (SELECT 1 FROM identity_labels WHERE shared) THEN
        CREATE TEMP TABLE identity_tangled ON COMMIT DROP AS
        SELECT m.set_id, m.node
        FROM identity_multi AS m
        WHERE m.set_id IN (SELECT m2.set_id FROM identity_multi AS m2
                           JOIN identity_labels AS l USING (node) WHERE l.shared);
        ANALYZE identity_tangled;
        LOOP
            UPDATE identity_labels AS n
            SET label = x.label
            FROM (SELECT t.node, min(s.label) AS label
                  FROM identity_tangled AS t
                  JOIN (SELECT t2.set_id, min(l.label) AS label
                        FROM identity_tangled AS t2
                        JOIN identity_labels AS l USING (node)
                        GROUP BY t2.set_id) AS s USING (set_id)
                  GROUP BY t.node) AS x
            WHERE n.node = x.node AND x.label < n.label;
            GET DIAGNOSTICS changed = ROW_COUNT;
            EXIT WHEN changed = 0;
        END LOOP;
    END IF;

    -- Fresh labels (above every existing key) become new customers.
    CREATE TEMP TABLE identity_new_customers ON COMMIT DROP AS
    SELECT label, nextval(pg_get_serial_sequence('customers', 'customer_key')) AS customer_key
    FROM (SELECT DISTINCT coalesce(l.label, n.node) AS label
          FROM identity_nodes AS n
          LEFT JOIN identity_labels AS l USING (node)) AS f
    WHERE label > key_ceiling;

    INSERT INTO customers (customer_key, created_by_run)
    SELECT customer_key, p_run FROM identity_new_customers;

    -- The customer of every node.
    CREATE TEMP TABLE identity_node_keys ON COMMIT DROP AS
    SELECT n.node, coalesce(f.customer_key, n.label) AS customer_key
    FROM (SELECT DISTINCT n.node, coalesce(l.label, n.node) AS label
          FROM identity_nodes AS n
          LEFT JOIN identity_labels AS l USING (node)) AS n
    LEFT JOIN identity_new_customers AS f USING (label);

    -- Customers proved to be one: fold each into the component's survivor.
    CREATE TEMP TABLE identity_merges ON COMMIT DROP AS
    SELECT node AS merged_key, customer_key AS into_key
    FROM identity_node_keys
    WHERE node <= key_ceiling AND node <> customer_key;

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

    -- Identifiers seen for the first time.
    INSERT INTO customer_identifiers (kind, source, value, customer_key, first_run)
    SELECT n.kind, n.source, n.value, k.customer_key, p_run
    FROM identity_nodes AS n
    JOIN identity_node_keys AS k USING (node)
    WHERE n.owner IS NULL;

    -- Every combination's customer (all its nodes have the same one).
    CREATE TEMP TABLE identity_customers ON COMMIT DROP AS
    SELECT coalesce(s.customer_id, '') AS customer_id, coalesce(s.email, '') AS email,
           coalesce(s.phone, '') AS phone, coalesce(s.handle, '') AS handle, k.customer_key
    FROM identity_sets AS s
    JOIN (SELECT l.set_id, min(k.customer_key) AS customer_key
          FROM identity_links AS l
          JOIN identity_node_keys AS k USING (node)
          GROUP BY l.set_id) AS k USING (set_id);
    ANALYZE identity_customers;

    RETURN QUERY SELECT (SELECT count(*) FROM identity_new_customers),
                        (SELECT count(*) FROM identity_merges);
END;
$$;
