-- Look-ups for `patron run NAME --into SCHEMA.TABLE`. The target table's columns take the
-- types of the analysis' result columns; the engine then runs
-- `INSERT INTO target (…) SELECT * FROM (<analysis SQL>) AS analysis` with the bound
-- parameters, all in one transaction.

-- name: type_names
-- $1 = result column type OIDs, in order.
SELECT format_type(u.type_oid, NULL) AS type_name
FROM unnest($1::oid[]) WITH ORDINALITY AS u(type_oid, ordinal)
ORDER BY u.ordinal;

-- name: table_exists
-- $1 = schema, $2 = table.
SELECT EXISTS (
    SELECT 1 FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')
) AS present;
