-- Loading entity `returns` → table returns: refunds, joined to their order by (source, order_id) at
-- query time, so a return may arrive before its order. A return without identifiers gets its
-- customer from that order (customer_key stays NULL here).
--
-- Here: what belongs to this entity alone — its staging table, and the statements that name
-- its columns and their defaults (update, insert, copy_direct). The loader runs them by name,
-- inside the file's transaction, between the statements every entity shares
-- (load/common.sql); the order of both, and why update and insert are written out per
-- entity: sql/load/README.md.
-- Parameters: $1 source, $2 run_id, $3 default currency.

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
    return_id text,
    order_id text,
    customer_id text,
    email text,
    phone text,
    returned_at timestamptz,
    amount numeric,
    currency text,
    reason text,
    has_order_id boolean,
    has_customer_id boolean,
    has_email boolean,
    has_phone boolean,
    has_currency boolean,
    has_reason boolean
) ON COMMIT DROP;

-- name: update
-- Existing rows that this file changes. A column absent from the file keeps its stored
-- value; an empty field overwrites it with NULL; a row that would not change is left alone
-- (so an identical reload changes nothing, not even changed_by_run). customer_key is not set
-- here: a row whose customer changed was moved to its new key just before, by
-- match_stored_rows (load/common.sql), which stamped it changed_by_run = $2 — so it counts as
-- updated even when nothing else changed. Rows are found by id, not by ctid: Citus allows no
-- ctid in a distributed UPDATE (docs/scale-out.md). Unlike the other entities' updates, the
-- staged rows are joined with the table first (`incoming`) and the table is updated from that
-- result: on Citus returns are a reference table, which Citus updates from no local table such
-- as load_stage, but from the intermediate result `incoming` becomes. One look-up per row more.
WITH incoming AS (
    SELECT t.source,
           t.return_id,
           CASE WHEN w.has_order_id THEN w.order_id ELSE t.order_id END AS order_id,
           CASE WHEN w.has_customer_id THEN w.customer_id ELSE t.customer_id END AS customer_id,
           CASE WHEN w.has_email THEN w.email ELSE t.email END AS email,
           CASE WHEN w.has_phone THEN w.phone ELSE t.phone END AS phone,
           w.returned_at AS returned_at,
           w.amount AS amount,
           CASE WHEN w.has_currency THEN coalesce(w.currency, $3) ELSE t.currency END AS currency,
           CASE WHEN w.has_reason THEN w.reason ELSE t.reason END AS reason
    FROM load_stage AS w
    JOIN returns AS t ON t.source = $1 AND t.return_id = w.return_id
    WHERE w.reject_reason IS NULL
)
UPDATE returns AS t
SET (order_id, customer_id, email, phone, returned_at, amount, currency, reason, changed_by_run)
  = (i.order_id, i.customer_id, i.email, i.phone, i.returned_at, i.amount, i.currency, i.reason, $2)
FROM incoming AS i
WHERE (t.source, t.return_id) = (i.source, i.return_id)
  AND ((t.order_id, t.customer_id, t.email, t.phone, t.returned_at, t.amount, t.currency, t.reason)
      IS DISTINCT FROM (i.order_id, i.customer_id, i.email, i.phone, i.returned_at, i.amount, i.currency, i.reason)
       OR t.changed_by_run = $2);

-- name: insert
-- Rows this file adds. Defaults apply only here, when a row is first inserted.
-- The rows stored already were found by match_stored_rows (load/common.sql), in load_stored:
-- on Citus, an INSERT … SELECT from the staging table cannot look them up in the
-- distributed table itself.
INSERT INTO returns (source, return_id, customer_key, order_id, customer_id, email, phone, returned_at, amount, currency, reason, loaded_by_run, changed_by_run)
SELECT $1,
       w.return_id,
       k.customer_key,
       w.order_id,
       w.customer_id,
       w.email,
       w.phone,
       w.returned_at,
       w.amount,
       coalesce(w.currency, $3),
       w.reason,
       $2,
       $2
FROM load_stage AS w
LEFT JOIN identity_customers AS k
  ON (k.customer_id, k.email, k.phone, k.handle)
   = (coalesce(w.customer_id, ''), coalesce(w.email, ''), coalesce(w.phone, ''), '')
WHERE w.reject_reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM load_stored AS s WHERE s.return_id = w.return_id);

-- name: copy_direct
-- A direct load (the first load of a source; see load/common.sql): validated rows, their
-- defaults applied by the loader as `insert` above applies them, straight into the table.
COPY returns (source, return_id, customer_key, order_id, customer_id, email, phone, returned_at, amount, currency, reason, loaded_by_run, changed_by_run) FROM STDIN (FORMAT binary);
