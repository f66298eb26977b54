-- Loading entity `tickets` → table tickets: help-desk tickets, which change state night after night.
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
    ticket_id text,
    customer_id text,
    email text,
    phone text,
    handle text,
    created_at timestamptz,
    channel text,
    category text,
    priority text,
    status text,
    agent text,
    first_response_at timestamptz,
    resolved_at timestamptz,
    reopens integer,
    agent_replies integer,
    customer_replies integer,
    handle_seconds bigint,
    csat smallint,
    ces smallint,
    has_customer_id boolean,
    has_email boolean,
    has_phone boolean,
    has_handle boolean,
    has_channel boolean,
    has_category boolean,
    has_priority boolean,
    has_status boolean,
    has_agent boolean,
    has_first_response_at boolean,
    has_resolved_at boolean,
    has_reopens boolean,
    has_agent_replies boolean,
    has_customer_replies boolean,
    has_handle_seconds boolean,
    has_csat boolean,
    has_ces boolean
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
UPDATE tickets AS t
SET (customer_id, email, phone, handle, created_at, channel, category, priority, status, agent, first_response_at, resolved_at, reopens, agent_replies, customer_replies, handle_seconds, csat, ces, changed_by_run)
  = (CASE WHEN w.has_customer_id THEN w.customer_id ELSE t.customer_id END,
     CASE WHEN w.has_email THEN w.email ELSE t.email END,
     CASE WHEN w.has_phone THEN w.phone ELSE t.phone END,
     CASE WHEN w.has_handle THEN w.handle ELSE t.handle END,
     w.created_at,
     CASE WHEN w.has_channel THEN w.channel ELSE t.channel END,
     CASE WHEN w.has_category THEN w.category ELSE t.category END,
     CASE WHEN w.has_priority THEN w.priority ELSE t.priority END,
     coalesce(w.status, t.status),
     CASE WHEN w.has_agent THEN w.agent ELSE t.agent END,
     CASE WHEN w.has_first_response_at THEN w.first_response_at ELSE t.first_response_at END,
     CASE WHEN w.has_resolved_at THEN w.resolved_at ELSE t.resolved_at END,
     CASE WHEN w.has_reopens THEN w.reopens ELSE t.reopens END,
     CASE WHEN w.has_agent_replies THEN w.agent_replies ELSE t.agent_replies END,
     CASE WHEN w.has_customer_replies THEN w.customer_replies ELSE t.customer_replies END,
     CASE WHEN w.has_handle_seconds THEN w.handle_seconds ELSE t.handle_seconds END,
     CASE WHEN w.has_csat THEN w.csat ELSE t.csat END,
     CASE WHEN w.has_ces THEN w.ces ELSE t.ces END,
     $2)
FROM load_stage AS w
WHERE t.source = $1 AND t.ticket_id = w.ticket_id AND w.reject_reason IS NULL
  -- Changed: a column always given differs, or a column the file has differs, or the row
  -- moved to its new customer just before.
  AND (t.created_at IS DISTINCT FROM w.created_at
       OR (w.has_customer_id AND t.customer_id IS DISTINCT FROM w.customer_id)
       OR (w.has_email AND t.email IS DISTINCT FROM w.email)
       OR (w.has_phone AND t.phone IS DISTINCT FROM w.phone)
       OR (w.has_handle AND t.handle IS DISTINCT FROM w.handle)
       OR (w.has_channel AND t.channel IS DISTINCT FROM w.channel)
       OR (w.has_category AND t.category IS DISTINCT FROM w.category)
       OR (w.has_priority AND t.priority IS DISTINCT FROM w.priority)
       OR (w.status IS NOT NULL AND t.status IS DISTINCT FROM w.status)
       OR (w.has_agent AND t.agent IS DISTINCT FROM w.agent)
       OR (w.has_first_response_at AND t.first_response_at IS DISTINCT FROM w.first_response_at)
       OR (w.has_resolved_at AND t.resolved_at IS DISTINCT FROM w.resolved_at)
       OR (w.has_reopens AND t.reopens IS DISTINCT FROM w.reopens)
       OR (w.has_agent_replies AND t.agent_replies IS DISTINCT FROM w.agent_replies)
       OR (w.has_customer_replies AND t.customer_replies IS DISTINCT FROM w.customer_replies)
       OR (w.has_handle_seconds AND t.handle_seconds IS DISTINCT FROM w.handle_seconds)
       OR (w.has_csat AND t.csat IS DISTINCT FROM w.csat)
       OR (w.has_ces AND t.ces IS DISTINCT FROM w.ces)
       OR t.changed_by_run = $2);

-- name: insert
-- Rows this file adds. Defaults apply only here, when a row is first inserted.
-- The rows stored already were found by match_stored_rows (load/common.sql), in load_stored:
-- on Citus, an INSERT … SELECT from the staging table cannot look them up in the
-- distributed table itself.
INSERT INTO tickets (source, ticket_id, customer_key, customer_id, email, phone, handle, created_at, channel, category, priority, status, agent, first_response_at, resolved_at, reopens, agent_replies, customer_replies, handle_seconds, csat, ces, loaded_by_run, changed_by_run)
SELECT $1,
       w.ticket_id,
       k.customer_key,
       w.customer_id,
       w.email,
       w.phone,
       w.handle,
       w.created_at,
       w.channel,
       w.category,
       w.priority,
       coalesce(w.status, CASE WHEN w.resolved_at IS NULL THEN 'open' ELSE 'solved' END),
       w.agent,
       w.first_response_at,
       w.resolved_at,
       w.reopens,
       w.agent_replies,
       w.customer_replies,
       w.handle_seconds,
       w.csat,
       w.ces,
       $2,
       $2
FROM load_stage AS w
JOIN identity_customers AS k
  ON (k.customer_id, k.email, k.phone, k.handle)
   = (coalesce(w.customer_id, ''), coalesce(w.email, ''), coalesce(w.phone, ''), coalesce(w.handle, ''))
WHERE w.reject_reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM load_stored AS s WHERE s.ticket_id = w.ticket_id);

-- name: copy_direct
-- A direct load (the first load of a source; see load/common.sql): validated rows, their
-- defaults applied by the loader as `insert` above applies them, straight into the table.
COPY tickets (source, ticket_id, customer_key, customer_id, email, phone, handle, created_at, channel, category, priority, status, agent, first_response_at, resolved_at, reopens, agent_replies, customer_replies, handle_seconds, csat, ces, loaded_by_run, changed_by_run) FROM STDIN (FORMAT binary);
