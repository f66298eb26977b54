-- The loader's: load_drop_superseded(id_column) → bigint: among the valid staged rows of a file
-- with the same id, the last one wins; the earlier ones are superseded, deleted from the
-- temporary table load_stage here, and counted (the return value).
--
-- Why: the rule is the same for every entity (docs/inputs.md: the last occurrence of an id in
-- a file wins); only the name of the id column differs (`order_id`, `ticket_id`, …, the
-- loader's Entity.idColumn), so it is stated once, with the column quoted by the server
-- (format('%I')). Only ids the loader saw repeated can have earlier rows (`repeated`: the
-- loader's filter has false positives, never false negatives), so only those are grouped. The
-- staging path runs it only when the loader saw a repeated id; the statement is planned when
-- it runs, as it would be if it were written out in sql/load/<entity>.sql.
--
-- reads:      the temporary table load_stage (sql/load/<entity>.sql, create_stage)
-- depends on: none

CREATE OR REPLACE FUNCTION load_drop_superseded(p_id_column text)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    superseded bigint;
BEGIN
    EXECUTE format($sql$
        DELETE FROM load_stage AS s
        USING (SELECT %1$I, max(line) AS last_line
               FROM load_stage
               WHERE reject_reason IS NULL
                 AND %1$I IN (SELECT %1$I FROM load_stage WHERE repeated)
               GROUP BY %1$I) AS d
        WHERE s.reject_reason IS NULL AND s.%1$I = d.%1$I AND s.line < d.last_line
        $sql$, p_id_column);
    GET DIAGNOSTICS superseded = ROW_COUNT;
    RETURN superseded;
END;
$$;
