-- Statements Patron runs on every connection, and small catalog look-ups.

-- name: configure
-- $1 = Patron's schema. Patron's SQL never names the schema: it relies on this search_path,
-- which holds the schema and pg_catalog only. Never `public`: in a shared database anyone may be
-- able to create objects there, and a function or operator planted in it with a closer type
-- match (public.nextval(text) over pg_catalog.nextval(regclass)) would run in Patron's session
-- (CVE-2018-1058); and a role that may not use the schema would find `public` instead and build
-- a second warehouse in it. pg_catalog is named after the schema so that new objects go into
-- the schema (the first in the path), which only its owner may create objects in.
-- Instants print in UTC unless an analysis sets its reporting time zone. application_name is
-- 'patron' unless the user chose one (PGAPPNAME, or application_name in the conninfo).
-- Returns who this session runs as, and whether it may use the schema (NULL: no such schema).
SELECT set_config('application_name', coalesce(nullif(current_setting('application_name'), ''), 'patron'), false),
       set_config('search_path', quote_ident($1) || ', pg_catalog', false),
       set_config('TimeZone', 'UTC', false),
       current_user AS role,
       (SELECT has_schema_privilege(n.oid, 'USAGE') FROM pg_namespace AS n WHERE n.nspname = $1) AS schema_usable;

-- name: schema_exists
SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS present;

-- name: migrations_table_exists
SELECT to_regclass(quote_ident($1) || '.schema_migrations') IS NOT NULL AS present;

-- name: stage_columns
-- The columns of this transaction's staging table, to check them against the loader's encoder.
SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
FROM pg_attribute AS a
WHERE a.attrelid = 'load_stage'::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;
