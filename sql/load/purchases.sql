-- Loading entity `purchases` → table purchases: one row per order.
--
-- The loader runs these statements by name, in this order, inside the file's transaction:
--   source_is_new → a first load of the source (a file, not standard input) takes copy_direct
--   (Loader+Direct.swift); any other: create_stage → (COPY of the validated rows) → drop_superseded (if the loader saw a
--   repeated id) → identity_sets → (resolve_identities) → update (unless new) → insert
-- Parameters: $1 source, $2 run_id, $3 default currency (insert: $4 source_is_new).

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

-- name: drop_superseded
-- Among valid rows with the same id, the last one wins; the earlier ones are superseded and
-- deleted here. Only ids the loader saw repeated can have earlier rows.
DELETE FROM load_stage AS s
USING (SELECT order_id, max(line) AS last_line
       FROM load_stage
       WHERE reject_reason IS NULL
         AND order_id IN (SELECT order_id FROM load_stage WHERE repeated)
       GROUP BY order_id) AS d
WHERE s.reject_reason IS NULL AND s.order_id = d.order_id AND s.line < d.last_line;

-- name: identity_sets
-- The distinct combinations of identifiers of the valid rows, for resolve_identities().
CREATE TEMP TABLE identity_sets ON COMMIT DROP AS
SELECT row_number() OVER () AS set_id, *
FROM (SELECT DISTINCT customer_id, email, phone, NULL::text AS handle
      FROM load_stage
      WHERE reject_reason IS NULL) AS s;

-- name: source_is_new
-- A source with a successful load that inserted rows is not new (a look-up in load_runs);
-- otherwise the table says (a scan that stops at the first row of the source).
SELECT NOT EXISTS (SELECT 1 FROM load_runs
                   WHERE entity = 'purchases' AND source = $1 AND status <> 'failed' AND rows_inserted > 0)
   AND NOT EXISTS (SELECT 1 FROM purchases WHERE source = $1) AS new;

-- name: update
-- Existing rows that this file changes. A column absent from the file keeps its stored
-- value; an empty field overwrites it with NULL; a row that would not change is left alone
-- (so an identical reload changes nothing, not even changed_by_run). The row found in
-- `incoming` is updated through its ctid: one index probe per row, not two (loads hold the
-- load lock, and nothing else in this transaction moves the row in between).
WITH incoming AS (
    SELECT t.ctid AS row_tid,
           t.source,
           t.order_id,
           k.customer_key,
           CASE WHEN w.has_customer_id THEN w.customer_id ELSE t.customer_id END AS customer_id,
           CASE WHEN w.has_email THEN w.email ELSE t.email END AS email,
           CASE WHEN w.has_phone THEN w.phone ELSE t.phone END AS phone,
           w.ordered_at AS ordered_at,
           w.amount AS amount,
           CASE WHEN w.has_currency THEN coalesce(w.currency, $3) ELSE t.currency END AS currency,
           CASE WHEN w.has_channel THEN w.channel ELSE t.channel END AS channel,
           CASE WHEN w.has_items THEN w.items ELSE t.items END AS items,
           coalesce(w.status, t.status) AS status
    FROM load_stage AS w
    JOIN identity_customers AS k
      ON (k.customer_id, k.email, k.phone, k.handle)
       = (coalesce(w.customer_id, ''), coalesce(w.email, ''), coalesce(w.phone, ''), '')
    JOIN purchases AS t ON t.source = $1 AND t.order_id = w.order_id
    WHERE w.reject_reason IS NULL
)
UPDATE purchases AS t
SET (customer_key, customer_id, email, phone, ordered_at, amount, currency, channel, items, status, changed_by_run)
  = (i.customer_key, i.customer_id, i.email, i.phone, i.ordered_at, i.amount, i.currency, i.channel, i.items, i.status, $2)
FROM incoming AS i
WHERE t.ctid = i.row_tid
  AND (t.customer_key, t.customer_id, t.email, t.phone, t.ordered_at, t.amount, t.currency, t.channel, t.items, t.status)
      IS DISTINCT FROM (i.customer_key, i.customer_id, i.email, i.phone, i.ordered_at, i.amount, i.currency, i.channel, i.items, i.status);

-- name: insert
-- Rows this file adds. Defaults apply only here, when a row is first inserted.
-- $4: true when the table holds no row of this source yet (source_is_new): then no row
-- can exist already; the look-up per row is planned away (kept inside NOT EXISTS so
-- that a nightly load still gets an anti-join on the primary key).
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
  AND NOT EXISTS (SELECT 1 FROM purchases AS t WHERE NOT $4::boolean AND t.source = $1 AND t.order_id = w.order_id);

-- name: copy_direct
-- A direct load (the first load of a source; see load/common.sql): validated rows, their
-- defaults applied by the loader as `insert` above applies them, straight into the table.
COPY purchases (source, order_id, customer_key, customer_id, email, phone, ordered_at, amount, currency, channel, items, status, loaded_by_run, changed_by_run) FROM STDIN (FORMAT binary);
