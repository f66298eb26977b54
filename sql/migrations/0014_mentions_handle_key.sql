-- Migration 0014: mentions get handle_key, the value that links a mention to its customer and,
-- on Citus, places it on its shard.
--
-- handle_key is the mention's handle or, for a mention without one, ':' followed by its
-- mention_id: a value no handle can take (a handle starts with its platform,
-- `platform:@name`), so such a mention links to no customer, as before, while mentions without
-- a handle still spread over the shards rather than piling onto one. The loader keeps it (a
-- mention whose handle changes is deleted and inserted again under its new key:
-- sql/models/load_match_stored_mentions.sql). mention_facts and the other joins of mentions to
-- customer_identifiers join on it, which on Citus is a join of co-located shards: mentions are
-- distributed by handle_key beside customer_identifiers, distributed by value
-- (sql/citus/distribute.sql; a warehouse distributed before this migration gets it from
-- `patron migrate --citus` run again).
--
-- Its index replaces the one on handle: every lookup of mentions by handle goes through
-- handle_key now.

ALTER TABLE mentions ADD COLUMN handle_key text;
UPDATE mentions SET handle_key = coalesce(handle, ':' || mention_id);
ALTER TABLE mentions ALTER COLUMN handle_key SET NOT NULL;
DROP INDEX mentions_handle_idx;
CREATE INDEX mentions_handle_key_idx ON mentions (handle_key);
