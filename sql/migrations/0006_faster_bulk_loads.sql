-- Migration 0006: faster bulk loads.
--
-- 1. A bulk load suspends every index of the table it fills, primary key and unique indexes
--    included, and builds them afterwards. Inserting a row into a btree costs a descent and
--    a WAL record per row; building the index from the finished table sorts once. Measured
--    (1M purchases; 459k identifiers, PostgreSQL 15, same session): inserting the identifiers
--    with their primary key in place 2.2 s, without it 0.26 s plus 0.67 s to build it;
--    purchases with all three indexes 7.5 s, with none 1.1 s plus 1.5 s to build the three.
--    The rebuilt primary key still proves every key unique (a duplicate fails the load, and
--    the load changes nothing). Replaces suspend_secondary_indexes / restore_secondary_indexes
--    of migration 0002, which kept primary keys and unique indexes.
--
-- 2. resolve_identities, leaner: the same rules and results as migration 0002's version, in
--    fewer passes over the file's identifiers (1M purchases, 459k identifiers: 6.6 s → 2.6 s
--    with the index suspension above). What changed: no table of (combination, identifier)
--    pairs for the identifiers that link nothing — in a typical file nearly all of them: an
--    identifier carried by one combination only and owned by no stored customer needs no
--    propagation. Only the "linking" identifiers (carried by several combinations, or already
--    owned) go through label propagation. Owners come from one index probe per identifier
--    when the file is small against the stored identifiers (the nightly delta), else from a
--    hash join. It also serves direct loads (p_fresh_base; see Sources/PatronCore/Loader+Direct.swift),
--    whose rows the loader keyed itself; rekey_direct_rows (at the end) fixes the few keys that
--    change.
--
-- 3. Primary keys lead with the column that tells rows apart — the id, the identifier's
--    value — rather than with source or kind, which a whole file shares. A btree build sorts
--    on the leading column's abbreviated key first; when that column is the same for every
--    row, every comparison falls through to the next columns. Measured (same session, 459k
--    identifiers): (kind, source, value) 0.85 s, (value, kind, source) 0.31 s; equality
--    look-ups use all columns either way.
ALTER TABLE customer_identifiers DROP CONSTRAINT customer_identifiers_pkey,
    ADD CONSTRAINT customer_identifiers_pkey PRIMARY KEY (value, kind, source);
ALTER TABLE customer_profiles DROP CONSTRAINT customer_profiles_pkey,
    ADD CONSTRAINT customer_profiles_pkey PRIMARY KEY (customer_id, source);
ALTER TABLE purchases DROP CONSTRAINT purchases_pkey,
    ADD CONSTRAINT purchases_pkey PRIMARY KEY (order_id, source);
ALTER TABLE returns DROP CONSTRAINT returns_pkey,
    ADD CONSTRAINT returns_pkey PRIMARY KEY (return_id, source);
ALTER TABLE tickets DROP CONSTRAINT tickets_pkey,
    ADD CONSTRAINT tickets_pkey PRIMARY KEY (ticket_id, source);
ALTER TABLE mentions DROP CONSTRAINT mentions_pkey,
    ADD CONSTRAINT mentions_pkey PRIMARY KEY (mention_id, source);
ALTER TABLE surveys DROP CONSTRAINT surveys_pkey,
    ADD CONSTRAINT surveys_pkey PRIMARY KEY (response_id, source);

DROP FUNCTION suspend_secondary_indexes(regclass, bigint);
DROP FUNCTION restore_secondary_indexes();

-- suspend_indexes(table, incoming rows): when a load brings at least as many rows as the table
-- holds (and at least 10,000), drops the table's indexes — plain ones, primary keys and unique
-- constraints; not an index a foreign key refers to, nor an exclusion constraint — remembering
-- how to build each again in a temporary table, and returns how many it dropped.
-- restore_indexes() builds every suspended index again, primary keys first. Readers of the
-- table wait for the load's commit meanwhile (dropping an index locks the table); smaller loads
-- keep the indexes and the table readable.
CREATE FUNCTION suspend_indexes(p_table regclass, p_incoming bigint)
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
    CREATE TEMP TABLE IF NOT EXISTS suspended_indexes (
        position   serial,
        is_key     boolean NOT NULL,
        definition text    NOT NULL
    ) ON COMMIT DROP;
    FOR ix IN
        SELECT i.indexrelid::regclass AS name, c.conname,
               c.contype IS NOT NULL AS is_key,
               CASE WHEN c.contype IS NULL THEN pg_get_indexdef(i.indexrelid)
                    ELSE format('ALTER TABLE %s ADD CONSTRAINT %I %s', p_table, c.conname,
                                pg_get_constraintdef(c.oid))
               END AS definition
        FROM pg_index AS i
        LEFT JOIN pg_constraint AS c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
        WHERE i.indrelid = p_table
          AND (c.contype IS NULL OR c.contype IN ('p', 'u'))
          AND NOT EXISTS (SELECT 1 FROM pg_constraint AS f
                          WHERE f.contype = 'f' AND f.conindid = i.indexrelid)
    LOOP
        INSERT INTO suspended_indexes (is_key, definition) VALUES (ix.is_key, ix.definition);
        IF ix.is_key THEN
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', p_table, ix.conname);
        ELSE
            EXECUTE format('DROP INDEX %s', ix.name);
        END IF;
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END;
$$;

CREATE FUNCTION restore_indexes()
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    ix      record;
    rebuilt integer := 0;
BEGIN
    IF to_regclass('pg_temp.suspended_indexes') IS NULL THEN
        RETURN 0;
    END IF;
    FOR ix IN SELECT definition FROM suspended_indexes ORDER BY is_key DESC, position LOOP
        EXECUTE ix.definition;
        rebuilt := rebuilt + 1;
    END LOOP;
    DELETE FROM suspended_indexes;
    RETURN rebuilt;
END;
$$;

-- resolve_identities(source, run_id): the contract of migration 0002 (reads the temporary
-- table identity_sets, leaves identity_customers; rules of INPUTS.md), computed like this:
-- (With p_fresh_base, a direct load calls it: the loader joined the file's identifiers itself;
-- identity_sets then holds one row per identifier, set_id = its component in the file, keyed
-- fresh_base + set_id and reserved already; identity_set_labels is left for rekey_direct_rows.)
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
-- customer's key as it is.
DROP FUNCTION resolve_identities(text, bigint);
CREATE FUNCTION resolve_identities(p_source text, p_run bigint, p_fresh_base bigint DEFAULT NULL)
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
    PERFORM restore_indexes();

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

-- rekey_direct_rows(table, source, fresh_base): after resolve_identities for a direct load,
-- gives the rows this load wrote the key their component ended with, where that is not the
-- key the loader gave them: components that turned out to belong to a stored customer, and
-- rows keyed by a component that a later row of the file joined to an older one (listed by
-- the loader in the temporary table identity_retired (provisional, root)). Returns how many
-- rows it re-keyed; usually none, and then the table is not even read.
CREATE FUNCTION rekey_direct_rows(p_table regclass, p_source text, p_fresh_base bigint)
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
        EXECUTE format('UPDATE %s AS t SET customer_key = k.to_key FROM identity_rekeys AS k
                        WHERE t.source = $1 AND t.customer_key = k.from_key', p_table)
            USING p_source;
        GET DIAGNOSTICS rekeyed = ROW_COUNT;
    END IF;
    RETURN rekeyed;
END;
$$;
