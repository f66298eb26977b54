-- Look-ups for `patron run NAME --into [SCHEMA.]TABLE`. The target table's columns take the
-- types of the analysis' result columns; the engine then runs
-- `INSERT INTO target (…) SELECT * FROM (<analysis SQL>) AS analysis` with the bound
-- parameters, all in one transaction.

-- name: type_names
-- $1 = result column type OIDs, in order.
SELECT pg_catalog.format_type(u.type_oid, NULL) AS type_name
FROM unnest($1::oid[]) WITH ORDINALITY AS u(type_oid, ordinal)
ORDER BY u.ordinal;

-- name: relation_kind
-- What already has the target's name: 'r' or 'p' a table, anything else (a view, a sequence …)
-- cannot be written; no row when the name is free.
-- $1 = schema, $2 = table.
SELECT c.relkind::text AS kind
FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2;

-- name: schema_exists
-- Checked first so that an existing schema needs no CREATE privilege on the database.
-- $1 = schema.
SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS present;

-- name: holds_warehouse
-- Whether a schema holds a Patron warehouse (its migrations ledger and load runs): such a
-- schema is never a target, whichever --schema this run uses.
-- $1 = schema.
SELECT count(*) = 2 AS present
FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname IN ('schema_migrations', 'load_runs') AND c.relkind IN ('r', 'p');

-- name: reserved_word
-- Whether a name the user typed without quotes is an SQL keyword that PostgreSQL would quote
-- (every keyword but the unreserved ones).
-- $1 = name.
SELECT EXISTS (
    SELECT 1 FROM pg_catalog.pg_get_keywords() WHERE word = $1 AND catcode <> 'U'
) AS reserved;
