-- Patron's bookkeeping for schema migrations (sql/migrations/NNNN_name.sql).
-- search_path is Patron's schema, which the runner creates first.

-- name: lock
-- One migrator at a time per schema; released at the end of the transaction.
SELECT pg_advisory_xact_lock(hashtext('patron.migrate:' || $1));

-- name: create_table
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,   -- SHA-256 of the file as applied
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- name: applied
SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version;

-- name: record
INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3);
