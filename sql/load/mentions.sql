-- Loading entity `mentions` → table mentions: social posts. No identity resolution: a mention links to
-- a customer through its handle at query time.
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

-- name: update
-- Existing rows that this file changes. A column absent from the file keeps its stored
-- value; an empty field overwrites it with NULL; a row that would not change is left alone
-- (so an identical reload changes nothing, not even changed_by_run). The row found in
-- `incoming` is updated through its ctid: one index probe per row, not two (loads hold the
-- load lock, and nothing else in this transaction moves the row in between).
WITH incoming AS (
    SELECT t.ctid AS row_tid,
           t.source,
           t.mention_id,
           w.platform AS platform,
           CASE WHEN w.has_handle THEN w.handle ELSE t.handle END AS handle,
           w.posted_at AS posted_at,
           CASE WHEN w.has_text THEN w."text" ELSE t."text" END AS "text",
           CASE WHEN w.has_sentiment THEN w.sentiment ELSE t.sentiment END AS sentiment,
           CASE WHEN w.has_is_complaint THEN w.is_complaint ELSE t.is_complaint END AS is_complaint,
           CASE WHEN w.has_reach THEN w.reach ELSE t.reach END AS reach,
           CASE WHEN w.has_responded_at THEN w.responded_at ELSE t.responded_at END AS responded_at
    FROM load_stage AS w
    JOIN mentions AS t ON t.source = $1 AND t.mention_id = w.mention_id
    WHERE w.reject_reason IS NULL
)
UPDATE mentions AS t
SET (platform, handle, posted_at, "text", sentiment, is_complaint, reach, responded_at, changed_by_run)
  = (i.platform, i.handle, i.posted_at, i."text", i.sentiment, i.is_complaint, i.reach, i.responded_at, $2)
FROM incoming AS i
WHERE t.ctid = i.row_tid
  AND (t.platform, t.handle, t.posted_at, t."text", t.sentiment, t.is_complaint, t.reach, t.responded_at)
      IS DISTINCT FROM (i.platform, i.handle, i.posted_at, i."text", i.sentiment, i.is_complaint, i.reach, i.responded_at);

-- name: insert
-- Rows this file adds. Defaults apply only here, when a row is first inserted.
-- $3: true when the table holds no row of this source yet (source_is_new): then no row
-- can exist already; the look-up per row is planned away (kept inside NOT EXISTS so
-- that a nightly load still gets an anti-join on the primary key).
INSERT INTO mentions (source, mention_id, platform, handle, posted_at, "text", sentiment, is_complaint, reach, responded_at, loaded_by_run, changed_by_run)
SELECT $1,
       w.mention_id,
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
  AND NOT EXISTS (SELECT 1 FROM mentions AS t WHERE NOT $3::boolean AND t.source = $1 AND t.mention_id = w.mention_id);

-- name: copy_direct
-- A direct load (the first load of a source; see load/common.sql): validated rows, their
-- defaults applied by the loader as `insert` above applies them, straight into the table.
COPY mentions (source, mention_id, platform, handle, posted_at, "text", sentiment, is_complaint, reach, responded_at, loaded_by_run, changed_by_run) FROM STDIN (FORMAT binary);
