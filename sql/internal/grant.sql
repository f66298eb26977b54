-- What `patron grant` gives a role on Patron's schema (docs/deploying.md). Run by the schema's
-- owner, in one transaction. The schema and role names are identifiers, which cannot be bound
-- parameters: `{schema}` and `{role}` stand for them, and Patron puts them in quoted by libpq
-- (PQescapeIdentifier), never as given. The DEFAULT PRIVILEGES lines extend the grants to the
-- tables, views and functions the owner's later `patron migrate` creates.

-- name: schema_owner
-- $1 = Patron's schema: its owner, and whether this session's role acts as it.
SELECT pg_get_userbyid(n.nspowner) AS owner, pg_has_role(n.nspowner, 'USAGE') AS is_owner
FROM pg_namespace AS n
WHERE n.nspname = $1;

-- name: role_exists
SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS present;

-- name: database_privileges
-- $1 = role: what it may do in this database beyond the schema (both granted to PUBLIC by
-- default): connect, and create the temporary tables loads and `clv --method predictive` use.
SELECT current_database() AS database,
       has_database_privilege($1, current_database(), 'CONNECT') AS can_connect,
       has_database_privilege($1, current_database(), 'TEMPORARY') AS can_use_temp;

-- name: reader
-- Every analysis, `status` and `rejects`: read the tables and views, call the functions.
GRANT USAGE ON SCHEMA {schema} TO {role};
GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role};
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {role};
ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {role};
ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT EXECUTE ON FUNCTIONS TO {role};

-- name: loader
-- `load`, `import` and `sync`: the reader's rights, and writing rows (merges delete and re-point
-- rows, so DELETE and UPDATE too); the sequences hand out keys (nextval, setval). No CREATE:
-- a loader never changes the schema, and never needs CREATE on the database.
GRANT USAGE ON SCHEMA {schema} TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {role};
ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};
ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role};
ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT EXECUTE ON FUNCTIONS TO {role};
