-- The loader's: load_source_is_new(entity, table, source) → boolean: whether this is the first
-- load of `source` into the entity's table, asked once per file before anything is written.
--
-- Why: a first load takes the direct path (Sources/PatronLoad/Loader+Direct.swift) or, staged,
-- skips the update and the per-row look-up of its insert (sql/load/README.md). The rule, once
-- for every entity: a source with a successful load that inserted rows is not new (a look-up in
-- load_runs by its (entity, run_id) index); otherwise the table says (a scan that stops at the
-- first row of the source). The table is a regclass, so the server resolves and quotes it;
-- the statement that reads it is built with format('%s') and planned for the actual source.
--
-- reads:      load_runs, the entity's table
-- depends on: none

CREATE OR REPLACE FUNCTION load_source_is_new(p_entity text, p_table regclass, p_source text)
RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
    stored boolean;
BEGIN
    IF EXISTS (SELECT 1 FROM load_runs
               WHERE entity = p_entity AND source = p_source AND status <> 'failed' AND rows_inserted > 0) THEN
        RETURN false;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE source = $1)', p_table)
        INTO stored USING p_source;
    RETURN NOT stored;
END;
$$;
