-- Statements Patron runs on every connection, and small catalog look-ups.

-- name: configure
-- $1 = Patron's schema. Patron's SQL never names the schema: it relies on this search_path.
-- Instants print in UTC unless an analysis sets its reporting time zone. application_name is
-- 'patron' unless the user chose one (PGAPPNAME, or application_name in the conninfo).
SELECT set_config('application_name', coalesce(nullif(current_setting('application_name'), ''), 'patron'), false),
       set_config('search_path', quote_ident($1) || ', public', false),
       set_config('TimeZone', 'UTC', false);

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
