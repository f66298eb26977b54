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
    owned        bigint;  -- nodes whose identifier is stored already
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
    SELECT count(*) INTO owned FROM identity_nodes WHERE owner IS NOT NULL;
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
    ANALYZE identity_set_nodes;

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

    -- Identifiers seen for the first time (a bulk load rebuilds the customer_key index
    -- afterwards instead: suspend_secondary_indexes, below).
    PERFORM suspend_secondary_indexes('customer_identifiers', node_count - owned);
    INSERT INTO customer_identifiers (kind, source, value, customer_key, first_run)
    SELECT n.kind, n.source, n.value, coalesce(l.label, n.node), p_run
    FROM identity_nodes AS n
    LEFT JOIN identity_labels AS l USING (node)
    WHERE n.owner IS NULL;
    PERFORM restore_secondary_indexes();

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

-- Bulk loads without per-row index maintenance. Each row inserted into a table costs one
-- insert into every index, at a random place of it (customer_key, a timestamp): once the
-- table and its indexes outgrow shared_buffers, nearly every such insert reads a page back and
-- writes another out. Built afterwards from the finished table, a sorted index costs a
-- fraction (1M purchases: insert with both secondary indexes 23 s; without them 5.9 s, plus
-- 2.3 s to build them). So when a load brings at least as many rows as the table already
-- holds (the first load of a table, most obviously), its plain secondary indexes are dropped
-- before the insert and rebuilt after it, in the same transaction. Primary keys and unique
-- indexes stay (they enforce something and the loader's anti-joins use them). Readers of the
-- table wait for the load's commit meanwhile (DROP INDEX locks the table); smaller loads keep
-- the indexes and the table readable.
--
-- suspend_secondary_indexes(table, incoming rows) drops them, remembering their definitions
-- in a temporary table, and returns how many it dropped; restore_secondary_indexes() builds
-- every suspended index again.
CREATE FUNCTION suspend_secondary_indexes(p_table regclass, p_incoming bigint)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    existing bigint;
    ix       record;
    dropped  integer := 0;
BEGIN
    IF p_incoming < 10000 THEN
        RETURN 0;
    END IF;
    -- Counting stops at p_incoming rows: cheap whatever the table's size.
    EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM %s LIMIT $1) AS s', p_table)
        INTO existing USING p_incoming;
    IF existing >= p_incoming THEN
        RETURN 0;
    END IF;
    CREATE TEMP TABLE IF NOT EXISTS suspended_indexes (definition text NOT NULL) ON COMMIT DROP;
    FOR ix IN
        SELECT i.indexrelid::regclass AS name, pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index AS i
        WHERE i.indrelid = p_table AND NOT i.indisunique AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
    LOOP
        INSERT INTO suspended_indexes VALUES (ix.definition);
        EXECUTE format('DROP INDEX %s', ix.name);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END;
$$;

CREATE FUNCTION restore_secondary_indexes()
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    ix      record;
    rebuilt integer := 0;
BEGIN
    IF to_regclass('pg_temp.suspended_indexes') IS NULL THEN
        RETURN 0;
    END IF;
    FOR ix IN DELETE FROM suspended_indexes RETURNING definition LOOP
        EXECUTE ix.definition;
        rebuilt := rebuilt + 1;
    END LOOP;
    RETURN rebuilt;
END;
$$;
