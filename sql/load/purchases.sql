-- Loading entity `purchases` → table purchases: one row per order.
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
    order_id text,
    customer_id text,
    email text,
    phone text,
    ordered_at timestamptz,
    amount numeric,
    currency text,
    channel text,
    items integer,
    status text,
    has_customer_id boolean,
    has_email boolean,
    has_phone boolean,
    has_currency boolean,
    has_channel boolean,
    has_items boolean,
    has_status boolean
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
UPDATE purchases AS t
SET (customer_id, email, phone, ordered_at, amount, currency, channel, items, status, changed_by_run)
  = (CASE WHEN w.has_customer_id THEN w.customer_id ELSE t.customer_id END,
     CASE WHEN w.has_email THEN w.email ELSE t.email END,
     CASE WHEN w.has_phone THEN w.phone ELSE t.phone END,
     w.ordered_at,
     w.amount,
     CASE WHEN w.has_currency THEN coalesce(w.currency, $3) ELSE t.currency END,
     CASE WHEN w.has_channel THEN w.channel ELSE t.channel END,
     CASE WHEN w.has_items THEN w.items ELSE t.items END,
     coalesce(w.status, t.status),
     $2)
FROM load_stage AS w
WHERE t.source = $1 AND t.order_id = w.order_id AND w.reject_reason IS NULL
  -- Changed: a column always given differs, or a column the file has differs, or the row
  -- moved to its new customer just before.
  AND ((t.ordered_at, t.amount) IS DISTINCT FROM (w.ordered_at, w.amount)
       OR (w.has_customer_id AND t.customer_id IS DISTINCT FROM w.customer_id)
       OR (w.has_email AND t.email IS DISTINCT FROM w.email)
       OR (w.has_phone AND t.phone IS DISTINCT FROM w.phone)
       OR (w.has_currency AND t.currency IS DISTINCT FROM coalesce(w.currency, $3))
       OR (w.has_channel AND t.channel IS DISTINCT FROM w.channel)
       OR (w.has_items AND t.items IS DISTINCT FROM w.items)
       OR (w.status IS NOT NULL AND t.status IS DISTINCT FROM w.status)
       OR t.changed_by_run = $2);

-- name: insert
-- Rows this file adds. Defaults apply only here, when a row is first inserted.
-- The rows stored already were found by match_stored_rows (load/common.sql), in load_stored:
-- on Citus, an INSERT … SELECT from the staging table cannot look them up in the
-- distributed table itself.
INSERT INTO purchases (source, order_id, customer_key, customer_id, email, phone, ordered_at, amount, currency, channel, items, status, loaded_by_run, changed_by_run)
SELECT $1,
       w.order_id,
       k.customer_key,
       w.customer_id,
       w.email,
       w.phone,
       w.ordered_at,
       w.amount,
       coalesce(w.currency, $3),
       w.channel,
       w.items,
       coalesce(w.status, 'completed'),
       $2,
       $2
FROM load_stage AS w
JOIN identity_customers AS k
  ON (k.customer_id, k.email, k.phone, k.handle)
   = (coalesce(w.customer_id, ''), coalesce(w.email, ''), coalesce(w.phone, ''), '')
WHERE w.reject_reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM load_stored AS s WHERE s.order_id = w.order_id);

-- name: copy_direct
-- A direct load (the first load of a source; see load/common.sql): validated rows, their
-- defaults applied by the loader as `insert` above applies them, straight into the table.
COPY purchases (source, order_id, customer_key, customer_id, email, phone, ordered_at, amount, currency, channel, items, status, loaded_by_run, changed_by_run) FROM STDIN (FORMAT binary);
