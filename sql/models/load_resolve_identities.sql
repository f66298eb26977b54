-- The loader's: resolve_identities(source, run_id[, fresh_base]) → (customers_created,
-- customers_merged): identity resolution, set-based, for one file inside its transaction.
--
-- Contract. Reads the temporary table
--     identity_sets (set_id bigint, customer_id text, email text, phone text, handle text)
-- — one row per distinct combination of identifiers that this file's winning rows carry,
-- normalized, NULL when absent (sql/load/common.sql, identity_sets) — and leaves the temporary
-- table
--     identity_customers (customer_id text, email text, phone text, handle text, customer_key bigint)
-- with the customer of every combination that has at least one identifier. Absent identifiers
-- are '' there, so callers find a row's customer with plain (hashable) equality on
-- coalesce(column, '') (the update and insert statements of sql/load/<entity>.sql). Working on
-- combinations rather than rows keeps the graph small: a customer usually gives the same
-- identifiers every time. Callers hold the loader's advisory lock, so no other load writes
-- customers meanwhile.
--
-- Rules (docs/inputs.md, "Identity resolution"): rows sharing any normalized identifier are one
-- customer, across sources and loads, transitively. customer_id is scoped to its source. So:
-- the identifiers of this file and the customers that already own some of them form a graph;
-- each connected component is one customer. A component that touches no existing customer
-- becomes a new customer; one that touches several merges them into the oldest (smallest key),
-- re-pointing every fact and identifier and recording the merge.
--
-- How. (With p_fresh_base, a direct load calls it: the loader joined the file's identifiers
-- itself; identity_sets then holds one row per identifier, set_id = its component in the file,
-- keyed fresh_base + set_id and reserved already; identity_set_labels is left for
-- rekey_direct_rows, and identity_customers is not built.)
--
-- Every combination (set) s gets a provisional label fresh_base + s, above every key ever
-- handed out (the range is reserved in the customers' key sequence). Every distinct identifier
-- is a node: its owner's key if a stored customer owns it — so all identifiers of one stored
-- customer are one node — else fresh_base + the first set carrying it. An identifier carried
-- by one set only and owned by nobody links nothing: its set keeps its own label. The others
-- ("linking" nodes) join their sets: labels propagate between sets and linking nodes (each
-- takes the smallest label around it) until nothing changes, usually after one or two rounds.
-- A component's label is then its smallest stored key (the oldest customer survives; the
-- others are merged into it) or, touching none, a fresh number, which becomes the new
-- customer's key as it is. Owners come from one index probe per identifier when the file is
-- small against the stored identifiers (the nightly delta), else from a hash join.
-- (1M purchases, 459k identifiers: 2.6 s with the index suspension of suspend_indexes.)
--
-- reads:      customer_identifiers, customers; writes customers, customer_identifiers,
--             customer_merges and, on a merge, customer_key of every entity's table
-- depends on: load_suspend_indexes, citus_distribution

CREATE OR REPLACE FUNCTION resolve_identities(p_source text, p_run bigint, p_fresh_base bigint DEFAULT NULL)
RETURNS TABLE (customers_created bigint, customers_merged bigint)
LANGUAGE plpgsql AS $$
DECLARE
    key_sequence text := pg_get_serial_sequence('customers', 'customer_key');
    fresh_base   bigint;  -- set s's own label is fresh_base + s; every stored key is below
    set_count    bigint;
    node_count   bigint;
    stored       real;    -- the planner's estimate of stored identifiers
    changed      bigint;
    created      bigint;
    merged       bigint;
BEGIN
    SELECT coalesce(max(set_id), 0) INTO set_count FROM identity_sets;
    IF p_fresh_base IS NULL THEN
        fresh_base := nextval(key_sequence) - 1;
        IF set_count > 1 THEN
            PERFORM setval(key_sequence, fresh_base + set_count);
        END IF;
    ELSE
        -- The loader numbered the sets itself and reserved their keys (a direct load).
        fresh_base := p_fresh_base;
    END IF;

    -- Each distinct identifier: the first set carrying it, how many sets carry it, its owner.
    -- The owner comes from one index probe per identifier when the file brings few of them
    -- against many stored (a nightly delta: 22k probes instead of reading 459k identifiers),
    -- else from one hash join over all stored identifiers.
    SELECT greatest(reltuples, 0) INTO stored FROM pg_class WHERE oid = 'customer_identifiers'::regclass;
    -- (A direct load's identifiers are distinct already: no grouping.)
    EXECUTE format($sql$
        CREATE TEMP TABLE identity_nodes ON COMMIT DROP AS
        SELECT e.kind, e.source, e.value, e.first_set, e.sets, ci.customer_key AS owner
        FROM (SELECT kind, source, value, %s
              FROM (SELECT 'customer_id' AS kind, $1 AS source, customer_id AS value, set_id
                    FROM identity_sets WHERE customer_id IS NOT NULL
                    UNION ALL
                    SELECT 'email', '', email, set_id FROM identity_sets WHERE email IS NOT NULL
                    UNION ALL
                    SELECT 'phone', '', phone, set_id FROM identity_sets WHERE phone IS NOT NULL
                    UNION ALL
                    SELECT 'handle', '', handle, set_id FROM identity_sets WHERE handle IS NOT NULL
                   ) AS edges
              %s) AS e
        %s
        $sql$,
        CASE WHEN p_fresh_base IS NULL THEN 'min(set_id) AS first_set, count(*) AS sets'
             ELSE 'set_id AS first_set, 1::bigint AS sets' END,
        CASE WHEN p_fresh_base IS NULL THEN 'GROUP BY kind, source, value' ELSE '' END,
        CASE WHEN set_count * 20 < stored
             THEN 'LEFT JOIN LATERAL (SELECT c.customer_key FROM customer_identifiers AS c
                                      WHERE (c.kind, c.source, c.value) = (e.kind, e.source, e.value)
                                      LIMIT 1) AS ci ON true'
             ELSE 'LEFT JOIN customer_identifiers AS ci USING (kind, source, value)'
        END) USING p_source;
    GET DIAGNOSTICS node_count = ROW_COUNT;

    -- The linking identifiers and the sets they join, as (set, node) pairs. customer_id
    -- identifiers of this file are all of p_source, so the value alone matches them.
    CREATE TEMP TABLE identity_set_links ON COMMIT DROP AS
    WITH links AS (
        SELECT kind, value, coalesce(owner, fresh_base + first_set) AS node
        FROM identity_nodes
        WHERE sets > 1 OR owner IS NOT NULL
    )
    SELECT DISTINCT set_id, node
    FROM (SELECT s.set_id, l.node FROM links AS l JOIN identity_sets AS s ON s.customer_id = l.value
          WHERE l.kind = 'customer_id'
          UNION ALL
          SELECT s.set_id, l.node FROM links AS l JOIN identity_sets AS s ON s.email = l.value
          WHERE l.kind = 'email'
          UNION ALL
          SELECT s.set_id, l.node FROM links AS l JOIN identity_sets AS s ON s.phone = l.value
          WHERE l.kind = 'phone'
          UNION ALL
          SELECT s.set_id, l.node FROM links AS l JOIN identity_sets AS s ON s.handle = l.value
          WHERE l.kind = 'handle') AS pairs;

    -- Label propagation over the linked sets and their nodes.
    CREATE TEMP TABLE identity_set_labels ON COMMIT DROP AS
    SELECT set_id, min(node) AS label FROM identity_set_links GROUP BY set_id;
    CREATE TEMP TABLE identity_node_labels ON COMMIT DROP AS
    SELECT DISTINCT node, node AS label FROM identity_set_links;
    IF EXISTS (SELECT 1 FROM identity_set_links) THEN
        ANALYZE identity_set_links;
        ANALYZE identity_set_labels;
        ANALYZE identity_node_labels;
        LOOP
            UPDATE identity_node_labels AS n
            SET label = x.label
            FROM (SELECT l.node, min(s.label) AS label
                  FROM identity_set_links AS l JOIN identity_set_labels AS s USING (set_id)
                  GROUP BY l.node) AS x
            WHERE n.node = x.node AND x.label < n.label;
            GET DIAGNOSTICS changed = ROW_COUNT;
            EXIT WHEN changed = 0;
            UPDATE identity_set_labels AS s
            SET label = x.label
            FROM (SELECT l.set_id, min(n.label) AS label
                  FROM identity_set_links AS l JOIN identity_node_labels AS n USING (node)
                  GROUP BY l.set_id) AS x
            WHERE s.set_id = x.set_id AND x.label < s.label;
            GET DIAGNOSTICS changed = ROW_COUNT;
            EXIT WHEN changed = 0;
        END LOOP;
    END IF;

    -- Stored customers proved to be one: fold each into its component's survivor.
    CREATE TEMP TABLE identity_merges ON COMMIT DROP AS
    SELECT node AS merged_key, label AS into_key
    FROM identity_node_labels
    WHERE node <= fresh_base AND label <> node;
    GET DIAGNOSTICS merged = ROW_COUNT;
    IF merged > 0 THEN
        -- (On Citus the rows move between shards: move_customer_rows.)
        PERFORM move_customer_rows(t, 'pg_temp.identity_merges'::regclass, 'merged_key', 'into_key', NULL)
        FROM unnest(ARRAY['customer_identifiers', 'customer_profiles', 'purchases', 'returns', 'tickets',
                          'surveys']::regclass[]) AS t;
        INSERT INTO customer_merges (merged_key, into_key, run_id)
        SELECT merged_key, into_key, p_run FROM identity_merges;
        DELETE FROM customers AS c USING identity_merges AS m WHERE c.customer_key = m.merged_key;
    END IF;

    -- New customers: every unlinked set with an identifier is one, keyed by its own label;
    -- a linked component touching no stored customer is one, keyed by its fresh label.
    PERFORM suspend_indexes('customers', set_count);
    INSERT INTO customers (customer_key, created_by_run)
    SELECT DISTINCT fresh_base + s.set_id, p_run
    FROM identity_sets AS s
    WHERE (s.customer_id IS NOT NULL OR s.email IS NOT NULL OR s.phone IS NOT NULL OR s.handle IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM identity_set_labels AS l WHERE l.set_id = s.set_id)
    UNION ALL
    SELECT DISTINCT label, p_run FROM identity_set_labels WHERE label > fresh_base;
    GET DIAGNOSTICS created = ROW_COUNT;

    -- Identifiers seen for the first time, with the label of the first set carrying them.
    PERFORM suspend_indexes('customer_identifiers', node_count);
    IF EXISTS (SELECT 1 FROM identity_set_labels) THEN
        ANALYZE identity_nodes;
        INSERT INTO customer_identifiers (kind, source, value, customer_key, first_run)
        SELECT n.kind, n.source, n.value, coalesce(l.label, fresh_base + n.first_set), p_run
        FROM identity_nodes AS n
        LEFT JOIN identity_set_labels AS l ON l.set_id = n.first_set
        WHERE n.owner IS NULL;
    ELSE
        INSERT INTO customer_identifiers (kind, source, value, customer_key, first_run)
        SELECT kind, source, value, fresh_base + first_set, p_run
        FROM identity_nodes
        WHERE owner IS NULL;
    END IF;
    -- A direct load builds them later, with its table's, after rekey_direct_rows has updated
    -- the rows it re-keys (updates without index entries to maintain).
    IF p_fresh_base IS NULL THEN
        PERFORM restore_indexes();
    END IF;

    -- Every set's customer (sets without any identifier have none), for the staging path's
    -- statements; a direct load keyed its rows already.
    IF p_fresh_base IS NOT NULL THEN
        RETURN QUERY SELECT created, merged;
        RETURN;
    END IF;
    CREATE TEMP TABLE identity_customers ON COMMIT DROP AS
    SELECT coalesce(s.customer_id, '') AS customer_id, coalesce(s.email, '') AS email,
           coalesce(s.phone, '') AS phone, coalesce(s.handle, '') AS handle,
           coalesce(l.label, fresh_base + s.set_id) AS customer_key
    FROM identity_sets AS s
    LEFT JOIN identity_set_labels AS l USING (set_id)
    WHERE s.customer_id IS NOT NULL OR s.email IS NOT NULL OR s.phone IS NOT NULL OR s.handle IS NOT NULL;
    ANALYZE identity_customers;

    RETURN QUERY SELECT created, merged;
END;
$$;
