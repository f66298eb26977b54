-- Distributes a warehouse on a Citus coordinator: `patron migrate --citus` runs this file after
-- the migrations and models, in one transaction, under the migration lock. Running it again
-- changes nothing. Why each choice: docs/scale-out.md.
--
-- * customers, customer_profiles, purchases, tickets, surveys and the per-customer summaries
--   (customer_months, customer_totals) are distributed by customer_key and co-located, so a
--   customer's rows sit on one worker and joins on customer_key run there. Citus needs every
--   primary key to include that column: (customer_key, id, source). That a source's id is
--   stored once is kept by the loader, which looks every incoming id up among the stored rows
--   (through the new (id, source) indexes) under the warehouse's load lock, and moves a row
--   whose customer changes (move_customer_rows) instead of inserting it again.
-- * customer_identifiers is distributed by value: identity resolution looks identifiers up by
--   value. Its key (value, kind, source) includes that column already.
-- * returns is a reference table: a copy on every node, the coordinator included. A return
--   belongs with its order, which it names by (source, order_id), not by customer_key: its own
--   customer_key may be NULL (no identifier) or another customer's than the order's, so
--   distributing it by customer_key would not put it beside its order. As a reference table
--   it joins purchases on any shard (purchase_facts, return_orders, revenue's refunds) without
--   being shipped there first, and the loader's statements that join it with their temporary
--   tables run on the coordinator's copy (scripts/citus-local puts the coordinator in the
--   metadata: citus_set_coordinator_host). Every write goes to each node's copy.
-- * mentions are distributed by handle_key, co-located with customer_identifiers. A mention
--   has no customer_key: it links to a customer at query time, when its handle is one of the
--   customer's identifiers, whatever the load order (docs/inputs.md). handle_key is the
--   handle, or for a mention without one ':' || mention_id, a value no handle can take
--   (migration 0014): Citus allows no NULL distribution value, and the mentions without a
--   handle spread over the shards. So mention_facts' join to customer_identifiers runs on
--   each shard. The key is (handle_key, mention_id, source); a mention whose handle changes is
--   moved by the loader (load_match_stored_mentions), which keeps (mention_id, source) unique
--   as it keeps the other tables' ids.
-- * Still on the coordinator alone, as ordinary tables: the loads' bookkeeping (load_runs,
--   rejected_rows, import_notices, customer_merges) and the summaries' roll-ups and queues.
-- * The summaries' queueing triggers are dropped: Citus allows none on a distributed table.
--   The loader queues the customers a file changes instead (load_queue_summaries, and
--   move_customer_rows for the rows it moves), so the summaries stay exact and serve the
--   analyses as on one server.

DO $$
BEGIN
    IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RAISE EXCEPTION 'the citus extension is not installed in this database'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'run CREATE EXTENSION citus on the coordinator and add its workers (scripts/citus-local start does both)';
    END IF;
    IF is_distributed_by_customer('purchases') THEN
        RETURN;  -- distributed before
    END IF;

    DROP TRIGGER IF EXISTS purchases_queue_summaries_insert ON purchases;
    DROP TRIGGER IF EXISTS purchases_queue_summaries_update ON purchases;
    DROP TRIGGER IF EXISTS purchases_queue_summaries_delete ON purchases;
    DROP TRIGGER IF EXISTS returns_queue_summaries_insert ON returns;
    DROP TRIGGER IF EXISTS returns_queue_summaries_update ON returns;
    DROP TRIGGER IF EXISTS returns_queue_summaries_delete ON returns;

    ALTER TABLE purchases DROP CONSTRAINT purchases_pkey,
        ADD CONSTRAINT purchases_pkey PRIMARY KEY (customer_key, order_id, source);
    CREATE INDEX purchases_order_idx ON purchases (order_id, source);
    ALTER TABLE tickets DROP CONSTRAINT tickets_pkey,
        ADD CONSTRAINT tickets_pkey PRIMARY KEY (customer_key, ticket_id, source);
    CREATE INDEX tickets_ticket_idx ON tickets (ticket_id, source);
    ALTER TABLE surveys DROP CONSTRAINT surveys_pkey,
        ADD CONSTRAINT surveys_pkey PRIMARY KEY (customer_key, response_id, source);
    CREATE INDEX surveys_response_idx ON surveys (response_id, source);
    ALTER TABLE customer_profiles DROP CONSTRAINT customer_profiles_pkey,
        ADD CONSTRAINT customer_profiles_pkey PRIMARY KEY (customer_key, customer_id, source);
    CREATE INDEX customer_profiles_id_idx ON customer_profiles (customer_id, source);

    PERFORM create_distributed_table('customers', 'customer_key');
    PERFORM create_distributed_table('customer_profiles', 'customer_key', colocate_with => 'customers');
    PERFORM create_distributed_table('purchases', 'customer_key', colocate_with => 'customers');
    PERFORM create_distributed_table('tickets', 'customer_key', colocate_with => 'customers');
    PERFORM create_distributed_table('surveys', 'customer_key', colocate_with => 'customers');
    PERFORM create_distributed_table('customer_months', 'customer_key', colocate_with => 'customers');
    PERFORM create_distributed_table('customer_totals', 'customer_key', colocate_with => 'customers');
    PERFORM create_distributed_table('customer_identifiers', 'value');
END
$$;

-- returns: a reference table (see above). A block of its own, so that a warehouse distributed
-- before returns were gets them too.
DO $$
BEGIN
    IF NOT is_citus_reference_table('returns') THEN
        PERFORM create_reference_table('returns');
    END IF;
END
$$;

-- mentions: distributed by handle_key beside customer_identifiers (see above). A block of its
-- own, so that a warehouse distributed before mentions were gets them too.
DO $$
BEGIN
    IF NOT is_distributed_by('mentions', 'handle_key') THEN
        ALTER TABLE mentions DROP CONSTRAINT mentions_pkey,
            ADD CONSTRAINT mentions_pkey PRIMARY KEY (handle_key, mention_id, source);
        DROP INDEX IF EXISTS mentions_handle_key_idx;  -- the key's first column now
        CREATE INDEX IF NOT EXISTS mentions_id_idx ON mentions (mention_id, source);
        PERFORM create_distributed_table('mentions', 'handle_key', colocate_with => 'customer_identifiers');
    END IF;
END
$$;
