-- Imports of vendor exports (`patron import`, `patron sync`). An imported file is converted to
-- canonical rows first; a rejected row's `line` is its number among the converted rows of its
-- entity, and `source_line` says where it came from in the vendor's file.
ALTER TABLE rejected_rows ADD COLUMN source_line bigint;   -- line of the vendor record

-- Records an importer left out on purpose (deleted tickets, failed charges, eNPS answers …),
-- counted per run, and never an error.
ALTER TABLE load_runs ADD COLUMN rows_skipped bigint NOT NULL DEFAULT 0;

-- What an importer did not load, with its reason: records skipped on purpose, and junk optional
-- identifiers dropped from rows that were loaded (the row kept its other identifiers).
CREATE TABLE import_notices (
    run_id      bigint  NOT NULL REFERENCES load_runs ON DELETE CASCADE,
    seq         integer NOT NULL,          -- order within the run
    kind        text    NOT NULL CHECK (kind IN ('skipped', 'identifier_dropped')),
    source_line bigint,                     -- line of the vendor record
    source_ref  text    NOT NULL,           -- e.g. "order #1003 (line 7)"
    column_name text,                       -- identifier_dropped: the canonical column
    value       text,                       -- identifier_dropped: the value as the vendor wrote it
    reason      text    NOT NULL,
    PRIMARY KEY (run_id, seq)
);
