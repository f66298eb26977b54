-- Loading entity `customers` → table customer_profiles: what one source says about a customer.
--
-- Here: what belongs to this entity alone — its staging table, and the statements that name
-- its columns and their defaults (update, insert, copy_direct). The loader runs them by name,
-- inside the file's transaction, between the statements every entity shares
-- (load/common.sql); the order of both, and why update and insert are written out per
-- entity: sql/load/README.md.
-- Parameters: $1 source, $2 run_id.

-- name: create_stage
-- One row per input row, as validated by the loader (binary COPY, so column order and
-- types must match the loader's column list). Rejected rows carry only the reject columns.
-- repeated: an earlier valid row of the file may have had the same id (the loader's filter
-- has false positives, never false negatives).
-- has_<column> is false when the column was absent (CSV header, JSON key): keep the stored value.
CREATE TEMP TABLE load_stage (
    line bigint NOT NULL,
    repeated boolean,
    reject_column text,
    reject_value text,
    reject_reason text,
    customer_id text,
    email text,
    phone text,
    handle text,
    name text,
    country text,
    signup_at timestamptz,
    segment text,
    has_email boolean,
    has_phone boolean,
    has_handle boolean,
    has_name boolean,
    has_country boolean,
    has_signup_at boolean,
    has_segment boolean
) ON COMMIT DROP;

-- name: update
-- Existing rows that this file changes. A column absent from the file keeps its stored
-- value; an empty field overwrites it with NULL; a row that would not change is left alone
-- (so an identical reload changes nothing, not even changed_by_run). customer_key is not set
-- here: a row whose customer changed was moved to its new key just before, by
-- match_stored_rows (load/common.sql), which stamped it changed_by_run = $2 — so it counts as
-- updated even when nothing else changed. Rows are found by id, not by ctid (Citus allows
-- no ctid in a distributed UPDATE; docs/scale-out.md), in one join of the staged rows with the
-- table: the new values are computed from the row being updated, not from a copy of it joined
-- first, so each staged row costs one look-up (on Citus, the staged rows travel to the shards
-- once).
UPDATE customer_profiles AS t
SET (email, phone, handle, name, country, signup_at, segment, changed_by_run)
  = (CASE WHEN w.has_email THEN w.email ELSE t.email END,
     CASE WHEN w.has_phone THEN w.phone ELSE t.phone END,
     CASE WHEN w.has_handle THEN w.handle ELSE t.handle END,
     CASE WHEN w.has_name THEN w.name ELSE t.name END,
     CASE WHEN w.has_country THEN w.country ELSE t.country END,
     CASE WHEN w.has_signup_at THEN w.signup_at ELSE t.signup_at END,
     CASE WHEN w.has_segment THEN w.segment ELSE t.segment END,
     $2)
FROM load_stage AS w
WHERE t.source = $1 AND t.customer_id = w.customer_id AND w.reject_reason IS NULL
  -- Changed: a column the file has differs, or the row moved to its new customer just before.
  AND ((w.has_email AND t.email IS DISTINCT FROM w.email)
       OR (w.has_phone AND t.phone IS DISTINCT FROM w.phone)
       OR (w.has_handle AND t.handle IS DISTINCT FROM w.handle)
       OR (w.has_name AND t.name IS DISTINCT FROM w.name)
       OR (w.has_country AND t.country IS DISTINCT FROM w.country)
       OR (w.has_signup_at AND t.signup_at IS DISTINCT FROM w.signup_at)
       OR (w.has_segment AND t.segment IS DISTINCT FROM w.segment)
       OR t.changed_by_run = $2);

-- name: insert
-- Rows this file adds. Defaults apply only here, when a row is first inserted.
-- The rows stored already were found by match_stored_rows (load/common.sql), in load_stored:
-- on Citus, an INSERT … SELECT from the staging table cannot look them up in the
-- distributed table itself.
INSERT INTO customer_profiles (source, customer_id, customer_key, email, phone, handle, name, country, signup_at, segment, loaded_by_run, changed_by_run)
SELECT $1,
       w.customer_id,
       k.customer_key,
       w.email,
       w.phone,
       w.handle,
       w.name,
       w.country,
       w.signup_at,
       w.segment,
       $2,
       $2
FROM load_stage AS w
JOIN identity_customers AS k
  ON (k.customer_id, k.email, k.phone, k.handle)
   = (coalesce(w.customer_id, ''), coalesce(w.email, ''), coalesce(w.phone, ''), coalesce(w.handle, ''))
WHERE w.reject_reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM load_stored AS s WHERE s.customer_id = w.customer_id);

-- name: copy_direct
-- A direct load (the first load of a source; see load/common.sql): validated rows, their
-- defaults applied by the loader as `insert` above applies them, straight into the table.
COPY customer_profiles (source, customer_id, customer_key, email, phone, handle, name, country, signup_at, segment, loaded_by_run, changed_by_run) FROM STDIN (FORMAT binary);
