-- Loading entity `customers` → table customer_profiles: what one source says about a customer.
--
-- Here: what belongs to this entity alone — its staging table, and the statements that name
-- its columns and their defaults (update, insert, copy_direct). The loader runs them by name,
-- inside the file's transaction, between the statements every entity shares
-- (load/common.sql); the order of both, and why update and insert are written out per
-- entity: sql/load/README.md.
-- Parameters: $1 source, $2 run_id (insert: $3 source_is_new).

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
-- (so an identical reload changes nothing, not even changed_by_run). The row found in
-- `incoming` is updated through its ctid: one index probe per row, not two (loads hold the
-- load lock, and nothing else in this transaction moves the row in between).
WITH incoming AS (
    SELECT t.ctid AS row_tid,
           t.source,
           t.customer_id,
           k.customer_key,
           CASE WHEN w.has_email THEN w.email ELSE t.email END AS email,
           CASE WHEN w.has_phone THEN w.phone ELSE t.phone END AS phone,
           CASE WHEN w.has_handle THEN w.handle ELSE t.handle END AS handle,
           CASE WHEN w.has_name THEN w.name ELSE t.name END AS name,
           CASE WHEN w.has_country THEN w.country ELSE t.country END AS country,
           CASE WHEN w.has_signup_at THEN w.signup_at ELSE t.signup_at END AS signup_at,
           CASE WHEN w.has_segment THEN w.segment ELSE t.segment END AS segment
    FROM load_stage AS w
    JOIN identity_customers AS k
      ON (k.customer_id, k.email, k.phone, k.handle)
       = (coalesce(w.customer_id, ''), coalesce(w.email, ''), coalesce(w.phone, ''), coalesce(w.handle, ''))
    JOIN customer_profiles AS t ON t.source = $1 AND t.customer_id = w.customer_id
    WHERE w.reject_reason IS NULL
)
UPDATE customer_profiles AS t
SET (customer_key, email, phone, handle, name, country, signup_at, segment, changed_by_run)
  = (i.customer_key, i.email, i.phone, i.handle, i.name, i.country, i.signup_at, i.segment, $2)
FROM incoming AS i
WHERE t.ctid = i.row_tid
  AND (t.customer_key, t.email, t.phone, t.handle, t.name, t.country, t.signup_at, t.segment)
      IS DISTINCT FROM (i.customer_key, i.email, i.phone, i.handle, i.name, i.country, i.signup_at, i.segment);

-- name: insert
-- Rows this file adds. Defaults apply only here, when a row is first inserted.
-- $3: true when the table holds no row of this source yet (source_is_new): then no row
-- can exist already; the look-up per row is planned away (kept inside NOT EXISTS so
-- that a nightly load still gets an anti-join on the primary key).
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
  AND NOT EXISTS (SELECT 1 FROM customer_profiles AS t WHERE NOT $3::boolean AND t.source = $1 AND t.customer_id = w.customer_id);

-- name: copy_direct
-- A direct load (the first load of a source; see load/common.sql): validated rows, their
-- defaults applied by the loader as `insert` above applies them, straight into the table.
COPY customer_profiles (source, customer_id, customer_key, email, phone, handle, name, country, signup_at, segment, loaded_by_run, changed_by_run) FROM STDIN (FORMAT binary);
