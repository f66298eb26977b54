-- Patron's bookkeeping for schema migrations (sql/migrations/NNNN_name.sql, see
-- sql/migrations/README.md) and models (sql/models/NAME.sql, see sql/models/README.md).
-- search_path is Patron's schema, which the runner creates first.

-- name: lock
-- One migrator at a time per schema; released at the end of the transaction. Migrations and
-- models both run under it.
SELECT pg_advisory_xact_lock(hashtext('patron.migrate:' || $1));

-- name: create_table
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,   -- SHA-256 of the file as applied
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- name: create_models_table
-- One row per model as last created: its file's SHA-256. Emptied by every migration applied
-- (the migration may have dropped or changed what a model stands on), so the models are
-- created again after it.
CREATE TABLE IF NOT EXISTS schema_models (
    name       text        PRIMARY KEY,   -- the file's name without .sql
    checksum   text        NOT NULL,      -- SHA-256 of the file as created
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- name: bookkeeping_exists
-- $1 = Patron's schema. Read without the lock (and without creating anything), so that a
-- `patron load` into an up-to-date schema costs no more than these look-ups.
SELECT to_regclass(quote_ident($1) || '.schema_migrations') IS NOT NULL AS migrations,
       to_regclass(quote_ident($1) || '.schema_models') IS NOT NULL AS models;

-- name: applied
SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version;

-- name: record
INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3);

-- name: rerecord
-- An applied migration whose file now declares its recorded checksum superseded
-- (sql/migrations/README.md): the file's checksum becomes the recorded one.
UPDATE schema_migrations SET checksum = $3 WHERE version = $1 AND checksum = $2;

-- name: models_created
SELECT name, checksum, applied_at FROM schema_models ORDER BY name;

-- name: forget_models
DELETE FROM schema_models;

-- name: record_model
INSERT INTO schema_models (name, checksum) VALUES ($1, $2);

-- name: is_distributed
-- Whether `patron migrate --citus` ran before (`started`: purchases distributed by Citus), and
-- whether it left the warehouse as sql/citus/distribute.sql leaves it now (`complete`: returns
-- a reference table, mentions distributed by handle_key too). Started but not complete: a
-- warehouse distributed by an earlier Patron, which `patron migrate --citus` again finishes.
SELECT d.started,
       d.started AND is_citus_reference_table('returns') AND is_distributed_by('mentions', 'handle_key') AS complete
FROM (SELECT is_distributed_by_customer('purchases') AS started) AS d;
