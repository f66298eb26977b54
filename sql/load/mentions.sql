-- Loading entity `mentions` → table mentions: social posts. No identity resolution: a mention links to
-- a customer through its handle at query time, by handle_key (migration 0014: the handle, or
-- ':' || mention_id for a mention without one), which the insert computes and
-- `match_stored` keeps when a handle changes.
--
-- Here: what belongs to this entity alone — its staging table, and the statements that name
-- its columns and their defaults (update, insert, copy_direct). The loader runs them by name,
-- inside the file's transaction, between the statements every entity shares
-- (load/common.sql); the order of both, and why update and insert are written out per
-- entity: sql/load/README.md.
-- Parameters: $1 source, $2 run_id (match_stored: $2 source_is_new).

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
    mention_id text,
    platform text,
    handle text,
    posted_at timestamptz,
    "text" text,
    sentiment double precision,
    is_complaint boolean,
    reach bigint,
    responded_at timestamptz,
    has_handle boolean,
    has_text boolean,
    has_sentiment boolean,
    has_is_complaint boolean,
    has_reach boolean,
    has_responded_at boolean
) ON COMMIT DROP;

-- name: match_stored
-- Before the update and insert: which staged mentions are stored already (the temporary table
-- load_stored, read by the insert), and those whose handle changed moved to their new
-- handle_key ($1 source, $2 source_is_new: nothing is stored yet)
-- (sql/models/load_match_stored_mentions.sql).
SELECT load_match_stored_mentions($1, $2::boolean) AS moved;

-- name: update
-- Existing rows that this file changes. A column absent from the file keeps its stored
-- value; an empty field overwrites it with NULL; a row that would not change is left alone
-- (so an identical reload changes nothing, not even changed_by_run). handle_key is not set
-- here: a mention whose handle changed was moved to its new key just before, by
-- `match_stored`. Rows are found by id, not by ctid (Citus allows no ctid in a distributed
-- UPDATE; docs/scale-out.md), in one join of the staged rows with the table: the new values
-- are computed from the row being updated, not from a copy of it joined first, so each staged
-- row costs one look-up (on Citus, the staged rows travel to the shards once).
UPDATE mentions AS t
SET (platform, handle, posted_at, "text", sentiment, is_complaint, reach, responded_at, changed_by_run)
  = (w.platform,
     CASE WHEN w.has_handle THEN w.handle ELSE t.handle END,
     w.posted_at,
     CASE WHEN w.has_text THEN w."text" ELSE t."text" END,
     CASE WHEN w.has_sentiment THEN w.sentiment ELSE t.sentiment END,
     CASE WHEN w.has_is_complaint THEN w.is_complaint ELSE t.is_complaint END,
     CASE WHEN w.has_reach THEN w.reach ELSE t.reach END,
     CASE WHEN w.has_responded_at THEN w.responded_at ELSE t.responded_at END,
     $2)
FROM load_stage AS w
WHERE t.source = $1 AND t.mention_id = w.mention_id AND w.reject_reason IS NULL
  -- Changed: a column always given differs, or a column the file has differs.
  AND ((t.platform, t.posted_at) IS DISTINCT FROM (w.platform, w.posted_at)
       OR (w.has_handle AND t.handle IS DISTINCT FROM w.handle)
       OR (w.has_text AND t."text" IS DISTINCT FROM w."text")
       OR (w.has_sentiment AND t.sentiment IS DISTINCT FROM w.sentiment)
       OR (w.has_is_complaint AND t.is_complaint IS DISTINCT FROM w.is_complaint)
       OR (w.has_reach AND t.reach IS DISTINCT FROM w.reach)
       OR (w.has_responded_at AND t.responded_at IS DISTINCT FROM w.responded_at));

-- name: insert
-- Rows this file adds: the valid staged rows that `match_stored` did not find stored
-- (load_stored). Defaults apply only here, when a row is first inserted.
INSERT INTO mentions (source, mention_id, handle_key, platform, handle, posted_at, "text", sentiment, is_complaint, reach, responded_at, loaded_by_run, changed_by_run)
SELECT $1,
       w.mention_id,
       coalesce(w.handle, ':' || w.mention_id),
       w.platform,
       w.handle,
       w.posted_at,
       w."text",
       w.sentiment,
       w.is_complaint,
       w.reach,
       w.responded_at,
       $2,
       $2
FROM load_stage AS w
WHERE w.reject_reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM load_stored AS s WHERE s.mention_id = w.mention_id);

-- name: copy_direct
-- A direct load (the first load of a source; see load/common.sql): validated rows, their
-- defaults applied by the loader as `insert` above applies them, straight into the table.
COPY mentions (source, mention_id, handle_key, platform, handle, posted_at, "text", sentiment, is_complaint, reach, responded_at, loaded_by_run, changed_by_run) FROM STDIN (FORMAT binary);
