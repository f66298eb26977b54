-- Migration 0001: the warehouse.
--
-- supersedes checksum: 3dc1fabb488d81835f1e90a6b1c9aebc073982fd6f454ab6c77bd4c0edac1c6b the text up to 40442a7, whose header cited the input contract by its old file name; no statement changed
--
-- Applied by `patron migrate` (and by `patron load` when needed) inside one transaction, with
-- search_path set to Patron's schema (default `patron`), so nothing here names a schema.
--
-- Layers: `customers` + `customer_identifiers` hold the resolved people; one table per input
-- entity holds its rows keyed by (source, id-in-source) exactly as docs/inputs.md defines them;
-- `load_runs` + `rejected_rows` hold the loader's own record. Money is numeric (exact), instants
-- are timestamptz. Every fact row remembers the run that first loaded it and the run that last
-- changed it. Fact tables carry no foreign keys: per-row FK triggers would double the cost of a
-- bulk upsert, and the loader writes customers before facts in the same transaction (the tests
-- check that every fact's customer exists). Tables whose rows a later load updates leave 10% of
-- each page free (fillfactor 90): an update that changes no indexed column then stays on its
-- page without touching any index (a HOT update), which halves the cost of a nightly delta.

-- One row per `patron load` of one file (also failed and dry runs).
CREATE TABLE load_runs (
    run_id            bigserial PRIMARY KEY,
    entity            text        NOT NULL,
    source            text        NOT NULL,
    file              text        NOT NULL,
    format            text        NOT NULL,
    checksum_sha256   text,
    bytes_read        bigint,
    status            text        NOT NULL
        CHECK (status IN ('loaded', 'loaded_with_rejects', 'failed')),
    started_at        timestamptz NOT NULL,
    finished_at       timestamptz NOT NULL,
    read_seconds      double precision,   -- reading, validating and staging (COPY)
    merge_seconds     double precision,   -- identity resolution and upsert
    rows_read         bigint      NOT NULL DEFAULT 0,
    rows_inserted     bigint      NOT NULL DEFAULT 0,
    rows_updated      bigint      NOT NULL DEFAULT 0,
    rows_unchanged    bigint      NOT NULL DEFAULT 0,
    rows_superseded   bigint      NOT NULL DEFAULT 0,
    rows_rejected     bigint      NOT NULL DEFAULT 0,
    customers_created bigint      NOT NULL DEFAULT 0,
    customers_merged  bigint      NOT NULL DEFAULT 0,
    unknown_columns   text[],
    error             text,
    -- The loader's promise: every row read is accounted for exactly once.
    CONSTRAINT load_runs_reconcile CHECK (
        status = 'failed'
        OR rows_read = rows_inserted + rows_updated + rows_unchanged + rows_superseded + rows_rejected)
);
CREATE INDEX load_runs_entity_idx ON load_runs (entity, run_id);

-- One row per rejected input row, with what a person needs to fix it.
CREATE TABLE rejected_rows (
    run_id      bigint NOT NULL REFERENCES load_runs ON DELETE CASCADE,
    line        bigint NOT NULL,    -- physical line where the record starts (CSV header = 1)
    column_name text,
    value       text,
    reason      text   NOT NULL,
    PRIMARY KEY (run_id, line)
);

-- One row per resolved person. Keys are never reused; a merged-away key is deleted and
-- recorded in customer_merges.
CREATE TABLE customers (
    customer_key   bigserial   PRIMARY KEY,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by_run bigint
);

-- Every normalized identifier ever seen, and the customer it belongs to. customer_id is
-- scoped to its source; email, phone and handle are global (source = '').
CREATE TABLE customer_identifiers (
    kind         text   NOT NULL CHECK (kind IN ('customer_id', 'email', 'phone', 'handle')),
    source       text   NOT NULL,
    value        text   NOT NULL,
    customer_key bigint NOT NULL,
    first_run    bigint,
    PRIMARY KEY (kind, source, value),
    CHECK ((kind = 'customer_id') = (source <> ''))
);
CREATE INDEX customer_identifiers_customer_idx ON customer_identifiers (customer_key);

-- Two customers that a row proved to be one: merged_key was folded into into_key.
CREATE TABLE customer_merges (
    merged_key bigint      PRIMARY KEY,
    into_key   bigint      NOT NULL,
    run_id     bigint      REFERENCES load_runs,
    merged_at  timestamptz NOT NULL DEFAULT now()
);

-- Entity `customers`: what each source says about a customer.
CREATE TABLE customer_profiles (
    source          text   NOT NULL,
    customer_id     text   NOT NULL,
    customer_key    bigint NOT NULL,
    email           text,
    phone           text,
    handle          text,
    name            text,
    country         text,
    signup_at       timestamptz,
    segment         text,
    loaded_by_run   bigint NOT NULL,
    changed_by_run  bigint NOT NULL,
    PRIMARY KEY (source, customer_id)
) WITH (fillfactor = 90);
CREATE INDEX customer_profiles_customer_idx ON customer_profiles (customer_key);

-- Entity `purchases`: one row per order.
CREATE TABLE purchases (
    source          text        NOT NULL,
    order_id        text        NOT NULL,
    customer_key    bigint      NOT NULL,
    customer_id     text,
    email           text,
    phone           text,
    ordered_at      timestamptz NOT NULL,
    amount          numeric     NOT NULL CHECK (amount >= 0),
    currency        char(3)     NOT NULL,
    channel         text,
    items           integer     CHECK (items >= 0),
    status          text        NOT NULL CHECK (status IN ('completed', 'cancelled')),
    loaded_by_run   bigint      NOT NULL,
    changed_by_run  bigint      NOT NULL,
    PRIMARY KEY (source, order_id)
) WITH (fillfactor = 90);
CREATE INDEX purchases_customer_idx ON purchases (customer_key, ordered_at);
CREATE INDEX purchases_ordered_at_idx ON purchases (ordered_at);

-- Entity `returns`: refunds, tied to an order of the same source when it arrives.
-- customer_key is NULL when the return carried no identifier: its order names the customer.
CREATE TABLE returns (
    source          text        NOT NULL,
    return_id       text        NOT NULL,
    order_id        text,
    customer_key    bigint     ,
    customer_id     text,
    email           text,
    phone           text,
    returned_at     timestamptz NOT NULL,
    amount          numeric     NOT NULL CHECK (amount >= 0),
    currency        char(3)     NOT NULL,
    reason          text,
    loaded_by_run   bigint      NOT NULL,
    changed_by_run  bigint      NOT NULL,
    PRIMARY KEY (source, return_id)
) WITH (fillfactor = 90);
CREATE INDEX returns_order_idx ON returns (source, order_id);
CREATE INDEX returns_customer_idx ON returns (customer_key);

-- Entity `tickets`: help-desk tickets, updated night after night as they change state.
CREATE TABLE tickets (
    source            text        NOT NULL,
    ticket_id         text        NOT NULL,
    customer_key      bigint      NOT NULL,
    customer_id       text,
    email             text,
    phone             text,
    handle            text,
    created_at        timestamptz NOT NULL,
    channel           text        CHECK (channel IN ('email', 'chat', 'phone', 'social', 'web', 'other')),
    category          text,
    priority          text,
    status            text        NOT NULL CHECK (status IN ('new', 'open', 'pending', 'solved', 'closed')),
    agent             text,
    first_response_at timestamptz CHECK (first_response_at >= created_at),
    resolved_at       timestamptz CHECK (resolved_at >= created_at),
    reopens           integer     CHECK (reopens >= 0),
    agent_replies     integer     CHECK (agent_replies >= 0),
    customer_replies  integer     CHECK (customer_replies >= 0),
    handle_seconds    bigint      CHECK (handle_seconds >= 0),
    csat              smallint    CHECK (csat BETWEEN 1 AND 5),
    ces               smallint    CHECK (ces BETWEEN 1 AND 7),
    loaded_by_run     bigint      NOT NULL,
    changed_by_run    bigint      NOT NULL,
    PRIMARY KEY (source, ticket_id)
) WITH (fillfactor = 90);
CREATE INDEX tickets_customer_idx ON tickets (customer_key, created_at);
CREATE INDEX tickets_created_at_idx ON tickets (created_at);
CREATE INDEX tickets_resolved_at_idx ON tickets (resolved_at);

-- Entity `mentions`: social posts. Linked to a customer through `handle` at query time, so a
-- mention links as soon as any customer has its handle, whatever the load order.
CREATE TABLE mentions (
    source          text        NOT NULL,
    mention_id      text        NOT NULL,
    platform        text        NOT NULL,
    handle          text,
    posted_at       timestamptz NOT NULL,
    text            text,
    sentiment       double precision CHECK (sentiment BETWEEN -1 AND 1),
    is_complaint    boolean,
    reach           bigint      CHECK (reach >= 0),
    responded_at    timestamptz CHECK (responded_at >= posted_at),
    loaded_by_run   bigint      NOT NULL,
    changed_by_run  bigint      NOT NULL,
    PRIMARY KEY (source, mention_id)
) WITH (fillfactor = 90);
CREATE INDEX mentions_handle_idx ON mentions (handle);
CREATE INDEX mentions_posted_at_idx ON mentions (posted_at);

-- Entity `surveys`: NPS, CSAT and CES answers.
CREATE TABLE surveys (
    source          text        NOT NULL,
    response_id     text        NOT NULL,
    customer_key    bigint      NOT NULL,
    customer_id     text,
    email           text,
    phone           text,
    kind            text        NOT NULL CHECK (kind IN ('nps', 'csat', 'ces')),
    score           smallint    NOT NULL,
    responded_at    timestamptz NOT NULL,
    ticket_id       text,
    comment         text,
    loaded_by_run   bigint      NOT NULL,
    changed_by_run  bigint      NOT NULL,
    PRIMARY KEY (source, response_id),
    CHECK (CASE kind WHEN 'nps' THEN score BETWEEN 0 AND 10
                     WHEN 'csat' THEN score BETWEEN 1 AND 5
                     ELSE score BETWEEN 1 AND 7 END)
) WITH (fillfactor = 90);
CREATE INDEX surveys_customer_idx ON surveys (customer_key, responded_at);
CREATE INDEX surveys_ticket_idx ON surveys (source, ticket_id);
