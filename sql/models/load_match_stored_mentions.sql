-- The loader's: load_match_stored_mentions(source, source_is_new) → bigint: for a mentions
-- file on the staging path, before its update and insert, finds which valid staged mentions
-- are stored already, in the temporary table
--     load_stored (mention_id, stored_key, to_key)
-- that the insert reads to leave them out; moves each stored mention whose handle_key the
-- file changes (its handle changed) to the new key; and returns how many moved.
--
-- Why a step of its own: mentions are what load_match_stored_rows does for the entities with
-- customers, with handle_key (migration 0014) in the place of customer_key. On Citus it is the
-- distribution column of mentions, and two things a single statement could do are not allowed
-- there: no UPDATE may change it (a mention whose handle changes is deleted and inserted again
-- under its new key, here, on one server too: one SQL text for both), and an INSERT … SELECT
-- from the staging table (a local temporary table) may not look its rows up in the distributed
-- table (the insert anti-joins load_stored instead; the join here is a plain SELECT, which
-- Citus runs on the shards). The moved rows keep their other columns: the file's update, run
-- next, sets the new handle and stamps them changed_by_run.
--
-- A staged mention's key is found as the insert computes it: coalesce(handle, ':' ||
-- mention_id); a file without the handle column keeps the stored key. For the first load of a
-- source (source_is_new) nothing can be stored: load_stored stays empty.
--
-- reads:      the temporary table load_stage (sql/load/mentions.sql); moves rows of mentions
-- depends on: none

CREATE OR REPLACE FUNCTION load_match_stored_mentions(p_source text, p_source_is_new boolean)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    moved bigint := 0;
BEGIN
    CREATE TEMP TABLE load_stored (
        mention_id text NOT NULL,
        stored_key text NOT NULL,
        to_key     text NOT NULL
    ) ON COMMIT DROP;
    IF p_source_is_new THEN
        RETURN 0;
    END IF;
    INSERT INTO load_stored
    SELECT t.mention_id, t.handle_key,
           CASE WHEN w.has_handle THEN coalesce(w.handle, ':' || w.mention_id) ELSE t.handle_key END
    FROM load_stage AS w
    JOIN mentions AS t ON t.source = p_source AND t.mention_id = w.mention_id
    WHERE w.reject_reason IS NULL;
    -- Keyed once filled (one sort), for the insert's anti-join, as load_match_stored_rows does.
    ALTER TABLE load_stored ADD PRIMARY KEY (mention_id);
    ANALYZE load_stored;
    IF EXISTS (SELECT 1 FROM load_stored WHERE stored_key <> to_key) THEN
        WITH gone AS (
            DELETE FROM mentions AS t
            USING (SELECT mention_id, to_key FROM load_stored WHERE stored_key <> to_key) AS k
            WHERE t.source = p_source AND t.mention_id = k.mention_id
            RETURNING t.*, k.to_key
        )
        INSERT INTO mentions (source, mention_id, handle_key, platform, handle, posted_at, "text", sentiment,
                              is_complaint, reach, responded_at, loaded_by_run, changed_by_run)
        SELECT source, mention_id, to_key, platform, handle, posted_at, "text", sentiment,
               is_complaint, reach, responded_at, loaded_by_run, changed_by_run
        FROM gone;
        GET DIAGNOSTICS moved = ROW_COUNT;
    END IF;
    RETURN moved;
END;
$$;
